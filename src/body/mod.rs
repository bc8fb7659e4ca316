//! Body decoding: undo content codings, pick a format (from the declared type or the bytes),
//! turn the body into text in the right charset, split forms and multipart bodies, and render
//! a display version. The stored raw bytes are never changed; all of this is for display and
//! analysis, and nothing here may panic on what a sender controls.

mod charset;
mod classify;
mod coding;
mod decompress;
mod form;
mod hex;
mod json_depth;
mod json_lines;
mod json_pretty;
mod media_type;
mod multipart;
mod pretty;
mod sniff;
mod xml_pretty;
mod xml_survey;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

use bytes::Bytes;

use crate::capture::Header;

pub use hex::{hex_dump, hex_dump_rows, hex_row_width};
pub use json_depth::{JsonProblem, MAX_JSON_DEPTH, json_problem};
pub use json_lines::lines_of_pointers;
pub use pretty::Pretty;

/// How far a body may expand when its content codings are undone.
pub const DEFAULT_MAX_DECODED: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    /// Decoding stops once the decoded body would grow past this many bytes.
    pub max_decoded: usize,
}

impl Default for BodyLimits {
    fn default() -> Self {
        Self {
            max_decoded: DEFAULT_MAX_DECODED,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Empty,
    Json,
    Xml,
    Html,
    Form,
    Multipart,
    Text,
    Binary,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::Empty => "empty",
            Format::Json => "JSON",
            Format::Xml => "XML",
            Format::Html => "HTML",
            Format::Form => "form",
            Format::Multipart => "multipart",
            Format::Text => "text",
            Format::Binary => "binary",
        }
    }
}

#[derive(Debug, Clone)]
pub struct DecodedBody {
    /// Media type essence of the first Content-Type header, lower-cased, without parameters.
    pub declared_type: Option<String>,
    pub format: Format,
    /// The format came from the bytes, not from the declared type.
    pub sniffed: bool,
    /// Content codings undone, in the order they were removed (the reverse of how they were
    /// listed). Lower-cased as sent, so `x-gzip` stays `x-gzip`.
    pub codings: Vec<String>,
    /// The body after undoing content codings; the raw `Bytes` itself when there were none.
    pub bytes: Bytes,
    /// The encoding_rs name of the charset `text` was decoded with.
    pub charset: Option<&'static str>,
    /// The body as text for JSON, XML, HTML, form and text bodies. `None` for binary, empty and
    /// multipart bodies (each multipart part carries its own text).
    pub text: Option<String>,
    /// Problems found on the way, in plain words.
    pub notes: Vec<String>,
    /// For `Format::Form`: the decoded pairs, in order, duplicates kept.
    pub form: Vec<(String, String)>,
    /// For `Format::Multipart`: the parts, in order.
    pub parts: Vec<Part>,
}

/// One part of a multipart body.
#[derive(Debug, Clone)]
pub struct Part {
    /// The part's headers as sent.
    pub headers: Vec<Header>,
    /// `name` from Content-Disposition.
    pub name: Option<String>,
    /// `filename*` (decoded) or `filename` from Content-Disposition.
    pub filename: Option<String>,
    /// Media type essence of the part's Content-Type, lower-cased, without parameters.
    pub content_type: Option<String>,
    /// The part's body: a slice of the decoded body, no copy.
    pub body: Bytes,
    /// The part's body as text, when it is text.
    pub text: Option<String>,
}

/// Decodes a captured body for display. Cheap in the common case (declared JSON, no
/// codings): no JSON parsing happens here, the caller parses when it needs to.
pub fn decode_body(headers: &[Header], raw: &Bytes, limits: BodyLimits) -> DecodedBody {
    let mut notes = Vec::new();
    let media_type = media_type::content_type(headers, &mut notes);
    let declared_type = media_type
        .as_ref()
        .map(|m| m.essence.clone())
        .filter(|essence| !essence.is_empty());
    let undone = coding::undo_content_codings(
        headers,
        raw,
        declared_type.as_deref(),
        limits.max_decoded,
        &mut notes,
    );
    let mut body = DecodedBody {
        declared_type,
        format: Format::Empty,
        sniffed: false,
        codings: undone.codings,
        bytes: undone.bytes,
        charset: None,
        text: None,
        notes,
        form: Vec::new(),
        parts: Vec::new(),
    };
    if !body.bytes.is_empty() {
        let facts = classify::Facts {
            media_type: media_type.as_ref(),
            cut_at_limit: undone.cut_at_limit,
        };
        classify::classify(&mut body, &facts);
    }
    body
}

/// The body with its content codings undone and nothing more (no charset, no format): what a
/// search looks through. Borrows `raw` when there is nothing to undo, which is the common case,
/// so searching thousands of bodies copies none of them.
pub fn without_content_codings<'a>(
    headers: &[Header],
    raw: &'a [u8],
    limits: BodyLimits,
) -> Cow<'a, [u8]> {
    if !coding::may_be_coded(headers, raw) {
        return Cow::Borrowed(raw);
    }
    let mut notes = Vec::new();
    let declared_type = media_type::content_type(headers, &mut notes)
        .map(|m| m.essence)
        .filter(|essence| !essence.is_empty());
    let undone = coding::undo_content_codings(
        headers,
        &Bytes::copy_from_slice(raw),
        declared_type.as_deref(),
        limits.max_decoded,
        &mut notes,
    );
    Cow::Owned(undone.bytes.into())
}

#[cfg(test)]
pub(crate) fn pretty_json_for_tests(raw: &str) -> String {
    json_pretty::pretty_json(raw).unwrap()
}

impl DecodedBody {
    /// Display text: JSON pretty-printed (2 spaces, key order and duplicate keys kept, numbers
    /// as sent), XML/HTML indented when well-formed (else as is), form as `name = value` lines,
    /// multipart as each part's headers then its body (binary parts as hex), text as is, binary
    /// as a hex dump, empty as "".
    pub fn pretty(&self) -> String {
        self.render().text
    }

    /// Like `pretty`, plus a note when the pretty form could not be made (JSON that does not
    /// parse, XML that is not well-formed) and the text is shown as sent.
    pub fn render(&self) -> Pretty {
        pretty::render(self)
    }
}
