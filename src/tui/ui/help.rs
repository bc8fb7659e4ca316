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
    let height = (help_length() as u16 + 2).min(area.height);
    let rect = centered(area, 90, height);
    let rows = usize::from(rect.height.saturating_sub(2));
    let scroll = scroll.min(help_length().saturating_sub(rows));
    let below = help_length().saturating_sub(scroll + rows);
    // Say that it scrolls, and which keys close it.
    let footer = match (scroll, below) {
        (0, 0) => " esc closes ".to_owned(),
        (_, 0) => " ↑ k to scroll back · esc closes ".to_owned(),
        (_, n) => format!(
            " ↓ {}: j ↓ pgdn scroll · esc closes ",
            crate::units::plural(n, "more line")
        ),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(" Keys ", theme.title()))
        .title_bottom(Span::styled(footer, theme.dim()));
    frame.render_widget(Clear, rect);
    let width = usize::from(rect.width.saturating_sub(2));
    let lines: Vec<Line> = lines(state, theme)
        .into_iter()
        .map(|line| fit(line, width))
        .collect();
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll as u16, 0)),
        rect,
    );
}

/// How many lines the help has, for scrolling it (state cannot ask the drawing code).
pub fn help_length() -> usize {
    crate::tui::state::help_length()
}

/// A line cut to `width` display columns, the cut marked with `…`.
fn fit(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let mut left = width.saturating_sub(1);
    let mut spans = Vec::new();
    for span in line.spans {
        if left == 0 {
            break;
        }
        let mut text = String::new();
        for c in span.content.chars() {
            let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if w > left {
                left = 0;
                break;
            }
            left -= w;
            text.push(c);
        }
        spans.push(Span::styled(text, span.style));
    }
    spans.push(Span::raw("…"));
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_is_as_long_as_the_state_thinks() {
        let state = crate::tui::test_support::state(100, 40);
        let theme = crate::tui::test_support::plain_theme();
        assert_eq!(lines(&state, theme).len(), help_length());
    }
}
