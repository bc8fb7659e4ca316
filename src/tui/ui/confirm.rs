//! The question `D` asks before deleting every capture.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::{centered, group_digits};
use crate::tui::state::State;
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let total = state.list.total() as u64;
    let rect = centered(area, 52, 6);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.error())
        .title(Span::styled(" Delete every capture? ", theme.error()));
    let lines = vec![
        Line::raw(format!(
            "All {} {} will be deleted from the store.",
            group_digits(total),
            if total == 1 { "capture" } else { "captures" }
        )),
        Line::raw("This cannot be undone."),
        Line::from(vec![
            Span::styled("y", theme.key()),
            Span::raw(" delete all   "),
            Span::styled("any other key", theme.key()),
            Span::raw(" keep them"),
        ]),
    ];
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        rect,
    );
}
