//! The response: its head read with httparse (interim 1xx answers skipped), and what the
//! client hands back.

use std::time::Duration;

use bytes::{Buf, Bytes};

use super::error::Failure;
use super::stream::Connection;
use crate::capture::Header;
use crate::units::format_bytes;

/// A head larger than this is not a web app answering.
const MAX_HEAD: usize = 64 * 1024;
const MAX_HEADERS: usize = 256;

/// What the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// `HTTP/1.1` or `HTTP/1.0`.
    pub version: String,
    pub status: u16,
    pub reason: String,
    /// In wire order, names in their original case.
    pub headers: Vec<Header>,
    /// De-chunked, and at most the client's `max_response_body` bytes.
    pub body: Bytes,
    /// The body's full (de-chunked) size, however much of it was kept.
    pub body_size: u64,
    /// From the start of the send to the end of the body.
    pub elapsed: Duration,
}

impl Response {
    /// Whether `body` holds less than the server sent.
    pub fn is_truncated(&self) -> bool {
        self.body_size > self.body.len() as u64
    }

    /// Values of every header with this name (case-insensitive), in wire order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_slice())
    }
}

/// A response's status line and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Head {
    pub(super) version: String,
    pub(super) status: u16,
    pub(super) reason: String,
    pub(super) headers: Vec<Header>,
}

/// Reads up to the final response's head, leaving what follows it in the buffer.
pub(super) async fn read_head(connection: &mut Connection) -> Result<Head, Failure> {
    // Bytes of an answer seen, interim ones included: after them a hang-up is no longer
    // "unanswered", and the request must not be sent again.
    let mut answered = false;
    loop {
        if let Some((head, length)) = parse_head(&connection.buffer)? {
            connection.buffer.advance(length);
            answered = true;
            // 100 Continue and friends come before the real answer; 101 is final.
            if (100..200).contains(&head.status) && head.status != 101 {
                continue;
            }
            return Ok(head);
        }
        answered |= !connection.buffer.is_empty();
        match connection.fill().await {
            Ok(0) if answered => return Err(Failure::CutShort),
            Ok(0) => return Err(Failure::Unanswered(None)),
            Ok(_) => {}
            Err(e) if answered => return Err(Failure::Io(e)),
            Err(e) => return Err(Failure::Unanswered(Some(e))),
        }
    }
}

/// The head at the start of `buffer` and its length, or `None` while it is incomplete.
pub(super) fn parse_head(buffer: &[u8]) -> Result<Option<(Head, usize)>, Failure> {
    if buffer.is_empty() {
        return Ok(None);
    }
    let too_large = || {
        Failure::Protocol(format!(
            "a response head over {}",
            format_bytes(MAX_HEAD as u64)
        ))
    };
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let length = match response.parse(buffer) {
        Ok(httparse::Status::Complete(length)) if length > MAX_HEAD => return Err(too_large()),
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) if buffer.len() > MAX_HEAD => return Err(too_large()),
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Failure::Protocol(format!(
                "more than {MAX_HEADERS} headers"
            )));
        }
        Err(e) => return Err(Failure::Protocol(format!("{e} in the response head"))),
    };
    let head = Head {
        version: format!("HTTP/1.{}", response.version.unwrap_or(1)),
        status: response.code.unwrap_or_default(),
        reason: response.reason.unwrap_or_default().to_owned(),
        headers: response
            .headers
            .iter()
            .map(|h| Header::new(h.name, h.value))
            .collect(),
    };
    Ok(Some((head, length)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn protocol_error(bytes: &[u8]) -> String {
        match parse_head(bytes) {
            Err(Failure::Protocol(detail)) => detail,
            other => panic!("expected a protocol error, got {other:?}"),
        }
    }

    #[test]
    fn a_complete_head_keeps_header_order_case_and_duplicates() {
        let bytes = b"HTTP/1.1 201 Created\r\nX-B: 1\r\nset-cookie: a\r\nSet-Cookie: b\r\n\r\nbody";
        let (head, length) = parse_head(bytes).unwrap().unwrap();
        assert_eq!(length, bytes.len() - 4);
        assert_eq!(
            (head.version.as_str(), head.status, head.reason.as_str()),
            ("HTTP/1.1", 201, "Created")
        );
        let names: Vec<_> = head.headers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["X-B", "set-cookie", "Set-Cookie"]);
    }

    #[test]
    fn an_incomplete_head_asks_for_more() {
        assert!(
            parse_head(b"HTTP/1.1 200 OK\r\nX-A: 1\r\n")
                .unwrap()
                .is_none()
        );
        assert!(parse_head(b"").unwrap().is_none());
    }

    #[test]
    fn oversized_heads_and_garbage_are_protocol_errors() {
        let mut huge = b"HTTP/1.1 200 OK\r\n".to_vec();
        let filler = format!("X-Filler: {}\r\n", "x".repeat(400));
        huge.extend(std::iter::repeat_n(filler.as_bytes(), 200).flatten());
        assert_eq!(protocol_error(&huge), "a response head over 64 KiB");
        let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
        many.extend(std::iter::repeat_n(b"X: 1\r\n", 300).flatten());
        many.extend_from_slice(b"\r\n");
        assert_eq!(protocol_error(&many), "more than 256 headers");
        assert!(protocol_error(b"SSH-2.0-OpenSSH_9.6\r\n").contains("response head"));
    }
}
