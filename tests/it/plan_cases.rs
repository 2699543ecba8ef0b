//! Data-driven cases: every `tests/cases/*.plumb`, and every `tests/cases/*/main.plumb`
//! for multi-file cases, is compiled and evaluated; its snapshot
//! (`tests/snapshots/cases__NAME.snap`) holds the source, the rendered
//! diagnostics and the exact results.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

fn case_files() -> Vec<(String, PathBuf)> {
    let dir = Path::new("tests/cases");
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/cases")
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        if p.is_dir() {
            let main = p.join("main.plumb");
            if main.is_file() {
                out.push((stem, main));
            }
        } else if p.extension().is_some_and(|x| x == "plumb") {
            out.push((stem, p));
        }
    }
    out
}

#[test]
fn cases() {
    let files = case_files();
    assert!(!files.is_empty(), "no cases found");
    for (name, path) in files {
        insta::assert_snapshot!(name, common::case_snapshot(&path));
    }
}
