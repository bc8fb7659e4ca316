//! The capture model: one HTTP request exactly as hookscope received it.

use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::vendor::Vendor;

/// Identifier the store assigns; monotonic and never reused, even after deletes.
pub type CaptureId = i64;

/// One header line as it came on the wire: the name in its original case and the raw value bytes
/// (header values may legally carry bytes that are not UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: Vec<u8>,
}

impl Header {
    pub fn new(name: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }

    /// The value as text when it is valid UTF-8.
    pub fn value_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.value).ok()
    }
}

/// A captured request. `id` is 0 until the store has assigned one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    pub id: CaptureId,
    /// When the request head arrived, UTC with microsecond precision.
    pub received_at: DateTime<Utc>,
    /// The sender's socket address, e.g. `127.0.0.1:53422`.
    pub peer: String,
    pub method: String,
    /// The request target as sent: origin form (`/path?query`) or absolute form.
    pub uri: String,
    /// `HTTP/1.0`, `HTTP/1.1`, ...
    pub version: String,
    /// In wire order, duplicates kept.
    pub headers: Vec<Header>,
    /// The body exactly as received (still compressed if the sender compressed it).
    pub body: Bytes,
    /// The status hookscope answered with.
    pub response_status: u16,
    /// `--require-auth` was on and the request lacked the credentials: it was answered 401.
    pub unauthenticated: bool,
    /// What hookscope made of the payload (vendor, kind, findings counted); `None` until
    /// the store's analyser has looked at it.
    pub verdict: Option<Verdict>,
}

/// What hookscope concluded about a capture's payload, kept with it in the store so lists
/// and filters need not decode every body again.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Verdict {
    /// `None`: not a payload of a vendor hookscope knows (shown generically).
    pub vendor: Option<Vendor>,
    pub kind: Option<String>,
    pub errors: u32,
    pub warnings: u32,
    /// Identifies the event across deliveries (Octopus `Event.Id`).
    pub dedupe_key: Option<String>,
    /// The earlier capture with the same dedupe key; set by the store when inserting.
    pub duplicate_of: Option<CaptureId>,
}

impl Verdict {
    /// Whether the vendor payload has no error findings; `None` when nothing was validated.
    pub fn valid(&self) -> Option<bool> {
        self.vendor.map(|_| self.errors == 0)
    }
}

impl Capture {
    /// A request not stored yet (id 0, no verdict), received now from an unknown peer over
    /// HTTP/1.1 and answered 200; set the other fields as needed.
    pub fn new(
        method: impl Into<String>,
        uri: impl Into<String>,
        headers: Vec<Header>,
        body: impl Into<Bytes>,
    ) -> Self {
        Self {
            id: 0,
            received_at: truncate_to_micros(Utc::now()),
            peer: "0.0.0.0:0".into(),
            method: method.into(),
            uri: uri.into(),
            version: "HTTP/1.1".into(),
            headers,
            body: body.into(),
            response_status: 200,
            unauthenticated: false,
            verdict: None,
        }
    }

    /// The path part of the URI, without the query.
    pub fn path(&self) -> &str {
        split_uri(&self.uri).0
    }

    /// The raw query string (after `?`), if the URI has one.
    pub fn query(&self) -> Option<&str> {
        split_uri(&self.uri).1
    }

    pub fn size(&self) -> usize {
        self.body.len()
    }

    /// Values of every header with this name (case-insensitive), in wire order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_slice())
    }

    /// The first `Content-Type` header, as text.
    pub fn content_type(&self) -> Option<String> {
        self.header_values("content-type")
            .next()
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    pub fn summary(&self) -> CaptureSummary {
        let verdict = self.verdict.clone().unwrap_or_default();
        CaptureSummary {
            id: self.id,
            received_at: format_timestamp(self.received_at),
            method: self.method.clone(),
            path: self.path().to_owned(),
            query: self.query().map(str::to_owned),
            size: self.size() as u64,
            content_type: self.content_type(),
            peer: self.peer.clone(),
            vendor: verdict.vendor,
            valid: verdict.valid(),
            kind: verdict.kind,
            errors: verdict.errors,
            warnings: verdict.warnings,
            duplicate_of: verdict.duplicate_of,
            unauthenticated: self.unauthenticated,
            analysed: self.verdict.is_some(),
            forward: None,
        }
    }
}

