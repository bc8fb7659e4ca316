//! Checks a request head against the listener's limits as its bytes arrive, before hyper
//! parses it. hyper enforces the same limits, but answers a bare 431 (or nothing at all, to
//! an HTTP/2 preface) that says nothing of which limit; refusing first lets hookscope answer
//! with a body that says what was hit and how to raise it.

use http::StatusCode;

use super::limits::{DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_HEADERS, MAX_TARGET_BYTES};
use crate::units::group_digits;

/// How an HTTP/2 client that assumes HTTP/2 without asking ("prior knowledge") starts.
const H2_PREFACE_START: &[u8] = b"PRI * HTTP/2";
/// Headers parsed on the stack; more take a heap allocation per head.
const STACK_SLOTS: usize = 128;
/// A request target longer than this is cut short when it is named in a message.
const SHOWN_TARGET_CHARS: usize = 200;

/// The limits a head is checked against.
#[derive(Debug, Clone, Copy)]
pub struct HeadLimits {
    pub max_headers: usize,
    pub max_header_bytes: usize,
}

impl Default for HeadLimits {
    fn default() -> Self {
        Self {
            max_headers: DEFAULT_MAX_HEADERS,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
        }
    }
}

/// A request hookscope answers itself, before hyper sees all of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    /// `METHOD target`, when the request line was complete.
    pub request: Option<String>,
    /// What was wrong, said to the sender in the answer and to the user.
    pub reason: String,
}

impl Refusal {
    /// The whole answer as it goes on the wire; the connection closes after it.
    pub fn answer(&self) -> Vec<u8> {
        super::error_reply::raw_response(self.status, &self.reason)
    }
}

/// The HTTP/2 prior-knowledge preface at the start of a connection: hyper would close it
/// without a word; the client gets an HTTP/1.1 answer it can show instead.
pub fn h2_preface(first_bytes: &[u8]) -> Option<Refusal> {
    first_bytes.starts_with(H2_PREFACE_START).then(|| Refusal {
        status: StatusCode::HTTP_VERSION_NOT_SUPPORTED,
        request: None,
        reason: "the connection opened with the HTTP/2 prior-knowledge preface (PRI * HTTP/2.0), \
            but hookscope speaks HTTP/1.1 only; send HTTP/1.1 (with curl, leave out \
            --http2-prior-knowledge)"
            .to_owned(),
    })
}

/// Whether a head, as parsed so far from `len` bytes, breaks a limit. Anything else wrong
/// with it is left to hyper, which answers 400.
pub fn refusal(
    len: usize,
    parsed: &Result<httparse::Status<usize>, httparse::Error>,
    request: &httparse::Request<'_, '_>,
    limits: HeadLimits,
) -> Option<Refusal> {
    let refuse = |status, reason| {
        Some(Refusal {
            status,
            request: request_line(request),
            reason,
        })
    };
    let too_large = || {
        refuse(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!(
                "the request head is larger than {} bytes (raise it with --max-header-bytes)",
                group_digits(limits.max_header_bytes as u64)
            ),
        )
    };
    if request
        .path
        .is_some_and(|target| target.len() > MAX_TARGET_BYTES)
    {
        return refuse(
            StatusCode::URI_TOO_LONG,
            format!(
                "the request target is longer than {} bytes, the most hookscope reads",
                group_digits(MAX_TARGET_BYTES as u64)
            ),
        );
    }
    match parsed {
        // The same tests as hyper's: a complete head over the limit, or an incomplete one
        // that already fills it.
        Ok(httparse::Status::Complete(head_len)) if *head_len > limits.max_header_bytes => {
            too_large()
        }
        Ok(httparse::Status::Partial) if len >= limits.max_header_bytes => too_large(),
        Err(httparse::Error::TooManyHeaders) => refuse(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!(
                "more than {} headers (raise the limit with --max-headers)",
                group_digits(limits.max_headers as u64)
            ),
        ),
        _ => None,
    }
}

/// Runs `parse` with room for `count` headers: on the stack for the usual limits.
pub fn with_header_slots<'b, R>(
    count: usize,
    parse: impl FnOnce(&mut [httparse::Header<'b>]) -> R,
) -> R {
    if count <= STACK_SLOTS {
        let mut slots = [httparse::EMPTY_HEADER; STACK_SLOTS];
        parse(&mut slots[..count])
    } else {
        let mut slots = vec![httparse::EMPTY_HEADER; count];
        parse(&mut slots)
    }
}

fn request_line(request: &httparse::Request<'_, '_>) -> Option<String> {
    let (method, target) = (request.method?, request.path?);
    let shown: String = target.chars().take(SHOWN_TARGET_CHARS).collect();
    let more = if shown.len() < target.len() {
        "…"
    } else {
        ""
    };
    Some(format!("{method} {shown}{more}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8], limits: HeadLimits) -> Option<Refusal> {
        with_header_slots(limits.max_headers, |slots| {
            let mut request = httparse::Request::new(slots);
            let parsed = request.parse(bytes);
            refusal(bytes.len(), &parsed, &request, limits)
        })
    }

    fn head_with(headers: usize) -> Vec<u8> {
        let mut head = b"GET /many HTTP/1.1\r\n".to_vec();
        for n in 0..headers {
            head.extend_from_slice(format!("X-{n}: v\r\n").as_bytes());
        }
        head.extend_from_slice(b"\r\n");
        head
    }

    #[test]
    fn one_header_too_many_names_the_count_limit() {
        let limits = HeadLimits::default();
        assert_eq!(check(&head_with(100), limits), None);
        let refusal = check(&head_with(101), limits).unwrap();
        assert_eq!(refusal.status, 431);
        assert_eq!(
            refusal.reason,
            "more than 100 headers (raise the limit with --max-headers)"
        );
        assert_eq!(refusal.request.as_deref(), Some("GET /many"));
        // Known before the head is complete.
        let partial = head_with(101);
        assert!(check(&partial[..partial.len() - 2], limits).is_some());
    }

    #[test]
    fn a_head_over_the_size_names_the_byte_limit() {
        let limits = HeadLimits {
            max_headers: 100,
            max_header_bytes: 1000,
        };
        let mut head = b"POST /big HTTP/1.1\r\nX-Pad: ".to_vec();
        head.extend(std::iter::repeat_n(b'a', 1000));
        assert_eq!(
            check(&head[..999], limits),
            None,
            "not yet at the limit, not complete"
        );
        let refusal = check(&head[..1000], limits).unwrap();
        assert_eq!(
            refusal.reason,
            "the request head is larger than 1,000 bytes (raise it with --max-header-bytes)"
        );
        let exact = [
            b"GET / HTTP/1.1\r\nX: ".as_slice(),
            &[b'b'; 977],
            b"\r\n\r\n",
        ]
        .concat();
        assert_eq!(exact.len(), 1000);
        assert_eq!(
            check(&exact, limits),
            None,
            "a head of exactly the limit is fine"
        );
    }

    #[test]
    fn only_the_h2_preface_is_taken_for_http2() {
        assert!(h2_preface(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").is_some());
        assert!(h2_preface(b"PRI /path HTTP/1.1\r\n").is_none());
        assert!(h2_preface(b"POST / HTTP/1.1\r\n").is_none());
    }

    #[test]
    fn other_mistakes_are_left_to_hyper() {
        assert_eq!(
            check(b"\x16\x03\x01garbage\r\n\r\n", HeadLimits::default()),
            None
        );
    }
}
