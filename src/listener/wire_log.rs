//! Recovers each request head exactly as it came on the wire, and checks it against the
//! listener's limits as it arrives.
//!
//! hyper hands the handler a `HeaderMap`, which lowercases names and groups duplicates by name,
//! losing the order between different names. So every connection's socket is wrapped in a
//! [`RecordingStream`](super::stream::RecordingStream) that keeps the bytes hyper reads; the
//! handler re-parses the head from them with `httparse` (names in their original case, wire
//! order, raw values) and, once the body is read, drops that request's bytes so the next
//! request on the connection starts at the front. Whenever the bytes cannot be matched to a
//! request with certainty, the log stops recording and the handler falls back to hyper's view
//! of the headers.
//!
//! Since the front of the log is the head hyper is about to parse, it is also where a head
//! that breaks a limit is caught first (see [`head_check`](super::head_check)).

use std::sync::{Mutex, MutexGuard};

use super::head_check::{self, HeadLimits, Refusal, with_header_slots};
use crate::capture::Header;

#[derive(Default)]
pub struct WireLog {
    state: Mutex<LogState>,
    limits: HeadLimits,
}

#[derive(Default)]
struct LogState {
    bytes: Vec<u8>,
    /// Set once the log cannot be trusted to line up with requests; it then stays empty.
    given_up: bool,
    /// Whether a request has been read to its end on this connection (an HTTP/2 preface can
    /// only come first).
    finished_any: bool,
    front: Front,
    /// The head that broke a limit, once it is refused; the connection then ends.
    refusal: Option<Refusal>,
}

/// What is known of the head at the front of the log.
#[derive(Default)]
enum Front {
    /// Not complete yet, so not checked in full.
    #[default]
    Unchecked,
    /// Complete and within the limits; parsed, unless the handler has taken it.
    Checked(Option<(String, WireHead)>),
}

/// A request head as parsed from the wire bytes.
#[derive(Debug)]
pub struct WireHead {
    pub target: String,
    pub headers: Vec<Header>,
    head_len: usize,
    framing: Framing,
}

#[derive(Debug, Clone, Copy)]
enum Framing {
    Length(usize),
    Chunked,
}

impl WireLog {
    pub fn new(limits: HeadLimits) -> Self {
        Self {
            state: Mutex::default(),
            limits,
        }
    }

    /// Keeps bytes just read. Returns the answer to write instead of passing them on when
    /// they make the head at the front break a limit.
    pub fn record(&self, bytes: &[u8]) -> Option<Vec<u8>> {
        let mut state = self.lock();
        if state.given_up {
            return None;
        }
        state.bytes.extend_from_slice(bytes);
        if matches!(state.front, Front::Checked(_)) {
            return None;
        }
        let first = !state.finished_any;
        match check_front(&state.bytes, self.limits, first) {
            Checked::Incomplete => None,
            Checked::Within(head) => {
                state.front = Front::Checked(head);
                None
            }
            Checked::Refused(refusal) => {
                let answer = refusal.answer();
                state.give_up();
                state.refusal = Some(refusal);
                Some(answer)
            }
        }
    }

    /// The head refused by [`WireLog::record`], to report once the connection has ended.
    pub fn take_refusal(&self) -> Option<Refusal> {
        self.lock().refusal.take()
    }

    /// Which limit the head at the front breaks, for a head hyper refused before the log
    /// saw it whole (one pipelined behind another request).
    pub fn limit_broken_at_front(&self) -> Option<Refusal> {
        let state = self.lock();
        match check_front(&state.bytes, self.limits, false) {
            Checked::Refused(refusal) => Some(refusal),
            _ => None,
        }
    }

    /// How many bytes of a request that is not finished the log holds.
    pub fn unfinished_len(&self) -> usize {
        self.lock().bytes.len()
    }

    /// The head of the request hyper is handling now, when the log's first head is that
    /// request (same method and target).
    pub fn take_head(&self, method: &str, uri: &http::Uri) -> Option<WireHead> {
        let mut state = self.lock();
        if state.given_up {
            return None;
        }
        let parsed = match std::mem::take(&mut state.front) {
            Front::Checked(Some(parsed)) => Some(parsed),
            _ => parse_head(&state.bytes, self.limits.max_headers),
        };
        let head = parsed.filter(|(parsed_method, head)| {
            parsed_method == method
                && (uri.path_and_query().map(|p| p.as_str()) == Some(head.target.as_str())
                    || uri.to_string() == head.target)
        });
        match head {
            Some((_, head)) => {
                // Taken, but still the front until `finish`: not to be checked again.
                state.front = Front::Checked(None);
                Some(head)
            }
            None => {
                state.give_up();
                None
            }
        }
    }

