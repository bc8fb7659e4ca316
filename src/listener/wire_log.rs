//! Recovers each request head exactly as it came on the wire.
//!
//! hyper hands the handler a `HeaderMap`, which lowercases names and groups duplicates by name,
//! losing the order between different names. So every connection's socket is wrapped in a
//! [`RecordingStream`] that keeps the bytes hyper reads; the handler re-parses the head from
//! them with `httparse` (names in their original case, wire order, raw values) and, once the
//! body is read, drops that request's bytes so the next request on the connection starts at
//! the front. Whenever the bytes cannot be matched to a request with certainty, the log stops
//! recording and the handler falls back to hyper's view of the headers.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::capture::Header;

/// More than hyper accepts (100), so hyper's limit is the one a sender meets.
const MAX_HEADERS: usize = 128;

#[derive(Default)]
pub struct WireLog {
    state: Mutex<LogState>,
}

#[derive(Default)]
struct LogState {
    bytes: Vec<u8>,
    /// Set once the log cannot be trusted to line up with requests; it then stays empty.
    given_up: bool,
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
    fn record(&self, bytes: &[u8]) {
        let mut state = self.lock();
        if !state.given_up {
            state.bytes.extend_from_slice(bytes);
        }
    }

    /// The head of the request hyper is handling now, when the log's first head is that
    /// request (same method and target).
    pub fn take_head(&self, method: &str, uri: &http::Uri) -> Option<WireHead> {
        let mut state = self.lock();
        if state.given_up {
            return None;
        }
        let head = parse_head(&state.bytes).filter(|(parsed_method, head)| {
            parsed_method == method
                && (uri.path_and_query().map(|p| p.as_str()) == Some(head.target.as_str())
                    || uri.to_string() == head.target)
        });
        match head {
            Some((_, head)) => Some(head),
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
            }
            None => state.give_up(),
        }
    }

    /// The request was not read to its end (an error, or a body over the limit): its bytes
    /// can no longer be told from the next request's.
    pub fn abandon(&self) {
        self.lock().give_up();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LogState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl LogState {
    fn give_up(&mut self) {
        self.given_up = true;
        self.bytes = Vec::new();
    }
}

fn parse_head(bytes: &[u8]) -> Option<(String, WireHead)> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut slots);
    let httparse::Status::Complete(head_len) = request.parse(bytes).ok()? else {
        return None;
    };
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

/// A socket that copies every byte read into a [`WireLog`].
pub struct RecordingStream<S> {
    inner: S,
    log: Arc<WireLog>,
}

impl<S> RecordingStream<S> {
    pub fn new(inner: S, log: Arc<WireLog>) -> Self {
        Self { inner, log }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for RecordingStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result {
            self.log.record(&buf.filled()[before..]);
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for RecordingStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
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
    fn chunked_length_counts_extensions_and_trailers() {
        let body = b"3;ext=1\r\nabc\r\n0\r\nTrailer: v\r\n\r\nNEXT";
        assert_eq!(chunked_len(body), Some(body.len() - 4));
        assert_eq!(chunked_len(b"3\r\nab"), None);
    }
}
