//! The bottom line: the open prompt, else a message, else key hints from the keymap.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{group_digits, safe};
use crate::tui::action::Action;
use crate::tui::state::prompt::PromptKind;
use crate::tui::state::status::Level;
use crate::tui::state::{Focus, State};
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let line = if let Some(prompt) = &state.prompt {
        let (sigil, outcome) = match prompt.kind {
            PromptKind::Filter => ("filter /", filter_outcome(state, theme)),
            PromptKind::Search => ("search /", search_outcome(state, theme)),
        };
        let input = safe::line(&prompt.input).into_owned();
        let cursor_x = area.x
            + sigil.chars().count() as u16
            + safe::line(&prompt.input.chars().take(prompt.cursor).collect::<String>())
                .chars()
                .count() as u16;
        frame.set_cursor_position(Position::new(
            cursor_x.min(area.right().saturating_sub(1)),
            area.y,
        ));
        let mut spans = vec![
            Span::styled(sigil, theme.key()),
            Span::raw(input),
            Span::raw("   "),
        ];
        spans.extend(outcome);
        Line::from(spans)
    } else if let Some(message) = &state.status.message {
        let style = match message.level {
            Level::Info => theme.ok(),
            Level::Error => theme.error(),
        };
        Line::from(Span::styled(
            format!(" {}", safe::line(&message.text)),
            style,
        ))
    } else {
        hints(state, theme)
    };
    frame.render_widget(Paragraph::new(line).style(theme.status_bar()), area);
}

fn filter_outcome(state: &State, theme: Theme) -> Vec<Span<'static>> {
    if let Some(error) = &state.filter.error {
        return vec![Span::styled(safe::line(error).into_owned(), theme.error())];
    }
    if state.filter.active.is_none() {
        return vec![Span::styled(
            "text, vendor: kind: method: path: valid:no · enter keeps · esc cancels",
            theme.dim(),
        )];
    }
    let shown = state.list.shown().len() as u64;
    let total = state.list.total() as u64;
    let mut spans = vec![Span::styled(
        format!("{} of {} match", group_digits(shown), group_digits(total)),
        theme.accent(),
    )];
    if state.filter.scanning {
        spans.push(Span::styled(" · searching…", theme.dim()));
    }
    spans
}

fn search_outcome(state: &State, theme: Theme) -> Vec<Span<'static>> {
    match &state.detail.search {
        Some(search) if search.matches.is_empty() => {
            vec![Span::styled("no match", theme.error())]
        }
        Some(search) => vec![Span::styled(
            format!(
                "{} of {} · n/N next/previous",
                search.current.map_or(0, |i| i + 1),
                search.matches.len()
            ),
            theme.accent(),
        )],
        None => vec![Span::styled("enter keeps · esc cancels", theme.dim())],
    }
}

/// The most useful keys where the focus is, as the keymap binds them.
fn hints(state: &State, theme: Theme) -> Line<'static> {
    let actions: &[Action] = match state.focus {
        Focus::List => &[
            Action::Search,
            Action::Open,
            Action::NextTab,
            Action::Follow,
            Action::Pause,
            Action::Delete,
            Action::Help,
            Action::Quit,
        ],
        Focus::Detail => &[
            Action::Search,
            Action::NextMatch,
            Action::NextTab,
            Action::Wrap,
            Action::Zoom,
            Action::Back,
            Action::Help,
            Action::Quit,
        ],
    };
    let mut spans = vec![Span::raw(" ")];
    for action in actions {
        let Some(key) = state.keymap.first_key(*action) else {
            continue;
        };
        spans.push(Span::styled(key.to_string(), theme.key()));
        spans.push(Span::raw(format!(" {}  ", action.hint())));
    }
    if state.list.is_filtered() {
        spans.push(Span::styled(
            format!("filter: {}", safe::line(&state.filter.query)),
            theme.accent(),
        ));
    }
    Line::from(spans)
}
