//! The capture list: only the rows in view are built, whatever the store holds.
//!
//! Column widths depend on the pane and on the list as a whole, never on the rows in view,
//! so nothing moves while scrolling or when times turn relative. Every cell is cut to its
//! column before drawing (a `Table` would cut silently), and every cut is marked with `…`.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table};

use super::{group_digits, safe};
use crate::attempt::ForwardMark;
use crate::capture::{CaptureId, CaptureSummary};
use crate::tui::state::{Focus, State};
use crate::tui::theme::Theme;
use crate::tui::wrap::{cut, cut_middle, width};
use crate::units::format_bytes;

/// Times take the same width either way they are written (`11:59:01` today, `Nov 22` before,
/// `just now`, `999d ago`), so pressing `t` moves no other column.
const TIME_WIDTH: usize = 8;
/// What KIND takes when there is room: most kinds fit (`entity_recording_completed`), the
/// longest are cut (`ManualInterventionInterruptionRaised`).
const KIND_WANT: usize = 26;
/// What PATH gets before KIND grows past two fifths: a vendor's path (`/webhooks/bitdrift`).
const PATH_NEED: usize = 18;
/// Spaces between columns.
const SPACING: usize = 1;

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

/// The width of each column in `columns`, filling `total`. Every column but PATH and KIND
/// has a fixed width; those two share the rest by need. KIND has at most `KIND_WANT`, and
/// more than two fifths only what PATH does not need; PATH has everything else.
fn widths(columns: &[Column], total: u16, id_width: usize) -> Vec<usize> {
    let fixed = |c: &Column| match c {
        Column::Mark => 1,
        Column::Id => id_width,
        Column::Time => TIME_WIDTH,
        Column::Method => 6,
        Column::Vendor => 8,
        Column::Check => 3,
        Column::Forward => 4,
        // `999 KiB`, the longest size `format_bytes` writes.
        Column::Size => 7,
        Column::Path | Column::Kind => 0,
    };
    let taken: usize =
        columns.iter().map(fixed).sum::<usize>() + SPACING * columns.len().saturating_sub(1);
    let room = (total as usize).saturating_sub(taken);
    let kind = if columns.contains(&Column::Kind) {
        let spare = room.saturating_sub(PATH_NEED);
        KIND_WANT.min(spare.max(room * 2 / 5)).max(4).min(room)
    } else {
        0
    };
    columns
        .iter()
        .map(|c| match c {
            Column::Path => room - kind,
            Column::Kind => kind,
            other => fixed(other),
        })
        .collect()
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
    // The largest id shown, not the largest in view: ids grow as the list goes down.
    let id_width = state
        .list
        .shown()
        .last()
        .map_or(1, |id| id.to_string().len());
    let widths = widths(&columns, inner.width, id_width);
    let header = Row::new(columns.iter().zip(&widths).map(|(c, w)| {
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
            Column::Size => return Cell::from(Line::from("SIZE").right_aligned()),
        };
        Cell::from(cut(name, *w).into_owned())
    }))
    .style(theme.dim());
    let rows = window.iter().map(|id| {
        let row = row(*id, &columns, &widths, state, theme);
        if state.list.selected == Some(*id) {
            row.style(theme.selected(focused))
        } else {
            row
        }
    });
    let constraints = widths.iter().map(|w| Constraint::Length(*w as u16));
    let table = Table::new(rows, constraints)
        .header(header)
        .column_spacing(SPACING as u16);
    frame.render_widget(table, inner);
}

/// One capture's row, each cell cut to its column; `…` after the id while its summary loads.
fn row(
    id: CaptureId,
    columns: &[Column],
    widths: &[usize],
    state: &State,
    theme: Theme,
) -> Row<'static> {
    let Some(summary) = state.list.rows.get(&id) else {
        let after_id = columns.iter().position(|c| *c == Column::Id).map(|i| i + 1);
        return Row::new(columns.iter().enumerate().map(|(i, c)| match c {
            Column::Id => Cell::from(id.to_string()),
            _ if Some(i) == after_id => Cell::from("…").style(theme.dim()),
            _ => Cell::from(""),
        }));
    };
    Row::new(
        columns
            .iter()
            .zip(widths)
            .map(|(c, w)| match c {
                Column::Mark if state.list.marked.contains(&id) => {
                    Cell::from("•").style(theme.accent())
                }
                Column::Time => text(cut(&time(summary, state), *w).into_owned(), theme.dim()),
                other => cell(*other, summary, *w, !state.show_secrets, theme),
            })
            .collect::<Vec<_>>(),
    )
}

fn text(text: String, style: Style) -> Cell<'static> {
    Cell::from(text).style(style)
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

