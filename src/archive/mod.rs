//! Moving captures between machines and tools: HAR 1.2 and hookscope's own JSONL.

mod har;
mod jsonl;
mod plain;
#[cfg(test)]
mod tests;

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

use crate::capture::{Capture, Header};
use crate::store::check_header;

pub use har::{HarWriter, read_har};
pub use jsonl::{CaptureRecord, read_jsonl, write_jsonl};

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("line {line}: {message}; {left_out}")]
    Line {
        line: usize,
        message: String,
        left_out: LeftOut,
    },
    #[error("entry {entry}: {message}; {left_out}")]
    Entry {
        entry: usize,
        message: String,
        left_out: LeftOut,
    },
    #[error("not a HAR or JSONL file: {0}")]
    Unrecognised(String),
    #[error(
        "this looks like a HAR file that ends early: its JSON stops at line {line}, column \
         {column} (the file has {bytes} bytes), as if it was cut off in a download or a copy; \
         nothing was imported"
    )]
    TruncatedHar {
        line: usize,
        column: usize,
        bytes: usize,
    },
    #[error("this looks like a HAR file, but it is not valid JSON: {0}; nothing was imported")]
    BrokenHar(serde_json::Error),
}

/// What an all-or-nothing import left out because of one bad line or entry: the good ones
/// before it and the unread ones after it, so the user knows what fixing it brings back.
#[derive(Debug, Clone, Copy)]
pub struct LeftOut {
    pub good_before: usize,
    pub after: usize,
    pub unit: Unit,
}

/// What an archive is made of: JSONL lines or HAR entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Line,
    Entry,
}

impl Unit {
    fn count(self, n: usize, adjective: &str) -> String {
        let noun = match (self, n) {
            (Unit::Line, 1) => "line",
            (Unit::Line, _) => "lines",
            (Unit::Entry, 1) => "entry",
            (Unit::Entry, _) => "entries",
        };
        format!("{n} {adjective}{noun}")
    }
}

impl fmt::Display for LeftOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("nothing was imported")?;
        let before = format!(
            "the {} before it",
            self.unit.count(self.good_before, "good ")
        );
        let after = format!("the {} after it", self.unit.count(self.after, ""));
        let (left_out, one) = match (self.good_before, self.after) {
            (0, 0) => return Ok(()),
            (n, 0) => (before, n == 1),
            (0, n) => (after, n == 1),
            _ => (format!("{before} and {after}"), false),
        };
        let verb = if one { "was" } else { "were" };
        write!(
            f,
            " ({left_out} {verb} left out too: an import is all or nothing)"
        )
    }
}

/// What an import read: the captures, and notes on anything it had to leave out.
#[derive(Debug, Default)]
pub struct Imported {
    pub captures: Vec<Capture>,
    pub skipped_headers: usize,
}

/// Reads a HAR or JSONL document, recognised by its content.
pub fn read_archive(text: &str) -> Result<Imported, ArchiveError> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Ok(Imported::default());
    }
    // A HAR is a single object with a "log" member; JSONL has one capture per line.
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(document @ serde_json::Value::Object(_)) if document.get("log").is_some() => {
            return read_har(document);
        }
        Err(error) if looks_like_har(text, &error) => return Err(broken_har(text, error)),
        _ => {}
    }
    if trimmed.starts_with('{') {
        return read_jsonl(text);
    }
    Err(ArchiveError::Unrecognised(
        "expected a JSON object with a \"log\" member (HAR) or one JSON object per line (JSONL)"
            .into(),
    ))
}

/// A document that does not parse is still recognisably a HAR when its first member is
/// `"log"` (browsers and hookscope write it first), or when it is one object over several
/// lines that ends early and mentions `"entries"`: a JSONL line is a whole object by itself,
/// so reading such a file line by line would only blame its first line.
fn looks_like_har(text: &str, error: &serde_json::Error) -> bool {
    let first_member_is_log = text
        .trim_start()
        .strip_prefix('{')
        .is_some_and(|rest| rest.trim_start().starts_with("\"log\""));
    let cut_multiline_object = error.is_eof()
        && text.trim().contains('\n')
        && text.trim_start().starts_with('{')
        && text.contains("\"entries\"");
    first_member_is_log || cut_multiline_object
}

fn broken_har(text: &str, error: serde_json::Error) -> ArchiveError {
    if !error.is_eof() {
        return ArchiveError::BrokenHar(error);
    }
    // Where the content stops, rather than serde_json's end of input (column 0 of the line
    // after a final newline).
    let content = text.trim_end();
    let last_line = content.rsplit('\n').next().unwrap_or_default();
    ArchiveError::TruncatedHar {
        line: content.matches('\n').count() + 1,
        column: last_line.chars().count(),
        bytes: text.len(),
    }
}

/// Text stays text; anything that is not UTF-8 is carried as base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Utf8,
    Base64,
}

pub fn encode_bytes(bytes: &[u8]) -> (String, Encoding) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), Encoding::Utf8),
        Err(_) => (BASE64.encode(bytes), Encoding::Base64),
    }
}

pub fn decode_bytes(text: &str, encoding: Encoding) -> Result<Vec<u8>, String> {
    match encoding {
        Encoding::Utf8 => Ok(text.as_bytes().to_vec()),
        Encoding::Base64 => BASE64
            .decode(text.trim())
            .map_err(|e| format!("invalid base64: {e}")),
    }
}

/// Keeps the headers a store can hold; counts the others (HTTP/2 pseudo-headers such as
/// `:authority` from browser HARs, or names and values HTTP/1 cannot carry).
fn storable_headers(headers: Vec<Header>, skipped: &mut usize) -> Vec<Header> {
    headers
        .into_iter()
        .filter(|h| {
            let ok = check_header(h).is_ok();
            *skipped += usize::from(!ok);
            ok
        })
        .collect()
}
