//! The detail pane: a border titled with the capture, the tab bar, and the open tab.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::text_view::TextView;
use super::{findings, headers_tab, safe, summary, tabs};
use crate::tui::state::detail::Tab;
use crate::tui::state::{Focus, State};
use crate::tui::theme::Theme;
use crate::tui::wrap;
use crate::units::format_bytes;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let detail = &state.detail;
    let view = detail.view.as_deref();
    let focused = state.focus == Focus::Detail && state.prompt.is_none();
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(title(state, theme));
    if let Some(footer) = footer(state, theme) {
        block = block.title_bottom(footer);
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let bar = Rect { height: 1, ..inner };
    frame.render_widget(Paragraph::new(tabs::bar(detail.tab, view, theme)), bar);
    let body = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };

    let Some(view) = view else {
        let message = match (&detail.error, detail.loading, state.list.selected) {
            (Some(error), _, _) => Line::styled(safe::line(error).into_owned(), theme.error()),
            (None, Some(id), _) => Line::styled(format!("Loading #{id}…"), theme.dim()),
            (None, None, None) => Line::styled("No capture selected.", theme.dim()),
            (None, None, Some(_)) => Line::raw(""),
        };
        frame.render_widget(Paragraph::new(message), body);
        return;
    };
    let scroll = detail.scroll(detail.tab);
    match detail.tab {
        Tab::Summary => {
            let paras = summary::paras(view, &state.clock, theme);
            let rows: Vec<Line> =
                wrap::layout(&paras, usize::from(body.width), detail.wrap, scroll.x)
                    .into_iter()
                    .skip(scroll.y)
                    .take(usize::from(body.height))
                    .collect();
            frame.render_widget(Paragraph::new(rows), body);
        }
        Tab::Body => {
            let doc = view.body.doc_at(usize::from(body.width));
            if doc.line_count() == 0 {
                frame.render_widget(
                    Paragraph::new(Line::styled("The body is empty.", theme.dim())),
                    body,
                );
                return;
            }
            frame.render_widget(
                TextView {
                    doc,
                    highlighted: detail.highlighted.as_deref(),
                    highlight_from: 0,
                    search: detail.search.as_ref(),
                    marked: detail.marked_line,
                    scroll,
                    wrap: detail.wrap,
                    theme,
                    head_style: None,
                },
                body,
            );
        }
        Tab::Headers => headers_tab::draw(frame, body, view, scroll, detail.wrap, theme),
        Tab::Validation => findings::draw(frame, body, view, detail.finding, scroll.y, theme),
        Tab::Replays => super::replays_tab::draw(frame, body, state, view, theme),
        Tab::Raw => frame.render_widget(
            TextView {
                doc: &view.raw,
                highlighted: None,
                highlight_from: 0,
                search: detail.search.as_ref(),
                marked: None,
                scroll,
                wrap: detail.wrap,
                theme,
                head_style: Some(theme.label()),
            },
            body,
        ),
    }
}

fn title(state: &State, theme: Theme) -> Line<'static> {
    let Some(view) = state.detail.view.as_deref() else {
        return Line::styled(" Detail ", theme.title());
    };
    let capture = &view.capture;
    let mut spans = vec![
        Span::styled(format!(" #{} ", capture.id), theme.title()),
        Span::styled(
            safe::line(&capture.method).into_owned(),
            theme.method(&capture.method),
        ),
        Span::raw(format!(" {} ", safe::line(capture.path()))),
    ];
    if state.zoom {
        spans.push(Span::styled("· zoomed ", theme.dim()));
    }
    Line::from(spans)
}

/// The bottom border: facts about the open text (format, highlighting, wrap, matches).
fn footer(state: &State, theme: Theme) -> Option<Line<'static>> {
    let detail = &state.detail;
    let view = detail.view.as_deref()?;
    let mut parts: Vec<Span<'static>> = Vec::new();
    match detail.tab {
        Tab::Body => {
            let body = &view.body;
            parts.push(Span::raw(format!(
                "{} · {} · {}",
                body.format.label(),
                format_bytes(body.decoded_size as u64),
                crate::units::plural(
                    body.doc_at(state.detail_viewport().columns).line_count(),
                    "line"
                )
            )));
            if detail.highlighting {
                parts.push(Span::styled(" · highlighting…", theme.dim()));
            } else if let Some(too_large) = &body.too_large
                && state.highlight.is_some()
            {
                parts.push(Span::styled(
                    format!(" · not coloured: {too_large}"),
                    theme.dim(),
                ));
            }
            if let Some(note) = body.notes.first() {
                parts.push(Span::styled(
                    format!(" · ⚠ {}", safe::line(note)),
                    theme.warning(),
                ));
            }
        }
        Tab::Raw => parts.push(Span::raw(format!(
            "as received · {}",
            crate::units::plural(view.raw.line_count(), "line")
        ))),
        _ if detail.scroll(detail.tab).x > 0 => {}
        _ => return None,
    }
    let x = detail.scroll(detail.tab).x;
    if x > 0 && !detail.wrap {
        // Scrolled sideways: say how far, as the left edge would otherwise not tell.
        parts.push(Span::styled(
            format!(" · from column {}", x + 1),
            theme.dim(),
        ));
    }
    if detail.wrap {
        parts.push(Span::styled(" · wrap", theme.dim()));
    }
    if let Some(search) = &detail.search {
        let text = match (search.matches.len(), search.current) {
            (0, _) => format!(" · no match for “{}”", safe::line(&search.query)),
            (n, Some(i)) => format!(" · match {}/{n}", i + 1),
            (n, None) => format!(" · {n} matches"),
        };
        parts.push(Span::styled(text, theme.accent()));
    }
    parts.insert(0, Span::raw(" "));
    parts.push(Span::raw(" "));
    Some(Line::from(parts))
}