fn cell(
    column: Column,
    summary: &CaptureSummary,
    max: usize,
    mask: bool,
    theme: Theme,
) -> Cell<'static> {
    let fit = |s: &str| cut(s, max).into_owned();
    match column {
        Column::Forward => match summary.forward {
            Some(ForwardMark::Answered(status)) => text(
                fit(&status.to_string()),
                if status < 400 {
                    theme.ok()
                } else {
                    theme.error()
                },
            ),
            Some(ForwardMark::Failed) => text(fit("✗"), theme.error()),
            None => Cell::from(""),
        },
        Column::Mark => Cell::from(""),
        Column::Id | Column::Time => Cell::from(fit(&summary.id.to_string())),
        Column::Method => text(
            fit(&safe::line(&summary.method)),
            theme.method(&summary.method),
        ),
        Column::Path if summary.unauthenticated => {
            // Answered 401 for lacking the `--require-auth` credentials.
            const MARK: &str = "no auth ";
            let rest = max.saturating_sub(MARK.len());
            Cell::from(Line::from(vec![
                Span::styled(MARK, theme.error()),
                Span::raw(path(summary, rest, mask)),
            ]))
        }
        Column::Path => Cell::from(path(summary, max, mask)),
        Column::Vendor => match summary.vendor {
            Some(vendor) => text(fit(vendor.id()), theme.accent()),
            None if !summary.analysed => text(fit("…"), theme.dim()),
            None => text(fit("—"), theme.dim()),
        },
        Column::Kind => Cell::from(fit(&safe::line(summary.kind.as_deref().unwrap_or("")))),
        Column::Check => check(summary, max, theme),
        Column::Size => Cell::from(Line::from(fit(&format_bytes(summary.size))).right_aligned()),
    }
}

/// The path and query in `max` columns. A long path loses its middle, not its end, so
/// `/webhooks/bitdrift` and `/webhooks/bugsplat` stay apart (`/webh…/bitdrift`); a query
/// that does not fit after the path is cut at its end.
fn path(summary: &CaptureSummary, max: usize, mask: bool) -> String {
    let path = safe::line(&summary.path);
    let Some(query) = &summary.query else {
        return cut_middle(&path, max).into_owned();
    };
    let query = match mask {
        true => crate::secrets::query(query),
        false => std::borrow::Cow::Borrowed(query.as_str()),
    };
    let query = format!("?{}", safe::line(&query));
    let path_width = width(&path);
    if path_width + 2 <= max {
        format!("{path}{}", cut(&query, max - path_width))
    } else if max >= 5 {
        format!("{}?…", cut_middle(&path, max - 2))
    } else {
        cut_middle(&path, max).into_owned()
    }
}

/// ✓ valid, ✗n errors, !n warnings; blank when nothing was validated.
fn check(summary: &CaptureSummary, max: usize, theme: Theme) -> Cell<'static> {
    if !summary.analysed {
        return text(cut("…", max).into_owned(), theme.dim());
    }
    let (shown, style) = match summary.valid {
        Some(false) => (format!("✗{}", summary.errors), theme.error()),
        Some(true) if summary.warnings > 0 => (format!("!{}", summary.warnings), theme.warning()),
        Some(true) => ("✓".to_owned(), theme.ok()),
        None => return Cell::from(""),
    };
    text(cut(&shown, max).into_owned(), style)
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
        // As `ps` and `ls` do: the day is what tells older captures apart at a glance, and
        // the detail has the exact time.
        local.format("%b %d").to_string()
    }
}

