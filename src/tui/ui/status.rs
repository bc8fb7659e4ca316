//! The bottom line: the open prompt, else a message, else key hints from the keymap.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{group_digits, safe};
use crate::tui::action::Action;
use crate::tui::state::prompt::PromptKind;
use crate::tui::state::send::{ReplayPlan, RunningReplay};
use crate::tui::state::status::Level;
use crate::tui::state::{Focus, State};
use crate::tui::theme::Theme;
use crate::tui::wrap::{cut, width};

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let line = if let Some(prompt) = &state.prompt {
        let (sigil, outcome) = match prompt.kind {
            PromptKind::Filter => ("filter /", filter_outcome(state, theme)),
            PromptKind::Search => ("search /", search_outcome(state, theme)),
            PromptKind::ReplayTarget => ("replay to ", target_outcome(state, theme)),
        };
        let input = safe::line(&prompt.input).into_owned();
        let before_cursor: String = prompt.input.chars().take(prompt.cursor).collect();
        let offset = width(sigil) + width(&safe::line(&before_cursor));
        let cursor_x = u16::try_from(offset)
            .unwrap_or(u16::MAX)
            .saturating_add(area.x)
            .min(area.right().saturating_sub(1));
        frame.set_cursor_position(Position::new(cursor_x, area.y));
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
        let text = safe::line(&message.text);
        let room = usize::from(area.width).saturating_sub(1);
        Line::from(Span::styled(format!(" {}", cut(&text, room)), style))
    } else {
        hints(state, theme, usize::from(area.width))
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

/// The hints `help` and `quit` always show, at the right-hand end.
const ALWAYS: [Action; 2] = [Action::Help, Action::Quit];

/// Between two hints.
const GAP: usize = 2;

/// The keys worth showing where the focus is, most useful first: when the bar is too narrow,
/// hints go from the end of this list.
fn useful(focus: Focus) -> &'static [Action] {
    match focus {
        Focus::List => &[
            Action::Search,
            Action::Open,
            Action::Copy,
            Action::Replay,
            Action::Mark,
            Action::Follow,
            Action::Pause,
        ],
        Focus::Detail => &[
            Action::Search,
            Action::NextMatch,
            Action::NextTab,
            Action::Back,
            Action::Copy,
            Action::Replay,
        ],
    }
}

/// One key and what it does: `n next match`.
struct Hint {
    key: String,
    words: &'static str,
    style: Style,
}

impl Hint {
    fn width(&self) -> usize {
        width(&self.key) + 1 + width(self.words)
    }

    fn push_to(self, spans: &mut Vec<Span<'static>>, theme: Theme) {
        spans.push(Span::styled(self.key, theme.key()));
        spans.push(Span::styled(format!(" {}", self.words), self.style));
    }
}

/// The most useful keys where the focus is, as the keymap binds them, with `? help` and
/// `q quit` at the right-hand end. Hints that do not fit are left out whole, the least
/// useful first; help and quit stay.
fn hints(state: &State, theme: Theme, columns: usize) -> Line<'static> {
    let hint = |action: Action, words: &'static str, style: Style| {
        let key = state.keymap.first_key(action)?;
        Some(Hint {
            key: safe::line(&key.to_string()).into_owned(),
            words,
            style,
        })
    };
    let plain = Style::new();
    let always: Vec<Hint> = ALWAYS
        .iter()
        .filter_map(|&a| hint(a, a.hint(state.focus), plain))
        .collect();
    let paused = state.list.paused;
    let mut wanted: Vec<Hint> = Vec::new();
    if paused {
        let resume = Action::Pause.hint_while_on().unwrap_or("resume");
        wanted.extend(hint(Action::Pause, resume, theme.warning()));
    }
    wanted.extend(
        useful(state.focus)
            .iter()
            .filter(|&&a| !(paused && a == Action::Pause))
            .filter_map(|&a| hint(a, a.hint(state.focus), plain)),
    );

    let right = joined_width(&always);
    // A space at each end, and at least a gap before the right-hand hints.
    let mut room = columns.saturating_sub(right + 2 + GAP);
    let mut left = Vec::new();
    for hint in wanted {
        let needed = hint.width() + if left.is_empty() { 0 } else { GAP };
        if needed > room {
            break;
        }
        room -= needed;
        left.push(hint);
    }
    let filter = filter_note(state, room.saturating_sub(GAP));

    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (index, hint) in left.into_iter().enumerate() {
        if index > 0 {
            spans.push(Span::raw(" ".repeat(GAP)));
            used += GAP;
        }
        used += hint.width();
        hint.push_to(&mut spans, theme);
    }
    if let Some(note) = filter {
        let gap = if used > 1 { GAP } else { 0 };
        spans.push(Span::raw(" ".repeat(gap)));
        used += gap + width(&note);
        spans.push(Span::styled(note, theme.accent()));
    }
    spans.push(Span::raw(
        " ".repeat(columns.saturating_sub(used + right + 1).max(GAP)),
    ));
    for (index, hint) in always.into_iter().enumerate() {
        if index > 0 {
            spans.push(Span::raw(" ".repeat(GAP)));
        }
        hint.push_to(&mut spans, theme);
    }
    Line::from(spans)
}

