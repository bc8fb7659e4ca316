//! The Headers tab: every header line in wire order, duplicates kept, names aligned.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::safe;
use crate::escape::visible_line;
use crate::tui::detail_view::DetailView;
use crate::tui::theme::Theme;

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    view: &DetailView,
    scroll: usize,
    wrap: bool,
    theme: Theme,
) {
    let headers = &view.capture.headers;
    if headers.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled("No headers.", theme.dim())),
            area,
        );
        return;
    }
    let width = headers
        .iter()
        .map(|h| safe::line(&h.name).chars().count())
        .max()
        .unwrap_or(0)
        .min(32);
    let lines: Vec<Line> = headers
        .iter()
        .skip(scroll)
        .take(area.height as usize)
        .map(|header| {
            Line::from(vec![
                Span::styled(
                    format!("{:<width$}  ", safe::line(&header.name)),
                    theme.label(),
                ),
                Span::raw(visible_line(&header.value).into_owned()),
            ])
        })
        .collect();
    let mut paragraph = Paragraph::new(lines);
    if wrap {
        paragraph = paragraph.wrap(Wrap { trim: false });
    }
    frame.render_widget(paragraph, area);
}
