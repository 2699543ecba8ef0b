//! Fuzz target: the formatter's round trip. Any text either has syntax errors
//! (and is left alone) or formats to a text that formats to itself: no panic, no
//! `FormatError::Internal` (the formatter catching itself changing a plan's
//! meaning), no output that fails to parse again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plumb::fmt::{format_source, FormatError};
use plumb::source::FileId;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match format_source(text, FileId(0)) {
        Ok(out) => match format_source(&out, FileId(0)) {
            Ok(twice) => assert_eq!(twice, out, "formatting is not idempotent"),
            Err(e) => panic!("the formatted text does not format again: {e:?}\n{out}"),
        },
        Err(FormatError::Syntax(_)) => {}
        Err(FormatError::Internal(msg)) => panic!("the formatter changed the plan: {msg}"),
    }
});