    /// Drops the bytes of a request whose body has been read in full.
    pub fn finish(&self, head: &WireHead) {
        let mut state = self.lock();
        if state.given_up {
            return;
        }
        match message_len(&state.bytes, head) {
            Some(len) => {
                state.bytes.drain(..len);
                state.finished_any = true;
                state.front = Front::Unchecked;
            }
            None => state.give_up(),
        }
    }

    /// The request was not read to its end (an error, or a body over the limit): its bytes
    /// can no longer be told from the next request's.
    pub fn abandon(&self) {
        self.lock().give_up();
    }

    fn lock(&self) -> MutexGuard<'_, LogState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl LogState {
    fn give_up(&mut self) {
        self.given_up = true;
        self.bytes = Vec::new();
        self.front = Front::Unchecked;
    }
}

enum Checked {
    Incomplete,
    /// Complete and within the limits; `None` when hookscope cannot tell its framing.
    Within(Option<(String, WireHead)>),
    Refused(Refusal),
}

/// Checks the head at the front of `bytes`, parsing it once for both the limits and the
/// handler.
fn check_front(bytes: &[u8], limits: HeadLimits, first_on_connection: bool) -> Checked {
    if first_on_connection && let Some(refusal) = head_check::h2_preface(bytes) {
        return Checked::Refused(refusal);
    }
    with_header_slots(limits.max_headers, |slots| {
        let mut request = httparse::Request::new(slots);
        let parsed = request.parse(bytes);
        if let Some(refusal) = head_check::refusal(bytes.len(), &parsed, &request, limits) {
            return Checked::Refused(refusal);
        }
        match parsed {
            Ok(httparse::Status::Partial) => Checked::Incomplete,
            Ok(httparse::Status::Complete(head_len)) => {
                Checked::Within(wire_head(&request, head_len))
            }
            // hyper answers 400 to it; there is no head to give the handler.
            Err(_) => Checked::Within(None),
        }
    })
}

fn parse_head(bytes: &[u8], max_headers: usize) -> Option<(String, WireHead)> {
    with_header_slots(max_headers, |slots| {
        let mut request = httparse::Request::new(slots);
        let httparse::Status::Complete(head_len) = request.parse(bytes).ok()? else {
            return None;
        };
        wire_head(&request, head_len)
    })
}

fn wire_head(request: &httparse::Request<'_, '_>, head_len: usize) -> Option<(String, WireHead)> {
    let headers: Vec<Header> = request
        .headers
        .iter()
        .map(|h| Header::new(h.name, h.value))
        .collect();
    let framing = framing(&headers)?;
    Some((
        request.method?.to_owned(),
        WireHead {
            target: request.path?.to_owned(),
            headers,
            head_len,
            framing,
        },
    ))
}

/// How the body is delimited (RFC 9112 §6.3): chunked when it is the final transfer coding,
/// else Content-Length, else no body.
fn framing(headers: &[Header]) -> Option<Framing> {
    let transfer_encoding = headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("transfer-encoding"))
        .filter_map(|h| h.value_str())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .next_back();
    if let Some(coding) = transfer_encoding {
        return coding
            .eq_ignore_ascii_case("chunked")
            .then_some(Framing::Chunked);
    }
    match headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
    {
        Some(h) => h.value_str()?.trim().parse().ok().map(Framing::Length),
        None => Some(Framing::Length(0)),
    }
}

/// The length of the whole request message in the log, when all of it is there.
fn message_len(bytes: &[u8], head: &WireHead) -> Option<usize> {
    let body_start = head.head_len;
    let end = match head.framing {
        Framing::Length(n) => body_start.checked_add(n)?,
        Framing::Chunked => body_start + chunked_len(bytes.get(body_start..)?)?,
    };
    (end <= bytes.len()).then_some(end)
}

