//! Moving captures between machines and tools: HAR 1.2 and hookscope's own JSONL.

mod har;
mod jsonl;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

use crate::capture::{Capture, Header};
use crate::store::check_header;

pub use har::{HarWriter, read_har};
pub use jsonl::{CaptureRecord, read_jsonl, write_jsonl};

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("line {line}: {message}")]
    Line { line: usize, message: String },
    #[error("entry {entry}: {message}")]
    Entry { entry: usize, message: String },
    #[error("not a HAR or JSONL file: {0}")]
    Unrecognised(String),
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
    if let Ok(document @ serde_json::Value::Object(_)) =
        serde_json::from_str::<serde_json::Value>(text)
        && document.get("log").is_some()
    {
        return read_har(document);
    }
    if trimmed.starts_with('{') {
        return read_jsonl(text);
    }
    Err(ArchiveError::Unrecognised(
        "expected a JSON object with a \"log\" member (HAR) or one JSON object per line (JSONL)"
            .into(),
    ))
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
