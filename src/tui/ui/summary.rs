//! The Summary tab: the request in brief, then what hookscope made of the payload: vendor,
//! kind, verdict, the decoded fields, links and tables.

use chrono::{DateTime, FixedOffset};
use ratatui::text::{Line, Span};

use super::list::relative;
use super::safe;
use crate::tui::detail_view::DetailView;
use crate::tui::state::Clock;
use crate::tui::theme::Theme;
use crate::tui::wrap::{self, Para};
use crate::units::{format_bytes, plural};
use crate::validate::Severity;

/// Width of the label column.
const LABEL: usize = 12;

/// The tab's paragraphs, each wrapping under its value. Times are shown in `offset`, the
/// viewer's local time.
pub fn paras(view: &DetailView, clock: &Clock, theme: Theme) -> Vec<Para> {
    let offset = clock.offset;
    let capture = &view.capture;
    let mut out: Vec<Para> = Vec::new();
    out.push(Para::new(
        Line::from(vec![
            Span::styled(
                safe::line(&capture.method).into_owned(),
                theme.method(&capture.method),
            ),
            Span::raw(" "),
            Span::styled(safe::line(&view.shown.uri).into_owned(), theme.title()),
            Span::styled(format!("  {}", safe::line(&capture.version)), theme.dim()),
        ]),
        safe::line(&capture.method).len() + 1,
    ));
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
    if capture.unauthenticated {
        out.push(Para::new(
            Line::from(vec![
                Span::styled(wrap::pad("Answered", LABEL), theme.label()),
                Span::styled(
                    format!(
                        "{} · not authenticated: the request lacked the --require-auth \
                         credentials (still captured, not forwarded)",
                        capture.response_status
                    ),
                    theme.error(),
                ),
            ]),
            LABEL,
        ));
    } else {
        out.push(field(
            "Answered",
            capture.response_status.to_string(),
            theme,
        ));
    }
    out.push(blank());
    payload(view, theme, &mut out);
    out
}

fn blank() -> Para {
    Para::from(Line::raw(""))
}

fn field(label: &str, value: String, theme: Theme) -> Para {
    Para::new(
        Line::from(vec![
            Span::styled(wrap::pad(label, LABEL), theme.label()),
            Span::raw(value),
        ]),
        LABEL,
    )
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

fn payload(view: &DetailView, theme: Theme, out: &mut Vec<Para>) {
    let Some(vendor) = view.vendor else {
        out.push(Para::from(Line::styled(
            format!(
                "Not a payload of a vendor hookscope knows: shown as {}.",
                view.body.format.label()
            ),
            theme.dim(),
        )));
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
    out.push(Para::from(Line::from(vec![
        Span::styled(vendor.display_name().to_owned(), theme.accent()),
        Span::styled(" · ", theme.dim()),
        Span::styled(safe::line(kind).into_owned(), theme.title()),
        Span::styled(" · ", theme.dim()),
        verdict,
    ])));
    if let Some(earlier) = view.capture.verdict.as_ref().and_then(|v| v.duplicate_of) {
        out.push(Para::from(Line::styled(
            format!("Repeats capture #{earlier} (the same event delivered again)"),
            theme.warning(),
        )));
    }
    let Some(decoded) = &view.decoded else {
        notes(view, theme, out);
        return;
    };
    if !decoded.headline.is_empty() {
        out.push(Para::from(Line::raw(
            safe::line(&decoded.headline).into_owned(),
        )));
    }
    if !decoded.fields.is_empty() {
        out.push(blank());
        let width = decoded
            .fields
            .iter()
            .map(|f| wrap::width(&safe::line(&f.label)))
            .max()
            .unwrap_or(0)
            .clamp(LABEL, 28);
        for f in &decoded.fields {
            out.push(Para::new(
                Line::from(vec![
                    Span::styled(
                        format!("{} ", wrap::pad(&safe::line(&f.label), width)),
                        theme.label(),
                    ),
                    Span::raw(safe::line(&f.value).into_owned()),
                ]),
                width + 1,
            ));
        }
    }
    if !decoded.links.is_empty() {
        out.push(blank());
        out.push(Para::from(Line::styled("Links", theme.title())));
        for link in &decoded.links {
            let label = format!("  {} ", safe::line(&link.label));
            let indent = wrap::width(&label);
            out.push(Para::new(
                Line::from(vec![
                    Span::styled(label, theme.label()),
                    Span::styled(safe::line(&link.url).into_owned(), theme.accent()),
                ]),
                indent,
            ));
        }
    }
    for table in &decoded.tables {
        out.push(blank());
        out.push(Para::from(Line::styled(
            format!("{} ({})", safe::line(&table.title), table.rows.len()),
            theme.title(),
        )));
        let widths: Vec<usize> = (0..table.columns.len())
            .map(|c| {
                std::iter::once(&table.columns[c])
                    .chain(table.rows.iter().filter_map(|r| r.get(c)))
                    .map(|t| wrap::width(&safe::line(t)))
                    .max()
                    .unwrap_or(0)
                    .min(40)
            })
            .collect();
        let row_line = |cells: &[String], style| {
            let text = cells
                .iter()
                .zip(&widths)
                .map(|(cell, width)| wrap::pad(&safe::line(cell), *width))
                .collect::<Vec<_>>()
                .join("  ");
            Para::new(Line::styled(format!("  {}", text.trim_end()), style), 2)
        };
        out.push(row_line(&table.columns, theme.label()));
        for row in &table.rows {
            out.push(row_line(row, ratatui::style::Style::new()));
        }
    }
    notes(view, theme, out);
}

fn notes(view: &DetailView, theme: Theme, out: &mut Vec<Para>) {
    if view.body.notes.is_empty() {
        return;
    }
    out.push(blank());
    out.push(Para::from(Line::styled("Notes", theme.title())));
    for note in &view.body.notes {
        out.push(Para::new(
            Line::styled(format!("  • {}", safe::line(note)), theme.warning()),
            4,
        ));
    }
}
