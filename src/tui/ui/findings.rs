//! The Validation tab: each finding with its severity, the JSON Pointer of its field and
//! what is wrong, in plain words. Enter on one shows its line in the Body tab.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::safe;
use crate::tui::detail_view::DetailView;
use crate::tui::theme::Theme;
use crate::validate::Severity;

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
                    "Known: bitdrift, Octopus Deploy, BugSplat, Firefly.",
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
    let mut lines = Vec::new();
    for (index, finding) in view.findings.iter().enumerate().skip(scroll) {
        let (mark, style) = match finding.severity {
            Severity::Error => ("✗ error  ", theme.error()),
            Severity::Warning => ("! warning", theme.warning()),
        };
        let pointer = if finding.pointer.is_empty() {
            "(the whole payload)".to_owned()
        } else {
            safe::line(&finding.pointer).into_owned()
        };
        let mut head = Line::from(vec![
            Span::styled(mark, style),
            Span::raw(" "),
            Span::styled(pointer, theme.label()),
        ]);
        let mut message = Line::raw(format!("          {}", safe::line(&finding.message)));
        if index == selected {
            head = head.style(theme.selected(true));
            message = message.style(theme.selected(true));
        }
        lines.push(head);
        lines.push(message);
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
