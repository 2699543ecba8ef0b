//! The server's memory: open documents, the entry files they belong to, and the
//! latest analysis of each entry.
//!
//! A document is analysed as part of the plan that imports it: its *entry* is a
//! `.plumb` file with a `plan` declaration (the document itself, or one found in
//! its directory or above whose imports reach it). A document no entry reaches is
//! analysed on its own. Compilations read through [`Overlay`], which serves open
//! buffers before the disk.

use crate::analysis::Evaluated;
use crate::compile::{self, Compilation, FileSystem};
use crate::diagnostic::{Code, Subject};
use crate::source::FileId;
use crate::syntax::ParseCache;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use tower_lsp_server::lsp_types::Uri;
use tower_lsp_server::UriExt;

/// One open document.
#[derive(Debug, Clone)]
pub(crate) struct Doc {
    /// As the client names it.
    pub(crate) uri: Uri,
    /// The path it is compiled under (its real path, or a made-up one for
    /// documents that are not files).
    pub(crate) path: PathBuf,
    /// Current text.
    pub(crate) text: String,
    /// Current version.
    pub(crate) version: i32,
}

/// One analysis of one entry file.
#[derive(Debug)]
pub(crate) struct Analysis {
    /// The entry file.
    pub(crate) entry: PathBuf,
    /// Increases with every analysis of any entry.
    pub(crate) generation: u64,
    /// The compilation (not evaluated).
    pub(crate) compilation: Compilation,
    /// The path of each file, by `FileId`.
    pub(crate) paths: Vec<PathBuf>,
    /// The URI of each file, by `FileId`.
    pub(crate) uris: Vec<Option<Uri>>,
    /// Versions of the open documents it read.
    pub(crate) versions: HashMap<PathBuf, i32>,
    /// The entry is a document no plan imports (analysed alone).
    pub(crate) standalone: bool,
    /// The texts it read (evaluation reads the same).
    pub(crate) overlay: Arc<Overlay>,
    /// The declaration parses of this entry's files, kept for its next analysis
    /// (an edit re-parses only the declarations it changed).
    pub(crate) parses: ParseCache,
}

impl Analysis {
    /// The id of the file at `path`.
    pub(crate) fn file_of(&self, path: &Path) -> Option<FileId> {
        self.paths
            .iter()
            .position(|p| p == path)
            .map(|i| FileId(i as u32))
    }

    /// The URI of a file.
    pub(crate) fn uri_of(&self, id: FileId) -> Option<&Uri> {
        self.uris.get(id.0 as usize).and_then(Option::as_ref)
    }
}

/// What the server knows about one entry file.
#[derive(Debug, Default)]
pub(crate) struct Entry {
    /// The latest analysis.
    pub(crate) analysis: Option<Arc<Analysis>>,
    /// The latest analysis whose files all parsed.
    pub(crate) last_good: Option<Arc<Analysis>>,
    /// The latest evaluation, and the generation it was made from.
    pub(crate) evaluated: Option<(u64, Arc<Evaluated>)>,
    /// An evaluation is running.
    pub(crate) eval_running: bool,
    /// The generation whose diagnostics were last published.
    pub(crate) published_fast: u64,
    /// Whether those were the evaluated (complete) diagnostics.
    pub(crate) published_full: bool,
    /// Something was published at all.
    pub(crate) published_once: bool,
}

/// Lexical normalisation: `a/./b/../c` → `a/c`.
pub(crate) fn normalize(p: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.last(), Some(Component::Normal(_))) {
                    out.pop();
                }
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}

/// The path a document is compiled under.
pub(crate) fn doc_path(uri: &Uri) -> PathBuf {
    let is_file = uri
        .scheme()
        .is_some_and(|s| s.as_str().eq_ignore_ascii_case("file"));
    if is_file {
        if let Some(p) = uri.to_file_path() {
            let p = p.to_path_buf();
            return std::fs::canonicalize(&p).unwrap_or_else(|_| normalize(&p));
        }
    }
    // Not a file: a name of its own that no real file has.
    let safe: String = uri
        .as_str()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    PathBuf::from("/__plumb_unsaved__").join(safe)
}

/// Open buffers first, then the disk.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overlay {
    /// Texts of open documents by path.
    pub(crate) open: HashMap<PathBuf, String>,
    /// The parse cache of each entry file analysed before (its latest
    /// [`Analysis::parses`]).
    pub(crate) parses: HashMap<PathBuf, ParseCache>,
}

