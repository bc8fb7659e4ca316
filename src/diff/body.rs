//! Bodies compared once decoded by `crate::body` (content codings undone, charset applied):
//! both JSON by structure, else both text line by line, else byte by byte. Raw bodies that
//! differ only in how they are encoded (gzip or not, another charset, JSON whitespace) count
//! as the same body, with a note saying so.

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use super::Side;
use super::binary::{self, BinaryDiff};
use super::json::{self, JsonChange};
use super::text::{self, TextHunk};
use crate::body::{BodyLimits, DecodedBody, Format, decode_body, json_problem};
use crate::units::plural;

#[derive(Debug, Clone, Serialize)]
pub struct BodyDiff {
    /// Serialised as `format` (`json`, `text` or `binary`: how the bodies were compared)
    /// next to that comparison's fields.
    #[serde(flatten)]
    pub changes: BodyChanges,
    pub a: BodySide,
    pub b: BodySide,
    /// Byte for byte the same as received.
    pub raw_same: bool,
    /// Decoding problems, formats that differ, encodings that differ.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "format", rename_all = "snake_case")]
pub enum BodyChanges {
    Json {
        changes: Vec<JsonChange>,
        /// Differences past [`super::MAX_JSON_CHANGES`], counted only.
        omitted: usize,
    },
    Text {
        hunks: Vec<TextHunk>,
        /// Lines past [`super::MAX_TEXT_LINES`], counted only.
        omitted_lines: usize,
    },
    Binary(BinaryDiff),
}

/// What one side's body is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BodySide {
    /// `json`, `xml`, `html`, `form`, `multipart`, `text`, `binary` or `empty`.
    pub format: &'static str,
    /// As received.
    pub size: usize,
    /// With content codings undone.
    pub decoded_size: usize,
    /// The content codings undone, in the order they were removed.
    pub codings: Vec<String>,
    pub charset: Option<&'static str>,
}

impl BodyDiff {
    pub fn is_same(&self) -> bool {
        match &self.changes {
            BodyChanges::Json { changes, omitted } => changes.is_empty() && *omitted == 0,
            BodyChanges::Text {
                hunks,
                omitted_lines,
            } => hunks.is_empty() && *omitted_lines == 0,
            BodyChanges::Binary(found) => found.first_difference.is_none(),
        }
    }
}

/// One side, decoded.
struct Decoded {
    body: DecodedBody,
    json: Option<Value>,
}

pub(super) fn compare(a: &Side, b: &Side) -> BodyDiff {
    let mut notes = Vec::new();
    let decoded_a = decode(a, &mut notes);
    let decoded_b = decode(b, &mut notes);
    let (format_a, format_b) = (decoded_a.body.format, decoded_b.body.format);
    let changes = match (&decoded_a.json, &decoded_b.json) {
        (Some(x), Some(y)) => {
            let (changes, omitted) = json::compare(x, y);
            BodyChanges::Json { changes, omitted }
        }
        _ => match texts(&decoded_a.body, &decoded_b.body) {
            Some((x, y)) => {
                let (hunks, omitted_lines) = text::compare(&x, &y);
                BodyChanges::Text {
                    hunks,
                    omitted_lines,
                }
            }
            None => BodyChanges::Binary(binary::compare(
                &decoded_a.body.bytes,
                &decoded_b.body.bytes,
            )),
        },
    };
    if format_a != format_b {
        notes.push(format!(
            "{} is {} and {} is {}: compared {}",
            a.label,
            format_a.label(),
            b.label,
            format_b.label(),
            match changes {
                BodyChanges::Json { .. } => "by structure",
                BodyChanges::Text { .. } => "as text, line by line",
                BodyChanges::Binary(_) => "byte by byte",
            }
        ));
    }
    let mut diff = BodyDiff {
        changes,
        a: side_of(a, &decoded_a.body),
        b: side_of(b, &decoded_b.body),
        raw_same: a.body == b.body,
        notes,
    };
    if !diff.raw_same && diff.is_same() {
        let why = encoding_differences(&diff, &decoded_a.body, &decoded_b.body);
        diff.notes.push(format!(
            "the raw bodies differ ({} and {}) but decode to the same content: {why}",
            plural(a.body.len(), "byte"),
            plural(b.body.len(), "byte"),
        ));
    }
    diff
}

fn decode(side: &Side, notes: &mut Vec<String>) -> Decoded {
    let raw = Bytes::copy_from_slice(side.body);
    let body = decode_body(side.headers, &raw, BodyLimits::default());
    notes.extend(body.notes.iter().map(|n| format!("{}: {n}", side.label)));
    let json = match (body.format, body.text.as_deref()) {
        (Format::Json, Some(text)) => match serde_json::from_str(text) {
            Ok(value) => Some(value),
            Err(error) => {
                // Worded as the validator and the Body tab word it: JSON nested too deep for
                // a `Value` is valid, and is not called broken.
                notes.push(format!(
                    "{}: {}; compared as text",
                    side.label,
                    json_problem(text, error)
                ));
                None
            }
        },
        _ => None,
    };
    Decoded { body, json }
}

