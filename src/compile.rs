//! The pipeline from an entry file to checked, evaluated results.
//!
//! ```text
//!  entry.plumb ──load──▶ files (imports, std) ──parse──▶ AST ──resolve──▶ ir::Plan
//!      ──infer──▶ units, roll-ups, totals (the plan complete) ──check::before_eval──▶ cycles, rules
//!      ──eval──▶ Results ──outcome──▶ Outcomes (once) ──check::after_eval──▶ diagnostics
//!      ──actuals::forecast──▶ actuals (read through the FileSystem) and the rolling forecast
//!      ──check::causes──▶ one diagnostic per cause, sorted
//! ```
//!
//! File access goes through the [`FileSystem`] trait so the core does no I/O of its
//! own: the CLI passes the real disk, the language server an overlay of open
//! editor buffers, tests an in-memory map. Imports are confined to the entry file's
//! directory: absolute paths, `..` that climbs out and symlinks that point out are
//! refused (`import-outside-root`) before the file is read.

use crate::diagnostic::{self, Code, Diagnostic, Subject};
use crate::eval::program::Prepared;
use crate::eval::{self, EvalOptions, Results};
use crate::ir;
use crate::outcome::Outcomes;
use crate::resolve::{self, ParsedFile, Resolved};
use crate::source::{FileId, Origin, SourceFile, SourceMap, Span};
use crate::syntax::{self, ParseCache};
use std::path::{Component, Path, PathBuf};

/// Deepest chain of imports.
pub const MAX_IMPORT_DEPTH: usize = 32;
/// Most files in one compilation.
pub const MAX_FILES: usize = 1000;

/// Where source text comes from.
pub trait FileSystem {
    /// Reads a file as UTF-8 text. Invalid UTF-8 is an error of kind `InvalidData`.
    fn read(&self, path: &Path) -> std::io::Result<String>;
    /// Resolves symlinks and `..` (the real path of an existing file).
    fn canonicalize(&self, path: &Path) -> std::io::Result<PathBuf>;
    /// The names of the files in a directory, for did-you-mean on a misspelt
    /// import (none by default).
    fn file_names(&self, _dir: &Path) -> Vec<String> {
        Vec::new()
    }

    /// Reads a file's bytes (an `.xlsx` of actuals). By default, the text
    /// [`FileSystem::read`] gives.
    fn read_bytes(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        self.read(path).map(String::into_bytes)
    }
}

/// The real disk.
#[derive(Debug, Default, Clone, Copy)]
pub struct DiskFs;

impl FileSystem for DiskFs {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        let bytes = self.read_bytes(path)?;
        String::from_utf8(bytes).map_err(|e| {
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
        std::fs::canonicalize(path)
    }
    fn file_names(&self, dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .filter_map(|e| e.file_name().to_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn read_bytes(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        // Only regular files: opening a FIFO or a device could block forever.
        if !std::fs::metadata(path)?.is_file() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "it is not a regular file",
            ));
        }
        // Never more than the parser accepts, whatever the file's size.
        let limit = crate::syntax::limits::MAX_FILE_BYTES;
        let mut bytes = Vec::new();
        // Opened for reading only: plan and actuals files are never written.
        std::fs::File::open(path)?
            .take(limit as u64 + 1)
            .read_to_end(&mut bytes)?;
        if bytes.len() > limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!("the file is larger than {limit} bytes, the most Plumb reads"),
            ));
        }
        Ok(bytes)
    }
}

/// What to do beyond checking.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Evaluate the plan (needed for target, assumption and request checks).
    pub evaluate: bool,
    /// Restrict evaluation to these scenario names (None: all).
    pub scenarios: Option<Vec<String>>,
}

/// Everything one compilation produced.
#[derive(Debug, Clone, Default)]
pub struct Compilation {
    /// Every file read, the entry first.
    pub sources: SourceMap,
    /// Their ASTs.
    pub files: Vec<ParsedFile>,
    /// The resolved plan and symbol index.
    pub(crate) resolved: Resolved,
    /// Results, when evaluation ran and succeeded.
    pub results: Option<Results>,
    /// The outcomes of `results` (targets, requests, budgets), computed once
    /// with them: what the checks, the reports, `diff` and the editor show.
    pub outcomes: Option<Outcomes>,
    /// Every diagnostic, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// The actuals, when the plan declares any (`actuals "PATH"` or `actuals
    /// through`) and they could be read.
    pub actuals: Option<crate::actuals::Actuals>,
    /// The rolling forecast (the model re-run with the actuals of closed periods),
    /// per scenario like `results`, when evaluation ran and actuals exist.
    pub forecast: Option<Results>,
}

