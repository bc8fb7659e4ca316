//! Reads a request body whole, within the size limit, giving up when it stops arriving:
//! hyper times out a head that never ends, but waits for a body forever.

use std::time::Duration;

use axum::body::Body;
use bytes::{Bytes, BytesMut};
use http::StatusCode;
use http_body_util::BodyExt;

use super::limits::short_duration;
use crate::units::group_digits;

/// Why a body was not read to its end. Nothing of it is stored.
#[derive(Debug)]
pub enum BodyError {
    /// Over `--max-body`; the handler says so with the limit.
    TooLarge,
    /// Nothing arrived for `idle`.
    Stalled {
        read: Progress,
        idle: Duration,
    },
    /// The sender shut its side (or closed) before the end.
    SenderClosed {
        read: Progress,
    },
    Unreadable {
        error: String,
    },
}

/// How much of a body arrived, of how much announced.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub received: u64,
    /// The Content-Length; `None` for a chunked body.
    pub expected: Option<u64>,
}

impl BodyError {
    pub fn status(&self) -> StatusCode {
        match self {
            BodyError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::Stalled { .. } => StatusCode::REQUEST_TIMEOUT,
            BodyError::SenderClosed { .. } | BodyError::Unreadable { .. } => {
                StatusCode::BAD_REQUEST
            }
        }
    }

    /// What happened, for the sender and the user (the handler words `TooLarge` itself).
    pub fn reason(&self) -> String {
        match self {
            BodyError::TooLarge => "the request body is too large".to_owned(),
            BodyError::Stalled { read, idle } => format!(
                "the body stopped arriving: {}, nothing for {}; nothing was stored",
                read.of_body(),
                short_duration(*idle)
            ),
            BodyError::SenderClosed { read } => format!(
                "the sender closed its side after {}; nothing was stored",
                read.of_body_bytes()
            ),
            BodyError::Unreadable { error } => {
                format!("the request body could not be read: {error}")
            }
        }
    }
}

impl Progress {
    /// `10 of 100 bytes`, `10 bytes of a chunked body`.
    fn of_body(self) -> String {
        let received = group_digits(self.received);
        match self.expected {
            Some(expected) => format!("{received} of {} bytes", group_digits(expected)),
            None => format!("{received} bytes of a chunked body"),
        }
    }

    /// `10 of 100 body bytes`, `10 bytes of a chunked body`.
    fn of_body_bytes(self) -> String {
        let received = group_digits(self.received);
        match self.expected {
            Some(expected) => format!("{received} of {} body bytes", group_digits(expected)),
            None => format!("{received} bytes of a chunked body"),
        }
    }
}

/// Collects `body`: at most `max` bytes, with no pause longer than `idle` between pieces.
pub async fn read_body(
    mut body: Body,
    max: usize,
    idle: Duration,
    expected: Option<u64>,
) -> Result<Bytes, BodyError> {
    let mut pieces: Vec<Bytes> = Vec::new();
    let mut received: u64 = 0;
    let pause = tokio::time::sleep(idle);
    tokio::pin!(pause);
    loop {
        let frame = tokio::select! {
            biased;
            frame = body.frame() => frame,
            () = &mut pause => {
                let read = Progress { received, expected };
                return Err(BodyError::Stalled { read, idle });
            }
        };
        match frame {
            None => break,
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    received += data.len() as u64;
                    if received > max as u64 {
                        return Err(BodyError::TooLarge);
                    }
                    if !data.is_empty() {
                        pieces.push(data);
                    }
                }
                pause.as_mut().reset(tokio::time::Instant::now() + idle);
            }
            Some(Err(error)) if closed_early(&error) => {
                let read = Progress { received, expected };
                return Err(BodyError::SenderClosed { read });
            }
            Some(Err(error)) => {
                return Err(BodyError::Unreadable {
                    error: error.to_string(),
                });
            }
        }
    }
    Ok(join(pieces, received))
}

/// hyper reports a body cut short by the end of the stream as an `UnexpectedEof` somewhere
/// down its chain of causes.
fn closed_early(error: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = cause {
        if let Some(io) = error.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::UnexpectedEof
        {
            return true;
        }
        if error
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_incomplete_message)
        {
            return true;
        }
        cause = error.source();
    }
    false
}

/// One piece as it is; several copied once into one buffer.
fn join(mut pieces: Vec<Bytes>, len: u64) -> Bytes {
    if pieces.len() <= 1 {
        return pieces.pop().unwrap_or_default();
    }
    let mut whole = BytesMut::with_capacity(usize::try_from(len).unwrap_or(0));
    for piece in pieces {
        whole.extend_from_slice(&piece);
    }
    whole.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_say_how_far_the_body_got() {
        let sized = Progress {
            received: 10,
            expected: Some(100),
        };
        let stalled = BodyError::Stalled {
            read: sized,
            idle: Duration::from_secs(30),
        };
        assert_eq!(
            stalled.reason(),
            "the body stopped arriving: 10 of 100 bytes, nothing for 30 s; nothing was stored"
        );
        assert_eq!(stalled.status(), StatusCode::REQUEST_TIMEOUT);
        let closed = BodyError::SenderClosed { read: sized };
        assert_eq!(
            closed.reason(),
            "the sender closed its side after 10 of 100 body bytes; nothing was stored"
        );
        let chunked = BodyError::SenderClosed {
            read: Progress {
                received: 12_345,
                expected: None,
            },
        };
        assert!(chunked.reason().contains("12,345 bytes of a chunked body"));
    }

    #[tokio::test]
    async fn several_pieces_become_one_body() {
        let stream = futures_util::stream::iter(
            ["ab", "", "cd"].map(|s| Ok::<_, std::io::Error>(Bytes::from(s))),
        );
        let body = Body::from_stream(stream);
        let read = read_body(body, 10, Duration::from_secs(1), None)
            .await
            .unwrap();
        assert_eq!(read, "abcd");
        let body = Body::from("too long");
        assert!(matches!(
            read_body(body, 3, Duration::from_secs(1), None).await,
            Err(BodyError::TooLarge)
        ));
    }
}
