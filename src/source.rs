//! Source files and spans.
//!
//! A [`Span`] is a pair of byte offsets into one file plus that file's [`FileId`].
//! Lines and columns (1-based, in characters or UTF-16 code units) are computed on
//! demand by [`SourceMap`], only at the edges: diagnostics output and the language
//! server.

/// Identifies one loaded source file inside a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range `start..end` inside one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span in `file` covering `start..end`.
    pub(crate) fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both `self` and `other` (same file assumed).
    pub(crate) fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start) as usize
    }

    /// True when the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when byte `offset` of the same file lies inside the span (end inclusive,
    /// so a cursor just after a name still counts as on it).
    pub(crate) fn contains(&self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }
}

/// Where a loaded file came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Origin {
    /// The entry file of the plan.
    Entry,
    /// A file an `import "PATH"` read.
    Import,
    /// A standard library module (`import std.NAME`), read-only.
    Std,
    /// Text handed over in memory, not read from a file (`compile_str`, a
    /// formatter's input).
    #[default]
    Memory,
}

/// One loaded file: its display name, its path relative to the plan root when it
/// has one, its text and where it came from.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown in diagnostics (`examples/fy2026.plumb`, `std.saas`).
    pub name: String,
    /// The text of the file.
    pub text: String,
    /// Where it came from (set by `compile` when it loads the file).
    pub(crate) origin: Origin,
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// A source file named `name` holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let mut line_starts = vec![0u32];
        line_starts.extend(
            text.match_indices('\n')
                .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        SourceFile {
            name: name.into(),
            text,
            origin: Origin::Memory,
            line_starts,
        }
    }

    /// The same file, marked as coming from `origin`.
    pub(crate) fn with_origin(mut self, origin: Origin) -> SourceFile {
        self.origin = origin;
        self
    }

    /// True for a standard library module (read-only to the editor).
    pub(crate) fn is_std(&self) -> bool {
        self.origin == Origin::Std
    }

    /// 0-based line index and the byte offset where that line starts.
    pub(crate) fn line_of(&self, offset: u32) -> (usize, u32) {
        let idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        (idx, self.line_starts.get(idx).copied().unwrap_or(0))
    }

    fn clamp(&self, offset: u32) -> usize {
        let mut o = (offset as usize).min(self.text.len());
        while o > 0 && !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// 1-based line and 1-based column (counted in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let off = self.clamp(offset);
        let (line, start) = self.line_of(off as u32);
        let col = self
            .text
            .get(start as usize..off)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        (line + 1, col + 1)
    }

    /// 0-based line and 0-based UTF-16 column of a byte offset (LSP positions).
    pub(crate) fn utf16_position(&self, offset: u32) -> (u32, u32) {
        let off = self.clamp(offset);
        let (line, start) = self.line_of(off as u32);
        let col: usize = self
            .text
            .get(start as usize..off)
            .map(|s| s.chars().map(char::len_utf16).sum())
            .unwrap_or(0);
        (line as u32, col as u32)
    }

    /// The byte offset of a 0-based line and UTF-16 column, clamped to the text.
    #[cfg_attr(not(feature = "lsp"), allow(dead_code))] // used by the language server
    pub(crate) fn offset_of_utf16(&self, line: u32, col: u32) -> u32 {
        let Some(&start) = self.line_starts.get(line as usize) else {
            return self.text.len() as u32;
        };
        let rest = self.text.get(start as usize..).unwrap_or("");
        let mut units = 0u32;
        let mut bytes = 0usize;
        for ch in rest.chars() {
            if ch == '\n' || units >= col {
                break;
            }
            units += ch.len_utf16() as u32;
            bytes += ch.len_utf8();
        }
        start + bytes as u32
    }

    /// The text a span covers, or "" when it is out of range.
    pub(crate) fn slice(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// Byte range of 0-based line `line`, its line break included.
    pub(crate) fn line_range(&self, line: usize) -> Option<(usize, usize)> {
        let start = *self.line_starts.get(line)? as usize;
        let end = self
            .line_starts
            .get(line + 1)
            .map(|e| *e as usize)
            .unwrap_or(self.text.len());
        Some((start, end))
    }

    /// Number of lines.
    pub(crate) fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// All files of one compilation, indexed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    /// The file behind an id.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// The text a span covers.
    pub(crate) fn slice(&self, span: Span) -> &str {
        self.get(span.file).map(|f| f.slice(span)).unwrap_or("")
    }

    /// The id of the file with this display name.
    pub(crate) fn find(&self, name: &str) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.name == name)
            .map(|i| FileId(i as u32))
    }

    /// Every file with its id, in load order.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when no file is loaded.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}