impl Compilation {
    /// True when an error was reported.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The resolved plan (as far as resolution got when there are errors).
    pub fn plan(&self) -> &ir::Plan {
        &self.resolved.plan
    }
}

/// Reads, parses, resolves, checks and (optionally) evaluates the plan whose entry
/// file is `entry` (named in diagnostics as given).
pub fn compile(entry: &Path, fs: &dyn FileSystem, opts: &Options) -> Compilation {
    compile_as_of(entry, fs, opts, None)
}

/// [`compile`] with the last closed period given from outside (`--as-of`, an
/// absolute month number as [`crate::actuals::parse_as_of`] returns it), which
/// wins over the plan's `actuals through`.
pub fn compile_as_of(
    entry: &Path,
    fs: &dyn FileSystem,
    opts: &Options,
    as_of: Option<i64>,
) -> Compilation {
    compile_cached(entry, fs, opts, as_of, None)
}

/// [`compile_as_of`] taking the declaration parses `cache` holds from earlier
/// compilations of the same files (the language server keeps one per entry
/// file, so an edit re-parses only the declarations it changed).
pub(crate) fn compile_cached(
    entry: &Path,
    fs: &dyn FileSystem,
    opts: &Options,
    as_of: Option<i64>,
    cache: Option<&ParseCache>,
) -> Compilation {
    let mut c = Compilation::default();
    let mut diags = Vec::new();
    let root = match fs.canonicalize(entry) {
        Ok(p) => p.parent().map(Path::to_path_buf).unwrap_or_default(),
        Err(_) => entry.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    let text = match fs.read(entry) {
        Ok(t) => t,
        Err(e) => {
            let id = c
                .sources
                .add(SourceFile::new(entry.display().to_string(), "").with_origin(Origin::Entry));
            c.diagnostics.push(
                Diagnostic::error(
                    read_error_code(&e, Code::InvalidPlan),
                    Span::new(id, 0, 0),
                    format!("cannot read {}: {e}", entry.display()),
                )
                .with_help("check the path and that the file is UTF-8 text"),
            );
            return c;
        }
    };
    let mut loader = Loader {
        fs,
        root,
        sources: &mut c.sources,
        files: &mut c.files,
        diags: &mut diags,
        stack: Vec::new(),
        loaded: Vec::new(),
        paths: Vec::new(),
        cache,
    };
    loader.load(
        entry.to_path_buf(),
        entry.display().to_string(),
        text,
        Origin::Entry,
        0,
    );
    let io = Io {
        fs,
        root: loader.root.clone(),
        paths: std::mem::take(&mut loader.paths),
        as_of,
    };
    finish(c, diags, opts, io)
}

/// Compiles a single in-memory text with no file access (imports of files are
/// refused as not found; `import std.*` works). Used by tests, fuzzing and
/// benchmarks.
pub fn compile_str(name: &str, text: &str, opts: &Options) -> Compilation {
    compile_str_cached(name, text, opts, None)
}

/// [`compile_str`] taking the declaration parses `cache` holds (see
/// [`compile_cached`]).
pub fn compile_str_cached(
    name: &str,
    text: &str,
    opts: &Options,
    cache: Option<&ParseCache>,
) -> Compilation {
    struct NoFs;
    impl FileSystem for NoFs {
        fn read(&self, _: &Path) -> std::io::Result<String> {
            Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no file system",
            ))
        }
        fn canonicalize(&self, _: &Path) -> std::io::Result<PathBuf> {
            Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no file system",
            ))
        }
    }
    let mut c = Compilation::default();
    let mut diags = Vec::new();
    let mut loader = Loader {
        fs: &NoFs,
        root: PathBuf::new(),
        sources: &mut c.sources,
        files: &mut c.files,
        diags: &mut diags,
        stack: Vec::new(),
        loaded: Vec::new(),
        paths: Vec::new(),
        cache,
    };
    loader.load(
        PathBuf::from(name),
        name.to_string(),
        text.to_string(),
        Origin::Memory,
        0,
    );
    let io = Io {
        fs: &NoFs,
        root: PathBuf::new(),
        paths: std::mem::take(&mut loader.paths),
        as_of: None,
    };
    finish(c, diags, opts, io)
}

