//! Comparing two requests: the request line, the headers (by name and occurrence, order and
//! name case included), and the bodies once decoded (JSON by structure, text line by line,
//! binary by size and first differing byte). No I/O here: the CLI and the interface render
//! the same [`RequestDiff`].

mod binary;
mod body;
mod headers;
mod json;
mod render;
mod request_line;
mod text;

#[cfg(test)]
mod tests;

use serde::Serialize;
use serde::ser::SerializeStruct;

use crate::capture::{Capture, Header};

pub use binary::BinaryDiff;
pub use body::{BodyChanges, BodyDiff, BodySide};
pub use headers::HeaderChange;
pub use json::{JsonChange, JsonChangeKind, MAX_JSON_CHANGES};
pub use render::{DiffLine, LineKind};
pub use request_line::FieldChange;
pub use text::{LineOp, MAX_TEXT_LINES, TextHunk, TextLine};

/// One of the two requests compared: a stored capture, or a request rebuilt from elsewhere
/// (a replay attempt parsed back from the bytes it sent).
#[derive(Debug, Clone)]
pub struct Side<'a> {
    /// How the request is named in the output: `#12`, `replay 3 of #12`.
    pub label: String,
    pub method: &'a str,
    /// The request target as sent (origin or absolute form).
    pub uri: &'a str,
    /// In wire order, duplicates kept.
    pub headers: &'a [Header],
    /// As received: still compressed if it was sent compressed.
    pub body: &'a [u8],
}

impl<'a> Side<'a> {
    pub fn of_capture(capture: &'a Capture) -> Self {
        Self {
            label: format!("#{}", capture.id),
            method: &capture.method,
            uri: &capture.uri,
            headers: &capture.headers,
            body: &capture.body,
        }
    }
}

/// Every difference between request `a` and request `b`. Serialised (for `diff --json`) as
/// `{a, b, same, request_line, headers, body}`; these names are a contract for scripts.
#[derive(Debug, Clone)]
pub struct RequestDiff {
    pub a: String,
    pub b: String,
    pub request_line: Vec<FieldChange>,
    pub headers: Vec<HeaderChange>,
    pub body: BodyDiff,
}

pub fn diff(a: &Side, b: &Side) -> RequestDiff {
    RequestDiff {
        a: a.label.clone(),
        b: b.label.clone(),
        request_line: request_line::compare(a, b),
        headers: headers::compare(a.headers, b.headers),
        body: body::compare(a, b),
    }
}

impl RequestDiff {
    /// Nothing differs once bodies are decoded (raw bytes that differ only in encoding count
    /// as the same body; `body.raw_same` and a note say so).
    pub fn is_same(&self) -> bool {
        self.request_line.is_empty() && self.headers.is_empty() && self.body.is_same()
    }

    /// The whole diff for people, every line escaped for a terminal.
    pub fn lines(&self) -> Vec<DiffLine> {
        render::lines(self)
    }
}

// By hand rather than derived so that `same` is always computed, never a stored field that
// could disagree with the changes.
impl Serialize for RequestDiff {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("RequestDiff", 6)?;
        out.serialize_field("a", &self.a)?;
        out.serialize_field("b", &self.b)?;
        out.serialize_field("same", &self.is_same())?;
        out.serialize_field("request_line", &self.request_line)?;
        out.serialize_field("headers", &self.headers)?;
        out.serialize_field("body", &self.body)?;
        out.end()
    }
}
