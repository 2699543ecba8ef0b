//! `plumb diff`: semantic diff of two versions of a plan.
//!
//! `plumb diff OLD NEW` compares two files (either may be `/dev/null`, for a plan
//! added or deleted, as git's external diff driver passes). `plumb diff --git REV
//! [FILE]` reads the old version from git (`git show REV:path`, imports too,
//! through [`GitFs`]) and the new one from the work tree; `REV1..REV2` reads both
//! from git. Without FILE every plan entry file (a `.plumb` file with a `plan`
//! declaration) below the current directory, in either version, is compared.

use crate::{DiffArgs, DiffFormat};
use plumb::compile::{compile, Compilation, DiskFs, FileSystem, Options};
use plumb::diff::{
    diff, render_human, render_markdown, render_markdown_many, DiffOptions, PlanDiff,
};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// Reads files as they are in one git revision. Paths are taken relative to the
/// current directory, as on disk.
pub struct GitFs {
    rev: String,
    /// The repository's top folder (canonical).
    top: PathBuf,
    /// The current directory (canonical).
    cwd: PathBuf,
}

fn git(dir: &Path, args: &[&str]) -> std::io::Result<std::process::Output> {
    Command::new("git").arg("-C").arg(dir).args(args).output()
}

/// `a/b/../c` → `a/c`, lexically.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

impl GitFs {
    /// A reader of revision `rev` of the repository holding the current directory.
    pub fn new(rev: &str) -> Result<GitFs, String> {
        let cwd = std::env::current_dir()
            .and_then(std::fs::canonicalize)
            .map_err(|e| format!("cannot read the current directory: {e}"))?;
        let top = git(&cwd, &["rev-parse", "--show-toplevel"])
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !top.status.success() {
            return Err("the current directory is not inside a git repository".into());
        }
        let top = PathBuf::from(String::from_utf8_lossy(&top.stdout).trim());
        let top = std::fs::canonicalize(&top).unwrap_or(top);
        let ok = git(
            &top,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .map_err(|e| format!("cannot run git: {e}"))?;
        if !ok.status.success() {
            return Err(format!(
                "`{rev}` is not a git revision (a commit, branch or tag)"
            ));
        }
        Ok(GitFs {
            rev: rev.to_string(),
            top,
            cwd,
        })
    }

    /// The path relative to the repository's top, with `/` separators.
    fn rel(&self, path: &Path) -> std::io::Result<String> {
        let abs = normalize(&self.cwd.join(path));
        let rel = abs.strip_prefix(&self.top).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{} is outside the repository", path.display()),
            )
        })?;
        Ok(rel.to_string_lossy().replace('\\', "/"))
    }

    /// True when `path` is a file in the revision.
    fn exists(&self, path: &Path) -> bool {
        let Ok(rel) = self.rel(path) else {
            return false;
        };
        git(
            &self.top,
            &["cat-file", "-e", &format!("{}:{rel}", self.rev)],
        )
        .map(|o| o.status.success())
        .unwrap_or(false)
    }

    /// Plan files below the current directory in the revision, relative to it.
    fn plan_files(&self) -> Vec<PathBuf> {
        let Ok(out) = git(&self.cwd, &["ls-tree", "-r", "--name-only", &self.rev]) else {
            return Vec::new();
        };
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.ends_with(".plumb"))
            .map(PathBuf::from)
            .filter(|p| self.read(p).map(|t| is_entry(&t)).unwrap_or(false))
            .collect()
    }
}

impl FileSystem for GitFs {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        let rel = self.rel(path)?;
        let out = git(&self.top, &["show", &format!("{}:{rel}", self.rev)])?;
        if !out.status.success() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{rel} does not exist in {}", self.rev),
            ));
        }
        String::from_utf8(out.stdout).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "the file is not valid UTF-8 (byte {})",
                    e.utf8_error().valid_up_to()
                ),
            )
        })
    }

    fn canonicalize(&self, path: &Path) -> std::io::Result<PathBuf> {
        if self.exists(path) {
            Ok(normalize(&self.cwd.join(path)))
        } else {
            Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{} does not exist in {}", path.display(), self.rev),
            ))
        }
    }
}

