//! A text split into lines once, so a view can draw lines 40,000 to 40,050 of a large body
//! without walking the whole text on every frame.

use std::ops::Range;

#[derive(Debug, Clone, Default)]
pub struct TextDoc {
    text: String,
    /// Byte range of each line, without its `\n` (nor a `\r` before it).
    lines: Vec<Range<usize>>,
    /// The longest line, in chars: how far a view can scroll sideways.
    widest: usize,
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
            // Counting chars on every line is what lets wide views size themselves; only
            // lines longer than the current widest need counting.
            if trimmed - start > widest {
                widest = widest.max(text[start..trimmed].chars().count());
            }
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
        }
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
        assert_eq!(TextDoc::new(String::new()).line_count(), 0);
        assert_eq!(TextDoc::new("x\n".into()).line_count(), 2);
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
