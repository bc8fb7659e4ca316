//! The request replay and forwarding send: the capture exactly as it arrived (method,
//! header names in their original case, wire order, duplicates, the raw body bytes, a gzip
//! body still gzipped), with only what the hop to a new server needs changed: hop-by-hop
//! headers dropped, `Host` set for the target, `Content-Length` set to the body's length.

use bytes::Bytes;

use super::Target;
use crate::capture::{Capture, Header};
use crate::wire::UnsafeRequest;

/// Headers that describe one connection, not the request (RFC 9110 §7.6.1), plus the
/// length headers the new hop sets itself.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
];

pub fn is_hop_by_hop(name: &str) -> bool {
    HOP_BY_HOP.iter().any(|h| name.eq_ignore_ascii_case(h))
        || name
            .get(..6)
            .is_some_and(|p| p.eq_ignore_ascii_case("proxy-"))
}

/// An HTTP/1.1 request ready to write to a socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingRequest {
    pub method: String,
    /// Path and query, as it goes on the request line.
    pub target: String,
    /// In the order they are written, `Host` and `Content-Length` included.
    pub headers: Vec<Header>,
    pub body: Bytes,
}

impl OutgoingRequest {
    /// The capture as it goes to `target`.
    pub fn for_capture(capture: &Capture, target: &Target) -> Self {
        Self::prepare(
            &capture.method,
            target.request_target(&capture.uri),
            &capture.headers,
            capture.body.clone(),
            Some(&target.host_header()),
        )
    }

    /// A request the user edited: its own request target and `Host` are kept (a missing
    /// `Host` gets the target's), `Content-Length` follows the edited body.
    pub fn edited(
        method: &str,
        request_target: String,
        headers: &[Header],
        body: Bytes,
        target: &Target,
    ) -> Self {
        let has_host = headers.iter().any(|h| h.name.eq_ignore_ascii_case("host"));
        let host = (!has_host).then(|| target.host_header());
        Self::prepare(method, request_target, headers, body, host.as_deref())
    }

    /// Drops hop-by-hop and length headers, puts `Host` where the original had it (or
    /// first) when `host` is given, and `Content-Length` where the original had a length
    /// header (or last).
    fn prepare(
        method: &str,
        target: String,
        original: &[Header],
        body: Bytes,
        host: Option<&str>,
    ) -> Self {
        let mut headers = Vec::with_capacity(original.len() + 2);
        let mut host_placed = host.is_none();
        let mut length_placed = false;
        let length = || Header::new("Content-Length", body.len().to_string());
        for header in original {
            let name = header.name.as_str();
            if name.eq_ignore_ascii_case("host") {
                match host {
                    Some(host) if !host_placed => headers.push(Header::new(&header.name, host)),
                    Some(_) => {}
                    None => headers.push(header.clone()),
                }
                host_placed = true;
            } else if name.eq_ignore_ascii_case("content-length")
                || name.eq_ignore_ascii_case("transfer-encoding")
            {
                if !length_placed {
                    headers.push(length());
                    length_placed = true;
                }
            } else if !is_hop_by_hop(name) {
                headers.push(header.clone());
            }
        }
        if let (false, Some(host)) = (host_placed, host) {
            headers.insert(0, Header::new("Host", host));
        }
        // A body-less GET that came without a length goes out without one too.
        if !length_placed && (!body.is_empty() || method_expects_body(method)) {
            headers.push(length());
        }
        Self {
            method: method.to_owned(),
            target,
            headers,
            body,
        }
    }

    /// Whether the request can be written as it is: a capture from a store edited by hand
    /// (or imported by an older build) may hold a method, target or header that would add
    /// headers of its own on the wire. [`crate::replay::Client::send`] refuses those.
    pub fn check(&self) -> Result<(), UnsafeRequest> {
        crate::wire::check_head(&self.method, &self.target, &self.headers)
    }

