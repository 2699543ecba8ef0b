//! Imports stay inside the entry file's directory: a file reached through an
//! absolute path, a `..` that climbs out or a link that points out is refused
//! before it is read. The file system here records every read.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use plumb::compile::{compile, DiskFs, FileSystem, Options};
use plumb::diagnostic::Code;
use std::cell::RefCell;
use std::path::{Path, PathBuf};

#[derive(Default)]
struct Recording {
    reads: RefCell<Vec<PathBuf>>,
}

impl FileSystem for Recording {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        self.reads.borrow_mut().push(path.to_path_buf());
        DiskFs.read(path)
    }
    fn canonicalize(&self, path: &Path) -> std::io::Result<PathBuf> {
        DiskFs.canonicalize(path)
    }
}

#[test]
fn files_outside_the_root_are_never_read() {
    let fs = Recording::default();
    let c = compile(
        Path::new("tests/cases/import_outside_root/main.plumb"),
        &fs,
        &Options::default(),
    );
    let outside: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::ImportOutsideRoot)
        .collect();
    assert_eq!(outside.len(), 3, "{:#?}", c.diagnostics);
    let reads = fs.reads.borrow();
    let names: Vec<String> = reads
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.contains("fixtures") || n.contains("hostname") || n.contains("link")),
        "{names:?}"
    );
    // main.plumb and teams/sales.plumb (once, although imported twice).
    assert_eq!(reads.len(), 2, "{names:?}");
}

#[test]
fn the_symlink_fixture_is_a_link() {
    let meta =
        std::fs::symlink_metadata("tests/cases/import_outside_root/teams/link.plumb").unwrap();
    assert!(meta.file_type().is_symlink());
}

#[test]
fn a_link_that_stays_inside_loads_the_file_once() {
    // `teams/sales.plumb`, `teams/../teams/sales.plumb` and the link
    // `teams/alias.plumb` are one file: it is loaded once, nothing is declared twice.
    let c = compile(
        Path::new("tests/cases/import_outside_root/main.plumb"),
        &DiskFs,
        &Options::default(),
    );
    assert!(!c.diagnostics.iter().any(|d| d.code == Code::DuplicateName));
}
