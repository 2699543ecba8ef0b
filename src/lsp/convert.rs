//! Conversions between the analysis' byte offsets and spans and LSP's UTF-16
//! positions, ranges, locations and diagnostics.

use super::state::Analysis;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::source::{FileId, SourceFile, Span};
use tower_lsp_server::lsp_types as lsp;

/// The byte offset of an LSP position in `text` (clamped to the line's end and to
/// the text).
pub(crate) fn offset_in(text: &str, pos: lsp::Position) -> usize {
    let mut line = 0u32;
    let mut start = 0usize;
    if pos.line > 0 {
        let mut found = false;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line += 1;
                if line == pos.line {
                    start = i + 1;
                    found = true;
                    break;
                }
            }
        }
        if !found {
            return text.len();
        }
    }
    let rest = text.get(start..).unwrap_or("");
    let mut units = 0u32;
    let mut bytes = 0usize;
    for ch in rest.chars() {
        if ch == '\n' || units >= pos.character {
            break;
        }
        units += ch.len_utf16() as u32;
        bytes += ch.len_utf8();
    }
    start + bytes
}

/// The position of a byte offset of a source file.
pub(crate) fn position(src: &SourceFile, offset: u32) -> lsp::Position {
    let (line, character) = src.utf16_position(offset);
    lsp::Position { line, character }
}

/// The range of a span in its file.
pub(crate) fn range(a: &Analysis, span: Span) -> Option<lsp::Range> {
    let src = a.compilation.sources.get(span.file)?;
    Some(lsp::Range {
        start: position(src, span.start),
        end: position(src, span.end),
    })
}

/// The location of a span.
pub(crate) fn location(a: &Analysis, span: Span) -> Option<lsp::Location> {
    Some(lsp::Location {
        uri: a.uri_of(span.file)?.clone(),
        range: range(a, span)?,
    })
}

/// The byte offset of a position in one file of the analysis.
pub(crate) fn offset(a: &Analysis, file: FileId, pos: lsp::Position) -> u32 {
    a.compilation
        .sources
        .get(file)
        .map_or(0, |f| f.offset_of_utf16(pos.line, pos.character))
}

/// A diagnostic in LSP form: code, severity, message with its help line, and the
/// secondary labels as related information ("first defined here").
pub(crate) fn diagnostic(a: &Analysis, d: &Diagnostic) -> Option<lsp::Diagnostic> {
    let range = range(a, d.primary.span)?;
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|l| {
            Some(lsp::DiagnosticRelatedInformation {
                location: location(a, l.span)?,
                message: if l.message.is_empty() {
                    "related".into()
                } else {
                    l.message.clone()
                },
            })
        })
        .collect();
    Some(lsp::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
        code_description: None,
        source: Some("plumb".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: (d.code == Code::UnusedDriver).then(|| vec![lsp::DiagnosticTag::UNNECESSARY]),
        data: None,
    })
}

/// UTF-16 length of a string.
pub(crate) fn utf16_len(s: &str) -> u32 {
    s.chars().map(|c| c.len_utf16() as u32).sum()
}