/// Length of a chunked body including the last chunk and trailer section.
fn chunked_len(bytes: &[u8]) -> Option<usize> {
    let mut pos = 0;
    loop {
        let httparse::Status::Complete((line_len, size)) =
            httparse::parse_chunk_size(bytes.get(pos..)?).ok()?
        else {
            return None;
        };
        pos += line_len;
        if size == 0 {
            break;
        }
        pos = pos
            .checked_add(usize::try_from(size).ok()?)?
            .checked_add(2)?;
    }
    // Trailer fields, each ending in CRLF, then an empty line.
    loop {
        let rest = bytes.get(pos..)?;
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        pos += line_end + 2;
        if line_end == 0 {
            return Some(pos);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(target: &str) -> http::Uri {
        target.parse().unwrap()
    }

    fn log_with(bytes: &[u8]) -> WireLog {
        let log = WireLog::default();
        log.record(bytes);
        log
    }

    #[test]
    fn keeps_case_order_and_duplicates() {
        let log = log_with(b"POST /a?b=1 HTTP/1.1\r\nX-B: 1\r\nx-a: 2\r\nX-B: 3\r\n\r\n");
        let head = log.take_head("POST", &uri("/a?b=1")).unwrap();
        let names: Vec<_> = head.headers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["X-B", "x-a", "X-B"]);
        assert_eq!(head.headers[2].value, b"3");
        assert_eq!(head.target, "/a?b=1");
    }

    #[test]
    fn consecutive_requests_line_up_after_finish() {
        let log = log_with(
            b"POST /one HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc\
              POST /two HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-T: 1\r\n\r\n\
              GET /three HTTP/1.1\r\nHost: x\r\n\r\n",
        );
        let one = log.take_head("POST", &uri("/one")).unwrap();
        log.finish(&one);
        let two = log.take_head("POST", &uri("/two")).unwrap();
        log.finish(&two);
        let three = log.take_head("GET", &uri("/three")).unwrap();
        assert_eq!(three.headers, vec![Header::new("Host", "x")]);
    }

    #[test]
    fn a_mismatch_gives_up_for_the_rest_of_the_connection() {
        let log = log_with(b"POST /one HTTP/1.1\r\n\r\n");
        assert!(log.take_head("GET", &uri("/one")).is_none());
        log.record(b"POST /two HTTP/1.1\r\n\r\n");
        assert!(log.take_head("POST", &uri("/two")).is_none());
    }

    #[test]
    fn incomplete_body_gives_up() {
        let log = log_with(b"POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
        let head = log.take_head("POST", &uri("/a")).unwrap();
        log.finish(&head);
        assert!(log.lock().given_up);
    }

    #[test]
    fn a_head_over_a_limit_is_answered_and_the_log_stops() {
        let log = WireLog::new(HeadLimits {
            max_headers: 2,
            max_header_bytes: 1000,
        });
        assert!(log.record(b"POST /a HTTP/1.1\r\nA: 1\r\n").is_none());
        let answer = log.record(b"B: 2\r\nC: 3\r\n").expect("a third header");
        assert!(answer.starts_with(b"HTTP/1.1 431 "));
        let refusal = log.take_refusal().unwrap();
        assert_eq!(refusal.request.as_deref(), Some("POST /a"));
        assert!(
            refusal.reason.contains("more than 2 headers"),
            "{refusal:?}"
        );
        assert!(log.lock().given_up);
    }

    #[test]
    fn an_http2_preface_is_refused_only_as_the_first_thing_sent() {
        let preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
        let answer = WireLog::default().record(preface).unwrap();
        assert!(answer.starts_with(b"HTTP/1.1 505 "));

        let log = log_with(b"GET /one HTTP/1.1\r\n\r\n");
        let one = log.take_head("GET", &uri("/one")).unwrap();
        log.finish(&one);
        assert!(
            log.record(preface).is_none(),
            "hyper answers 400 to it there"
        );
    }

    #[test]
    fn the_checked_head_is_the_one_the_handler_gets() {
        let log = log_with(b"POST /a HTTP/1.1\r\nX-A: 1\r\nContent-Length: 2\r\n\r\n");
        assert!(matches!(log.lock().front, Front::Checked(Some(_))));
        assert!(log.record(b"hi").is_none());
        let head = log.take_head("POST", &uri("/a")).unwrap();
        assert_eq!(head.headers[0], Header::new("X-A", "1"));
        log.finish(&head);
        assert!(log.lock().bytes.is_empty());
    }

    #[test]
    fn more_headers_than_the_stack_holds_still_line_up() {
        let log = WireLog::new(HeadLimits {
            max_headers: 300,
            max_header_bytes: 1 << 20,
        });
        let mut head = b"GET /many HTTP/1.1\r\n".to_vec();
        for n in 0..200 {
            head.extend_from_slice(format!("X-{n}: {n}\r\n").as_bytes());
        }
        head.extend_from_slice(b"\r\n");
        assert!(log.record(&head).is_none());
        let parsed = log.take_head("GET", &uri("/many")).unwrap();
        assert_eq!(parsed.headers.len(), 200);
        assert_eq!(parsed.headers[199], Header::new("X-199", "199"));
    }

    #[test]
    fn chunked_length_counts_extensions_and_trailers() {
        let body = b"3;ext=1\r\nabc\r\n0\r\nTrailer: v\r\n\r\nNEXT";
        assert_eq!(chunked_len(body), Some(body.len() - 4));
        assert_eq!(chunked_len(b"3\r\nab"), None);
    }
}
