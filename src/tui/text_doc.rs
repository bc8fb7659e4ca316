//! A text split into lines once, so a view can draw lines 40,000 to 40,050 of a large body
//! without walking the whole text on every frame; and, once per width, where every wrapped
//! row starts, so a wrapped view scrolls by rows just as cheaply.

use std::ops::Range;
use std::sync::{Arc, Mutex};

use super::wrap::{row_starts, shown_width};

#[derive(Debug, Default)]
pub struct TextDoc {
    text: String,
    /// Byte range of each line, without its `\n` (nor a `\r` before it).
    lines: Vec<Range<usize>>,
    /// The widest line, in display columns as shown: how far a view can scroll sideways.
    widest: usize,
    /// The rows of the last width asked for: a resize is the only thing that changes it.
    wrapped: Mutex<Option<Arc<WrapMap>>>,
}

impl Clone for TextDoc {
    fn clone(&self) -> Self {
        Self {
            text: self.text.clone(),
            lines: self.lines.clone(),
            widest: self.widest,
            wrapped: Mutex::new(None),
        }
    }
}

impl TextDoc {
    pub fn new(text: String) -> Self {
        let mut lines = Vec::with_capacity(text.len() / 40 + 1);
        let mut widest = 0;
        let mut start = 0;
        let bytes = text.as_bytes();
        for end in memchr_newlines(bytes).chain(std::iter::once(bytes.len())) {
            let trimmed = if end > start && bytes[end - 1] == b'\r' {
                end - 1
            } else {
                end
            };
            widest = widest.max(line_width(&text[start..trimmed]));
            lines.push(start..trimmed);
            start = end + 1;
        }
        if text.is_empty() {
            lines.clear();
        }
        Self {
            text,
            lines,
            widest,
            wrapped: Mutex::new(None),
        }
    }

    /// Columns the line numbers take, with the space after them.
    pub fn gutter(&self) -> usize {
        self.line_count().max(1).to_string().len() + 1
    }

    /// Columns left for the text in a pane `pane_width` wide.
    pub fn text_columns(&self, pane_width: usize) -> usize {
        pane_width.saturating_sub(self.gutter()).max(1)
    }

    /// Where each row starts when the text is wrapped at `columns`; worked out once per
    /// width (a 1 MB line is about 14,000 rows) and kept until the width changes.
    pub fn wrap_map(&self, columns: usize) -> Arc<WrapMap> {
        let mut cached = self.wrapped.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(map) = cached.as_ref().filter(|m| m.columns == columns) {
            return map.clone();
        }
        let map = Arc::new(WrapMap::new(self, columns));
        *cached = Some(map.clone());
        map
    }

    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    pub fn line(&self, index: usize) -> &str {
        self.lines
            .get(index)
            .map_or("", |range| &self.text[range.clone()])
    }

    pub fn widest(&self) -> usize {
        self.widest
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Case-insensitive matches of `needle`, as (line, byte range in the line), in order.
    pub fn find_all(&self, needle: &str) -> Vec<(usize, Range<usize>)> {
        if needle.is_empty() {
            return Vec::new();
        }
        let needle = needle.to_lowercase();
        let mut found = Vec::new();
        for (index, range) in self.lines.iter().enumerate() {
            let line = &self.text[range.clone()];
            if line.is_ascii() && needle.is_ascii() {
                let hay = line.as_bytes();
                let pattern = needle.as_bytes();
                let mut at = 0;
                while at + pattern.len() <= hay.len() {
                    if hay[at..at + pattern.len()].eq_ignore_ascii_case(pattern) {
                        found.push((index, at..at + pattern.len()));
                        at += pattern.len();
                    } else {
                        at += 1;
                    }
                }
            } else {
                // Lower-casing can change byte lengths outside ASCII; compare char by char.
                let chars: Vec<(usize, char)> = line.char_indices().collect();
                let pattern: Vec<char> = needle.chars().collect();
                let mut i = 0;
                while i + pattern.len() <= chars.len() {
                    let hit = chars[i..i + pattern.len()]
                        .iter()
                        .zip(&pattern)
                        .all(|((_, c), p)| c.to_lowercase().eq(p.to_lowercase()));
                    if hit {
                        let start = chars[i].0;
                        let end = chars
                            .get(i + pattern.len())
                            .map_or(line.len(), |(at, _)| *at);
                        found.push((index, start..end));
                        i += pattern.len();
                    } else {
                        i += 1;
                    }
                }
            }
        }
        found
    }
}

/// A line's width as a view shows it (tabs as four spaces, controls as escapes).
fn line_width(line: &str) -> usize {
    if line.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return line.len();
    }
    line.chars().map(shown_width).sum()
}

