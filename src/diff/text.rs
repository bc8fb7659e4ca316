//! Text bodies compared line by line (with `similar`), grouped into unified-style hunks with
//! a few lines of context.

use std::time::Duration;

use serde::Serialize;
use similar::{Algorithm, ChangeTag, TextDiff};

/// Lines past this many (context included) are counted, not listed.
pub const MAX_TEXT_LINES: usize = 500;

/// Unchanged lines shown around each change.
const CONTEXT_LINES: usize = 3;

/// Longer lines are cut with `…` (a minified body is one huge line).
const MAX_LINE_CHARS: usize = 1_000;

/// Past this, `similar` settles for a coarser diff rather than keep the command waiting.
const DIFF_TIMEOUT: Duration = Duration::from_secs(2);

/// One hunk: where it starts on each side (lines from 1) and how many lines of each it spans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextHunk {
    pub a_start: usize,
    pub a_lines: usize,
    pub b_start: usize,
    pub b_lines: usize,
    pub lines: Vec<TextLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextLine {
    pub op: LineOp,
    /// Without its line ending (a `\r` before it stays).
    pub text: String,
    /// The last line of its side, with no newline after it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub missing_newline: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineOp {
    Same,
    Added,
    Removed,
}

/// The hunks (holding at most [`MAX_TEXT_LINES`] lines) and how many lines were left out.
pub(super) fn compare(a: &str, b: &str) -> (Vec<TextHunk>, usize) {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(DIFF_TIMEOUT)
        .diff_lines(a, b);
    let mut hunks = Vec::new();
    let mut shown = 0;
    let mut omitted = 0;
    for group in diff.grouped_ops(CONTEXT_LINES) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let mut hunk = TextHunk {
            a_start: first.old_range().start + 1,
            a_lines: last.old_range().end - first.old_range().start,
            b_start: first.new_range().start + 1,
            b_lines: last.new_range().end - first.new_range().start,
            lines: Vec::new(),
        };
        for change in group.iter().flat_map(|op| diff.iter_changes(op)) {
            if shown == MAX_TEXT_LINES {
                omitted += 1;
                continue;
            }
            shown += 1;
            hunk.lines.push(TextLine {
                op: match change.tag() {
                    ChangeTag::Equal => LineOp::Same,
                    ChangeTag::Insert => LineOp::Added,
                    ChangeTag::Delete => LineOp::Removed,
                },
                text: cut(change.value().strip_suffix('\n').unwrap_or(change.value())),
                missing_newline: change.missing_newline(),
            });
        }
        if !hunk.lines.is_empty() {
            hunks.push(hunk);
        }
    }
    (hunks, omitted)
}

fn cut(line: &str) -> String {
    match line.char_indices().nth(MAX_LINE_CHARS) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(hunk: &TextHunk) -> Vec<(LineOp, &str)> {
        hunk.lines.iter().map(|l| (l.op, l.text.as_str())).collect()
    }

    #[test]
    fn the_same_text_has_no_hunks() {
        assert_eq!(compare("a\nb\n", "a\nb\n"), (Vec::new(), 0));
    }

    #[test]
    fn a_changed_line_comes_with_context() {
        let a = "1\n2\n3\n4\n5\n6\n7\n8\n";
        let b = "1\n2\n3\n4\nfive\n6\n7\n8\n";
        let (hunks, omitted) = compare(a, b);
        assert_eq!((hunks.len(), omitted), (1, 0));
        let hunk = &hunks[0];
        assert_eq!(
            (hunk.a_start, hunk.a_lines, hunk.b_start, hunk.b_lines),
            (2, 7, 2, 7)
        );
        assert_eq!(
            ops(hunk),
            [
                (LineOp::Same, "2"),
                (LineOp::Same, "3"),
                (LineOp::Same, "4"),
                (LineOp::Removed, "5"),
                (LineOp::Added, "five"),
                (LineOp::Same, "6"),
                (LineOp::Same, "7"),
                (LineOp::Same, "8"),
            ]
        );
    }

    #[test]
    fn a_missing_final_newline_is_marked() {
        let (hunks, _) = compare("a\n", "a");
        assert!(hunks[0].lines.iter().any(|l| l.missing_newline));
    }

    #[test]
    fn output_is_capped_and_the_rest_counted() {
        let a: String = (0..2_000).map(|n| format!("a{n}\n")).collect();
        let b: String = (0..2_000).map(|n| format!("b{n}\n")).collect();
        let (hunks, omitted) = compare(&a, &b);
        let shown: usize = hunks.iter().map(|h| h.lines.len()).sum();
        assert_eq!((shown, omitted), (MAX_TEXT_LINES, 4_000 - MAX_TEXT_LINES));
    }

    #[test]
    fn long_lines_are_cut() {
        let (hunks, _) = compare("x", &"y".repeat(5_000));
        assert!(
            hunks[0]
                .lines
                .iter()
                .all(|l| l.text.chars().count() <= MAX_LINE_CHARS + 1)
        );
    }
}
