//! A capture written back as an HTTP/1.1 request message (what `show --raw` prints and
//! what replay sends), and such a message read back after the user edited it.
//!
//! Nothing written to a socket trusts the store: the listener never stores a method that is
//! not a token or a target with a line break, but an import by an older build or a store
//! edited by hand can hold one, and written out as it is, a CR LF in the target or a header
//! value starts a header (or a whole request) the capture never had. [`write_head`] and
//! [`checked_request_bytes`] refuse such a request with an [`UnsafeRequest`] that says which
//! field and why; [`request_bytes`] writes it as it is, for showing (escaped) only.

use bytes::Bytes;

use crate::capture::{Capture, Header};
use crate::escape::visible_line;

/// Why a request cannot be written as an HTTP/1.1 message: a field holds bytes that would
/// end the request line or a header early. Quoted fields are escaped, so the message is
/// safe on a terminal and shows the byte at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnsafeRequest {
    #[error(
        "the method `{method}` is not an HTTP method (letters such as POST, no spaces or symbols)"
    )]
    Method { method: String },
    #[error("the request target `{target}` {problem}")]
    Target {
        target: String,
        problem: &'static str,
    },
    #[error("the header name `{name}` is not an HTTP header name (letters, digits and - only)")]
    HeaderName { name: String },
    #[error("the value of the header `{name}` holds {problem}")]
    HeaderValue { name: String, problem: &'static str },
}

/// Whether a request line of `method` and `target` and these headers can be written as they
/// are: the method and every header name an HTTP token, a target without blanks or
/// controls, header values without CR, LF or NUL.
pub fn check_head(method: &str, target: &str, headers: &[Header]) -> Result<(), UnsafeRequest> {
    if !is_token(method.as_bytes()) {
        return Err(UnsafeRequest::Method {
            method: quoted(method.as_bytes()),
        });
    }
    if let Some(problem) = target_problem(target.as_bytes()) {
        return Err(UnsafeRequest::Target {
            target: quoted(target.as_bytes()),
            problem,
        });
    }
    for header in headers {
        if !is_token(header.name.as_bytes()) {
            return Err(UnsafeRequest::HeaderName {
                name: quoted(header.name.as_bytes()),
            });
        }
        if let Some(problem) = value_problem(&header.value) {
            return Err(UnsafeRequest::HeaderValue {
                name: quoted(header.name.as_bytes()),
                problem,
            });
        }
    }
    Ok(())
}

/// What makes a request target unwritable, if anything: it must not be empty, and every
/// byte must be visible (RFC 9112 §3.2; bytes past ASCII are left to the receiver).
fn target_problem(target: &[u8]) -> Option<&'static str> {
    if target.is_empty() {
        return Some("is empty");
    }
    let worst = target
        .iter()
        .filter(|b| b.is_ascii_control() || **b == b' ')
        .min_by_key(|&&b| match b {
            b'\r' | b'\n' => 0,
            0 => 1,
            b' ' => 2,
            _ => 3,
        })?;
    Some(match worst {
        b'\r' | b'\n' => "holds a line break",
        0 => "holds a NUL byte",
        b' ' => "holds a space",
        _ => "holds a control character",
    })
}

/// What makes a header value unwritable, if anything (as the store's `check_header`).
fn value_problem(value: &[u8]) -> Option<&'static str> {
    if value.iter().any(|b| matches!(b, b'\r' | b'\n')) {
        Some("a line break")
    } else if value.contains(&0) {
        Some("a NUL byte")
    } else {
        None
    }
}

/// The version a request is written with: `HTTP/1.0` stays, everything else is written
/// `HTTP/1.1`. The message is HTTP/1.1 framing whatever the capture came over (an HTTP/2
/// capture too), and replay always sends 1.1, so no other version says anything true.
pub fn wire_version(version: &str) -> &'static str {
    if version == "HTTP/1.0" {
        "HTTP/1.0"
    } else {
        "HTTP/1.1"
    }
}

/// The request as it came on the wire, for anything that leaves hookscope as a request
/// (copied, saved, piped): refused when [`check_head`] refuses its head. Headers and body
/// are exact; a chunked body is sent again as one chunk (chunk boundaries are not kept),
/// which any HTTP/1.1 peer reads the same. The version is [`wire_version`]'s.
pub fn checked_request_bytes(capture: &Capture) -> Result<Vec<u8>, UnsafeRequest> {
    check_head(&capture.method, &capture.uri, &capture.headers)?;
    Ok(request_bytes(capture))
}

