//! Captures for the store's tests.

use bytes::Bytes;
use chrono::DateTime;

use crate::capture::{Capture, Header};

/// A small JSON POST to `uri`, as the listener hands it over (not analysed).
pub fn capture(uri: &str) -> Capture {
    Capture {
        id: 0,
        received_at: DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap(),
        peer: "127.0.0.1:5000".into(),
        method: "POST".into(),
        uri: uri.into(),
        version: "HTTP/1.1".into(),
        headers: vec![Header::new("Content-Type", "application/json")],
        body: Bytes::from_static(b"{}"),
        response_status: 200,
        unauthenticated: false,
        verdict: None,
    }
}
