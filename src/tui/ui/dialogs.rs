//! The small dialogs of copy and replay: what to copy, how fast to replay many, and what
//! to do with an edited request that does not parse.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::{centered, group_digits, safe};
use crate::copy::CopyItem;
use crate::tui::state::State;
use crate::tui::state::send::{BulkChoice, EditRetry, SPEEDS};
use crate::tui::theme::Theme;

fn dialog(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line<'static>>, theme: Theme) {
    let width = 64;
    let rect = centered(area, width, lines.len() as u16 + 2);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(format!(" {title} "), theme.title()));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

fn choice(key: &str, text: &str, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!(" {key} "), theme.key()),
        Span::raw(format!(" {text}")),
    ])
}

pub fn copy_menu(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let id = state.list.selected.unwrap_or_default();
    let mut lines: Vec<Line> = CopyItem::ALL
        .into_iter()
        .map(|item| choice(&item.key().to_string(), item.label(), theme))
        .collect();
    lines.push(Line::styled(" any other key closes", theme.dim()));
    dialog(frame, area, &format!("Copy from #{id}"), lines, theme);
}

pub fn bulk_replay(frame: &mut Frame, area: Rect, choice_: &BulkChoice, theme: Theme) {
    let speed = SPEEDS[choice_.speed];
    let lines = vec![
        Line::raw(format!(
            " {} captures to {}, in capture order:",
            group_digits(choice_.ids.len() as u64),
            safe::line(&choice_.target.to_string())
        )),
        Line::raw(""),
        choice("f", "as fast as the target takes them (4 at a time)", theme),
        choice(
            "o",
            &format!("keeping the original gaps between them, ×{speed} faster"),
            theme,
        ),
        choice("+ -", "change that speed", theme),
        Line::styled(" esc cancels; while it runs, esc stops it", theme.dim()),
    ];
    dialog(frame, area, "Replay captures", lines, theme);
}

pub fn edit_failed(frame: &mut Frame, area: Rect, retry: &EditRetry, theme: Theme) {
    let lines = vec![
        Line::styled(
            format!(
                " The edited request does not parse, so nothing was sent to {}:",
                safe::line(&retry.target.to_string())
            ),
            theme.error(),
        ),
        Line::raw(format!(" {}", safe::line(&retry.error))),
        Line::raw(""),
        choice("e", "edit it again (your changes are kept)", theme),
        Line::styled(" any other key drops it", theme.dim()),
    ];
    dialog(frame, area, &format!("Replay #{}", retry.id), lines, theme);
}
