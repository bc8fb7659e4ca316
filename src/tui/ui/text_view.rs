//! A window onto a long text (a body, the raw request): line numbers, syntax colours once
//! they are ready, search matches, wrapping or sideways scrolling. Only the rows in view
//! are built, so a 40,000-line body, or a 1 MB line wrapped to 14,000 rows, costs no more
//! per frame than a short one.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use std::ops::Range;

use super::safe;
use crate::highlight::Highlighted;
use crate::tui::state::detail::{DocRows, Scroll, TextSearch};
use crate::tui::text_doc::TextDoc;
use crate::tui::theme::Theme;
use crate::tui::wrap::shown_width;

pub struct TextView<'a> {
    pub doc: &'a TextDoc,
    pub highlighted: Option<&'a Highlighted>,
    /// The doc line the highlighted lines start at (a response's body, after its head).
    pub highlight_from: usize,
    pub search: Option<&'a TextSearch>,
    /// A line to mark (where a finding jump landed).
    pub marked: Option<usize>,
    pub scroll: Scroll,
    pub wrap: bool,
    pub theme: Theme,
    /// Styles the start of lines before the first empty one (header names in the raw view).
    pub head_style: Option<Style>,
}

impl Widget for TextView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let pane = usize::from(area.width);
        let height = usize::from(area.height);
        let columns = self.doc.text_columns(pane);
        let numbers = self.doc.gutter() - 1;
        let head_end = self.head_style.map(|_| {
            (0..self.doc.line_count())
                .find(|i| self.doc.line(*i).is_empty())
                .unwrap_or(self.doc.line_count())
        });
        let rows = DocRows::new(self.doc, self.wrap, pane);
        let top = rows.top(self.scroll, height);
        for (y, row) in (area.y..area.bottom()).zip(top..rows.total()) {
            let (index, range, first) = match rows.wrap_map() {
                Some(map) => map.span(self.doc, row),
                None => (row, 0..self.doc.line(row).len(), true),
            };
            let number = if first {
                format!("{:>numbers$} ", index + 1)
            } else {
                " ".repeat(numbers + 1)
            };
            let mut line = Line::from(vec![Span::styled(number, self.theme.dim())]);
            let is_head = head_end.is_some_and(|end| index > 0 && index < end);
            line.spans
                .extend(self.row_spans(index, range, columns, is_head));
            if self.marked == Some(index) {
                line = line.style(self.theme.marked_line());
            }
            buf.set_line(area.x, y, &line, area.width);
        }
    }
}

impl TextView<'_> {
    /// One row of line `index` as styled, escaped spans: the bytes in `range` when
    /// wrapping, else what fits in `columns` from the scroll's column on, with `…` where
    /// the line goes on past the edge.
    fn row_spans(
        &self,
        index: usize,
        range: Range<usize>,
        columns: usize,
        is_head: bool,
    ) -> Vec<Span<'static>> {
        let text = self.doc.line(index);
        let (range, lead, cut) = if self.wrap {
            (range, 0, false)
        } else {
            visible_part(text, self.scroll.x, columns)
        };
        let mut spans = Vec::new();
        if lead > 0 {
            spans.push(Span::raw(" ".repeat(lead)));
        }
        for (start, end, style) in self.segments(index, text, &range, is_head) {
            let piece = &text[start..end];
            spans.push(Span::styled(safe::body_line(piece).into_owned(), style));
        }
        if cut {
            spans.push(Span::styled("…", self.theme.dim()));
        }
        spans
    }

    /// The styled pieces of `range` in line `index`: syntax colours, a header name, and
    /// search matches over them.
    fn segments(
        &self,
        index: usize,
        text: &str,
        range: &Range<usize>,
        is_head: bool,
    ) -> Vec<(usize, usize, Style)> {
        let clip = |start: usize, end: usize| (start.max(range.start), end.min(range.end));
        let coloured = index
            .checked_sub(self.highlight_from)
            .zip(self.highlighted)
            .filter(|(line, highlighted)| *line < highlighted.line_count());
        let mut segments: Vec<(usize, usize, Style)> = match coloured {
            Some((line, highlighted)) => highlighted
                .spans(line)
                // A line's '\r' is not shown, so a span may reach one byte past the text.
                .map(|(span, style)| {
                    let (start, end) = clip(span.start.min(text.len()), span.end.min(text.len()));
                    (start, end, style)
                })
                .filter(|(start, end, _)| {
                    start < end && text.is_char_boundary(*start) && text.is_char_boundary(*end)
                })
                .map(|(start, end, style)| (start, end, self.theme.code(style)))
                .collect(),
            _ => Vec::new(),
        };
        if segments.is_empty() {
            segments.push((range.start, range.end, Style::new()));
        }
        if is_head && let (Some(style), Some(colon)) = (self.head_style, text.find(": ")) {
            let (start, end) = clip(0, colon);
            if start < end {
                segments = overlay(segments, start, end, style);
            }
        }
        if let Some(search) = self.search {
            let current = search.current.and_then(|i| search.matches.get(i));
            let first = search.matches.partition_point(|(line, _)| *line < index);
            for found in search.matches[first..]
                .iter()
                .take_while(|(line, _)| *line == index)
            {
                let (start, end) = clip(found.1.start, found.1.end);
                if start >= end {
                    continue;
                }
                let style = if current == Some(found) {
                    self.theme.current_match()
                } else {
                    self.theme.search_match()
                };
                segments = overlay(segments, start, end, style);
            }
        }
        segments
    }
}