/// What `finish` needs to read actuals files: the file system, the entry's
/// directory, the real path of every plan file read, and `--as-of`.
struct Io<'a> {
    fs: &'a dyn FileSystem,
    root: PathBuf,
    paths: Vec<(FileId, PathBuf)>,
    as_of: Option<i64>,
}

/// Resolves, infers, checks and (when asked and nothing stops it) evaluates the
/// loaded files, then sorts every diagnostic.
fn finish(
    mut c: Compilation,
    mut diags: Vec<Diagnostic>,
    opts: &Options,
    io: Io<'_>,
) -> Compilation {
    let sources = &c.sources;
    let text = move |s: Span| sources.slice(s).to_string();
    let (mut resolved, rd) = resolve::resolve(&c.files, &text);
    diags.extend(rd);
    // From here on the plan is complete and only read.
    let inferred = crate::infer::infer(&mut resolved.plan);
    let resolved = resolved;
    let plan = &resolved.plan;
    // The plan's references, collected once for the cycle check and evaluation.
    let prep = Prepared::new(plan, false);
    diags.extend(crate::check::before_eval_with(plan, &prep, inferred));
    diags.extend(crate::check::percent::check(plan, &text));
    let errors = diags
        .iter()
        .any(|d| d.is_error() && crate::check::blocks_evaluation(d.code));
    if opts.evaluate && !errors {
        let scenarios = opts.scenarios.as_ref().map(|names| {
            names
                .iter()
                .filter_map(|n| plan.scenario(n))
                .collect::<Vec<_>>()
        });
        let prep = prep.with_values(plan);
        match evaluate_wanted(plan, &prep, scenarios.as_deref(), &mut diags) {
            Ok(all) => after_evaluation(&mut c, plan, all, scenarios.as_deref(), &io, &mut diags),
            Err(e) => diags.push(e.to_diagnostic()),
        }
    }
    crate::check::causes::one_cause(&c.files, &c.sources, &mut diags);
    diagnostic::sort_and_dedup(&mut diags);
    c.resolved = resolved;
    c.diagnostics = diags;
    c
}

/// Every scenario's values. When only some scenarios are wanted, another
/// scenario's failure does not hide them: it is reported (in `diags`) and the
/// wanted ones are evaluated alone.
fn evaluate_wanted(
    plan: &ir::Plan,
    prep: &Prepared,
    wanted: Option<&[ir::ScenarioId]>,
    diags: &mut Vec<Diagnostic>,
) -> Result<Results, eval::EvalError> {
    match eval::evaluate_with(plan, &EvalOptions { scenarios: None }, prep) {
        Err(e) => match wanted {
            Some(keep) if !keep.is_empty() => {
                let only = EvalOptions {
                    scenarios: Some(keep.to_vec()),
                };
                match eval::evaluate_with(plan, &only, prep) {
                    Ok(r) => {
                        diags.push(e.to_diagnostic());
                        Ok(r)
                    }
                    Err(_) => Err(e),
                }
            }
            _ => Err(e),
        },
        ok => ok,
    }
}

/// What follows a successful evaluation: the roll-up check (a total that does
/// not fit fails evaluation like any overflow), the outcomes, the checks on
/// numbers, the actuals and the rolling forecast; the results and outcomes of
/// the wanted scenarios go on `c`.
// A `Diagnostic` is the front end's error value everywhere; reading a data file
// runs once per file, so its size does not matter here.
#[allow(clippy::result_large_err)]
fn after_evaluation(
    c: &mut Compilation,
    plan: &ir::Plan,
    all: Results,
    wanted: Option<&[ir::ScenarioId]>,
    io: &Io<'_>,
    diags: &mut Vec<Diagnostic>,
) {
    let overflows = crate::check::rollups::check(plan, &all);
    if !overflows.is_empty() {
        diags.extend(overflows);
        return;
    }
    let outcomes = Outcomes::of(plan, &all);
    let base_evaluated = all.get(plan.base).is_some();
    diags.extend(crate::check::after_eval(plan, &all, &outcomes));
    let (actuals, forecast, ad) =
        crate::actuals::forecast::run(plan, &all, |src| read_data(io, src), io.as_of);
    diags.extend(ad);
    c.actuals = actuals;
    c.forecast = forecast.map(|f| keep_scenarios(f, wanted));
    let results = keep_scenarios(all, wanted);
    c.outcomes = Some(match wanted {
        // Without base, `base(…)` in the scenarios kept reads their own
        // values: their outcomes are those of the results kept.
        Some(keep) if base_evaluated && !keep.contains(&plan.base) => Outcomes::of(plan, &results),
        Some(keep) => outcomes.keep(keep, plan.base),
        None => outcomes,
    });
    c.results = Some(results);
}