fn joined_width(hints: &[Hint]) -> usize {
    let gaps = hints.len().saturating_sub(1) * GAP;
    hints.iter().map(Hint::width).sum::<usize>() + gaps
}

/// `filter: vendor:octopus`, the query cut to fit `room`; `None` without a filter or room.
fn filter_note(state: &State, room: usize) -> Option<String> {
    const LABEL: &str = "filter: ";
    if !state.list.is_filtered() || room < width(LABEL) + 4 {
        return None;
    }
    let query = safe::line(&state.filter.query);
    Some(format!("{LABEL}{}", cut(&query, room - width(LABEL))))
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use crate::tui::state::{Focus, State};
    use crate::tui::test_support::*;

    const WIDTHS: [u16; 3] = [60, 80, 120];

    /// The bottom row of the screen, as text.
    fn bar(state: &State) -> String {
        screen(state).lines().last().unwrap_or_default().to_owned()
    }

    fn at(columns: u16, detail: bool, paused: bool) -> State {
        let captures = fixtures();
        let mut state = loaded(columns, 24, &captures);
        if detail {
            press(&mut state, &captures, "\n");
            assert_eq!(state.focus, Focus::Detail);
        }
        if paused {
            press(&mut state, &captures, "p");
            assert!(state.list.paused);
            state.status.message = None;
        }
        state
    }

    /// Every hint the bar could show there, whole: `n next match`.
    fn possible_hints(detail: bool, paused: bool) -> Vec<&'static str> {
        let mut hints = vec!["? help", "q quit", "y copy", "r replay"];
        if detail {
            hints.extend(["/ search", "n next match", "tab tabs", "esc back"]);
        } else {
            hints.extend(["/ filter", "enter open", "space mark", "f follow"]);
            hints.push(if paused { "p resume" } else { "p pause" });
        }
        if paused {
            hints.push("p resume");
        }
        hints
    }

    #[test]
    fn hints_are_words_and_slash_says_what_it_does_there() {
        let list = bar(&at(120, false, false));
        assert!(list.contains("/ filter"), "{list}");
        let detail = bar(&at(120, true, false));
        for hint in ["/ search", "n next match", "tab tabs", "esc back"] {
            assert!(detail.contains(hint), "{hint}: {detail}");
        }
        assert!(!detail.contains("filter"), "{detail}");
        for text in [list, detail] {
            assert!(!text.contains('_'), "{text}");
        }
    }

    #[test]
    fn the_pause_key_says_resume_while_paused() {
        for detail in [false, true] {
            let paused = bar(&at(120, detail, true));
            assert!(paused.contains("p resume"), "{paused}");
            assert!(!paused.contains("p pause"), "{paused}");
        }
        assert!(bar(&at(120, false, false)).contains("p pause"));
    }

    /// At any width help and quit end the bar, and the hints before them are whole ones,
    /// the most useful kept.
    #[test]
    fn narrow_bars_drop_whole_hints_and_keep_help_and_quit() {
        for columns in WIDTHS {
            for detail in [false, true] {
                for paused in [false, true] {
                    let state = at(columns, detail, paused);
                    let text = bar(&state);
                    let case = format!("{columns} columns, detail {detail}, paused {paused}");
                    let rest = text
                        .strip_suffix("? help  q quit")
                        .unwrap_or_else(|| panic!("{case}: {text:?}"));
                    assert!(
                        crate::tui::wrap::width(&text) < usize::from(columns),
                        "{case}"
                    );
                    let shown: Vec<&str> = rest.split("  ").map(str::trim).collect();
                    let possible = possible_hints(detail, paused);
                    for hint in shown.iter().filter(|h| !h.is_empty()) {
                        assert!(possible.contains(hint), "{case}: {hint:?} in {text:?}");
                    }
                    let first = match (paused, detail) {
                        (true, _) => "p resume",
                        (false, false) => "/ filter",
                        (false, true) => "/ search",
                    };
                    assert_eq!(shown.first(), Some(&first), "{case}: {text:?}");
                }
            }
        }
    }

    #[test]
    fn key_bars_at_60_80_and_120_columns() {
        let mut bars = String::new();
        for (detail, paused) in [(false, false), (true, false), (false, true)] {
            for columns in WIDTHS {
                let focus = if detail { "detail" } else { "list" };
                let pause = if paused { ", paused" } else { "" };
                bars.push_str(&format!("{columns} {focus}{pause}:\n"));
                bars.push_str(&bar(&at(columns, detail, paused)));
                bars.push('\n');
            }
        }
        assert_snapshot!(bars);
    }
}