impl FileSystem for Overlay {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        if let Some(t) = self.open.get(&normalize(path)) {
            return Ok(t.clone());
        }
        if let Ok(real) = std::fs::canonicalize(path) {
            if let Some(t) = self.open.get(&real) {
                return Ok(t.clone());
            }
        }
        compile::DiskFs.read(path)
    }

    fn file_names(&self, dir: &Path) -> Vec<String> {
        let mut names = compile::DiskFs.file_names(dir);
        names.extend(
            self.open
                .keys()
                .filter(|p| p.parent() == Some(dir))
                .filter_map(|p| p.file_name()?.to_str().map(str::to_string)),
        );
        names.sort();
        names.dedup();
        names
    }

    fn read_bytes(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        // Actuals files (CSV, xlsx) are not edited in the editor: from the disk.
        compile::DiskFs.read_bytes(path)
    }

    fn canonicalize(&self, path: &Path) -> std::io::Result<PathBuf> {
        match std::fs::canonicalize(path) {
            Ok(p) => Ok(p),
            Err(e) => {
                let n = normalize(path);
                if self.open.contains_key(&n) {
                    Ok(n)
                } else {
                    Err(e)
                }
            }
        }
    }
}

/// True when the text has a `plan` declaration (a line starting with `plan `).
pub fn has_plan(text: &str) -> bool {
    crate::entry::has_plan(text)
}

/// Where standard modules are shown from: files written once per version, so
/// every editor can open them (`file:` URIs work everywhere).
pub(crate) fn std_dir() -> Option<&'static PathBuf> {
    static DIR: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .unwrap_or_else(std::env::temp_dir);
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for (name, text) in crate::stdlib::MODULES {
            for b in name.bytes().chain(text.bytes()) {
                hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        let dir = base
            .join("plumb")
            .join(format!("std-{}-{hash:016x}", env!("CARGO_PKG_VERSION")));
        std::fs::create_dir_all(&dir).ok()?;
        for (name, text) in crate::stdlib::MODULES {
            let path = dir.join(format!("{name}.plumb"));
            if std::fs::read_to_string(&path).ok().as_deref() != Some(*text) {
                if let Ok(meta) = std::fs::metadata(&path) {
                    let mut perms = meta.permissions();
                    #[allow(clippy::permissions_set_readonly_false)]
                    perms.set_readonly(false);
                    let _ = std::fs::set_permissions(&path, perms);
                }
                std::fs::write(&path, text).ok()?;
            }
            if let Ok(meta) = std::fs::metadata(&path) {
                let mut perms = meta.permissions();
                perms.set_readonly(true);
                let _ = std::fs::set_permissions(&path, perms);
            }
        }
        std::fs::canonicalize(&dir).ok()
    })
    .as_ref()
}

/// The path a compiled file is shown under: the materialised module for `std.x`,
/// otherwise the file's own (absolute) path.
fn path_of_source(f: &crate::source::SourceFile) -> PathBuf {
    if let Some(m) = f.name.strip_prefix("std.").filter(|_| f.is_std()) {
        if let Some(dir) = std_dir() {
            return dir.join(format!("{m}.plumb"));
        }
    }
    let p = PathBuf::from(&f.name);
    std::fs::canonicalize(&p).unwrap_or_else(|_| normalize(&p))
}

/// The parse cache of each entry's latest analysis, handed to its next one (an
/// edit of a document re-parses only the declarations it changed).
pub(crate) fn parse_caches(entries: &HashMap<PathBuf, Entry>) -> HashMap<PathBuf, ParseCache> {
    entries
        .iter()
        .filter_map(|(p, e)| Some((p.clone(), e.analysis.as_ref()?.parses.clone())))
        .collect()
}

/// Compiles `entry` (without evaluation) over `fs` and records how to reach each
/// file. `docs` maps the paths of open documents to their URIs and versions.
pub(crate) fn analyse(
    entry: &Path,
    fs: &Overlay,
    docs: &HashMap<PathBuf, (Uri, i32)>,
    generation: u64,
    standalone: bool,
) -> Analysis {
    let parses = fs.parses.get(entry).cloned().unwrap_or_default();
    let opts = compile::Options::default();
    let mut compilation = compile::compile_cached(entry, fs, &opts, None, Some(&parses));
    if standalone {
        compilation
            .diagnostics
            .retain(|d| !(d.code == Code::InvalidPlan && d.is_about(&Subject::NoPlanDeclaration)));
    }
    let mut paths = Vec::new();
    let mut uris = Vec::new();
    let mut versions = HashMap::new();
    for (_, f) in compilation.sources.iter() {
        let path = path_of_source(f);
        let uri = match docs.get(&path) {
            Some((u, v)) => {
                versions.insert(path.clone(), *v);
                Some(u.clone())
            }
            None => Uri::from_file_path(&path),
        };
        paths.push(path);
        uris.push(uri);
    }
    Analysis {
        entry: entry.to_path_buf(),
        generation,
        compilation,
        paths,
        uris,
        versions,
        standalone,
        overlay: Arc::new(fs.clone()),
        parses,
    }
}