/// Only the scenarios in `keep` (all with None), in their order.
fn keep_scenarios(all: Results, keep: Option<&[ir::ScenarioId]>) -> Results {
    match keep {
        Some(keep) => eval::Results {
            scenarios: all
                .scenarios
                .into_iter()
                .filter(|r| keep.contains(&r.scenario))
                .collect(),
        },
        None => all,
    }
}

/// Reads the bytes of an actuals file under the rules of `import`: relative to
/// the declaring file, inside the entry file's directory, never followed outside.
/// The error is the diagnostic to report (on the declaration's path).
#[allow(clippy::result_large_err)]
fn read_data(io: &Io<'_>, src: &ir::ActualsSource) -> Result<(String, Vec<u8>), Diagnostic> {
    let rel = src.path.as_str();
    let outside = |what: &str| {
        Diagnostic::error(
            Code::ImportOutsideRoot,
            src.span,
            format!("`{rel}` is {what}; actuals files must stay inside the entry file's directory"),
        )
        .with_label("outside the plan's directory")
        .with_help(
            "commit the export next to the plan (or in a subfolder) and name it by a relative path",
        )
    };
    let relp = Path::new(rel);
    if relp.is_absolute()
        || rel.starts_with('/')
        || rel.starts_with('\\')
        || relp
            .components()
            .any(|c| matches!(c, Component::Prefix(_) | Component::RootDir))
    {
        return Err(outside("an absolute path"));
    }
    let from = io
        .paths
        .iter()
        .find(|(f, _)| *f == src.span.file)
        .map(|(_, p)| p.clone())
        .unwrap_or_default();
    let joined = from
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
        .join(relp);
    let lexical_ok = match normalize(&joined) {
        Some(j) if io.root.as_os_str().is_empty() => {
            j.components().next() != Some(Component::ParentDir)
        }
        Some(j) => j.starts_with(&io.root),
        None => false,
    };
    if !lexical_ok {
        return Err(outside("a path that leaves the plan's directory"));
    }
    let not_found = |e: String| {
        Diagnostic::error(
            Code::ImportNotFound,
            src.span,
            format!("cannot read actuals `{rel}`: {e}"),
        )
        .with_label("no such file")
        .with_help("paths are relative to the file that declares `actuals`")
    };
    let real = io
        .fs
        .canonicalize(&joined)
        .map_err(|e| not_found(e.to_string()))?;
    if !io.root.as_os_str().is_empty() && !real.starts_with(&io.root) {
        return Err(outside("a link that points outside the plan's directory"));
    }
    let bytes = io.fs.read_bytes(&real).map_err(|e| {
        let code = read_error_code(&e, Code::ImportNotFound);
        let mut d = not_found(e.to_string());
        d.code = code;
        d
    })?;
    let display = normalize(relp)
        .unwrap_or_else(|| relp.to_path_buf())
        .to_string_lossy()
        .replace('\\', "/");
    Ok((display, bytes))
}

/// The code for a file that could not be read: past the size limit is
/// `limit-exceeded`, anything else `otherwise`.
fn read_error_code(e: &std::io::Error, otherwise: Code) -> Code {
    if e.kind() == std::io::ErrorKind::FileTooLarge {
        Code::LimitExceeded
    } else {
        otherwise
    }
}

struct Loader<'a> {
    fs: &'a dyn FileSystem,
    root: PathBuf,
    sources: &'a mut SourceMap,
    files: &'a mut Vec<ParsedFile>,
    diags: &'a mut Vec<Diagnostic>,
    /// Real paths of the files being loaded, outermost first (for cycles).
    stack: Vec<PathBuf>,
    /// Real paths of every file loaded so far: a file reached twice (through two
    /// imports, a `..` that comes back, or a link inside the directory) loads once.
    loaded: Vec<PathBuf>,
    /// The real path of each file read (actuals paths are relative to it).
    paths: Vec<(FileId, PathBuf)>,
    /// Declaration parses from earlier compilations, when the caller keeps them.
    cache: Option<&'a ParseCache>,
}

