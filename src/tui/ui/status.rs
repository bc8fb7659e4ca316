//! The bottom line: the open prompt, else a message, else key hints from the keymap.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{group_digits, safe};
use crate::tui::action::Action;
use crate::tui::state::prompt::PromptKind;
use crate::tui::state::send::{ReplayPlan, RunningReplay};
use crate::tui::state::status::Level;
use crate::tui::state::{Focus, State};
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let line = if let Some(prompt) = &state.prompt {
        let (sigil, outcome) = match prompt.kind {
            PromptKind::Filter => ("filter /", filter_outcome(state, theme)),
            PromptKind::Search => ("search /", search_outcome(state, theme)),
            PromptKind::ReplayTarget => ("replay to ", target_outcome(state, theme)),
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
    } else if let Some(running) = &state.send.running {
        progress(running, theme)
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

fn target_outcome(state: &State, theme: Theme) -> Vec<Span<'static>> {
    if let Some(error) = &state.send.plan_error {
        return vec![Span::styled(safe::line(error).into_owned(), theme.error())];
    }
    let what = match &state.send.plan {
        Some(ReplayPlan::One(id)) => format!("#{id}"),
        Some(ReplayPlan::Edit(id)) => format!("#{id}, after editing"),
        Some(ReplayPlan::Many(ids)) => format!("{} captures", group_digits(ids.len() as u64)),
        None => String::new(),
    };
    vec![Span::styled(
        format!("{what} · a URL with a path is the endpoint · enter sends · esc cancels"),
        theme.dim(),
    )]
}

/// `replaying ███████░░░ 7/10 · 1 failed · 3 left · esc cancels`
fn progress(running: &RunningReplay, theme: Theme) -> Line<'static> {
    const WIDTH: usize = 20;
    let tally = running.tally;
    let filled = (tally.done() * WIDTH)
        .checked_div(tally.total)
        .unwrap_or(0)
        .min(WIDTH);
    let mut spans = vec![
        Span::styled(" replaying ", theme.title()),
        Span::styled("█".repeat(filled), theme.accent()),
        Span::styled("░".repeat(WIDTH - filled), theme.dim()),
        Span::raw(format!(
            " {}/{} to {}",
            group_digits(tally.done() as u64),
            group_digits(tally.total as u64),
            safe::line(&running.target)
        )),
    ];
    if tally.failed > 0 {
        spans.push(Span::styled(
            format!(" · {} failed", group_digits(tally.failed as u64)),
            theme.error(),
        ));
    }
    spans.push(Span::raw(format!(
        " · {} left · ",
        group_digits(tally.left() as u64)
    )));
    spans.push(Span::styled("esc", theme.key()));
    spans.push(Span::raw(" cancels"));
    Line::from(spans)
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
            Action::Mark,
            Action::Copy,
            Action::Replay,
            Action::Follow,
            Action::Help,
            Action::Quit,
        ],
        Focus::Detail => &[
            Action::Search,
            Action::NextMatch,
            Action::NextTab,
            Action::Copy,
            Action::Replay,
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
