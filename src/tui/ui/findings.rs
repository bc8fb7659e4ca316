//! The Validation tab: each finding with its severity, the JSON Pointer of its field and
//! what is wrong, in plain words. Enter on one shows its line in the Body tab.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::safe;
use crate::tui::detail_view::DetailView;
use crate::tui::theme::Theme;
use crate::tui::wrap::{self, Para};
use crate::validate::Severity;

/// Where a finding's message starts: under its pointer, past the severity.
const MESSAGE_INDENT: usize = 10;

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    view: &DetailView,
    selected: usize,
    scroll: usize,
    theme: Theme,
) {
    let Some(vendor) = view.vendor else {
        frame.render_widget(
            Paragraph::new(vec![
                Line::raw(
                    "Nothing to validate: this is not a payload of a vendor hookscope knows.",
                ),
                Line::styled(
                    format!(
                        "Known: {}.",
                        crate::vendor::Vendor::known()
                            .into_iter()
                            .map(|v| v.display_name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    theme.dim(),
                ),
            ])
            .wrap(Wrap { trim: false }),
            area,
        );
        return;
    };
    if view.findings.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!(
                    "✓ A valid {} payload: every field matches the documented schema.",
                    vendor.display_name()
                ),
                theme.ok(),
            ))
            .wrap(Wrap { trim: false }),
            area,
        );
        return;
    }
    let columns = usize::from(area.width);
    let mut lines = Vec::new();
    for (index, para) in finding_paras(view, theme).iter().enumerate().skip(scroll) {
        if lines.len() >= usize::from(area.height) {
            break;
        }
        let selected_style = (index == selected).then(|| theme.selected(true));
        for mut row in wrap::layout(para, columns, true, 0) {
            if let Some(style) = selected_style {
                row = row.style(style);
            }
            lines.push(row);
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// Each finding as two paragraphs: severity and pointer, then the message indented under
/// them (and wrapping there).
fn finding_paras(view: &DetailView, theme: Theme) -> Vec<[Para; 2]> {
    view.findings
        .iter()
        .map(|finding| {
            let (mark, style) = match finding.severity {
                Severity::Error => ("✗ error  ", theme.error()),
                Severity::Warning => ("! warning", theme.warning()),
            };
            let pointer = if finding.pointer.is_empty() {
                "(the whole payload)".to_owned()
            } else {
                safe::line(&finding.pointer).into_owned()
            };
            let head = Line::from(vec![
                Span::styled(mark, style),
                Span::raw(" "),
                Span::styled(pointer, theme.label()),
            ]);
            let message = Line::raw(format!(
                "{}{}",
                " ".repeat(MESSAGE_INDENT),
                safe::line(&finding.message)
            ));
            [
                Para::new(head, MESSAGE_INDENT),
                Para::new(message, MESSAGE_INDENT),
            ]
        })
        .collect()
}

/// The rows each finding takes in a pane `columns` wide.
pub fn heights(view: &DetailView, columns: usize) -> Vec<usize> {
    let theme = Theme {
        colour: false,
        dark: true,
    };
    finding_paras(view, theme)
        .iter()
        .map(|para| wrap::layout(para, columns, true, 0).len())
        .collect()
}
