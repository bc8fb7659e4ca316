//! The diff overlay: two requests compared, over most of the screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::safe;
use crate::diff::LineKind;
use crate::tui::diff_view::DiffView;
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, view: &DiffView, scroll: usize, theme: Theme) {
    let rect = Rect {
        x: area.x + 2,
        y: area.y + 1,
        width: area.width.saturating_sub(4),
        height: area.height.saturating_sub(2),
    };
    let rows = usize::from(rect.height.saturating_sub(2));
    let more = view.lines.len().saturating_sub(scroll + rows);
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(
            format!(" {} ", safe::line(&view.title)),
            theme.title(),
        ));
    let footer = if more > 0 {
        format!(" {more} more lines · ↑↓ pgup pgdn scroll · any other key closes ")
    } else {
        " any other key closes ".to_owned()
    };
    block = block.title_bottom(Span::styled(footer, theme.dim()));
    let lines: Vec<Line> = view
        .lines
        .iter()
        .skip(scroll)
        .take(rows)
        .map(|line| {
            let style = match line.kind {
                LineKind::Heading => theme.title(),
                LineKind::Added => theme.ok(),
                LineKind::Removed => theme.error(),
                LineKind::Changed => theme.warning(),
                LineKind::Same | LineKind::Note => theme.dim(),
            };
            // The diff's text is escaped already; `safe` keeps it so if that ever changes.
            Line::styled(safe::line(&line.text).into_owned(), style)
        })
        .collect();
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