/// `just now`, `42s ago`, `5m ago`, `3h ago`, `12d ago`.
pub fn relative(age: chrono::TimeDelta) -> String {
    let seconds = age.num_seconds();
    match seconds {
        // Captured on a machine whose clock is ahead (an imported archive): not "just now".
        ..=-60 => "future".to_owned(),
        -59..=1 => "just now".to_owned(),
        2..=59 => format!("{seconds}s ago"),
        60..=3599 => format!("{}m ago", seconds / 60),
        3600..=86_399 => format!("{}h ago", seconds / 3600),
        _ => format!("{}d ago", seconds / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Capture;
    use crate::tui::test_support::{capture, loaded, press, screen};
    use crate::vendor::Vendor;

    /// A vendor's sample, sent to `/webhooks/<vendor>` `seconds_ago`.
    fn sent(id: i64, seconds_ago: i64, vendor: Vendor, kind: Option<&str>) -> Capture {
        let sample = crate::samples::find(vendor, kind, false).unwrap();
        capture(
            id,
            seconds_ago,
            "POST",
            &format!("/webhooks/{}", vendor.id()),
            sample.capture_headers(),
            sample.body,
        )
    }

    /// The list's header row (the first row that names PATH).
    fn header_row(shown: &str) -> String {
        let row = shown.lines().find(|l| l.contains("PATH"));
        row.unwrap_or_default().to_owned()
    }

    /// The text under a column of the header, on the row that contains `needle`.
    fn cell_under(shown: &str, column: &str, next: &str, needle: &str) -> String {
        let header: Vec<char> = header_row(shown).chars().collect();
        let find = |name: &str| {
            let name: Vec<char> = name.chars().collect();
            header.windows(name.len()).position(|w| w == name).unwrap()
        };
        let (from, to) = (find(column), find(next));
        let mut rows = shown.lines().skip_while(|l| !l.contains("PATH"));
        let row = rows.find(|l| l.contains(needle)).unwrap();
        let row: String = row.chars().skip(from).take(to - from).collect();
        row.trim_end().to_owned()
    }

    const VENDORS: [Vendor; 4] = [
        Vendor::Octopus,
        Vendor::Bitdrift,
        Vendor::Bugsplat,
        Vendor::Firefly,
    ];

    /// At 80 columns, with ids as long as a store's after a day of traffic, every vendor's
    /// path can be told from the others.
    #[test]
    fn at_80_columns_four_vendors_paths_are_shown_in_full() {
        let captures: Vec<Capture> = (0..4)
            .map(|i| sent(10_123 + i, 60 - i, VENDORS[i as usize], None))
            .collect();
        let shown = screen(&loaded(80, 30, &captures));
        for vendor in VENDORS {
            let path = format!("/webhooks/{} ", vendor.id());
            assert!(shown.contains(&path), "{path} in\n{shown}");
        }
    }

    #[test]
    fn a_long_kind_is_cut_with_an_ellipsis() {
        let kind = "ManualInterventionInterruptionRaised";
        let captures = [sent(1, 30, Vendor::Octopus, Some(kind))];
        for width in [80, 150] {
            let shown = screen(&loaded(width, 30, &captures));
            let cell = cell_under(&shown, "KIND", "OK", "/webhooks/octopus");
            let kept = cell
                .strip_suffix('…')
                .unwrap_or_else(|| panic!("{cell:?} in\n{shown}"));
            assert!(kind.starts_with(kept) && kept.len() >= 8, "{cell:?}");
        }
    }

    /// A long path loses its middle, and a query that does not fit after it its end.
    #[test]
    fn cut_paths_keep_their_end() {
        let mut summary = sent(1, 30, Vendor::Octopus, None).summary();
        summary.path = "/api/v2/integrations/webhooks/octopus".into();
        assert_eq!(path(&summary, 20, true), "/api/v…hooks/octopus");
        summary.path = "/webhooks/octopus".into();
        summary.query = Some("token=abcdef".into());
        assert_eq!(path(&summary, 22, false), "/webhooks/octopus?tok…");
        assert_eq!(path(&summary, 14, false), "/we…/octopus?…");
        assert_eq!(path(&summary, 40, false), "/webhooks/octopus?token=abcdef");
        assert_eq!(path(&summary, 40, true), "/webhooks/octopus?token=********");
    }

    /// The columns stay where they are when the list scrolls from the oldest rows (short
    /// ids, short kinds, another day) to the newest, and when times turn relative.
    #[test]
    fn columns_stay_put_while_scrolling_and_when_times_turn_relative() {
        let captures: Vec<Capture> = (1..=40)
            .map(|id| {
                let (vendor, kind) = if id <= 10 {
                    (Vendor::Bitdrift, Some("alert"))
                } else {
                    (
                        Vendor::Octopus,
                        Some("ManualInterventionInterruptionRaised"),
                    )
                };
                let seconds_ago = if id <= 10 { 90_000 } else { 41 - id };
                sent(id, seconds_ago, vendor, kind)
            })
            .collect();
        let mut state = loaded(80, 30, &captures);
        press(&mut state, &captures, "g");
        let top = screen(&state);
        assert!(top.contains(" Nov 22 "), "another day's date shows:\n{top}");
        press(&mut state, &captures, "G");
        let bottom = screen(&state);
        assert!(
            bottom.contains("│  40 11:59:59"),
            "the newest row shows:\n{bottom}"
        );
        assert_eq!(header_row(&top), header_row(&bottom));
        press(&mut state, &captures, "t");
        let relative = screen(&state);
        assert!(relative.contains("just now"), "{relative}");
        assert_eq!(header_row(&bottom), header_row(&relative));
    }

    /// A mark has a column of its own: nothing moves.
    #[test]
    fn a_marked_capture_shows_a_dot_before_its_id() {
        let captures: Vec<Capture> = (1..=12)
            .map(|id| sent(id, 60 - id, Vendor::Bitdrift, Some("alert")))
            .collect();
        let mut state = loaded(80, 30, &captures);
        let before = screen(&state);
        press(&mut state, &captures, " ");
        let after = screen(&state);
        assert!(after.contains("│• 12 "), "{after}");
        assert_eq!(header_row(&before), header_row(&after));
    }

    #[test]
    fn path_and_kind_share_the_room_by_need() {
        let all = columns(200, false);
        let path_kind = |total, id_width| {
            let w = widths(&all, total, id_width);
            assert_eq!(w.iter().sum::<usize>() + w.len() - 1, total as usize);
            (w[4], w[6])
        };
        // Wide: KIND has what it wants, PATH the rest.
        assert_eq!(path_kind(200, 5), (200 - 38 - 8 - KIND_WANT, KIND_WANT));
        // The list beside the detail, and 80 columns with ids in the ten thousands: PATH
        // has what it needs, KIND the rest.
        assert_eq!(path_kind(81, 1), (PATH_NEED, 21));
        assert_eq!(path_kind(78, 5), (PATH_NEED, 14));
        // Narrower still: PATH keeps three fifths.
        assert_eq!(path_kind(76, 8), (17, 10));
    }

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
        assert_eq!(relative(s(-2)), "just now", "clocks a second apart");
        assert_eq!(relative(s(-3600)), "future");
    }
}
