//! The capture list: only the rows in view are built, whatever the store holds.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table};

use super::{group_digits, safe};
use crate::attempt::ForwardMark;
use crate::capture::CaptureSummary;
use crate::tui::state::{Focus, State};
use crate::tui::theme::Theme;
use crate::units::format_bytes;

/// Columns in the order they give way when the pane is narrow (last given up first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    /// `•` for a capture marked with space.
    Mark,
    Id,
    Time,
    Method,
    Path,
    Vendor,
    Kind,
    Check,
    /// The latest `--forward-to` outcome, when forwarding.
    Forward,
    Size,
}

fn columns(width: u16, forwarding: bool) -> Vec<Column> {
    use Column::*;
    let mut columns = vec![Mark, Id, Time, Method, Path, Vendor, Kind, Check, Size];
    if forwarding {
        columns.insert(columns.len() - 1, Forward);
    }
    let extra = if forwarding { 5 } else { 0 };
    // Give up the least needed first, keeping the path at least 16 wide.
    for (drop, below) in [(Kind, 76), (Vendor, 64), (Time, 56), (Size, 48)] {
        if width < below + extra {
            columns.retain(|c| *c != drop);
        }
    }
    columns
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let focused = state.focus == Focus::List && state.prompt.is_none();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(title(state, theme));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let rows_fit = inner.height.saturating_sub(1) as usize;
    let window = state.list.window(rows_fit);
    if window.is_empty() {
        frame.render_widget(empty_message(state, theme), inner);
        return;
    }
    let columns = columns(inner.width, !state.session.forwards.is_empty());
    let id_width = window.last().map_or(1, |id| id.to_string().len()).max(1) as u16;
    let times: Vec<String> = window
        .iter()
        .map(|id| {
            state
                .list
                .rows
                .get(id)
                .map(|s| time(s, state))
                .unwrap_or_default()
        })
        .collect();
    let time_width = times
        .iter()
        .map(|t| t.chars().count())
        .max()
        .unwrap_or(8)
        .max(4) as u16;
    let kind_width = window
        .iter()
        .filter_map(|id| state.list.rows.get(id)?.kind.as_ref())
        .map(|kind| safe::line(kind).chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 24) as u16;
    let widths: Vec<Constraint> = columns
        .iter()
        .map(|c| match c {
            Column::Mark => Constraint::Length(1),
            Column::Id => Constraint::Length(id_width),
            Column::Time => Constraint::Length(time_width),
            Column::Method => Constraint::Length(6),
            Column::Path => Constraint::Fill(1),
            Column::Vendor => Constraint::Length(8),
            Column::Kind => Constraint::Length(kind_width),
            Column::Check => Constraint::Length(3),
            Column::Forward => Constraint::Length(4),
            Column::Size => Constraint::Length(8),
        })
        .collect();
    let header = Row::new(columns.iter().map(|c| {
        let name = match c {
            Column::Mark => "",
            Column::Id => "#",
            Column::Time => "TIME",
            Column::Method => "METHOD",
            Column::Path => "PATH",
            Column::Vendor => "VENDOR",
            Column::Kind => "KIND",
            Column::Check => "OK",
            Column::Forward => "FWD",
            Column::Size => "    SIZE",
        };
        Cell::from(name)
    }))
    .style(theme.dim());
    let rows = window.iter().zip(times).map(|(id, time)| {
        let selected = state.list.selected == Some(*id);
        let row = match state.list.rows.get(id) {
            Some(summary) => Row::new(
                columns
                    .iter()
                    .map(|c| match c {
                        Column::Time => Cell::from(time.clone()).style(theme.dim()),
                        Column::Mark if state.list.marked.contains(id) => {
                            Cell::from("•").style(theme.accent())
                        }
                        other => cell(*other, summary, theme),
                    })
                    .collect::<Vec<_>>(),
            ),
            None => Row::new(vec![Cell::from(id.to_string()), Cell::from("…")]),
        };
        if selected {
            row.style(theme.selected(focused))
        } else {
            row
        }
    });
    let table = Table::new(rows, widths).header(header).column_spacing(1);
    frame.render_widget(table, inner);
}

fn title(state: &State, theme: Theme) -> Line<'static> {
    let shown = state.list.shown().len() as u64;
    let mut spans = vec![Span::styled(" Captures ", theme.title())];
    if state.list.is_filtered() {
        spans.push(Span::raw(format!(
            "{} of {} ",
            group_digits(shown),
            group_digits(state.list.total() as u64)
        )));
    }
    if state.list.follow {
        spans.push(Span::styled("· following ", theme.ok()));
    }
    if state.list.paused {
        spans.push(Span::styled(
            format!("· paused, {} new ", group_digits(state.list.unseen as u64)),
            theme.warning(),
        ));
    }
    Line::from(spans)
}