/// [`checked_request_bytes`] without the check, for showing a capture as a request whatever
/// its store holds: method, target and headers are written as stored, so the text of a
/// capture the check refuses must be escaped before it is shown, and is never sent.
pub fn request_bytes(capture: &Capture) -> Vec<u8> {
    let mut out = Vec::with_capacity(capture.body.len() + 512);
    write_head_unchecked(
        &mut out,
        &capture.method,
        &capture.uri,
        wire_version(&capture.version),
        &capture.headers,
    );
    if is_chunked(capture) {
        if !capture.body.is_empty() {
            out.extend_from_slice(format!("{:x}\r\n", capture.body.len()).as_bytes());
            out.extend_from_slice(&capture.body);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\n\r\n");
    } else {
        out.extend_from_slice(&capture.body);
    }
    out
}

/// The request line, the headers in the order given, and the empty line after them; nothing
/// is written when [`check_head`] refuses them. `version` is written as [`wire_version`]'s.
pub fn write_head(
    out: &mut Vec<u8>,
    method: &str,
    target: &str,
    version: &str,
    headers: &[Header],
) -> Result<(), UnsafeRequest> {
    check_head(method, target, headers)?;
    write_head_unchecked(out, method, target, wire_version(version), headers);
    Ok(())
}

/// [`write_head`] without the check: for text that is shown or edited, never sent as it is.
pub(crate) fn write_head_unchecked(
    out: &mut Vec<u8>,
    method: &str,
    target: &str,
    version: &str,
    headers: &[Header],
) {
    for part in [method, " ", target, " ", version, "\r\n"] {
        out.extend_from_slice(part.as_bytes());
    }
    for header in headers {
        out.extend_from_slice(header.name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(&header.value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
}

fn is_chunked(capture: &Capture) -> bool {
    capture
        .header_values("transfer-encoding")
        .filter_map(|v| std::str::from_utf8(v).ok())
        .flat_map(|v| v.split(','))
        .any(|coding| coding.trim().eq_ignore_ascii_case("chunked"))
}

/// A request message as the user wrote it in their editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRequest {
    pub method: String,
    pub target: String,
    /// `HTTP/1.0` or `HTTP/1.1`.
    pub version: String,
    /// In the order written, names in their original case.
    pub headers: Vec<Header>,
    /// Every byte after the first empty line, untouched.
    pub body: Bytes,
}

/// Why an edited request cannot be sent; each message says on which line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("the request is empty")]
    Empty,
    #[error("line 1: `{text}` is not a request line (write it as METHOD /path HTTP/1.1)")]
    RequestLine { text: String },
    #[error("line 1: the request target `{target}` contains a space (write it as %20)")]
    SpaceInTarget { target: String },
    #[error(
        "line 1: the request target `{target}` contains a control character (write it %-encoded, as %00 to %1F or %7F)"
    )]
    ControlInTarget { target: String },
    #[error("line 1: `{method}` is not a method (letters such as POST, no spaces or symbols)")]
    Method { method: String },
    #[error("line 1: `{version}` is not an HTTP version (write HTTP/1.1)")]
    Version { version: String },
    #[error("line {line}: `{text}` is not a header (write it as Name: value)")]
    NotAHeader { line: usize, text: String },
    #[error(
        "line {line}: `{name}` is not a header name (letters, digits and - only, nothing before the colon)"
    )]
    HeaderName { line: usize, name: String },
    #[error("line {line}: the value of `{name}` contains a carriage return")]
    CarriageReturn { line: usize, name: String },
    #[error(
        "line {line}: starts with a space, which continues the header above (obsolete line folding); put the whole value on the header's own line"
    )]
    Folding { line: usize },
}

/// Reads a request message: the request line, `Name: value` headers up to the first empty
/// line, and everything after it as the body. Lines may end in CRLF or LF (editors change
/// them); a head without an empty line is a request without a body.
pub fn parse_request(bytes: &[u8]) -> Result<ParsedRequest, WireError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(WireError::Empty);
    }
    let mut lines = Lines {
        rest: bytes,
        number: 0,
    };
    let (method, target, version) = parse_request_line(lines.next().unwrap_or_default())?;
    let mut headers = Vec::new();
    while let Some(line) = lines.next() {
        if line.is_empty() {
            break;
        }
        headers.push(parse_header(line, lines.number)?);
    }
    Ok(ParsedRequest {
        method,
        target,
        version,
        headers,
        body: Bytes::copy_from_slice(lines.rest),
    })
}

