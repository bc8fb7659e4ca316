//! The Headers tab: every header line in wire order, duplicates kept, names aligned.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::safe;
use crate::escape::visible_line;
use crate::tui::detail_view::DetailView;
use crate::tui::state::detail::Scroll;
use crate::tui::theme::Theme;
use crate::tui::wrap::{self, Para};

/// Names longer than this are cut, so one odd header does not push every value away.
const NAME_COLUMNS: usize = 32;

/// One paragraph per header; a long value wraps under itself.
pub fn paras(view: &DetailView, theme: Theme) -> Vec<Para> {
    let headers = &view.shown.headers;
    let width = headers
        .iter()
        .map(|h| wrap::width(&safe::line(&h.name)))
        .max()
        .unwrap_or(0)
        .min(NAME_COLUMNS);
    headers
        .iter()
        .map(|header| {
            Para::new(
                Line::from(vec![
                    Span::styled(
                        format!("{}  ", wrap::pad(&safe::line(&header.name), width)),
                        theme.label(),
                    ),
                    Span::raw(visible_line(&header.value).into_owned()),
                ]),
                width + 2,
            )
        })
        .collect()
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    view: &DetailView,
    scroll: Scroll,
    wrap: bool,
    theme: Theme,
) {
    if view.capture.headers.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled("No headers.", theme.dim())),
            area,
        );
        return;
    }
    let rows = wrap::layout(&paras(view, theme), usize::from(area.width), wrap, scroll.x);
    let lines: Vec<Line> = rows
        .into_iter()
        .skip(scroll.y)
        .take(usize::from(area.height))
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}