/// `a/b/../c` → `a/c` without touching the disk; None when `..` climbs above the start.
fn normalize(p: &Path) -> Option<PathBuf> {
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                _ => return None,
            },
            other => out.push(other),
        }
    }
    Some(out.iter().collect())
}

impl Loader<'_> {
    fn load(
        &mut self,
        path: PathBuf,
        display: String,
        text: String,
        origin: Origin,
        depth: usize,
    ) -> FileId {
        let entry = matches!(origin, Origin::Entry | Origin::Memory);
        let id = self
            .sources
            .add(SourceFile::new(display.clone(), text).with_origin(origin));
        let parsed = {
            let Some(src) = self.sources.get(id) else {
                return id;
            };
            syntax::parse_cached(&src.text, id, self.cache)
        };
        self.diags.extend(parsed.diagnostics);
        let real = self.fs.canonicalize(&path).unwrap_or_else(|_| path.clone());
        self.paths.push((id, real.clone()));
        self.loaded.push(real.clone());
        self.stack.push(real);
        let imports: Vec<ast_import::Imp> = ast_import::imports(&parsed.file);
        self.files.push(ParsedFile {
            file: id,
            ast: parsed.file,
            entry,
        });
        let here = self.stack.last().cloned().unwrap_or(path);
        for imp in imports {
            self.import(&here, &display, imp, depth);
        }
        self.stack.pop();
        id
    }

    fn import(&mut self, from: &Path, from_display: &str, imp: ast_import::Imp, depth: usize) {
        if depth + 1 > MAX_IMPORT_DEPTH || self.sources.len() >= MAX_FILES {
            self.diags.push(
                Diagnostic::error(Code::LimitExceeded, imp.span, format!("imports nest deeper than {MAX_IMPORT_DEPTH} files or load more than {MAX_FILES}"))
                    .with_help("flatten the import tree"),
            );
            return;
        }
        match imp.target {
            ast_import::Target::Std(name) => self.import_std(&name, imp.span, depth),
            ast_import::Target::Path(rel) => {
                self.import_path(from, from_display, &rel, imp.span, depth)
            }
        }
    }

    /// `import std.NAME`: the embedded module, once.
    fn import_std(&mut self, name: &str, span: Span, depth: usize) {
        let display = format!("std.{name}");
        if self.sources.find(&display).is_some() {
            return;
        }
        match crate::stdlib::module(name) {
            Some(text) => {
                self.load(
                    PathBuf::from(&display),
                    display,
                    text.to_string(),
                    Origin::Std,
                    depth + 1,
                );
            }
            None => {
                let names: Vec<&str> = crate::stdlib::MODULES.iter().map(|m| m.0).collect();
                let d = Diagnostic::error(
                    Code::ImportNotFound,
                    span,
                    format!("there is no standard module `std.{name}`"),
                );
                self.diags
                    .push(match crate::suggest::closest(name, names.iter().copied()) {
                        Some(s) => d.with_suggestion(format!("std.{s}")),
                        None => d.with_help(format!(
                            "the standard library has: {}",
                            names
                                .iter()
                                .map(|n| format!("std.{n}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    });
            }
        }
    }

    /// `import "PATH"`: a file relative to the importing one, inside the entry
    /// file's directory, not in a circle, once.
    fn import_path(
        &mut self,
        from: &Path,
        from_display: &str,
        rel: &str,
        span: Span,
        depth: usize,
    ) {
        let relp = Path::new(rel);
        if relp.is_absolute()
            || rel.starts_with('/')
            || rel.starts_with('\\')
            || relp
                .components()
                .any(|c| matches!(c, Component::Prefix(_) | Component::RootDir))
        {
            self.outside(span, rel, "an absolute path");
            return;
        }
        let dir = from.parent().map(Path::to_path_buf).unwrap_or_default();
        let joined = dir.join(relp);
        let display_dir = Path::new(from_display)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let display = normalize(&display_dir.join(relp))
            .unwrap_or_else(|| display_dir.join(relp))
            .to_string_lossy()
            .replace('\\', "/");
        // Lexical check first: never touch a path that climbs out.
        let lexical_ok = match normalize(&joined) {
            Some(j) if self.root.as_os_str().is_empty() => {
                j.components().next() != Some(Component::ParentDir)
            }
            Some(j) => j.starts_with(&self.root),
            None => false,
        };
        if !lexical_ok {
            self.outside(span, rel, "a path that leaves the plan's directory");
            return;
        }
        let real = match self.fs.canonicalize(&joined) {
            Ok(r) => r,
            Err(_) => {
                let mut d = Diagnostic::error(
                    Code::ImportNotFound,
                    span,
                    format!("cannot find `{rel}` (looked for {display})"),
                )
                .with_label("no such file");
                d = match self.similar_file(&joined, rel) {
                    Some(near) => d
                        .with_help(format!(
                            "did you mean `{near}`? (paths are relative to the importing file)"
                        ))
                        .with_fix(format!("Import `{near}`"), span, format!("\"{near}\"")),
                    None => d.with_help("paths are relative to the importing file"),
                };
                self.diags.push(d);
                return;
            }
        };
        if !self.root.as_os_str().is_empty() && !real.starts_with(&self.root) {
            self.outside(span, rel, "a link that points outside the plan's directory");
            return;
        }
        if let Some(pos) = self.stack.iter().position(|p| *p == real) {
            let chain: Vec<String> = self
                .stack
                .iter()
                .skip(pos)
                .map(|p| {
                    p.file_name()
                        .map(|f| f.to_string_lossy().to_string())
                        .unwrap_or_default()
                })
                .chain(std::iter::once(
                    real.file_name()
                        .map(|f| f.to_string_lossy().to_string())
                        .unwrap_or_default(),
                ))
                .collect();
            self.diags.push(
                Diagnostic::error(
                    Code::ImportCycle,
                    span,
                    format!("files import each other in a circle: {}", chain.join(" → ")),
                )
                .with_help("move the shared declarations into a file both import"),
            );
            return;
        }
        if self.loaded.contains(&real)
            || self
                .files
                .iter()
                .any(|f| self.sources.get(f.file).is_some_and(|s| s.name == display))
        {
            return; // already loaded through another import
        }
        match self.fs.read(&real) {
            Ok(text) => {
                self.load(real, display, text, Origin::Import, depth + 1);
            }
            Err(e) => {
                let code = if e.kind() == std::io::ErrorKind::NotFound {
                    Code::ImportNotFound
                } else {
                    read_error_code(&e, Code::InvalidPlan)
                };
                self.diags.push(
                    Diagnostic::error(code, span, format!("cannot read `{rel}`: {e}"))
                        .about(Subject::UnreadableImport)
                        .with_help("check the file exists and is UTF-8 text"),
                );
            }
        }
    }

    /// A `.plumb` file next to the missing `joined` whose name is close to it:
    /// `rel` with the file name replaced (`teams/sales.plumb` for `teams/sale.plumb`).
    fn similar_file(&self, joined: &Path, rel: &str) -> Option<String> {
        let dir = joined.parent()?;
        let wanted = joined.file_name()?.to_str()?;
        if !rel.ends_with(wanted) {
            return None;
        }
        let names: Vec<String> = self
            .fs
            .file_names(dir)
            .into_iter()
            .filter(|n| n.ends_with(".plumb") && !n.contains(['"', '\\']))
            .collect();
        let near = crate::suggest::closest(wanted, names.iter().map(String::as_str))?;
        let prefix = rel.get(..rel.len().checked_sub(wanted.len())?)?;
        Some(format!("{prefix}{near}"))
    }

    fn outside(&mut self, span: Span, rel: &str, what: &str) {
        self.diags.push(
            Diagnostic::error(Code::ImportOutsideRoot, span, format!("`{rel}` is {what}; imports must stay inside the entry file's directory"))
                .with_label("outside the plan's directory")
                .with_help("move the file next to the plan (or into a subfolder) and import it by a relative path"),
        );
    }
}

mod ast_import {
    use crate::source::Span;
    use crate::syntax::ast::{DeclKind, File, ImportTarget};

    pub(super) enum Target {
        Path(String),
        Std(String),
    }

    pub(super) struct Imp {
        pub(super) target: Target,
        pub(super) span: Span,
    }

    pub(super) fn imports(f: &File) -> Vec<Imp> {
        f.decls
            .iter()
            .filter_map(|d| match &d.kind {
                DeclKind::Import(ImportTarget::Path(s)) => Some(Imp {
                    target: Target::Path(s.value.clone()),
                    span: s.span,
                }),
                DeclKind::Import(ImportTarget::Std(n)) => Some(Imp {
                    target: Target::Std(n.name.clone()),
                    span: d.span,
                }),
                _ => None,
            })
            .collect()
    }
}
