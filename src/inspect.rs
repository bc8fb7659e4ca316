//! The analysis pipeline every payload goes through: undo the body's encodings, read it as
//! JSON, recognise the vendor, decode what it says and validate it.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::body::{BodyLimits, DecodedBody, Format, decode_body, json_problem};
use crate::capture::{Capture, Header, Verdict};
use crate::validate::{self, Finding};
use crate::vendor::{self, Decoded, Request, Vendor};

/// Bump when detection, decoding or validation rules change the verdicts stored with
/// captures: stores written by an older build are then analysed again when opened.
pub const ANALYSIS_VERSION: i64 = 1;

/// The rules verdicts are made with: this build's, and the user vendors' definitions. A
/// store analysed under other rules is analysed again when opened.
pub fn analysis_version() -> i64 {
    match vendor::user::registered().next() {
        None => ANALYSIS_VERSION,
        // Positive and distinct from the plain build number.
        Some(_) => {
            ((vendor::user::fingerprint() ^ ANALYSIS_VERSION as u64) >> 2) as i64 | (1 << 61)
        }
    }
}

/// Everything hookscope reads out of one payload.
#[derive(Debug, Clone)]
pub struct Inspection {
    pub body: DecodedBody,
    pub json: Json,
    /// Detected, or given by the user (`validate --vendor`).
    pub vendor: Option<Vendor>,
    pub decoded: Option<Decoded>,
    /// The vendor's event kind, read without building the summary.
    pub kind: Option<String>,
    pub findings: Vec<Finding>,
}

/// The body read as JSON.
#[derive(Debug, Clone)]
pub enum Json {
    /// Not a JSON body (form, XML, binary, empty...).
    NotJson,
    Parsed(Value),
    /// Declared or sniffed as JSON, but no value could be read from it; the message says why:
    /// where it stops being valid JSON, or that it is valid but nests deeper than
    /// [`crate::body::MAX_JSON_DEPTH`] (never called invalid).
    Malformed(String),
}

impl Inspection {
    pub fn value(&self) -> Option<&Value> {
        match &self.json {
            Json::Parsed(value) => Some(value),
            _ => None,
        }
    }

    pub fn kind(&self) -> Option<&str> {
        self.kind.as_deref()
    }

    /// `None` when no vendor schema applies (nothing was validated).
    pub fn valid(&self) -> Option<bool> {
        self.vendor.map(|_| validate::is_valid(&self.findings))
    }

    /// Read from the payload itself, so it needs no decoded summary.
    pub fn verdict(&self) -> Verdict {
        let (errors, warnings) = validate::counts(&self.findings);
        let read = |read: fn(Vendor, &Value) -> Option<String>| {
            self.vendor
                .zip(self.value())
                .and_then(|(v, value)| read(v, value))
        };
        Verdict {
            vendor: self.vendor,
            kind: self.kind.clone(),
            errors: errors as u32,
            warnings: warnings as u32,
            dedupe_key: read(vendor::dedupe_key),
            duplicate_of: None,
        }
    }
}

/// A payload with its headers (a response's, say) but no request path.
pub fn inspect(headers: &[Header], body: &Bytes) -> Inspection {
    inspect_request(None, headers, body, Utc::now())
}

/// A captured request's payload: its headers (and path) take part in detection, decoding
/// and validation. `received_at` is when it arrived: a signature's timestamp is judged
/// against the delivery, not against the moment someone looks at it.
pub fn inspect_request(
    path: Option<&str>,
    headers: &[Header],
    body: &Bytes,
    received_at: DateTime<Utc>,
) -> Inspection {
    let request = Request { headers, path };
    run(Some((request, received_at)), body, None, true)
}

/// [`inspect_request`] for a stored capture.
pub fn inspect_capture(capture: &Capture) -> Inspection {
    inspect_request(
        Some(capture.path()),
        &capture.headers,
        &capture.body,
        capture.received_at,
    )
}

/// A payload from a file (`hookscope validate`): no request headers, so checks that need
/// them are skipped; `vendor` forces a vendor instead of detecting one.
pub fn inspect_file(body: &Bytes, vendor: Option<Vendor>) -> Inspection {
    run(None, body, vendor, true)
}

/// What the store keeps about a captured payload: the same analysis without building the
/// summary for people (the analyser runs this for every capture).
pub fn verdict(
    path: Option<&str>,
    headers: &[Header],
    body: &Bytes,
    received_at: DateTime<Utc>,
) -> Verdict {
    let request = Request { headers, path };
    run(Some((request, received_at)), body, None, false).verdict()
}

/// [`verdict`] for a stored capture.
pub fn capture_verdict(capture: &Capture) -> Verdict {
    verdict(
        Some(capture.path()),
        &capture.headers,
        &capture.body,
        capture.received_at,
    )
}

