//! A [`RequestDiff`] as lines for people: a heading per section, one line per difference
//! marked `+` (only in b), `-` (only in a) or `~` (changed), and notes. The CLI prints them;
//! the interface colours them by kind.

use serde::Serialize;

use super::body::{BodyChanges, BodyDiff, BodySide};
use super::headers::HeaderChange;
use super::json::{JsonChange, JsonChangeKind};
use super::request_line::FieldChange;
use super::text::{LineOp, TextHunk};
use super::{BinaryDiff, RequestDiff};
use crate::escape::visible_line;
use crate::units::plural;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Heading,
    Same,
    Added,
    Removed,
    Changed,
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    pub kind: LineKind,
    /// Escaped with `visible_line`: safe to print on a terminal as it is.
    pub text: String,
}

impl DiffLine {
    /// Escapes the whole line, so no piece of a request can slip through unescaped (escaping
    /// text that is already escaped changes nothing).
    fn new(kind: LineKind, text: &str) -> Self {
        Self {
            kind,
            text: visible_line(text.as_bytes()).into_owned(),
        }
    }
}

const INDENT: &str = "  ";

#[derive(Default)]
struct Lines(Vec<DiffLine>);

impl Lines {
    fn heading(&mut self, text: &str) {
        self.0.push(DiffLine::new(LineKind::Heading, text));
    }

    fn item(&mut self, kind: LineKind, text: &str) {
        let mark = match kind {
            LineKind::Added => "+ ",
            LineKind::Removed => "- ",
            LineKind::Changed => "~ ",
            _ => "",
        };
        self.0
            .push(DiffLine::new(kind, &format!("{INDENT}{mark}{text}")));
    }

    fn note(&mut self, text: &str) {
        self.item(LineKind::Note, &format!("note: {text}"));
    }

    fn none_if_empty(&mut self, empty: bool) {
        if empty {
            self.item(LineKind::Same, "no differences");
        }
    }
}

pub(super) fn lines(diff: &RequestDiff) -> Vec<DiffLine> {
    let mut out = Lines::default();
    out.heading(&format!("comparing {} → {}", diff.a, diff.b));
    out.heading("request line");
    request_line(&mut out, &diff.request_line);
    out.heading("headers");
    headers(&mut out, &diff.headers);
    out.heading(&body_heading(&diff.body));
    body(&mut out, &diff.body);
    out.0
}

fn request_line(out: &mut Lines, changes: &[FieldChange]) {
    for change in changes {
        let shown = |value: &Option<String>| match value.as_deref() {
            None => "(none)".to_owned(),
            Some("") => "(empty)".to_owned(),
            Some(value) => value.to_owned(),
        };
        out.item(
            LineKind::Changed,
            &format!(
                "{}: {} → {}",
                change.field,
                shown(&change.a),
                shown(&change.b)
            ),
        );
    }
    out.none_if_empty(changes.is_empty());
}

fn headers(out: &mut Lines, changes: &[HeaderChange]) {
    for change in changes {
        let (kind, text) = match change {
            HeaderChange::Added {
                name,
                occurrence,
                value,
            } => (
                LineKind::Added,
                format!("{}: {value}", nth(name, *occurrence)),
            ),
            HeaderChange::Removed {
                name,
                occurrence,
                value,
            } => (
                LineKind::Removed,
                format!("{}: {value}", nth(name, *occurrence)),
            ),
            HeaderChange::Changed {
                name,
                occurrence,
                a,
                b,
            } => (
                LineKind::Changed,
                format!("{}: {a} → {b}", nth(name, *occurrence)),
            ),
            HeaderChange::NameCase { occurrence, a, b } => (
                LineKind::Changed,
                format!("name case: {} → {b}", nth(a, *occurrence)),
            ),
            HeaderChange::Moved {
                name,
                occurrence,
                a_position,
                b_position,
            } => (
                LineKind::Changed,
                format!(
                    "{} moved: position {a_position} → {b_position}",
                    nth(name, *occurrence)
                ),
            ),
        };
        out.item(kind, &text);
    }
    out.none_if_empty(changes.is_empty());
}