    /// The bytes written to the socket, unless [`Self::check`] refuses the request.
    pub fn wire_bytes(&self) -> Result<Vec<u8>, UnsafeRequest> {
        self.check()?;
        Ok(self.to_bytes())
    }

    /// The request as text, for showing or editing it: what [`Self::wire_bytes`] writes
    /// when the check passes, and the fields as they are when it does not (escape that text
    /// before showing it; it is never sent as it is).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.len() + 64 * (self.headers.len() + 1));
        crate::wire::write_head_unchecked(
            &mut out,
            &self.method,
            &self.target,
            "HTTP/1.1",
            &self.headers,
        );
        out.extend_from_slice(&self.body);
        out
    }
}

fn method_expects_body(method: &str) -> bool {
    ["POST", "PUT", "PATCH"]
        .iter()
        .any(|m| method.eq_ignore_ascii_case(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(headers: Vec<Header>, body: &'static [u8]) -> Capture {
        Capture::new("POST", "/hooks/a?x=1", headers, Bytes::from_static(body))
    }

    fn names(request: &OutgoingRequest) -> Vec<(&str, &str)> {
        request
            .headers
            .iter()
            .map(|h| (h.name.as_str(), h.value_str().unwrap()))
            .collect()
    }

    #[test]
    fn keeps_case_order_and_duplicates_and_sets_host_and_length() {
        let c = capture(
            vec![
                Header::new("HOST", "127.0.0.1:9876"),
                Header::new("X-Dup", "1"),
                Header::new("content-type", "application/json"),
                Header::new("Connection", "keep-alive"),
                Header::new("Transfer-Encoding", "chunked"),
                Header::new("X-Dup", "2"),
            ],
            b"{}",
        );
        let target = Target::parse("http://localhost:3000").unwrap();
        let request = OutgoingRequest::for_capture(&c, &target);
        assert_eq!(
            names(&request),
            [
                ("HOST", "localhost:3000"),
                ("X-Dup", "1"),
                ("content-type", "application/json"),
                ("Content-Length", "2"),
                ("X-Dup", "2"),
            ]
        );
        assert_eq!(request.target, "/hooks/a?x=1");
        assert!(
            request
                .to_bytes()
                .starts_with(b"POST /hooks/a?x=1 HTTP/1.1\r\nHOST: localhost:3000\r\n")
        );
        assert!(request.to_bytes().ends_with(b"\r\n\r\n{}"));
    }

    #[test]
    fn a_request_without_host_gets_one_first_and_a_length_last() {
        let c = capture(vec![Header::new("X-A", "1")], b"abc");
        let request = OutgoingRequest::for_capture(&c, &Target::parse("http://h:1/in").unwrap());
        assert_eq!(
            names(&request),
            [("Host", "h:1"), ("X-A", "1"), ("Content-Length", "3")]
        );
        assert_eq!(request.target, "/in?x=1");
    }

    #[test]
    fn hop_by_hop_headers_are_recognised_in_any_case() {
        for name in [
            "Keep-Alive",
            "TE",
            "trailer",
            "UPGRADE",
            "Proxy-Authorization",
            "proxy-foo",
        ] {
            assert!(is_hop_by_hop(name), "{name}");
        }
        for name in ["Authorization", "X-Proxy", "Content-Type"] {
            assert!(!is_hop_by_hop(name), "{name}");
        }
    }

    #[test]
    fn an_edited_request_keeps_its_own_host_and_gets_a_fixed_length() {
        let target = Target::parse("http://localhost:3000").unwrap();
        let headers = [
            Header::new("Host", "example.test"),
            Header::new("Content-Length", "99"),
        ];
        let request = OutgoingRequest::edited(
            "PUT",
            "/edited".into(),
            &headers,
            Bytes::from_static(b"12345"),
            &target,
        );
        assert_eq!(
            names(&request),
            [("Host", "example.test"), ("Content-Length", "5")]
        );
    }
}