/// The one-line record of a capture: what headless mode prints and `list --json` returns.
/// Field names are a contract for scripts; add fields, never rename them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CaptureSummary {
    pub id: CaptureId,
    pub received_at: String,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub size: u64,
    pub content_type: Option<String>,
    pub peer: String,
    // The fields below came with vendor decoding; archives written before it lack them
    // (and importing recomputes them anyway).
    /// `bitdrift`, `octopus`, `bugsplat`, `firefly`, a user vendor's id, or null for
    /// anything else.
    #[serde(default, deserialize_with = "crate::vendor::lenient")]
    pub vendor: Option<Vendor>,
    /// The vendor's event kind, e.g. `alert` or `DeploymentSucceeded`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Whether the payload matches its vendor's schema (no errors); null without a vendor.
    #[serde(default)]
    pub valid: Option<bool>,
    #[serde(default)]
    pub errors: u32,
    #[serde(default)]
    pub warnings: u32,
    /// The earlier capture this one repeats (e.g. an Octopus event delivered twice).
    #[serde(default)]
    pub duplicate_of: Option<CaptureId>,
    /// Refused for lacking the `--require-auth` credentials (answered 401, still captured).
    #[serde(default)]
    pub unauthenticated: bool,
    /// Whether the fields above are known yet (the analyser runs just behind the listener).
    #[serde(skip)]
    pub analysed: bool,
    /// The latest `--forward-to` outcome, for the interface's list.
    #[serde(skip)]
    pub forward: Option<crate::attempt::ForwardMark>,
}

impl CaptureSummary {
    pub fn apply(&mut self, verdict: &Verdict) {
        self.vendor = verdict.vendor;
        self.kind = verdict.kind.clone();
        self.valid = verdict.valid();
        self.errors = verdict.errors;
        self.warnings = verdict.warnings;
        self.duplicate_of = verdict.duplicate_of;
        self.analysed = true;
    }
}

/// Splits a request target into path and query. Absolute-form targets
/// (`http://host/path?q`) give their path; an empty path reads as `/`.
pub fn split_uri(uri: &str) -> (&str, Option<&str>) {
    let without_fragment = uri.split_once('#').map_or(uri, |(before, _)| before);
    let after_authority = match without_fragment.find("://") {
        Some(scheme_end) => {
            let rest = &without_fragment[scheme_end + 3..];
            match rest.find(['/', '?']) {
                Some(i) => &rest[i..],
                None => "",
            }
        }
        None => without_fragment,
    };
    let (path, query) = match after_authority.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (after_authority, None),
    };
    (if path.is_empty() { "/" } else { path }, query)
}

/// RFC 3339 in UTC with exactly six fractional digits, the one timestamp format hookscope prints.
pub fn format_timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Truncates to microseconds, the precision the store keeps.
pub fn truncate_to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_origin_form() {
        assert_eq!(split_uri("/hooks/a?x=1&y"), ("/hooks/a", Some("x=1&y")));
        assert_eq!(split_uri("/plain"), ("/plain", None));
        assert_eq!(split_uri("/empty?"), ("/empty", Some("")));
    }

    #[test]
    fn splits_absolute_form() {
        assert_eq!(split_uri("http://example.com/p?q=1"), ("/p", Some("q=1")));
        assert_eq!(split_uri("http://example.com"), ("/", None));
        assert_eq!(split_uri("http://example.com?q"), ("/", Some("q")));
    }

    #[test]
    fn asterisk_and_authority_forms_are_kept_as_path() {
        assert_eq!(split_uri("*"), ("*", None));
        assert_eq!(split_uri("example.com:443"), ("example.com:443", None));
    }

    #[test]
    fn timestamps_have_six_fraction_digits() {
        let at = DateTime::from_timestamp_micros(1_700_000_000_000_001).unwrap();
        assert_eq!(format_timestamp(at), "2023-11-14T22:13:20.000001Z");
    }

    #[test]
    fn content_type_is_case_insensitive_and_first_wins() {
        let capture = Capture {
            id: 1,
            received_at: Utc::now(),
            peer: "127.0.0.1:1".into(),
            method: "POST".into(),
            uri: "/".into(),
            version: "HTTP/1.1".into(),
            headers: vec![
                Header::new("CONTENT-TYPE", "application/json"),
                Header::new("content-type", "text/plain"),
            ],
            body: Bytes::new(),
            response_status: 200,
            unauthenticated: false,
            verdict: None,
        };
        assert_eq!(capture.content_type().as_deref(), Some("application/json"));
    }
}
