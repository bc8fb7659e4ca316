//! What can go wrong when sending, in words a developer understands without a packet trace.

use std::io;
use std::time::Duration;

use crate::wire::UnsafeRequest;

/// Why a replay or forward got no usable answer. Every message names the host (and port)
/// so a message in the interface or a log line stands on its own.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("connection refused by {endpoint} (is your app running?)")]
    Refused { endpoint: String },
    #[error("no answer from {endpoint} within {}", spoken(timeout))]
    Timeout { endpoint: String, timeout: Duration },
    #[error("cannot resolve {host}")]
    Dns { host: String },
    #[error("TLS handshake with {host} failed: {detail}")]
    Tls { host: String, detail: String },
    #[error("{endpoint} closed the connection before answering")]
    Closed { endpoint: String },
    #[error("{endpoint} closed the connection in the middle of its answer")]
    CutShort { endpoint: String },
    #[error("{endpoint} sent something that is not an HTTP response: {detail}")]
    Protocol { endpoint: String, detail: String },
    #[error("talking to {endpoint} failed: {detail}")]
    Io { endpoint: String, detail: String },
    /// Refused before connecting: written as it is, the request would carry headers (or a
    /// second request) the capture never had.
    #[error("not sent to {endpoint}: {reason}, so it cannot be written as an HTTP request")]
    NotSent {
        endpoint: String,
        reason: UnsafeRequest,
    },
}

impl SendError {
    /// A short tag for logs, filters and counters.
    pub fn kind(&self) -> &'static str {
        match self {
            SendError::Refused { .. } => "refused",
            SendError::Timeout { .. } => "timeout",
            SendError::Dns { .. } => "dns",
            SendError::Tls { .. } => "tls",
            SendError::Closed { .. } | SendError::CutShort { .. } => "closed",
            SendError::Protocol { .. } => "protocol",
            SendError::Io { .. } => "io",
            SendError::NotSent { .. } => "unsafe",
        }
    }
}

/// `10 s`, `300 ms`, `1.5 s`.
fn spoken(duration: &Duration) -> String {
    if duration.subsec_millis() == 0 && duration.as_secs() > 0 {
        format!("{} s", duration.as_secs())
    } else if duration.as_secs() == 0 {
        format!("{} ms", duration.as_millis())
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}

/// A failure on an open connection, before the client knows which server it was.
#[derive(Debug)]
pub(super) enum Failure {
    /// Writing failed, or the server hung up before one byte of an answer. Nothing was
    /// answered, so on a reused connection it is most likely a stale one.
    Unanswered(Option<io::Error>),
    /// The server hung up after part of its answer.
    CutShort,
    /// The bytes are not an HTTP/1.x response.
    Protocol(String),
    Io(io::Error),
}

impl Failure {
    pub(super) fn into_send_error(self, endpoint: &str) -> SendError {
        let endpoint = endpoint.to_owned();
        match self {
            Failure::Unanswered(None) => SendError::Closed { endpoint },
            Failure::Unanswered(Some(e)) if is_hang_up(&e) => SendError::Closed { endpoint },
            Failure::CutShort => SendError::CutShort { endpoint },
            Failure::Protocol(detail) => SendError::Protocol { endpoint, detail },
            Failure::Unanswered(Some(e)) | Failure::Io(e) => SendError::Io {
                endpoint,
                detail: e.to_string(),
            },
        }
    }
}

fn is_hang_up(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::UnexpectedEof
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_server_and_say_what_happened() {
        let endpoint = "localhost:3000".to_owned();
        let refused = SendError::Refused {
            endpoint: endpoint.clone(),
        };
        assert_eq!(
            refused.to_string(),
            "connection refused by localhost:3000 (is your app running?)"
        );
        assert_eq!(refused.kind(), "refused");
        let timeout = |ms| SendError::Timeout {
            endpoint: endpoint.clone(),
            timeout: Duration::from_millis(ms),
        };
        assert_eq!(
            timeout(10_000).to_string(),
            "no answer from localhost:3000 within 10 s"
        );
        assert_eq!(
            timeout(300).to_string(),
            "no answer from localhost:3000 within 300 ms"
        );
        assert_eq!(
            timeout(1_500).to_string(),
            "no answer from localhost:3000 within 1.5 s"
        );
        let dns = SendError::Dns {
            host: "app.test".into(),
        };
        assert_eq!(dns.to_string(), "cannot resolve app.test");
        let not_sent = SendError::NotSent {
            endpoint,
            reason: UnsafeRequest::Target {
                target: r"/a\r\nX: y".into(),
                problem: "holds a line break",
            },
        };
        assert_eq!(
            not_sent.to_string(),
            r"not sent to localhost:3000: the request target `/a\r\nX: y` holds a line break, so it cannot be written as an HTTP request"
        );
        assert_eq!(not_sent.kind(), "unsafe");
    }

    #[test]
    fn a_hang_up_before_the_answer_is_a_closed_connection() {
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        let error = Failure::Unanswered(Some(reset)).into_send_error("h:1");
        assert_eq!(
            error.to_string(),
            "h:1 closed the connection before answering"
        );
        assert_eq!(error.kind(), "closed");
        let other = io::Error::other("disk on fire");
        assert_eq!(Failure::Io(other).into_send_error("h:1").kind(), "io");
    }
}
