//! Text measured as the terminal shows it: in display columns (a CJK character or an emoji
//! takes two, a combining mark none), never in chars or bytes. Cutting, wrapping and
//! aligning all go through here, so a pane's border stays where it is whatever the text.

use std::borrow::Cow;

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

use crate::escape::is_hidden_control;

/// The columns `c` takes once made safe for a body line (`safe::body_line`): a tab is four
/// spaces, a control its visible escape (`\x1b`, `\u{202e}`), anything else its width.
pub fn shown_width(c: char) -> usize {
    match c {
        '\t' => 4,
        c if is_hidden_control(c) => escape_width(c),
        c => c.width().unwrap_or(0),
    }
}

/// `\n`, `\x1b`, `\u{9b}`: the length of the escape `crate::escape` writes for `c`.
fn escape_width(c: char) -> usize {
    match c {
        '\n' | '\r' | '\t' => 2,
        c if (c as u32) < 0x80 => 4,
        c => 4 + format!("{:x}", c as u32).len(),
    }
}

/// The columns raw text takes once made safe for a body line.
pub fn width_of_raw(text: &str) -> usize {
    text.chars().map(shown_width).sum()
}

/// The columns of text that is already safe to draw.
pub fn width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// Safe text cut to `max` columns, the cut marked with `…`.
pub fn cut(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    Cow::Owned(out)
}

/// Safe text cut to `max` columns by taking out its middle, so both ends stay readable
/// (`/home/dev/…/hookscope/captures.db`).
pub fn cut_middle(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max < 3 {
        return cut(text, max);
    }
    let room = max - 1;
    // The end is what tells paths apart: give it the larger half.
    let tail_room = room - room / 3;
    let head = take_columns(text.chars(), room - tail_room);
    let tail: String = take_columns(text.chars().rev(), tail_room)
        .chars()
        .rev()
        .collect();
    Cow::Owned(format!("{head}…{tail}"))
}

fn take_columns(chars: impl Iterator<Item = char>, max: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in chars {
        let w = c.width().unwrap_or(0);
        if used + w > max {
            break;
        }
        used += w;
        out.push(c);
    }
    out
}

/// Safe text padded with spaces to `columns` (or cut, with `…`, when wider).
pub fn pad(text: &str, columns: usize) -> String {
    let text = cut(text, columns);
    let fill = columns.saturating_sub(width(&text));
    format!("{text}{}", " ".repeat(fill))
}

/// Where each row of a raw (not yet escaped) line starts, in bytes, when wrapped at `columns`
/// as `shown_width` measures it. A character never straddles two rows: one that does not
/// fit starts the next row (one wider than a whole row gets a row of its own). An empty
/// line is one row.
pub fn row_starts(line: &str, columns: usize, mut row: impl FnMut(usize)) {
    let columns = columns.max(1);
    row(0);
    let mut used = 0;
    for (at, c) in line.char_indices() {
        let w = shown_width(c);
        if used + w > columns && used > 0 {
            row(at);
            used = 0;
        }
        used += w;
    }
}

/// A line of a small tab (Summary, Headers, Validation) with the column its wrapped rows
/// continue at, so a long value wraps under itself rather than under its label.
#[derive(Debug, Clone)]
pub struct Para {
    pub line: Line<'static>,
    pub indent: usize,
}

impl Para {
    pub fn new(line: impl Into<Line<'static>>, indent: usize) -> Self {
        Self {
            line: line.into(),
            indent,
        }
    }
}

impl From<Line<'static>> for Para {
    fn from(line: Line<'static>) -> Self {
        Self::new(line, 0)
    }
}

/// Lays paragraphs out in `columns`: wrapped, continuation rows indented, or else each on
/// one row, scrolled `x` columns sideways and cut with `…` where it goes on.
pub fn layout(paras: &[Para], columns: usize, wrap: bool, x: usize) -> Vec<Line<'static>> {
    let mut rows = Vec::with_capacity(paras.len());
    for para in paras {
        if wrap {
            wrap_para(para, columns, &mut rows);
        } else {
            rows.push(window(&para.line, x, columns));
        }
    }
    rows
}

/// The widest paragraph, in columns: how far a tab can scroll sideways.
pub fn widest(paras: &[Para]) -> usize {
    paras.iter().map(|p| p.line.width()).max().unwrap_or(0)
}

fn wrap_para(para: &Para, columns: usize, rows: &mut Vec<Line<'static>>) {
    let columns = columns.max(1);
    // An indent that leaves less than a third of the row is not worth keeping.
    let indent = if para.indent * 3 <= columns * 2 {
        para.indent
    } else {
        0
    };
    let style = para.line.style;
    let mut row: Vec<(char, Style)> = Vec::new();
    let mut used = 0;
    let mut floor = 0;
    for span in &para.line.spans {
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > columns && row.len() > floor {
                // Break after the last space past the indent, else wherever the row is full.
                let space = row[floor..].iter().rposition(|(c, _)| *c == ' ');
                let carried = match space {
                    Some(at) if c != ' ' => {
                        let rest = row.split_off(floor + at + 1);
                        row.pop();
                        rest
                    }
                    _ => Vec::new(),
                };
                rows.push(spans_of(&row, style));
                row = vec![(' ', Style::new()); indent];
                floor = indent;
                row.extend(carried);
                used = row.iter().map(|(c, _)| c.width().unwrap_or(0)).sum();
                if c == ' ' && row.len() == floor {
                    continue;
                }
            }
            used += w;
            row.push((c, span.style));
        }
    }
    rows.push(spans_of(&row, style));
}