/// The bytes of `text` shown from column `x` in `columns` columns: their range, the spaces
/// standing in for a wide character cut by the left edge, and whether the line goes on
/// past the right edge (its last column then holds `…`).
fn visible_part(text: &str, x: usize, columns: usize) -> (Range<usize>, usize, bool) {
    let mut chars = text.char_indices().peekable();
    let mut skipped = 0;
    let mut lead = 0;
    while skipped < x {
        let Some((_, c)) = chars.next() else {
            return (text.len()..text.len(), 0, false);
        };
        skipped += shown_width(c);
        lead = skipped.saturating_sub(x);
    }
    let start = chars.peek().map_or(text.len(), |(at, _)| *at);
    let mut used = lead;
    // (end byte, columns used) after each char that fits, to back off for the `…`.
    let mut ends = vec![(start, used)];
    while let Some(&(at, c)) = chars.peek() {
        let w = shown_width(c);
        if used + w > columns {
            break;
        }
        used += w;
        chars.next();
        ends.push((at + c.len_utf8(), used));
    }
    if chars.peek().is_none() {
        let end = ends.last().map_or(start, |(end, _)| *end);
        return (start..end, lead, false);
    }
    let (end, _) = ends
        .iter()
        .rev()
        .find(|(_, used)| *used < columns)
        .copied()
        .unwrap_or((start, 0));
    (start..end, lead.min(columns.saturating_sub(1)), true)
}

/// Lays `style` over `[start, end)` of the segments, splitting where needed.
fn overlay(
    segments: Vec<(usize, usize, Style)>,
    start: usize,
    end: usize,
    style: Style,
) -> Vec<(usize, usize, Style)> {
    let mut out = Vec::with_capacity(segments.len() + 2);
    for (s, e, base) in segments {
        if e <= start || s >= end {
            out.push((s, e, base));
            continue;
        }
        if s < start {
            out.push((s, start, base));
        }
        out.push((s.max(start), e.min(end), base.patch(style)));
        if e > end {
            out.push((end, e, base));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlays_split_segments() {
        let base = Style::new();
        let hit = Style::new().add_modifier(ratatui::style::Modifier::BOLD);
        let out = overlay(vec![(0, 10, base)], 3, 5, hit);
        assert_eq!(
            out.iter().map(|(s, e, _)| (*s, *e)).collect::<Vec<_>>(),
            [(0, 3), (3, 5), (5, 10)]
        );
    }

    #[test]
    fn a_line_scrolled_sideways_fits_its_columns() {
        assert_eq!(visible_part("0123456789", 0, 20), (0..10, 0, false));
        assert_eq!(
            visible_part("0123456789", 0, 5),
            (0..4, 0, true),
            "room for …"
        );
        assert_eq!(visible_part("0123456789", 4, 6), (4..10, 0, false));
        assert_eq!(visible_part("0123", 9, 6), (4..4, 0, false));
        // 日 takes columns 0-1: from column 1 its right half is a space.
        assert_eq!(visible_part("日本x", 1, 10), (3..7, 1, false));
        // Wide characters never overflow: 4 columns hold 日 and the …
        assert_eq!(visible_part("日本語", 0, 4), (0..3, 0, true));
    }
}
