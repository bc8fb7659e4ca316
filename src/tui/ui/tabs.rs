//! The tab bar of the detail pane. Titles carry counts (headers, findings) so what a tab
//! holds shows before it is opened.

use ratatui::text::{Line, Span};

use crate::tui::detail_view::DetailView;
use crate::tui::state::detail::Tab;
use crate::tui::theme::Theme;

pub const SEPARATOR: &str = " │ ";

pub fn title(tab: Tab, view: Option<&DetailView>) -> String {
    let Some(view) = view else {
        return tab.title().to_owned();
    };
    match tab {
        Tab::Headers => format!("Headers {}", view.capture.headers.len()),
        Tab::Validation => {
            let errors = view
                .findings
                .iter()
                .filter(|f| f.severity == crate::validate::Severity::Error)
                .count();
            let warnings = view.findings.len() - errors;
            match (view.vendor, errors, warnings) {
                (None, _, _) => "Validation".to_owned(),
                (Some(_), 0, 0) => "Validation ✓".to_owned(),
                (Some(_), 0, w) => format!("Validation !{w}"),
                (Some(_), e, _) => format!("Validation ✗{e}"),
            }
        }
        Tab::Replays if !view.attempts.is_empty() => format!("Replays {}", view.attempts.len()),
        other => other.title().to_owned(),
    }
}

pub fn bar(active: Tab, view: Option<&DetailView>, theme: Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, tab) in Tab::ALL.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(SEPARATOR, theme.dim()));
        }
        let style = if tab == active {
            theme.active_tab()
        } else {
            theme.dim()
        };
        spans.push(Span::styled(title(tab, view), style));
    }
    Line::from(spans)
}

/// The tab whose title is under `column` (counted from the bar's first column).
pub fn at_column(column: u16, view: Option<&DetailView>) -> Option<Tab> {
    let mut start = 0usize;
    let column = usize::from(column);
    for tab in Tab::ALL {
        let width = title(tab, view).chars().count();
        if (start..start + width).contains(&column) {
            return Some(tab);
        }
        start += width + SEPARATOR.chars().count();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_tab_under_a_column() {
        // "Summary │ Body │ Headers │ Validation │ Raw"
        assert_eq!(at_column(0, None), Some(Tab::Summary));
        assert_eq!(at_column(7, None), None, "the separator");
        assert_eq!(at_column(10, None), Some(Tab::Body));
        assert_eq!(at_column(17, None), Some(Tab::Headers));
        assert_eq!(at_column(40, None), Some(Tab::Raw));
        assert_eq!(at_column(90, None), None);
    }
}