/// Both bodies as text, when both are text. Forms and multipart bodies are compared in their
/// display form (one `name = value` line per field; each part's headers and body) when both
/// sides have that format, so a change shows as one field rather than one long line.
fn texts(a: &DecodedBody, b: &DecodedBody) -> Option<(String, String)> {
    let structured = a.format == b.format && matches!(a.format, Format::Form | Format::Multipart);
    if structured {
        return Some((a.render().text, b.render().text));
    }
    Some((plain_text(a)?, plain_text(b)?))
}

fn plain_text(body: &DecodedBody) -> Option<String> {
    match body.format {
        Format::Empty => Some(String::new()),
        Format::Binary => None,
        // Multipart keeps its text per part; the whole may still be UTF-8.
        _ => body
            .text
            .clone()
            .or_else(|| std::str::from_utf8(&body.bytes).ok().map(str::to_owned)),
    }
}

fn side_of(side: &Side, body: &DecodedBody) -> BodySide {
    BodySide {
        format: format_id(body.format),
        size: side.body.len(),
        decoded_size: body.bytes.len(),
        codings: body.codings.clone(),
        charset: body.charset,
    }
}

fn format_id(format: Format) -> &'static str {
    match format {
        Format::Empty => "empty",
        Format::Json => "json",
        Format::Xml => "xml",
        Format::Html => "html",
        Format::Form => "form",
        Format::Multipart => "multipart",
        Format::Text => "text",
        Format::Binary => "binary",
    }
}

/// Why two raw bodies that decode to the same content differ, in plain words.
fn encoding_differences(diff: &BodyDiff, a: &DecodedBody, b: &DecodedBody) -> String {
    let mut reasons = Vec::new();
    if a.codings != b.codings {
        reasons.push(format!(
            "Content-Encoding {} and {}",
            codings_text(&a.codings),
            codings_text(&b.codings)
        ));
    } else if !a.codings.is_empty() && a.bytes == b.bytes {
        reasons.push(format!(
            "both {}, compressed differently",
            codings_text(&a.codings)
        ));
    }
    if a.bytes != b.bytes {
        if a.charset != b.charset {
            reasons.push(format!(
                "charset {} and {}",
                a.charset.unwrap_or("none"),
                b.charset.unwrap_or("none")
            ));
        }
        if a.text != b.text || reasons.is_empty() {
            reasons.push(written_differently(diff, a.format).to_owned());
        }
    }
    reasons.join("; ")
}

/// Decoded bytes that differ but compare the same: what the comparison looked past.
fn written_differently(diff: &BodyDiff, format: Format) -> &'static str {
    match (&diff.changes, format) {
        (BodyChanges::Json { .. }, _) => {
            "the same JSON written differently (whitespace, key order or the form of numbers)"
        }
        (_, Format::Form) => "the same fields, percent-encoded differently",
        (_, Format::Multipart) => "the same parts, with other boundaries",
        _ => "the same content, encoded differently",
    }
}

fn codings_text(codings: &[String]) -> String {
    if codings.is_empty() {
        "none".to_owned()
    } else {
        codings.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Header;

    fn notes_for(a: &[u8], b: &[u8]) -> Vec<String> {
        let headers = [Header::new("Content-Type", "application/json")];
        let side = |label: &str, body| Side {
            label: label.into(),
            method: "POST",
            uri: "/h",
            headers: &headers,
            body,
        };
        compare(&side("#1", a), &side("#2", b)).notes
    }

    /// JSON nested deeper than a `Value` goes is valid, and the diff says so in the words the
    /// validator uses; broken JSON is called broken.
    #[test]
    fn json_that_cannot_be_read_is_described_as_everywhere_else() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let notes = notes_for(deep.as_bytes(), br#"{"a":1}"#);
        let expected = format!(
            "#1: {}; compared as text",
            crate::body::JsonProblem::TooDeep { depth: 10_000 }
        );
        assert!(notes.contains(&expected), "{notes:#?}");
        assert!(expected.contains("valid JSON"), "{expected}");
        assert!(!notes.iter().any(|n| n.contains("recursion")), "{notes:#?}");

        let notes = notes_for(br#"{"a":1}"#, br#"{"a":"#);
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("#2: not valid JSON: ") && n.ends_with("; compared as text")),
            "{notes:#?}"
        );
    }
}