/// `X-A`, or `X-A (2nd)` for a repeated header.
fn nth(name: &str, occurrence: usize) -> String {
    if occurrence <= 1 {
        return name.to_owned();
    }
    let suffix = match (occurrence % 10, occurrence % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{name} ({occurrence}{suffix})")
}

fn body_heading(body: &BodyDiff) -> String {
    let formats = formats(&body.a, &body.b);
    match &body.changes {
        BodyChanges::Json { .. } => "body (JSON, compared by structure)".to_owned(),
        BodyChanges::Text { .. } if body.a.format == "empty" && body.b.format == "empty" => {
            "body (empty)".to_owned()
        }
        BodyChanges::Text { .. } => format!("body ({formats}, line by line)"),
        BodyChanges::Binary(_) => format!("body ({formats}, byte by byte)"),
    }
}

fn formats(a: &BodySide, b: &BodySide) -> String {
    let label = |format: &str| match format {
        "json" | "xml" | "html" => format.to_ascii_uppercase(),
        other => other.to_owned(),
    };
    if a.format == b.format {
        label(a.format)
    } else {
        format!("{} and {}", label(a.format), label(b.format))
    }
}

fn body(out: &mut Lines, body: &BodyDiff) {
    match &body.changes {
        BodyChanges::Json { changes, omitted } => {
            json_changes(out, changes, *omitted);
            out.none_if_empty(body.is_same());
        }
        BodyChanges::Text {
            hunks,
            omitted_lines,
        } => {
            text_hunks(out, hunks, *omitted_lines);
            out.none_if_empty(body.is_same());
        }
        BodyChanges::Binary(found) => binary(out, found),
    }
    for note in &body.notes {
        out.note(note);
    }
}

fn json_changes(out: &mut Lines, changes: &[JsonChange], omitted: usize) {
    for change in changes {
        let at = if change.pointer.is_empty() {
            "(root)"
        } else {
            change.pointer.as_str()
        };
        let a = change.a.as_deref().unwrap_or_default();
        let b = change.b.as_deref().unwrap_or_default();
        let (kind, text) = match change.kind {
            JsonChangeKind::Added => (LineKind::Added, format!("{at}: {b}")),
            JsonChangeKind::Removed => (LineKind::Removed, format!("{at}: {a}")),
            JsonChangeKind::Changed => (LineKind::Changed, format!("{at}: {a} → {b}")),
            JsonChangeKind::TypeChanged => (
                LineKind::Changed,
                format!(
                    "{at}: {a} → {b} ({} → {})",
                    change.a_type.unwrap_or("?"),
                    change.b_type.unwrap_or("?")
                ),
            ),
        };
        out.item(kind, &text);
    }
    if omitted > 0 {
        out.item(
            LineKind::Note,
            &format!("… and {} more, not listed", plural(omitted, "difference")),
        );
    }
}

fn text_hunks(out: &mut Lines, hunks: &[TextHunk], omitted_lines: usize) {
    for hunk in hunks {
        out.item(
            LineKind::Note,
            &format!(
                "@@ -{},{} +{},{} @@",
                hunk.a_start, hunk.a_lines, hunk.b_start, hunk.b_lines
            ),
        );
        for line in &hunk.lines {
            let (kind, mark) = match line.op {
                LineOp::Same => (LineKind::Same, "  "),
                LineOp::Added => (LineKind::Added, ""),
                LineOp::Removed => (LineKind::Removed, ""),
            };
            let end = if line.missing_newline {
                "  (no newline at end)"
            } else {
                ""
            };
            out.item(kind, &format!("{mark}{}{end}", line.text));
        }
    }
    if omitted_lines > 0 {
        out.item(
            LineKind::Note,
            &format!("… and {} more, not shown", plural(omitted_lines, "line")),
        );
    }
}

fn binary(out: &mut Lines, found: &BinaryDiff) {
    let size = |n: usize| plural(n, "byte");
    if found.a_size == found.b_size {
        out.item(
            LineKind::Same,
            &format!("size: {} each", size(found.a_size)),
        );
    } else {
        out.item(
            LineKind::Changed,
            &format!("size: {} → {}", size(found.a_size), size(found.b_size)),
        );
    }
    let Some(at) = found.first_difference else {
        out.item(LineKind::Same, "identical bytes");
        return;
    };
    let byte = |b: Option<u8>| b.map_or("end of body".to_owned(), |b| format!("0x{b:02x}"));
    out.item(
        LineKind::Changed,
        &format!(
            "first difference at offset {at} (0x{at:x}): {} → {}",
            byte(found.a_byte),
            byte(found.b_byte)
        ),
    );
}
