//! hookscope's own archive: one JSON object per capture per line. Its fields are the
//! summary's (the same names as `list --json` and headless lines) plus what a full capture
//! needs.

use std::io::Write;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::plain::{no_ascii_controls, no_controls};
use super::{
    ArchiveError, Encoding, Imported, LeftOut, Unit, decode_bytes, encode_bytes, storable_headers,
};
use crate::capture::{Capture, CaptureSummary, Header, truncate_to_micros};
use crate::escape::json_line;

#[derive(Debug, Serialize, Deserialize)]
pub struct CaptureRecord {
    #[serde(flatten)]
    pub summary: CaptureSummary,
    pub uri: String,
    pub version: String,
    pub headers: Vec<HeaderRecord>,
    pub body: String,
    pub body_encoding: Encoding,
    pub response_status: u16,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct HeaderRecord {
    pub name: String,
    pub value: String,
    /// Present only for a value that is not UTF-8, which is then base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<Encoding>,
}

impl CaptureRecord {
    pub fn from_capture(capture: &Capture) -> Self {
        let (body, body_encoding) = encode_bytes(&capture.body);
        Self {
            summary: capture.summary(),
            uri: capture.uri.clone(),
            version: capture.version.clone(),
            headers: capture
                .headers
                .iter()
                .map(|h| {
                    let (value, encoding) = encode_bytes(&h.value);
                    HeaderRecord {
                        name: h.name.clone(),
                        value,
                        encoding: (encoding == Encoding::Base64).then_some(encoding),
                    }
                })
                .collect(),
            body,
            body_encoding,
            response_status: capture.response_status,
        }
    }

    fn into_capture(self, skipped_headers: &mut usize) -> Result<Capture, String> {
        no_controls("peer", &self.summary.peer)?;
        no_controls("method", &self.summary.method)?;
        no_controls("version", &self.version)?;
        no_ascii_controls("uri", &self.uri)?;
        let received_at = DateTime::parse_from_rfc3339(&self.summary.received_at)
            .map_err(|e| format!("received_at {:?}: {e}", self.summary.received_at))?
            .with_timezone(&Utc);
        let mut headers = Vec::with_capacity(self.headers.len());
        for h in self.headers {
            let value = decode_bytes(&h.value, h.encoding.unwrap_or(Encoding::Utf8))
                .map_err(|e| format!("header {}: {e}", h.name))?;
            headers.push(Header::new(h.name, value));
        }
        let body =
            decode_bytes(&self.body, self.body_encoding).map_err(|e| format!("body: {e}"))?;
        Ok(Capture {
            id: self.summary.id,
            received_at: truncate_to_micros(received_at),
            peer: self.summary.peer,
            method: self.summary.method,
            uri: self.uri,
            version: self.version,
            headers: storable_headers(headers, skipped_headers),
            body: Bytes::from(body),
            response_status: self.response_status,
            unauthenticated: self.summary.unauthenticated,
            verdict: None,
        })
    }
}

pub fn write_jsonl(out: &mut impl Write, capture: &Capture) -> std::io::Result<()> {
    writeln!(out, "{}", json_line(&CaptureRecord::from_capture(capture)))
}

/// All or nothing: the first bad line stops the import, and its error says how many lines
/// that leaves out.
pub fn read_jsonl(text: &str) -> Result<Imported, ArchiveError> {
    let mut imported = Imported::default();
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty());
    while let Some((index, line)) = lines.next() {
        if let Err(message) = read_line(line, &mut imported) {
            return Err(ArchiveError::Line {
                line: index + 1,
                message,
                left_out: LeftOut {
                    good_before: imported.captures.len(),
                    after: lines.count(),
                    unit: Unit::Line,
                },
            });
        }
    }
    Ok(imported)
}

fn read_line(line: &str, imported: &mut Imported) -> Result<(), String> {
    let record: CaptureRecord =
        serde_json::from_str(line).map_err(|e| format!("not a capture record: {e}"))?;
    let capture = record.into_capture(&mut imported.skipped_headers)?;
    imported.captures.push(capture);
    Ok(())
}