/// Chars with their styles back into spans, one per run of a style.
fn spans_of(row: &[(char, Style)], style: Style) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    for (c, s) in row {
        match spans.last_mut() {
            Some(last) if last.style == *s => last.content.to_mut().push(*c),
            _ => spans.push(Span::styled(c.to_string(), *s)),
        }
    }
    Line::from(spans).style(style)
}

/// `columns` columns of `line` starting `x` columns in, with `…` in the last column when
/// the line goes on past the edge.
fn window(line: &Line<'static>, x: usize, columns: usize) -> Line<'static> {
    let total = line.width();
    let cut_right = total > x + columns;
    let keep = if cut_right {
        columns.saturating_sub(1)
    } else {
        columns
    };
    let mut spans = Vec::new();
    let (mut skipped, mut used) = (0, 0);
    for span in &line.spans {
        let mut piece = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if skipped < x {
                skipped += w;
                // A wide character cut by the left edge shows as a space.
                if skipped > x {
                    piece.push(' ');
                    used += 1;
                }
                continue;
            }
            if used + w > keep {
                break;
            }
            used += w;
            piece.push(c);
        }
        if !piece.is_empty() {
            spans.push(Span::styled(piece, span.style));
        }
    }
    if cut_right {
        let style = line.spans.last().map(|s| s.style).unwrap_or_default();
        spans.push(Span::styled("…", style));
    }
    Line::from(spans).style(line.style)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn widths_are_display_columns() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("日本"), 4);
        assert_eq!(width("🚀x"), 3);
        assert_eq!(width("e\u{301}"), 1, "a combining accent takes no column");
        assert_eq!(shown_width('\t'), 4);
        assert_eq!(shown_width('\u{1b}'), 4, "shown as \\x1b");
        assert_eq!(shown_width('\u{202e}'), 8, "shown as \\u{{202e}}");
        assert_eq!(
            shown_width('\u{202e}'),
            crate::escape::visible_line("\u{202e}".as_bytes()).len()
        );
    }

    #[test]
    fn cuts_are_marked_and_fit() {
        assert_eq!(cut("issue_report_notification", 12), "issue_repor…");
        assert_eq!(cut("short", 12), "short");
        assert_eq!(
            width(&cut("日本語のテキスト", 7)),
            7,
            "{}",
            cut("日本語のテキスト", 7)
        );
        assert_eq!(cut("abc", 0), "");
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(pad("日本語", 5), "日本…");
        let path = "/home/developer/.local/share/hookscope/captures.db";
        let short = cut_middle(path, 30);
        assert_eq!(width(&short), 30);
        assert!(short.starts_with("/home/dev"), "{short}");
        assert!(short.ends_with("scope/captures.db"), "{short}");
    }

    #[test]
    fn rows_never_split_a_character() {
        let mut starts = Vec::new();
        row_starts("ab日本c", 3, |at| starts.push(at));
        // "ab" then 日 does not fit beside them, "日" then 本 does not fit, "本c".
        assert_eq!(starts, [0, 2, 5]);
        let mut starts = Vec::new();
        row_starts("", 3, |at| starts.push(at));
        assert_eq!(starts, [0]);
        let mut starts = Vec::new();
        row_starts("a\u{1b}b", 3, |at| starts.push(at));
        assert_eq!(
            starts,
            [0, 1, 2],
            "the 4-column escape gets a row of its own"
        );
    }

    #[test]
    fn wrapped_rows_continue_under_the_value() {
        let para = Para::new(
            Line::from(vec![Span::raw("Label  "), Span::raw("one two three four")]),
            7,
        );
        let rows = layout(&[para], 14, true, 0);
        let rows: Vec<String> = rows.iter().map(text).collect();
        assert_eq!(rows, ["Label  one two", "       three", "       four"]);
        assert!(rows.iter().all(|r| width(r) <= 14));
    }

    #[test]
    fn unwrapped_rows_scroll_and_mark_the_cut() {
        let para = Para::from(Line::raw("0123456789"));
        assert_eq!(
            text(&layout(std::slice::from_ref(&para), 6, false, 0)[0]),
            "01234…"
        );
        assert_eq!(
            text(&layout(std::slice::from_ref(&para), 6, false, 5)[0]),
            "56789"
        );
        let wide = Para::from(Line::raw("日本語"));
        let row = &layout(&[wide], 4, false, 1)[0];
        assert!(row.width() <= 4, "{}", text(row));
    }
}
