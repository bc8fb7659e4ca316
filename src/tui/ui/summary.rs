//! The Summary tab: the request in brief, then what hookscope made of the payload: vendor,
//! kind, verdict, the decoded fields, links and tables.

use chrono::{DateTime, FixedOffset};
use ratatui::text::{Line, Span};

use super::list::relative;
use super::safe;
use crate::tui::detail_view::DetailView;
use crate::tui::state::Clock;
use crate::tui::theme::Theme;
use crate::units::{format_bytes, plural};
use crate::validate::Severity;

/// Width of the label column.
const LABEL: usize = 12;

/// The tab's lines. Times are shown in `offset`, the viewer's local time.
pub fn lines(view: &DetailView, clock: &Clock, theme: Theme) -> Vec<Line<'static>> {
    let offset = clock.offset;
    let capture = &view.capture;
    let mut out = Vec::new();
    out.push(Line::from(vec![
        Span::styled(
            safe::line(&capture.method).into_owned(),
            theme.method(&capture.method),
        ),
        Span::raw(" "),
        Span::styled(safe::line(&capture.uri).into_owned(), theme.title()),
        Span::styled(format!("  {}", safe::line(&capture.version)), theme.dim()),
    ]));
    let received: DateTime<FixedOffset> = capture.received_at.with_timezone(&offset);
    out.push(field(
        "Received",
        format!(
            "{} ({})",
            received.format("%Y-%m-%d %H:%M:%S%.3f %:z"),
            relative(clock.now - capture.received_at)
        ),
        theme,
    ));
    out.push(field("From", safe::line(&capture.peer).into_owned(), theme));
    out.push(field("Body", body_line(view), theme));
    out.push(field(
        "Answered",
        capture.response_status.to_string(),
        theme,
    ));
    out.push(Line::raw(""));
    payload(view, theme, &mut out);
    out
}

pub fn line_count(view: &DetailView, clock: &Clock) -> usize {
    let theme = Theme {
        colour: false,
        dark: true,
    };
    lines(view, clock, theme).len()
}

fn field(label: &str, value: String, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<LABEL$}"), theme.label()),
        Span::raw(value),
    ])
}

fn body_line(view: &DetailView) -> String {
    let body = &view.body;
    let size = view.capture.body.len() as u64;
    if size == 0 {
        return "empty".to_owned();
    }
    let mut text = format!("{} {}", format_bytes(size), body.format.label());
    if !body.codings.is_empty() {
        text.push_str(&format!(
            ", {} ({} decoded)",
            body.codings.join(" + "),
            format_bytes(body.decoded_size as u64)
        ));
    }
    if let Some(declared) = &body.declared_type {
        text.push_str(&format!(" · declared {}", safe::line(declared)));
    }
    if let Some(charset) = body.charset.filter(|c| *c != "UTF-8") {
        text.push_str(&format!(" · {charset}"));
    }
    text
}

fn payload(view: &DetailView, theme: Theme, out: &mut Vec<Line<'static>>) {
    let Some(vendor) = view.vendor else {
        out.push(Line::styled(
            format!(
                "Not a payload of a vendor hookscope knows: shown as {}.",
                view.body.format.label()
            ),
            theme.dim(),
        ));
        notes(view, theme, out);
        return;
    };
    let errors = view
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = view.findings.len() - errors;
    let verdict = match (errors, warnings) {
        (0, 0) => Span::styled("✓ valid", theme.ok()),
        (0, w) => Span::styled(
            format!("✓ valid, {}", plural(w, "warning")),
            theme.warning(),
        ),
        (e, 0) => Span::styled(format!("✗ {}", plural(e, "error")), theme.error()),
        (e, w) => Span::styled(
            format!("✗ {}, {}", plural(e, "error"), plural(w, "warning")),
            theme.error(),
        ),
    };
    let kind = view.decoded.as_ref().map_or("unknown", |d| d.kind.as_str());
    out.push(Line::from(vec![
        Span::styled(vendor.display_name().to_owned(), theme.accent()),
        Span::styled(" · ", theme.dim()),
        Span::styled(safe::line(kind).into_owned(), theme.title()),
        Span::styled(" · ", theme.dim()),
        verdict,
    ]));
    if let Some(earlier) = view.capture.verdict.as_ref().and_then(|v| v.duplicate_of) {
        out.push(Line::styled(
            format!("Repeats capture #{earlier} (the same event delivered again)"),
            theme.warning(),
        ));
    }
    let Some(decoded) = &view.decoded else {
        notes(view, theme, out);
        return;
    };
    if !decoded.headline.is_empty() {
        out.push(Line::raw(safe::line(&decoded.headline).into_owned()));
    }
    if !decoded.fields.is_empty() {
        out.push(Line::raw(""));
        let width = decoded
            .fields
            .iter()
            .map(|f| f.label.chars().count())
            .max()
            .unwrap_or(0)
            .clamp(LABEL, 24);
        for f in &decoded.fields {
            out.push(Line::from(vec![
                Span::styled(format!("{:<width$} ", safe::line(&f.label)), theme.label()),
                Span::raw(safe::line(&f.value).into_owned()),
            ]));
        }
    }
    if !decoded.links.is_empty() {
        out.push(Line::raw(""));
        out.push(Line::styled("Links", theme.title()));
        for link in &decoded.links {
            out.push(Line::from(vec![
                Span::styled(format!("  {} ", safe::line(&link.label)), theme.label()),
                Span::styled(safe::line(&link.url).into_owned(), theme.accent()),
            ]));
        }
    }
    for table in &decoded.tables {
        out.push(Line::raw(""));
        out.push(Line::styled(
            format!("{} ({})", safe::line(&table.title), table.rows.len()),
            theme.title(),
        ));
        let widths: Vec<usize> = (0..table.columns.len())
            .map(|c| {
                std::iter::once(&table.columns[c])
                    .chain(table.rows.iter().filter_map(|r| r.get(c)))
                    .map(|t| safe::line(t).chars().count())
                    .max()
                    .unwrap_or(0)
                    .min(40)
            })
            .collect();
        let row_line = |cells: &[String], style| {
            let text = cells
                .iter()
                .zip(&widths)
                .map(|(cell, width)| {
                    let cell: String = safe::line(cell).chars().take(*width).collect();
                    format!("{cell:<width$}")
                })
                .collect::<Vec<_>>()
                .join("  ");
            Line::styled(format!("  {}", text.trim_end()), style)
        };
        out.push(row_line(&table.columns, theme.label()));
        for row in &table.rows {
            out.push(row_line(row, ratatui::style::Style::new()));
        }
    }
    notes(view, theme, out);
}

fn notes(view: &DetailView, theme: Theme, out: &mut Vec<Line<'static>>) {
    if view.body.notes.is_empty() {
        return;
    }
    out.push(Line::raw(""));
    out.push(Line::styled("Notes", theme.title()));
    for note in &view.body.notes {
        out.push(Line::styled(
            format!("  • {}", safe::line(note)),
            theme.warning(),
        ));
    }
}
