//! The Replays tab: every replay and forward of the capture, newest last, and below them
//! the selected one's response (status, headers, body) or why there was none.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::safe;
use super::text_view::TextView;
use crate::attempt::AttemptKind;
use crate::tui::detail_view::{AttemptView, DetailView};
use crate::tui::state::State;
use crate::tui::state::detail::Tab;
use crate::tui::theme::Theme;
use crate::units::{format_bytes, format_duration};

/// At most this many attempt rows above the response.
const MAX_LIST_ROWS: usize = 8;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, view: &DetailView, theme: Theme) {
    let detail = &state.detail;
    if view.attempts.is_empty() {
        let replay = key(state, crate::tui::action::Action::Replay);
        let lines = vec![
            Line::styled("Not replayed or forwarded yet.", theme.dim()),
            Line::raw(""),
            Line::from(vec![
                Span::styled(replay, theme.key()),
                Span::raw(" replays this capture to a URL, exactly as it arrived; "),
                Span::styled("--forward-to", theme.key()),
                Span::raw(" sends every webhook to your app as it arrives."),
            ]),
        ];
        frame.render_widget(
            Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
            area,
        );
        return;
    }
    let selected = detail.attempt.min(view.attempts.len() - 1);
    let rows = list_rows(view.attempts.len(), usize::from(area.height));
    // Keep the selected attempt in the window of rows.
    let first = selected.saturating_sub(rows - 1);
    let lines: Vec<Line> = view.attempts[first..(first + rows).min(view.attempts.len())]
        .iter()
        .enumerate()
        .map(|(i, attempt)| attempt_line(attempt, first + i == selected, state, theme))
        .collect();
    let list = Rect {
        height: rows as u16,
        ..area
    };
    frame.render_widget(Paragraph::new(lines), list);
    let rule_y = list.y + list.height;
    if rule_y >= area.bottom() {
        return;
    }
    let rule = Rect {
        y: rule_y,
        height: 1,
        ..area
    };
    let hint = format!(
        "─ {} of {} · ↑↓ choose · pgup/pgdn scroll · {} compare with the capture ",
        selected + 1,
        view.attempts.len(),
        key(state, crate::tui::action::Action::Diff)
    );
    frame.render_widget(Paragraph::new(Line::styled(hint, theme.dim())), rule);
    let response = Rect {
        y: rule_y + 1,
        height: area.bottom().saturating_sub(rule_y + 1),
        ..area
    };
    frame.render_widget(
        TextView {
            doc: &view.attempts[selected].response,
            highlighted: view.attempts[selected].highlighted.as_ref(),
            highlight_from: view.attempts[selected].body_line,
            search: None,
            marked: None,
            scroll: detail.scroll(Tab::Replays),
            wrap: detail.wrap,
            theme,
            head_style: Some(theme.label()),
        },
        response,
    );
}

/// Rows for the attempts above the response.
fn list_rows(attempts: usize, height: usize) -> usize {
    attempts.min(MAX_LIST_ROWS).min(height / 2).max(1)
}

/// Rows the selected response gets, under the attempts and the rule between them.
pub fn response_rows(attempts: usize, height: usize) -> usize {
    height
        .saturating_sub(list_rows(attempts, height) + 1)
        .max(1)
}

/// `replay  14:02:03  200 OK  3.2 ms  12 B  http://localhost:3000/hooks`
fn attempt_line(view: &AttemptView, selected: bool, state: &State, theme: Theme) -> Line<'static> {
    let attempt = &view.attempt;
    let kind = match attempt.kind {
        AttemptKind::Replay => "replay ",
        AttemptKind::Forward => "forward",
    };
    let time = attempt
        .started_at
        .with_timezone(&state.clock.offset)
        .format("%H:%M:%S")
        .to_string();
    let (outcome, style) = match &attempt.response {
        Some(response) => (
            format!(
                "{} {}  {}  {}",
                response.status,
                safe::line(&response.reason),
                format_duration(attempt.elapsed),
                format_bytes(response.body_size)
            ),
            if response.status < 400 {
                theme.ok()
            } else {
                theme.error()
            },
        ),
        None => (
            format!(
                "✗ {}",
                safe::line(attempt.error.as_deref().unwrap_or("no response"))
            ),
            theme.error(),
        ),
    };
    let mut line = Line::from(vec![
        Span::styled(if selected { "▶ " } else { "  " }, theme.accent()),
        Span::styled(kind, theme.dim()),
        Span::raw(format!(" {time}  ")),
        Span::styled(outcome, style),
        Span::raw("  "),
        Span::styled(safe::line(&attempt.target).into_owned(), theme.dim()),
    ]);
    if selected {
        line = line.style(theme.selected(true));
    }
    line
}

fn key(state: &State, action: crate::tui::action::Action) -> String {
    state
        .keymap
        .first_key(action)
        .map_or_else(|| action.name().to_owned(), |k| k.to_string())
}
