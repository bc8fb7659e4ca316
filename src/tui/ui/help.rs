//! The help overlay, generated from the keymap so it always says what the keys really do.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{centered, safe};
use crate::tui::action::{Action, Section};
use crate::tui::state::State;
use crate::tui::theme::Theme;

pub fn lines(state: &State, theme: Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let keys_of = |action: Action| {
        let keys = state
            .keymap
            .keys(action)
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        if keys.is_empty() {
            "(unbound)".to_owned()
        } else {
            keys
        }
    };
    let width = Action::ALL
        .into_iter()
        .map(|a| keys_of(a).chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    for section in Section::ALL {
        out.push(Line::styled(section.title(), theme.title()));
        for action in Action::ALL.into_iter().filter(|a| a.section() == section) {
            let keys = keys_of(action);
            out.push(Line::from(vec![
                Span::styled(format!("  {keys:<width$}"), theme.key()),
                Span::raw(action.description()),
            ]));
        }
        out.push(Line::raw(""));
    }
    out.push(Line::styled(
        "Filter: free text, vendor:octopus kind:Deploy* method:post",
        theme.dim(),
    ));
    out.push(Line::styled(
        "        path:/hooks/* valid:no, -term to exclude",
        theme.dim(),
    ));
    let source = match &state.keymap.source {
        Some(path) => format!("Keys from {}", path.display()),
        None => "Change keys in keymap.toml in hookscope's config folder".to_owned(),
    };
    out.push(Line::styled(safe::line(&source).into_owned(), theme.dim()));
    out
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, scroll: usize, theme: Theme) {
    let lines = lines(state, theme);
    let height = (lines.len() as u16 + 2).min(area.height);
    let rect = centered(area, 90, height);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(" Keys ", theme.title()))
        .title_bottom(Span::styled(" any other key closes ", theme.dim()));
    frame.render_widget(Clear, rect);
    let max_scroll = lines
        .len()
        .saturating_sub(rect.height.saturating_sub(2) as usize);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(max_scroll) as u16, 0)),
        rect,
    );
}
