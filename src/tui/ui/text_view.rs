//! A window onto a long text (a body, the raw request): line numbers, syntax colours once
//! they are ready, search matches, wrapping or sideways scrolling. Only the lines in view
//! are built, so a 40,000-line body costs no more per frame than a short one.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::safe;
use crate::highlight::Highlighted;
use crate::tui::state::detail::{Scroll, TextSearch};
use crate::tui::text_doc::TextDoc;
use crate::tui::theme::Theme;

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
        let count = self.doc.line_count();
        let gutter = count.max(1).to_string().len();
        let text_width = (area.width as usize).saturating_sub(gutter + 1).max(1);
        let head_end = self.head_style.map(|_| {
            (0..count)
                .find(|i| self.doc.line(*i).is_empty())
                .unwrap_or(count)
        });
        let mut y = area.y;
        let mut index = self.scroll.y.min(count.saturating_sub(1));
        while y < area.bottom() && index < count {
            let budget = if self.wrap {
                text_width * usize::from(area.bottom() - y)
            } else {
                text_width
            };
            let skip = if self.wrap { 0 } else { self.scroll.x };
            let mut spans = self.line_spans(index, skip, budget + 8);
            if let (Some(style), Some(end)) = (self.head_style, head_end)
                && index > 0
                && index < end
            {
                style_header_name(&mut spans, style);
            }
            let mut rows = if self.wrap {
                split_rows(spans, text_width)
            } else {
                vec![take_chars(spans, text_width)]
            };
            if rows.is_empty() {
                rows.push(Vec::new());
            }
            let marked = self.marked == Some(index);
            for (row_number, row) in rows.into_iter().enumerate() {
                if y >= area.bottom() {
                    break;
                }
                let number = if row_number == 0 {
                    format!("{:>gutter$} ", index + 1)
                } else {
                    " ".repeat(gutter + 1)
                };
                let mut line = Line::from(vec![Span::styled(number, self.theme.dim())]);
                line.spans.extend(row);
                if marked {
                    line = line.style(self.theme.marked_line());
                }
                buf.set_line(area.x, y, &line, area.width);
                y += 1;
            }
            index += 1;
        }
    }
}

impl TextView<'_> {
    /// One line as styled, escaped spans: syntax colours overlaid with search matches.
    /// `skip` chars are dropped from the start and at most about `limit` kept, so a huge
    /// single-line body costs only what is shown.
    fn line_spans(&self, index: usize, skip: usize, limit: usize) -> Vec<Span<'static>> {
        let text = self.doc.line(index);
        let coloured = index
            .checked_sub(self.highlight_from)
            .zip(self.highlighted)
            .filter(|(line, highlighted)| *line < highlighted.line_count());
        let mut segments: Vec<(usize, usize, Style)> = match coloured {
            Some((line, highlighted)) => highlighted
                .spans(line)
                // A line's '\r' is not shown, so a span may reach one byte past the text.
                .map(|(range, style)| {
                    let (start, end) = (range.start.min(text.len()), range.end.min(text.len()));
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
            segments.push((0, text.len(), Style::new()));
        }
        if let Some(search) = self.search {
            let current = search.current.and_then(|i| search.matches.get(i));
            for (line, range) in search.matches.iter().filter(|(line, _)| *line == index) {
                let style = if current == Some(&(*line, range.clone())) {
                    self.theme.current_match()
                } else {
                    self.theme.search_match()
                };
                segments = overlay(segments, range.start, range.end, style);
            }
        }
        let mut spans = Vec::with_capacity(segments.len());
        let (mut skipped, mut kept) = (0usize, 0usize);
        for (start, end, style) in segments {
            if kept >= limit {
                break;
            }
            let piece = &text[start..end];
            let chars = piece.chars().count();
            if skipped + chars <= skip {
                skipped += chars;
                continue;
            }
            let piece: String = piece
                .chars()
                .skip(skip.saturating_sub(skipped))
                .take(limit - kept)
                .collect();
            skipped = skip;
            kept += piece.chars().count();
            spans.push(Span::styled(safe::body_line(&piece).into_owned(), style));
        }
        spans
    }
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

/// The part up to the first `: ` of a header line, in `style`.
fn style_header_name(spans: &mut Vec<Span<'static>>, style: Style) {
    let Some(first) = spans.first_mut() else {
        return;
    };
    if let Some(colon) = first.content.find(": ") {
        let rest = first.content[colon..].to_owned();
        let name = first.content[..colon].to_owned();
        let base = first.style;
        *first = Span::styled(name, base.patch(style));
        spans.insert(1, Span::styled(rest, base));
    }
}

fn take_chars(spans: Vec<Span<'static>>, width: usize) -> Vec<Span<'static>> {
    split_rows(spans, width)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// Cuts spans into rows of `width` chars.
fn split_rows(spans: Vec<Span<'static>>, width: usize) -> Vec<Vec<Span<'static>>> {
    let mut rows = vec![Vec::new()];
    let mut used = 0;
    for span in spans {
        let mut rest: &str = &span.content;
        while !rest.is_empty() {
            if used == width {
                rows.push(Vec::new());
                used = 0;
            }
            let room = width - used;
            let cut = rest
                .char_indices()
                .nth(room)
                .map_or(rest.len(), |(at, _)| at);
            let piece = &rest[..cut];
            used += piece.chars().count();
            if let Some(row) = rows.last_mut() {
                row.push(Span::styled(piece.to_owned(), span.style));
            }
            rest = &rest[cut..];
        }
    }
    rows
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
    fn splits_rows_by_chars() {
        let rows = split_rows(vec![Span::raw("abcdé"), Span::raw("fgh")], 3);
        let text: Vec<String> = rows
            .iter()
            .map(|r| r.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        assert_eq!(text, ["abc", "déf", "gh"]);
    }
}