fn empty_message(state: &State, theme: Theme) -> ratatui::widgets::Paragraph<'static> {
    let lines = if state.list.is_filtered() {
        let scanning = if state.filter.scanning { " yet" } else { "" };
        vec![
            Line::raw(format!("No capture matches the filter{scanning}.")),
            Line::styled("Esc clears it.", theme.dim()),
        ]
    } else {
        let url = safe::line(&state.session.listen_url).into_owned();
        // `send` aims at the default address unless told otherwise.
        let send = if url == format!("http://{}", crate::session::DEFAULT_LISTEN) {
            "  hookscope send octopus".to_owned()
        } else {
            format!("  hookscope send octopus --to {url}/webhooks/octopus")
        };
        // Short lines, most useful first: a stacked list may have four rows, and a narrow
        // pane must not break the URL in two.
        vec![
            Line::from(vec![
                Span::styled("Waiting for webhooks…", theme.title()),
                Span::raw(" send one to try it out:"),
            ]),
            Line::styled(send, theme.accent()),
            Line::styled(
                "  curl -H 'Content-Type: application/json' \\",
                theme.accent(),
            ),
            Line::styled(
                format!("       -d '{{\"hello\":\"world\"}}' {url}/hook"),
                theme.accent(),
            ),
        ]
    };
    ratatui::widgets::Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false })
}

fn cell(column: Column, summary: &CaptureSummary, theme: Theme) -> Cell<'static> {
    match column {
        Column::Mark => Cell::from(""),
        Column::Forward => match summary.forward {
            Some(ForwardMark::Answered(status)) => {
                Cell::from(status.to_string()).style(if status < 400 {
                    theme.ok()
                } else {
                    theme.error()
                })
            }
            Some(ForwardMark::Failed) => Cell::from("✗").style(theme.error()),
            None => Cell::from(""),
        },
        Column::Id | Column::Time => Cell::from(summary.id.to_string()),
        Column::Method => Cell::from(safe::line(&summary.method).into_owned())
            .style(theme.method(&summary.method)),
        Column::Path => {
            let mut text = safe::line(&summary.path).into_owned();
            if let Some(query) = &summary.query {
                text.push('?');
                text.push_str(&safe::line(query));
            }
            Cell::from(text)
        }
        Column::Vendor => match summary.vendor {
            Some(vendor) => Cell::from(vendor.id()).style(theme.accent()),
            None if !summary.analysed => Cell::from("…").style(theme.dim()),
            None => Cell::from("—").style(theme.dim()),
        },
        Column::Kind => Cell::from(
            summary
                .kind
                .as_deref()
                .map(|k| safe::line(k).into_owned())
                .unwrap_or_default(),
        ),
        Column::Check => check(summary, theme),
        Column::Size => Cell::from(Line::from(format_bytes(summary.size)).right_aligned()),
    }
}

/// ✓ valid, ✗n errors, !n warnings; blank when nothing was validated.
fn check(summary: &CaptureSummary, theme: Theme) -> Cell<'static> {
    if !summary.analysed {
        return Cell::from("…").style(theme.dim());
    }
    match summary.valid {
        Some(false) => Cell::from(format!("✗{}", summary.errors)).style(theme.error()),
        Some(true) if summary.warnings > 0 => {
            Cell::from(format!("!{}", summary.warnings)).style(theme.warning())
        }
        Some(true) => Cell::from("✓").style(theme.ok()),
        None => Cell::from(""),
    }
}

fn time(summary: &CaptureSummary, state: &State) -> String {
    let Ok(at) = DateTime::parse_from_rfc3339(&summary.received_at) else {
        return String::new();
    };
    let at = at.with_timezone(&Utc);
    if state.relative_time {
        return relative(state.clock.now - at);
    }
    let local = at.with_timezone(&state.clock.offset);
    let today = state
        .clock
        .now
        .with_timezone(&state.clock.offset)
        .date_naive();
    if local.date_naive() == today {
        local.format("%H:%M:%S").to_string()
    } else {
        local.format("%m-%d %H:%M").to_string()
    }
}

/// `just now`, `42s ago`, `5m ago`, `3h ago`, `12d ago`.
pub fn relative(age: chrono::TimeDelta) -> String {
    let seconds = age.num_seconds();
    match seconds {
        ..=1 => "just now".to_owned(),
        2..=59 => format!("{seconds}s ago"),
        60..=3599 => format!("{}m ago", seconds / 60),
        3600..=86_399 => format!("{}h ago", seconds / 3600),
        _ => format!("{}d ago", seconds / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_panes_give_up_columns_but_keep_the_path() {
        assert_eq!(columns(120, false).len(), 9);
        assert!(!columns(72, false).contains(&Column::Kind));
        assert_eq!(
            columns(46, false),
            [
                Column::Mark,
                Column::Id,
                Column::Method,
                Column::Path,
                Column::Check
            ]
        );
        assert!(columns(120, true).contains(&Column::Forward));
        assert!(!columns(80, true).contains(&Column::Kind));
    }

    #[test]
    fn relative_times_read_naturally() {
        let s = chrono::TimeDelta::seconds;
        assert_eq!(relative(s(0)), "just now");
        assert_eq!(relative(s(42)), "42s ago");
        assert_eq!(relative(s(300)), "5m ago");
        assert_eq!(relative(s(7200)), "2h ago");
        assert_eq!(relative(s(86_400 * 3)), "3d ago");
    }
}
