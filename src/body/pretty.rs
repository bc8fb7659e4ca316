//! The display version of a decoded body: structured formats laid out for reading, binary as
//! a hex dump.

use std::fmt::Write as _;

use super::json_depth::MAX_JSON_DEPTH;
use super::json_pretty::pretty_json;
use super::xml_pretty::indent_markup;
use super::{DecodedBody, Format, Part, hex_dump};
use crate::units::group_digits;

/// Why an indented form was given up.
pub(crate) const TOO_LARGE: &str = "the indented form would be too large";

/// How deep the pretty-printers indent: as deep as serde_json reads, so JSON shown indented is
/// also JSON that gets validated. Past it, the indentation would be most of every line.
pub(crate) const MAX_INDENT_DEPTH: usize = MAX_JSON_DEPTH;

/// Why a body nested past `MAX_INDENT_DEPTH` is shown as received.
pub(crate) fn too_deep(depth: usize) -> String {
    format!(
        "nested {} levels deep, deeper than the pretty-printer goes ({MAX_INDENT_DEPTH} levels)",
        group_digits(depth as u64)
    )
}

/// Indentation grows with depth on every line, so deeply nested short values (`[[[[1,1,1,...`)
/// could expand a body a hundredfold; past this budget the text is shown as received.
pub(crate) fn output_budget(input_len: usize) -> usize {
    input_len.saturating_mul(8).saturating_add(64 * 1024)
}

/// Display text, and a note when the pretty form could not be made and the text is shown as
/// received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pretty {
    pub text: String,
    pub note: Option<String>,
    /// The text is a hex dump of the bytes (16 to a row), so a narrow view may lay it out
    /// again with fewer.
    pub hex: bool,
}

impl Pretty {
    fn plain(text: String) -> Pretty {
        Pretty {
            text,
            note: None,
            hex: false,
        }
    }

    fn hex(bytes: &[u8]) -> Pretty {
        Pretty {
            hex: true,
            ..Pretty::plain(hex_dump(bytes))
        }
    }
}

pub(crate) fn render(body: &DecodedBody) -> Pretty {
    let text = body.text.as_deref();
    match (body.format, text) {
        (Format::Empty, _) => Pretty::plain(String::new()),
        (Format::Json, Some(text)) => indented(text, pretty_json(text), "JSON"),
        (Format::Xml, Some(text)) => indented(text, indent_markup(text), "XML"),
        // Most HTML is not well-formed XML, and that is normal: no note.
        (Format::Html, Some(text)) => {
            Pretty::plain(indent_markup(text).unwrap_or_else(|_| text.to_string()))
        }
        (Format::Form, _) => Pretty::plain(form_lines(&body.form)),
        (Format::Multipart, _) => Pretty::plain(multipart(&body.parts)),
        (Format::Text, Some(text)) => Pretty::plain(text.to_string()),
        _ => Pretty::hex(&body.bytes),
    }
}

fn indented(text: &str, result: Result<String, String>, what: &str) -> Pretty {
    match result {
        Ok(pretty) => Pretty::plain(pretty),
        Err(why) => Pretty {
            text: text.to_string(),
            note: Some(format!("{what} shown as received: {why}")),
            hex: false,
        },
    }
}

fn form_lines(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        let _ = writeln!(out, "{name} = {value}");
    }
    out
}

fn multipart(parts: &[Part]) -> String {
    let mut out = String::new();
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.push('\n');
        }
        let _ = writeln!(out, "--- part {} of {} ---", index + 1, parts.len());
        for header in &part.headers {
            let _ = writeln!(
                out,
                "{}: {}",
                header.name,
                String::from_utf8_lossy(&header.value)
            );
        }
        out.push('\n');
        match &part.text {
            Some(text) => out.push_str(text),
            None => out.push_str(&hex_dump(&part.body)),
        }
    }
    out
}
