//! Finding the plan a file belongs to: the entry files (files with a `plan`
//! declaration) that import a given file, directly or through other imports.
//!
//! A team's file has no `plan` of its own; `plumb check` and the language server
//! check it as part of the plan that imports it. The search looks in the file's
//! folder and up to four folders above it, and never past a repository root (a
//! folder holding `.git`). Listing folders is left to the caller ([`Dirs`]), so
//! the search itself reads files only through a [`FileSystem`].

use crate::compile::{self, FileSystem};
use std::path::{Path, PathBuf};

/// Folders searched: the file's own and this many above it.
pub const FOLDERS_ABOVE: usize = 4;

/// How the search sees folders.
pub trait Dirs {
    /// The files directly in `dir` (any order).
    fn files(&self, dir: &Path) -> Vec<PathBuf>;
    /// True when `dir` is the root of a repository (the search stops there).
    fn is_repository_root(&self, dir: &Path) -> bool;
}

/// The real disk.
#[derive(Debug, Default, Clone, Copy)]
pub struct DiskDirs;

impl Dirs for DiskDirs {
    fn files(&self, dir: &Path) -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.is_file())
                    .collect()
            })
            .unwrap_or_default()
    }
    fn is_repository_root(&self, dir: &Path) -> bool {
        dir.join(".git").exists()
    }
}

/// True when the text has a top-level `plan` declaration (a line starting with
/// `plan`).
pub fn has_plan(text: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with("plan ") || l.starts_with("plan\t"))
}

/// Entry files that import `doc` (directly or not), nearest folder first, at most
/// `limit` candidate entry files compiled. `doc` should be a real (canonical) path.
pub fn find_entries(
    doc: &Path,
    fs: &dyn FileSystem,
    dirs: &dyn Dirs,
    limit: usize,
) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut checked = 0usize;
    let mut dir = doc.parent();
    for _ in 0..=FOLDERS_ABOVE {
        let Some(d) = dir else { break };
        let mut candidates: Vec<PathBuf> = dirs
            .files(d)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|x| x == "plumb") && p != doc)
            .collect();
        candidates.sort();
        candidates.dedup();
        for c in candidates {
            if checked >= limit {
                return found;
            }
            let Ok(text) = fs.read(&c) else { continue };
            if !has_plan(&text) {
                continue;
            }
            checked += 1;
            let comp = compile::compile(&c, fs, &compile::Options::default());
            let reaches = comp.sources.iter().skip(1).any(|(_, f)| {
                let p = PathBuf::from(&f.name);
                fs.canonicalize(&p).unwrap_or(p) == doc
            });
            if reaches {
                found.push(fs.canonicalize(&c).unwrap_or(c));
            }
        }
        if dirs.is_repository_root(d) {
            break;
        }
        dir = d.parent();
    }
    found
}
