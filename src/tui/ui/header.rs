//! The top line: where hookscope listens, the store, how many captures, and a sparkline of
//! the last minute's request rate.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::group_digits;
use super::safe;
use crate::tui::state::State;
use crate::tui::theme::Theme;

/// Seconds of history the sparkline shows (one column each).
const SPARK_SECONDS: usize = 30;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
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
    left.extend([
        Span::raw(safe::line(&state.session.listen_url).into_owned()),
        Span::styled("  │  ", theme.dim()),
        Span::raw(format!(
            "{} {}",
            group_digits(total),
            if total == 1 { "capture" } else { "captures" }
        )),
        Span::styled("  │  ", theme.dim()),
    ]);
    let left = Line::from(left);
    let rate_text = format!(" {}/s", state.rate.last_second());
    let spark_width = if area.width >= 100 {
        SPARK_SECONDS as u16
    } else {
        0
    };
    let [left_area, spark_area, rate_area, store_area] = Layout::horizontal([
        Constraint::Length(left.width() as u16),
        Constraint::Length(spark_width),
        Constraint::Length(rate_text.len() as u16),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(left), left_area);
    if spark_width > 0 {
        let counts = state.rate.counts();
        let recent = &counts[counts.len() - SPARK_SECONDS..];
        frame.render_widget(Paragraph::new(sparkline(recent, theme)), spark_area);
    }
    frame.render_widget(
        Paragraph::new(Span::styled(rate_text, theme.accent())),
        rate_area,
    );
    // Where webhooks are forwarded comes before the store: it is what the user set up.
    let forward = forwarding(state, theme);
    let [forward_area, store_area] = Layout::horizontal([
        Constraint::Length(forward.width() as u16),
        Constraint::Fill(1),
    ])
    .areas(store_area);
    frame.render_widget(Paragraph::new(forward), forward_area);
    // A long store path keeps its end (the file name), not its start.
    let path = safe::line(&state.session.store);
    let room = (store_area.width as usize).saturating_sub(5);
    let count = path.chars().count();
    let store = if count > room && room > 1 {
        let tail: String = path.chars().skip(count - room + 1).collect();
        format!("  │  …{tail}")
    } else {
        format!("  │  {path}")
    };
    frame.render_widget(Paragraph::new(Span::styled(store, theme.dim())), store_area);
}

/// `  │  → http://localhost:3000 (+1 more) · 3 failed`, or nothing when not forwarding.
fn forwarding(state: &State, theme: Theme) -> Line<'static> {
    let forwards = &state.session.forwards;
    let Some(first) = forwards.first() else {
        return Line::default();
    };
    let more = match forwards.len() - 1 {
        0 => String::new(),
        n => format!(" (+{n} more)"),
    };
    let mut spans = vec![
        Span::styled("  │  ", theme.dim()),
        Span::styled(format!("→ {}{more}", safe::line(first)), theme.accent()),
    ];
    let failed = state.send.forward_failures;
    if failed > 0 {
        spans.push(Span::styled(
            format!(" · {} failed", group_digits(failed)),
            theme.error(),
        ));
    }
    Line::from(spans)
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
