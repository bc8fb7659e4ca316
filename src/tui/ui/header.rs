//! The top line: where hookscope listens, the store, how many captures, and a sparkline of
//! the last minute's request rate.

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::group_digits;
use super::safe;
use crate::tui::state::State;
use crate::tui::theme::Theme;
use crate::tui::wrap::{cut, cut_middle, width};

/// Seconds of history the sparkline shows at most (one column each).
const SPARK_SECONDS: usize = 30;
/// The fewest seconds worth drawing as a sparkline.
const SPARK_MIN: usize = 8;
/// Columns of the store path's start kept, at least, next to its file name
/// (`/home/d…/captures.db`); with less the path says too little to be worth showing.
const STORE_HEAD: usize = 8;
const SEPARATOR: &str = "  │  ";

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let left = summary(state, theme);
    let rate_text = format!(" {}/s", state.rate.last_second());
    let path = safe::line(&state.session.store);
    let free = (area.width as usize).saturating_sub(left.width() + width(&rate_text));
    // Where webhooks are forwarded comes first: it is what the user set up.
    let forward = forwarding(state, theme, free);
    let room = Room::share(free - forward.width(), width(&path), readable(&path));
    let [left_area, spark_area, rate_area, forward_area, store_area] = Layout::horizontal([
        Constraint::Length(left.width() as u16),
        Constraint::Length(room.spark as u16),
        Constraint::Length(width(&rate_text) as u16),
        Constraint::Length(forward.width() as u16),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(left), left_area);
    if room.spark > 0 {
        let counts = state.rate.counts();
        let recent = &counts[counts.len().saturating_sub(room.spark)..];
        frame.render_widget(Paragraph::new(sparkline(recent, theme)), spark_area);
    }
    frame.render_widget(
        Paragraph::new(Span::styled(rate_text, theme.accent())),
        rate_area,
    );
    frame.render_widget(Paragraph::new(forward), forward_area);
    if room.store > 0 {
        let path = shorten(&path, room.store - width(SEPARATOR));
        let store = format!("{SEPARATOR}{path}");
        frame.render_widget(Paragraph::new(Span::styled(store, theme.dim())), store_area);
    }
}

/// ` hookscope ● http://127.0.0.1:9876  │  5 captures  │  `
fn summary(state: &State, theme: Theme) -> Line<'static> {
    let total = state.list.total() as u64;
    let mut left = vec![
        Span::styled(" hookscope ", theme.title()),
        Span::styled(
            "● ",
            if state.list.paused {
                theme.warning()
            } else {
                theme.ok()
            },
        ),
    ];
    if state.list.paused {
        left.push(Span::styled("paused ", theme.warning()));
    }
    left.push(Span::raw(
        safe::line(&state.session.listen_url).into_owned(),
    ));
    if state.session.exposed {
        left.push(Span::styled(
            " [open to the network, no auth]",
            theme.warning(),
        ));
    }
    left.extend([
        Span::styled(SEPARATOR, theme.dim()),
        Span::raw(format!(
            "{} {}",
            group_digits(total),
            if total == 1 { "capture" } else { "captures" }
        )),
        Span::styled(SEPARATOR, theme.dim()),
    ]);
    Line::from(left)
}

/// How the sparkline and the store path share what the rest of the line leaves.
#[derive(Debug, PartialEq, Eq)]
struct Room {
    spark: usize,
    /// With its separator; 0 when the path is not shown.
    store: usize,
}

impl Room {
    /// The store path gets its `readable` width, then the sparkline grows to its full
    /// length, then the path takes the rest (up to `path_width`, and more is harmless).
    /// When the path cannot be readable it is left out and the sparkline takes everything.
    fn share(free: usize, path_width: usize, readable: usize) -> Self {
        let store_min = width(SEPARATOR) + path_width.min(readable);
        if free >= store_min + SPARK_MIN {
            let spark = (free - store_min).min(SPARK_SECONDS);
            Self {
                spark,
                store: free - spark,
            }
        } else {
            Self {
                spark: free.min(SPARK_SECONDS),
                store: 0,
            }
        }
    }
}

/// The columns a path needs to show its file name whole and the start of its directory.
fn readable(path: &str) -> usize {
    width(file_name(path)) + STORE_HEAD
}

/// `/captures.db` in `/home/dev/captures.db`, with its slash.
fn file_name(path: &str) -> &str {
    path.rfind(['/', '\\']).map_or(path, |at| &path[at..])
}

/// A long path cut in `max` columns by taking out the end of its directory, so its start
/// and its whole file name stay (`/home/devel…/captures.db`); a file name too long for
/// that loses its own middle instead.
fn shorten(path: &str, max: usize) -> Cow<'_, str> {
    let name = file_name(path);
    if width(path) <= max || width(name) + 2 > max {
        return cut_middle(path, max);
    }
    let dir = &path[..path.len() - name.len()];
    Cow::Owned(format!("{}{name}", cut(dir, max - width(name))))
}