/// True when the text has a top-level `plan` declaration.
fn is_entry(text: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with("plan ") || l.starts_with("plan\t"))
}

fn opts() -> Options {
    Options {
        evaluate: true,
        scenarios: None,
    }
}

/// Where one version comes from.
enum Source<'a> {
    Disk,
    Git(&'a GitFs),
}

impl Source<'_> {
    fn fs(&self) -> &dyn FileSystem {
        match self {
            Source::Disk => &DiskFs,
            Source::Git(g) => *g,
        }
    }

    fn exists(&self, path: &Path) -> bool {
        match self {
            Source::Disk => path.is_file(),
            Source::Git(g) => g.exists(path),
        }
    }

    fn label(&self, path: &Path) -> String {
        match self {
            Source::Disk => path.display().to_string(),
            Source::Git(g) => format!("{}:{}", g.rev, path.display()),
        }
    }

    fn compile(&self, path: &Path) -> Compilation {
        if path == Path::new("/dev/null") || !self.exists(path) {
            return Compilation::default();
        }
        compile(path, self.fs(), &opts())
    }
}

fn one(old: &Source, new: &Source, path_old: &Path, path_new: &Path) -> PlanDiff {
    one_with(old, new, path_old, path_new, None).0
}

/// [`one`], with the change in each target's simulated odds when `simulate`
/// gives (samples, seed).
fn one_with(
    old: &Source,
    new: &Source,
    path_old: &Path,
    path_new: &Path,
    simulate: Option<(usize, u64)>,
) -> (PlanDiff, Option<super::simulate::OddsDiff>) {
    let a = old.compile(path_old);
    let b = new.compile(path_new);
    let d = diff(
        &a,
        &b,
        &DiffOptions {
            old_label: old.label(path_old),
            new_label: new.label(path_new),
        },
    );
    let odds = simulate.map(|(n, seed)| super::simulate::odds_diff(&a, &b, n, seed));
    (d, odds)
}

/// Prints a diff with the change in odds after it (inside the JSON object).
fn print_with_odds(
    out: &mut super::Out,
    d: &PlanDiff,
    odds: &super::simulate::OddsDiff,
    format: DiffFormat,
) {
    match format {
        DiffFormat::Json => {
            let mut v: serde_json::Value =
                serde_json::from_str(&d.to_json()).unwrap_or(serde_json::Value::Null);
            if let Some(m) = v.as_object_mut() {
                m.insert("odds".into(), odds.to_json());
            }
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into())
            );
        }
        DiffFormat::Markdown => {
            write!(out, "{}", render_markdown(d));
            write!(out, "\n{}", odds.render(true));
        }
        DiffFormat::Human => {
            write!(out, "{}", render_human(d));
            write!(out, "\n{}", odds.render(false));
        }
    }
}

fn disk_entries(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 32 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let name = e.file_name();
        let hidden = name.to_string_lossy().starts_with('.') || name == "target";
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() && !hidden {
            disk_entries(&p, out, depth + 1);
        } else if ft.is_file()
            && p.extension().is_some_and(|x| x == "plumb")
            && std::fs::read_to_string(&p).is_ok_and(|t| is_entry(&t))
        {
            out.push(p.strip_prefix("./").map(Path::to_path_buf).unwrap_or(p));
        }
    }
}

fn print(out: &mut super::Out, diffs: &[PlanDiff], format: DiffFormat, single: bool) {
    match format {
        DiffFormat::Json => {
            let text = if single {
                diffs.first().map(PlanDiff::to_json).unwrap_or_default()
            } else {
                serde_json::to_string_pretty(diffs).unwrap_or_else(|_| "[]".into())
            };
            writeln!(out, "{text}");
        }
        DiffFormat::Markdown => {
            if single {
                if let Some(d) = diffs.first() {
                    write!(out, "{}", render_markdown(d));
                }
            } else {
                write!(out, "{}", render_markdown_many(diffs));
            }
        }
        DiffFormat::Human => {
            let shown: Vec<&PlanDiff> = diffs.iter().filter(|d| single || !d.is_empty()).collect();
            if shown.is_empty() {
                writeln!(out, "no semantic change in {} plan file(s)", diffs.len());
            }
            for (i, d) in shown.iter().enumerate() {
                if i > 0 {
                    writeln!(out);
                }
                write!(out, "{}", render_human(d));
            }
        }
    }
}