/// The head's lines without their line endings; `rest` is what follows the last one.
struct Lines<'a> {
    rest: &'a [u8],
    /// 1-based number of the line last returned.
    number: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let (line, rest) = match memchr::memchr(b'\n', self.rest) {
            Some(end) => (&self.rest[..end], &self.rest[end + 1..]),
            None => (self.rest, &[][..]),
        };
        self.rest = rest;
        self.number += 1;
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    }
}

fn parse_request_line(line: &[u8]) -> Result<(String, String, String), WireError> {
    let text = String::from_utf8_lossy(line);
    let parts: Vec<&str> = text.split_ascii_whitespace().collect();
    let (method, target, version) = match parts.as_slice() {
        [method, target, version] => (*method, *target, *version),
        [_, target @ .., version] if parts.len() > 3 && version.starts_with("HTTP/") => {
            return Err(WireError::SpaceInTarget {
                target: shown(&target.join(" ")),
            });
        }
        _ => return Err(WireError::RequestLine { text: shown(&text) }),
    };
    if !is_token(method.as_bytes()) {
        return Err(WireError::Method {
            method: shown(method),
        });
    }
    // Only the versions the request can be sent as (see `wire_version`).
    if !matches!(version, "HTTP/1.0" | "HTTP/1.1") {
        return Err(WireError::Version {
            version: shown(version),
        });
    }
    if target_problem(target.as_bytes()).is_some() {
        return Err(WireError::ControlInTarget {
            target: quoted(target.as_bytes()),
        });
    }
    Ok((method.to_owned(), target.to_owned(), version.to_owned()))
}

fn parse_header(line: &[u8], number: usize) -> Result<Header, WireError> {
    if line.first().is_some_and(|&b| b == b' ' || b == b'\t') {
        return Err(WireError::Folding { line: number });
    }
    let not_a_header = || WireError::NotAHeader {
        line: number,
        text: shown(&String::from_utf8_lossy(line)),
    };
    let colon = memchr::memchr(b':', line).ok_or_else(not_a_header)?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    if name.is_empty() {
        return Err(not_a_header());
    }
    if !is_token(name) {
        return Err(WireError::HeaderName {
            line: number,
            name: shown(&String::from_utf8_lossy(name)),
        });
    }
    // Token bytes are ASCII, so the name is text.
    let name = String::from_utf8_lossy(name).into_owned();
    let value = trim_blanks(value);
    if value.contains(&b'\r') {
        return Err(WireError::CarriageReturn { line: number, name });
    }
    Ok(Header::new(name, value))
}