/// Whose payload a capture is: the stored verdict's vendor, else detected now (without
/// validating anything).
pub fn vendor_of(capture: &Capture) -> Option<Vendor> {
    if let Some(verdict) = &capture.verdict {
        return verdict.vendor;
    }
    let body = decode_body(&capture.headers, &capture.body, BodyLimits::default());
    let Json::Parsed(value) = read_json(&body, false) else {
        return None;
    };
    let request = Request {
        headers: &capture.headers,
        path: Some(capture.path()),
    };
    vendor::detect(&value, request)
}

/// `summarise`: also decode what the payload says for people (headline, fields, tables).
fn run(
    delivery: Option<(Request<'_>, DateTime<Utc>)>,
    body: &Bytes,
    forced: Option<Vendor>,
    summarise: bool,
) -> Inspection {
    let raw = body;
    let request = delivery.map(|(request, _)| request);
    let decode_headers = request.map_or(&[][..], |r| r.headers);
    let body = decode_body(decode_headers, body, BodyLimits::default());
    let json = read_json(&body, forced.is_some());
    let value = match &json {
        Json::Parsed(value) => Some(value),
        _ => None,
    };
    let facts = request.unwrap_or(Request::NONE);
    let vendor = forced.or_else(|| value.and_then(|value| vendor::detect(value, facts)));
    let kind = vendor
        .zip(value)
        .map(|(vendor, value)| vendor::kind(vendor, value, facts));
    let (decoded, mut findings) = match (vendor, value) {
        (Some(vendor), Some(value)) => (
            summarise.then(|| vendor::decode(vendor, value, facts)),
            validate::validate(vendor, value, request.map(|r| r.headers)),
        ),
        (Some(_), None) => (None, vec![not_json_finding(&json, &body)]),
        (None, _) => (None, Vec::new()),
    };
    if let (Some(vendor), Some((request, received_at))) = (vendor, delivery) {
        findings.extend(crate::vendor::user::signature_finding(
            vendor,
            request,
            raw,
            received_at,
        ));
    }
    Inspection {
        body,
        json,
        vendor,
        decoded,
        kind,
        findings,
    }
}

/// JSON bodies are parsed; anything else is left alone unless a vendor was forced, in
/// which case any text is given a chance (a fixture saved without a JSON type).
fn read_json(body: &DecodedBody, forced: bool) -> Json {
    let Some(text) = body.text.as_deref() else {
        return Json::NotJson;
    };
    if body.format != Format::Json && !forced {
        return Json::NotJson;
    }
    match serde_json::from_str(text) {
        Ok(value) => Json::Parsed(value),
        Err(error) => Json::Malformed(json_problem(text, error).to_string()),
    }
}

fn not_json_finding(json: &Json, body: &DecodedBody) -> Finding {
    let message = match json {
        Json::Malformed(message) => message.clone(),
        _ => format!(
            "not JSON: the body is {}",
            match body.format {
                Format::Empty => "empty".to_owned(),
                format => format!("{} content", format.label()),
            }
        ),
    };
    Finding::error("", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested_json(depth: usize) -> Bytes {
        Bytes::from(format!("{}1{}", "[".repeat(depth), "]".repeat(depth)))
    }

    const TOO_DEEP: &str = "valid JSON, but nested 10,000 levels deep; hookscope reads up to 127 \
                            levels, so it was not checked";

    #[test]
    fn json_deeper_than_serde_json_goes_is_not_called_invalid() {
        let deep = nested_json(10_000);
        let detected = inspect_file(&deep, None);
        assert_eq!(detected.body.format, Format::Json);
        assert!(
            matches!(&detected.json, Json::Malformed(message) if message == TOO_DEEP),
            "{:?}",
            detected.json
        );
        assert_eq!(detected.vendor, None);

        let forced = inspect_file(&deep, Some(Vendor::Octopus));
        let messages: Vec<&str> = forced.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, [TOO_DEEP]);
        assert_eq!(forced.valid(), Some(false));
    }

    #[test]
    fn broken_json_is_still_called_invalid_at_any_depth() {
        let broken = Bytes::from(format!("{}1,]{}", "[".repeat(500), "]".repeat(499)));
        let inspection = inspect_file(&broken, Some(Vendor::Octopus));
        let message = &inspection.findings[0].message;
        assert_eq!(
            message,
            "not valid JSON: expected value at line 1 column 503"
        );
        // Within serde_json's reach: its own message.
        let shallow = inspect_file(&Bytes::from_static(b"[1,]"), Some(Vendor::Octopus));
        assert!(
            shallow.findings[0]
                .message
                .starts_with("not valid JSON: trailing comma"),
            "{:?}",
            shallow.findings
        );
    }
}