/// Runs `plumb diff`.
pub fn run(args: &DiffArgs) -> u8 {
    let Some(rev) = &args.git else {
        let [old, new] = args.paths.as_slice() else {
            eprintln!("error: give two plan files, OLD and NEW, or use --git REV [FILE]");
            return 2;
        };
        for p in [old, new] {
            if p != Path::new("/dev/null") && !p.is_file() {
                eprintln!("error: {} is not a file", p.display());
                return 2;
            }
        }
        let sim = args.simulate.then_some((args.samples, args.seed));
        let (mut d, odds) = one_with(&Source::Disk, &Source::Disk, old, new, sim);
        if let Some(l) = &args.old_label {
            d.old.label = l.clone();
        }
        if let Some(l) = &args.new_label {
            d.new.label = l.clone();
        }
        return print_one(&d, odds.as_ref(), args.format);
    };
    if args.paths.len() > 1 {
        eprintln!("error: with --git, give at most one FILE (or directory)");
        return 2;
    }
    let (old_rev, new_rev) = match rev.split_once("..") {
        Some((a, b)) => (a.to_string(), Some(b.to_string())),
        None => (rev.clone(), None),
    };
    let old_fs = match GitFs::new(&old_rev) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let new_fs = match &new_rev {
        Some(r) => match GitFs::new(r) {
            Ok(g) => Some(g),
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        },
        None => None,
    };
    let old_src = Source::Git(&old_fs);
    let new_src = match &new_fs {
        Some(g) => Source::Git(g),
        None => Source::Disk,
    };
    let target = args.paths.first();
    if let Some(file) = target.filter(|p| !p.is_dir()) {
        if !old_src.exists(file) && !new_src.exists(file) {
            eprintln!(
                "error: {} exists neither in {old_rev} nor in {}",
                file.display(),
                new_rev.as_deref().unwrap_or("the work tree")
            );
            return 2;
        }
        let sim = args.simulate.then_some((args.samples, args.seed));
        let (d, odds) = one_with(&old_src, &new_src, file, file, sim);
        return print_one(&d, odds.as_ref(), args.format);
    }
    if args.simulate {
        eprintln!("error: --simulate compares one plan: name its FILE");
        return 2;
    }
    // Every plan entry file in either version.
    let dir = target.cloned().unwrap_or_else(|| PathBuf::from("."));
    let under = |p: &Path| dir == Path::new(".") || normalize(p).starts_with(normalize(&dir));
    let mut files: Vec<PathBuf> = old_fs
        .plan_files()
        .into_iter()
        .filter(|p| under(p))
        .collect();
    match &new_fs {
        Some(g) => files.extend(g.plan_files().into_iter().filter(|p| under(p))),
        None => disk_entries(&dir, &mut files, 0),
    }
    let mut files: Vec<PathBuf> = files.iter().map(|p| normalize(p)).collect();
    files.sort();
    files.dedup();
    if files.is_empty() {
        eprintln!("error: no plan files found (a plan file has a `plan` declaration)");
        return 2;
    }
    let diffs: Vec<PlanDiff> = files
        .iter()
        .map(|f| one(&old_src, &new_src, f, f))
        .collect();
    let mut out = super::Out::lock();
    print(&mut out, &diffs, args.format, false);
    if let Err(code) = out.finish() {
        return code;
    }
    exit_code(&diffs)
}

/// Prints one plan's diff (with the change in odds when simulated); returns the
/// exit code.
fn print_one(d: &PlanDiff, odds: Option<&super::simulate::OddsDiff>, format: DiffFormat) -> u8 {
    let mut out = super::Out::lock();
    match odds {
        Some(o) => print_with_odds(&mut out, d, o, format),
        None => print(&mut out, std::slice::from_ref(d), format, true),
    }
    if let Err(code) = out.finish() {
        return code;
    }
    exit_code(std::slice::from_ref(d))
}

/// 1 when a new version has errors, else 0.
fn exit_code(diffs: &[PlanDiff]) -> u8 {
    if diffs.iter().any(|d| d.new.errors > 0) {
        1
    } else {
        0
    }
}