/// Evaluates `entry` (a full compilation, as `plumb check` does).
pub(crate) fn evaluate(entry: &Path, fs: &Overlay, standalone: bool) -> Evaluated {
    let mut c = compile::compile_cached(
        entry,
        fs,
        &compile::Options {
            evaluate: true,
            scenarios: None,
        },
        None,
        fs.parses.get(entry),
    );
    if standalone {
        c.diagnostics
            .retain(|d| !(d.code == Code::InvalidPlan && d.is_about(&Subject::NoPlanDeclaration)));
    }
    let mut ev = Evaluated::new(c);
    ev.odds = simulated_odds(&ev.compilation);
    ev
}

/// The odds `plumb simulate` left for exactly these sources, if any (the server
/// never simulates; it only reads what a simulation left behind).
fn simulated_odds(c: &compile::Compilation) -> Option<crate::uncertainty::OddsCache> {
    c.results.as_ref()?;
    let fp = crate::uncertainty::fingerprint(c);
    let path = std::env::temp_dir()
        .join(crate::uncertainty::ODDS_CACHE_DIR)
        .join(crate::uncertainty::OddsCache::file_name(fp));
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > 1 << 20 {
        return None;
    }
    let cache = crate::uncertainty::OddsCache::parse(&std::fs::read_to_string(&path).ok()?)?;
    (cache.fingerprint == fp).then_some(cache)
}

/// Entry files that import `doc` (directly or not), searched in its directory and
/// up to four directories above it (not past a repository root), at most `limit`
/// candidates: [`crate::entry::find_entries`] over the disk and the open documents.
pub fn find_entries(doc: &Path, fs: &Overlay, limit: usize) -> Vec<PathBuf> {
    crate::entry::find_entries(doc, fs, &OverlayDirs(fs), limit)
}

/// The disk's folders plus the documents open in the editor.
struct OverlayDirs<'a>(&'a Overlay);

impl crate::entry::Dirs for OverlayDirs<'_> {
    fn files(&self, dir: &Path) -> Vec<PathBuf> {
        let mut out = crate::entry::DiskDirs.files(dir);
        out.extend(
            self.0
                .open
                .keys()
                .filter(|p| p.parent() == Some(dir))
                .cloned(),
        );
        out
    }
    fn is_repository_root(&self, dir: &Path) -> bool {
        crate::entry::DiskDirs.is_repository_root(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_keeps_its_parses_for_its_next_analysis() {
        let path = PathBuf::from("/__plumb_unsaved__/cache_test.plumb");
        let text = "plan p \"P\" {\n  currency USD\n  periods 2026-01 .. 2026-03\n  base base\n}\ndriver a = 1\n";
        let mut fs = Overlay::default();
        fs.open.insert(path.clone(), text.to_string());
        let first = analyse(&path, &fs, &HashMap::new(), 1, false);
        assert_eq!(first.parses.len(), 2);
        let mut entries = HashMap::new();
        entries.insert(
            path.clone(),
            Entry {
                analysis: Some(Arc::new(first)),
                ..Entry::default()
            },
        );
        fs.parses = parse_caches(&entries);
        fs.open
            .insert(path.clone(), text.replace("driver a = 1", "driver a = 2"));
        let second = analyse(&path, &fs, &HashMap::new(), 2, false);
        // The same cache: the unchanged `plan` came from it, the edit was added.
        assert_eq!(second.parses.len(), 3);
        assert!(!second.compilation.has_errors());
        // Nothing leaks to an entry analysed without its own cache.
        let other = analyse(
            &path,
            &Overlay {
                parses: HashMap::new(),
                ..fs
            },
            &HashMap::new(),
            3,
            false,
        );
        assert_eq!(other.parses.len(), 2);
    }
}