/// `  │  → http://localhost:3000 (+1 more) · 3 failed` in at most `max` columns (the target
/// loses its middle first), or nothing when not forwarding.
fn forwarding(state: &State, theme: Theme, max: usize) -> Line<'static> {
    let forwards = &state.session.forwards;
    let Some(first) = forwards.first() else {
        return Line::default();
    };
    let more = match forwards.len() - 1 {
        0 => String::new(),
        n => format!(" (+{n} more)"),
    };
    let failed = match state.send.forward_failures {
        0 => String::new(),
        n => format!(" · {} failed", group_digits(n)),
    };
    let target = safe::line(first);
    let fixed = width(SEPARATOR) + width("→ ") + width(&more) + width(&failed);
    let target = cut_middle(&target, max.saturating_sub(fixed));
    let line = Line::from(vec![
        Span::styled(SEPARATOR, theme.dim()),
        Span::styled(format!("→ {target}{more}"), theme.accent()),
        Span::styled(failed, theme.error()),
    ]);
    if line.width() <= max {
        return line;
    }
    // Too narrow even for a cut target: what fits, still marked as cut.
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    Line::styled(cut(&text, max).into_owned(), theme.accent())
}

/// One column per second, scaled to the busiest second shown; idle seconds are a dim floor,
/// so the line reads as "quiet" rather than as missing.
fn sparkline(counts: &[u64], theme: Theme) -> Line<'static> {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let spans = counts
        .iter()
        .map(|count| {
            if *count == 0 {
                Span::styled("▁", theme.dim())
            } else {
                let level = ((count * 7).div_ceil(max)) as usize;
                Span::styled(BARS[level.min(7)].to_string(), theme.accent())
            }
        })
        .collect::<Vec<_>>();
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::test_support::{fixtures, loaded};

    const LONG_STORE: &str = "/home/developer/.local/share/hookscope/captures.db";

    /// The header's row as text, from a state `width` columns wide.
    fn header(width: u16, forwarding: bool) -> String {
        let mut state = loaded(width, 24, &fixtures());
        state.session.store = LONG_STORE.into();
        if forwarding {
            state.session.forwards = vec!["http://localhost:3000".into()];
        }
        crate::tui::test_support::screen(&state)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn at_100_columns_the_store_path_keeps_its_start_and_its_file_name() {
        let shown = header(100, false);
        assert!(shown.contains("  │  /home/d…/captures.db"), "{shown}");
        assert!(shown.contains('▁'), "the sparkline stays: {shown}");
    }

    #[test]
    fn at_80_columns_the_sparkline_is_still_shown() {
        let shown = header(80, false);
        assert!(shown.contains("▁▁▁▁▁▁▁▁"), "{shown}");
        assert!(shown.ends_with("0/s"), "{shown}");
    }

    /// Forwarding comes first; at 100 columns the sparkline shares what is left, and at 80
    /// the target loses its middle, not the port.
    #[test]
    fn the_forward_target_comes_before_the_sparkline() {
        let wide = header(100, true);
        assert!(wide.contains("→ http://localhost:3000"), "{wide}");
        assert!(wide.contains('▁'), "{wide}");
        let narrow = header(80, true);
        assert!(
            narrow.contains("→ ht") && narrow.ends_with(":3000"),
            "{narrow}"
        );
        assert_eq!(narrow.chars().count(), 80, "{narrow}");
    }

    #[test]
    fn the_store_path_gets_a_readable_width_or_none() {
        let share = |free, path, readable| {
            let room = Room::share(free, path, readable);
            (room.spark, room.store)
        };
        assert_eq!(share(100, 40, 25), (30, 70), "room for all");
        assert_eq!(
            share(42, 50, 20),
            (17, 25),
            "the path readable, the sparkline shorter"
        );
        assert_eq!(share(22, 50, 20), (22, 0), "no room for a readable path");
        assert_eq!(share(22, 8, 20), (9, 13), "a short path whole");
        assert_eq!(share(3, 8, 20), (3, 0));
    }

    #[test]
    fn a_long_store_path_keeps_its_start_and_its_whole_file_name() {
        assert_eq!(shorten(LONG_STORE, 24), "/home/devel…/captures.db");
        assert_eq!(shorten(LONG_STORE, 20), "/home/d…/captures.db");
        assert_eq!(shorten(LONG_STORE, 60), LONG_STORE);
        assert_eq!(
            shorten("/a/very-long-file-name.sqlite3", 12),
            "/a/….sqlite3"
        );
        assert_eq!(readable(LONG_STORE), 20);
    }

    #[test]
    fn the_sparkline_scales_to_the_busiest_second() {
        let theme = Theme {
            colour: false,
            dark: true,
        };
        let line = sparkline(&[0, 1, 5, 10], theme);
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "▁▂▅█");
    }
}