/// The rows of a text wrapped at one width: for every row, its line and the byte its text
/// starts at in that line.
#[derive(Debug)]
pub struct WrapMap {
    columns: usize,
    /// For each line, its first row; one more entry at the end holds the row count.
    first_row: Vec<usize>,
    /// For each row, the byte in its line where it starts.
    starts: Vec<usize>,
}

impl WrapMap {
    fn new(doc: &TextDoc, columns: usize) -> Self {
        let mut first_row = Vec::with_capacity(doc.line_count() + 1);
        let mut starts = Vec::with_capacity(doc.line_count());
        for index in 0..doc.line_count() {
            first_row.push(starts.len());
            row_starts(doc.line(index), columns, |at| starts.push(at));
        }
        first_row.push(starts.len());
        Self {
            columns,
            first_row,
            starts,
        }
    }

    pub fn rows(&self) -> usize {
        self.starts.len()
    }

    /// The row `sub` rows into `line` (clamped to that line's last row).
    pub fn row(&self, line: usize, sub: usize) -> usize {
        let Some(&first) = self.first_row.get(line) else {
            return self.rows();
        };
        let count = self.first_row[line + 1] - first;
        first + sub.min(count.saturating_sub(1))
    }

    /// The line a row is in, and how many rows into it.
    pub fn position(&self, row: usize) -> (usize, usize) {
        let row = row.min(self.rows().saturating_sub(1));
        let line = self.first_row.partition_point(|first| *first <= row) - 1;
        (line, row - self.first_row[line])
    }

    /// The row that shows byte `at` of `line`.
    pub fn row_of_byte(&self, line: usize, at: usize) -> usize {
        let Some(&first) = self.first_row.get(line) else {
            return self.rows();
        };
        let end = self.first_row[line + 1];
        let within = self.starts[first..end].partition_point(|start| *start <= at);
        first + within.saturating_sub(1)
    }

    /// A row's line, its byte range in that line, and whether it is the line's first row.
    pub fn span(&self, doc: &TextDoc, row: usize) -> (usize, Range<usize>, bool) {
        let (line, sub) = self.position(row);
        let row = self.first_row[line] + sub;
        let last = self.first_row[line + 1] - 1;
        let end = if row < last {
            self.starts[row + 1]
        } else {
            doc.line(line).len()
        };
        (line, self.starts[row]..end, sub == 0)
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lines_without_their_endings() {
        let doc = TextDoc::new("one\r\ntwo\n\nfour".into());
        assert_eq!(doc.line_count(), 4);
        assert_eq!(
            (0..4).map(|i| doc.line(i)).collect::<Vec<_>>(),
            ["one", "two", "", "four"]
        );
        assert_eq!(doc.line(9), "");
        assert_eq!(doc.widest(), 4);
        assert_eq!(
            TextDoc::new("日本\tx".into()).widest(),
            9,
            "display columns"
        );
        assert_eq!(TextDoc::new(String::new()).line_count(), 0);
        assert_eq!(TextDoc::new("x\n".into()).line_count(), 2);
    }

    #[test]
    fn maps_wrapped_rows_to_lines_and_back() {
        let long = "x".repeat(25);
        let doc = TextDoc::new(format!("short\n{long}\n\nend"));
        let map = doc.wrap_map(10);
        // short | xxxxxxxxxx xxxxxxxxxx xxxxx | (empty) | end
        assert_eq!(map.rows(), 6);
        assert_eq!(map.row(1, 0), 1);
        assert_eq!(map.row(1, 2), 3);
        assert_eq!(map.row(1, 9), 3, "clamped to the line's last row");
        assert_eq!(map.position(3), (1, 2));
        assert_eq!(map.position(5), (3, 0));
        assert_eq!(map.position(99), (3, 0));
        assert_eq!(map.row_of_byte(1, 0), 1);
        assert_eq!(map.row_of_byte(1, 19), 2);
        assert_eq!(map.row_of_byte(1, 20), 3);
        assert_eq!(map.span(&doc, 1), (1, 0..10, true));
        assert_eq!(map.span(&doc, 2), (1, 10..20, false));
        assert_eq!(map.span(&doc, 3), (1, 20..25, false));
        assert_eq!(map.span(&doc, 4), (2, 0..0, true));
        assert!(
            Arc::ptr_eq(&map, &doc.wrap_map(10)),
            "kept for the same width"
        );
        assert_eq!(doc.wrap_map(5).rows(), 8);
    }

    #[test]
    fn finds_matches_ignoring_case() {
        let doc = TextDoc::new("Alpha alpha\nbeta\nÄlpha ÄLPHA".into());
        assert_eq!(
            doc.find_all("ALPHA"),
            [(0, 0..5), (0, 6..11)],
            "ASCII lines"
        );
        assert_eq!(doc.find_all("älpha"), [(2, 0..6), (2, 7..13)]);
        assert!(doc.find_all("").is_empty());
    }
}