/// Without the spaces and tabs around it (RFC 9112 optional whitespace).
fn trim_blanks(mut value: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = value {
        value = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = value {
        value = rest;
    }
    value
}

/// RFC 9110 `token`: what methods and header names are made of.
fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Bytes from a request quoted in a message: escaped (a line break shows as `\r\n`, so the
/// message stays on its line and says which byte is at fault), and cut short like [`shown`].
fn quoted(bytes: &[u8]) -> String {
    shown(&visible_line(bytes))
}

/// A piece of the user's text short enough to quote in a message.
fn shown(text: &str) -> String {
    const MAX: usize = 60;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(headers: Vec<Header>, body: &'static [u8]) -> Capture {
        Capture {
            id: 1,
            received_at: chrono::Utc::now(),
            peer: "127.0.0.1:1".into(),
            method: "PATCH".into(),
            uri: "/a?b".into(),
            version: "HTTP/1.1".into(),
            headers,
            body: Bytes::from_static(body),
            response_status: 200,
            unauthenticated: false,
            verdict: None,
        }
    }

    #[test]
    fn writes_request_line_headers_and_body() {
        let c = capture(vec![Header::new("Content-Length", "2")], b"hi");
        assert_eq!(
            request_bytes(&c),
            b"PATCH /a?b HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi"
        );
    }

    #[test]
    fn rechunks_a_chunked_body() {
        let c = capture(vec![Header::new("Transfer-Encoding", "chunked")], b"hello");
        assert!(request_bytes(&c).ends_with(b"\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
    }

    fn parse_error(text: &str) -> String {
        parse_request(text.as_bytes()).unwrap_err().to_string()
    }

    #[test]
    fn parses_a_request_with_crlf_or_lf_line_endings() {
        for text in [
            "POST /in?a=1 HTTP/1.1\r\nX-GitHub-Event: push\r\ncontent-type:  text/plain \r\n\r\nbody\r\n",
            "POST /in?a=1 HTTP/1.1\nX-GitHub-Event: push\ncontent-type:  text/plain \n\nbody\r\n",
        ] {
            let parsed = parse_request(text.as_bytes()).unwrap();
            assert_eq!(
                (parsed.method.as_str(), parsed.target.as_str()),
                ("POST", "/in?a=1")
            );
            assert_eq!(parsed.version, "HTTP/1.1");
            assert_eq!(
                parsed.headers,
                [
                    Header::new("X-GitHub-Event", "push"),
                    Header::new("content-type", "text/plain")
                ]
            );
            assert_eq!(parsed.body, Bytes::from_static(b"body\r\n"));
        }
    }

    #[test]
    fn a_head_without_an_empty_line_has_no_body() {
        let parsed = parse_request(b"GET / HTTP/1.0\nAccept: */*").unwrap();
        assert_eq!(parsed.headers, [Header::new("Accept", "*/*")]);
        assert!(parsed.body.is_empty());
        assert!(
            parse_request(b"DELETE /x HTTP/1.1")
                .unwrap()
                .headers
                .is_empty()
        );
    }

    #[test]
    fn the_body_is_every_byte_after_the_first_empty_line() {
        let parsed = parse_request(b"PUT / HTTP/1.1\n\n\nNot: a header\r\n\r\n\x00\xff").unwrap();
        assert!(parsed.headers.is_empty());
        assert_eq!(&parsed.body[..], b"\nNot: a header\r\n\r\n\x00\xff");
    }

    #[test]
    fn header_values_may_hold_any_byte_but_line_breaks() {
        let parsed =
            parse_request(b"POST / HTTP/1.1\r\nX-Raw: caf\xe9\x01 ok\r\nX-Empty:\r\n\r\n").unwrap();
        assert_eq!(
            parsed.headers,
            [
                Header::new("X-Raw", &b"caf\xe9\x01 ok"[..]),
                Header::new("X-Empty", "")
            ]
        );
        assert_eq!(
            parse_error("POST / HTTP/1.1\nX-Bad: a\rb\n"),
            "line 2: the value of `X-Bad` contains a carriage return"
        );
    }

    #[test]
    fn an_empty_text_is_an_error() {
        assert_eq!(parse_error(""), "the request is empty");
        assert_eq!(parse_error(" \n\r\n"), "the request is empty");
    }

    #[test]
    fn a_bad_request_line_says_how_to_write_one() {
        assert_eq!(
            parse_error("hello\n"),
            "line 1: `hello` is not a request line (write it as METHOD /path HTTP/1.1)"
        );
        assert_eq!(
            parse_error("\nGET / HTTP/1.1\n"),
            "line 1: `` is not a request line (write it as METHOD /path HTTP/1.1)"
        );
        assert_eq!(
            parse_error("GET /my file HTTP/1.1\n"),
            "line 1: the request target `/my file` contains a space (write it as %20)"
        );
        assert_eq!(
            parse_error("P(ST / HTTP/1.1\n"),
            "line 1: `P(ST` is not a method (letters such as POST, no spaces or symbols)"
        );
        assert_eq!(
            parse_error("GET / HTTP/2\n"),
            "line 1: `HTTP/2` is not an HTTP version (write HTTP/1.1)"
        );
        assert_eq!(
            parse_error("GET / http/1.1\n"),
            "line 1: `http/1.1` is not an HTTP version (write HTTP/1.1)"
        );
        // Only the versions a request is sent as.
        assert_eq!(
            parse_error("GET / HTTP/1.2\n"),
            "line 1: `HTTP/1.2` is not an HTTP version (write HTTP/1.1)"
        );
        assert_eq!(
            parse_error("GET /a\x00b\x7f HTTP/1.1\n"),
            "line 1: the request target `/a\\x00b\\x7f` contains a control character (write it %-encoded, as %00 to %1F or %7F)"
        );
    }

    #[test]
    fn a_head_that_would_add_lines_of_its_own_is_not_written() {
        let headers = [Header::new("X-A", "1")];
        let refused = |method: &str, target: &str, headers: &[Header]| {
            let mut out = b"kept".to_vec();
            let error = write_head(&mut out, method, target, "HTTP/1.1", headers).unwrap_err();
            assert_eq!(out, b"kept", "{error}");
            error.to_string()
        };
        assert_eq!(
            refused("POST\r\nX: y", "/", &headers),
            "the method `POST\\r\\nX: y` is not an HTTP method (letters such as POST, no spaces or symbols)"
        );
        assert_eq!(
            refused("POST", "/a\nX: y", &headers),
            "the request target `/a\\nX: y` holds a line break"
        );
        assert_eq!(
            refused("POST", "/a\x00", &headers),
            "the request target `/a\\x00` holds a NUL byte"
        );
        assert_eq!(
            refused("POST", "/a\tb", &headers),
            "the request target `/a\\tb` holds a control character"
        );
        assert_eq!(
            refused("POST", "", &headers),
            "the request target `` is empty"
        );
        assert_eq!(
            refused("POST", "/", &[Header::new("X A", "1")]),
            "the header name `X A` is not an HTTP header name (letters, digits and - only)"
        );
        assert_eq!(
            refused("POST", "/", &[Header::new("X-A", "1\r2")]),
            "the value of the header `X-A` holds a line break"
        );
        assert_eq!(
            refused("POST", "/", &[Header::new("X-A", &b"1\x002"[..])]),
            "the value of the header `X-A` holds a NUL byte"
        );
        let mut out = Vec::new();
        write_head(&mut out, "POST", "/a?b", "HTTP/1.1\r\nX: y", &headers).unwrap();
        assert_eq!(out, b"POST /a?b HTTP/1.1\r\nX-A: 1\r\n\r\n");
    }

    #[test]
    fn only_http_1_0_keeps_its_version() {
        for (version, written) in [
            ("HTTP/1.0", "HTTP/1.0"),
            ("HTTP/1.1", "HTTP/1.1"),
            ("HTTP/2.0", "HTTP/1.1"),
            ("HTTP/1.2", "HTTP/1.1"),
            ("HTTP/1.0\r\nX: y", "HTTP/1.1"),
            ("", "HTTP/1.1"),
        ] {
            assert_eq!(wire_version(version), written, "{version:?}");
        }
    }

    #[test]
    fn a_bad_header_line_names_its_line() {
        assert_eq!(
            parse_error("POST / HTTP/1.1\r\nHost: a\r\nFoo\r\n\r\n"),
            "line 3: `Foo` is not a header (write it as Name: value)"
        );
        assert_eq!(
            parse_error("POST / HTTP/1.1\n: x\n"),
            "line 2: `: x` is not a header (write it as Name: value)"
        );
        assert_eq!(
            parse_error("POST / HTTP/1.1\nX Y: 1\n"),
            "line 2: `X Y` is not a header name (letters, digits and - only, nothing before the colon)"
        );
        assert_eq!(
            parse_error("POST / HTTP/1.1\nX-A: 1\n  continued\n"),
            "line 3: starts with a space, which continues the header above (obsolete line folding); put the whole value on the header's own line"
        );
    }

    #[test]
    fn long_lines_are_shortened_in_messages() {
        let message = parse_error(&format!("{}\n", "x".repeat(200)));
        assert!(
            message.contains(&format!("`{}…`", "x".repeat(60))),
            "{message}"
        );
    }

    fn token() -> impl proptest::strategy::Strategy<Value = String> {
        "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}"
    }

    proptest::proptest! {
        #[test]
        fn written_requests_read_back_the_same(
            method in token(),
            uri in "/[!-~]{0,30}",
            headers in proptest::collection::vec(
                (token(), proptest::collection::vec(proptest::prelude::any::<u8>(), 0..20)),
                0..8,
            ),
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
        ) {
            let headers: Vec<Header> = headers
                .into_iter()
                .filter(|(name, _)| !name.eq_ignore_ascii_case("transfer-encoding"))
                .map(|(name, value)| {
                    // Values as they can be written: no line breaks, no surrounding blanks.
                    let value: Vec<u8> = value.into_iter().filter(|b| !b"\r\n".contains(b)).collect();
                    Header::new(name, trim_blanks(&value).to_vec())
                })
                .collect();
            let capture = Capture::new(method, uri, headers, body);
            let parsed = parse_request(&request_bytes(&capture)).unwrap();
            proptest::prop_assert_eq!(&parsed.method, &capture.method);
            proptest::prop_assert_eq!(&parsed.target, &capture.uri);
            proptest::prop_assert_eq!(&parsed.headers, &capture.headers);
            proptest::prop_assert_eq!(&parsed.body, &capture.body);
        }
    }
}
