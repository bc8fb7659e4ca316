//! Attempts: every replay and forward of a capture, with what was sent and what came back.
//! Stored with the capture they belong to and deleted with it.

use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::capture::{CaptureId, Header};

pub type AttemptId = i64;

/// Responses are stored up to this size by default (the full size is kept beside).
pub const DEFAULT_RESPONSE_CAP: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AttemptKind {
    /// Sent by the user: `r` in the interface, `hookscope replay`.
    Replay,
    /// Sent as the webhook arrived, by `--forward-to`.
    Forward,
}

impl AttemptKind {
    pub fn id(self) -> &'static str {
        match self {
            AttemptKind::Replay => "replay",
            AttemptKind::Forward => "forward",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        match id {
            "replay" => Some(AttemptKind::Replay),
            "forward" => Some(AttemptKind::Forward),
            _ => None,
        }
    }
}

/// What the target answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptResponse {
    pub status: u16,
    pub reason: String,
    /// Wire order, original case.
    pub headers: Vec<Header>,
    /// At most the response cap.
    pub body: Bytes,
    /// The whole body's size, as received.
    pub body_size: u64,
}

/// One replay or forward.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// 0 until stored.
    pub id: AttemptId,
    pub capture_id: CaptureId,
    pub kind: AttemptKind,
    /// The URL it went to.
    pub target: String,
    /// The request exactly as written to the socket; empty when it was never sent.
    pub request: Bytes,
    pub started_at: DateTime<Utc>,
    /// Until the response was read, or the attempt failed.
    pub elapsed: Duration,
    pub response: Option<AttemptResponse>,
    /// Why there is no response: refused, timed out, not sent at all.
    pub error: Option<String>,
}

impl Attempt {
    pub fn brief(&self) -> AttemptBrief {
        AttemptBrief {
            id: self.id,
            capture_id: self.capture_id,
            kind: self.kind,
            status: self.response.as_ref().map(|r| r.status),
        }
    }
}

/// What the list shows of a capture's latest forward, and what store events carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptBrief {
    pub id: AttemptId,
    pub capture_id: CaptureId,
    pub kind: AttemptKind,
    /// `None`: no response (failed, or not sent).
    pub status: Option<u16>,
}

/// A capture's latest forward, as the list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardMark {
    /// The app answered with this status.
    Answered(u16),
    /// No answer: refused, timed out, or not sent at all.
    Failed,
}

impl ForwardMark {
    /// As stored in a summary row: the status, or -1 for no answer.
    pub fn from_column(value: i64) -> Self {
        match u16::try_from(value) {
            Ok(status) if status > 0 => ForwardMark::Answered(status),
            _ => ForwardMark::Failed,
        }
    }
}
