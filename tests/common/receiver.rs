//! A real HTTP/1.1 receiver on a free loopback port that records the raw bytes of every
//! request it reads, for tests that check what a client put on the wire.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How the receiver deals with each request it has read.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// Answers every request. A `Content-Length` is added unless `headers` name a
    /// `Content-Length` or `Transfer-Encoding` (then `body` is written as given).
    Answer {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Reads the request and never answers; the socket stays open until the receiver drops.
    Hang,
    /// Reads the request and closes the connection without a word.
    Close,
}

pub struct RawReceiver {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Vec<u8>>>,
    arrived: Condvar,
    connections: AtomicUsize,
    stop: AtomicBool,
}

/// How often blocked threads look at the stop flag.
const POLL: Duration = Duration::from_millis(20);

impl RawReceiver {
    pub fn start(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        // Non-blocking so the accept loop can notice the stop flag.
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let shared = Arc::new(Shared::default());
        let acceptor = {
            let shared = shared.clone();
            std::thread::spawn(move || accept_loop(listener, shared, behaviour))
        };
        Self {
            addr,
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// Answers 200 `ok` as text/plain.
    pub fn ok() -> Self {
        Self::start(Behaviour::Answer {
            status: 200,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: b"ok".to_vec(),
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every complete request so far (head and body as received), in arrival order.
    pub fn requests(&self) -> Vec<Vec<u8>> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// How many connections the receiver has accepted.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Waits until at least `count` requests arrived; panics after `timeout`.
    pub fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        let mut requests = self.shared.requests.lock().unwrap();
        while requests.len() < count {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!(
                    "the receiver at {} got {} of {count} requests within {timeout:?}",
                    self.addr,
                    requests.len()
                );
            }
            requests = self.shared.arrived.wait_timeout(requests, left).unwrap().0;
        }
        requests.clone()
    }
}

impl Drop for RawReceiver {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>, behaviour: Behaviour) {
    let mut workers = Vec::new();
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let (shared, behaviour) = (shared.clone(), behaviour.clone());
                workers.push(std::thread::spawn(move || {
                    // A client that goes away mid-request is not the receiver's problem.
                    let _ = serve_connection(stream, &shared, &behaviour);
                }));
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::thread::sleep(POLL / 4),
            Err(_) => std::thread::sleep(POLL / 4),
        }
    }
    for worker in workers {
        let _ = worker.join();
    }
}

fn serve_connection(stream: TcpStream, shared: &Shared, behaviour: &Behaviour) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(POLL))?;
    // A client that stops reading must not keep the receiver from stopping.
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let mut connection = Connection {
        stream,
        buffer: Vec::new(),
        shared,
    };
    while let Some(request) = connection.read_request()? {
        shared.requests.lock().unwrap().push(request.raw);
        shared.arrived.notify_all();
        match behaviour {
            Behaviour::Answer {
                status,
                headers,
                body,
            } => {
                let answer = answer_bytes(*status, headers, body, request.is_head);
                connection.stream.write_all(&answer)?;
                if request.wants_close {
                    return Ok(());
                }
            }
            Behaviour::Hang => {}
            Behaviour::Close => return Ok(()),
        }
    }
    Ok(())
}

struct Request {
    /// Head and body as received.
    raw: Vec<u8>,
    is_head: bool,
    wants_close: bool,
}

struct Connection<'a> {
    stream: TcpStream,
    /// Bytes read but not yet part of a complete request.
    buffer: Vec<u8>,
    shared: &'a Shared,
}

impl Connection<'_> {
    /// The next whole request; `None` when the client closed or the receiver stops.
    fn read_request(&mut self) -> io::Result<Option<Request>> {
        let head_end = loop {
            if let Some(at) = find(&self.buffer, b"\r\n\r\n") {
                break at + 4;
            }
            if !self.fill()? {
                return Ok(None);
            }
        };
        let (request_line, headers, _) = split_request(&self.buffer[..head_end]);
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| String::from_utf8_lossy(v).to_ascii_lowercase())
        };
        let is_head = request_line.starts_with("HEAD ");
        let wants_close = header("connection").is_some_and(|v| v.contains("close"));
        let end = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            self.chunked_end(head_end)?
        } else {
            let length = header("content-length").and_then(|v| v.trim().parse().ok());
            self.need(head_end + length.unwrap_or(0))?
        };
        let Some(end) = end else { return Ok(None) };
        let raw = self.buffer.drain(..end).collect();
        Ok(Some(Request {
            raw,
            is_head,
            wants_close,
        }))
    }

    /// Where a chunked body that starts at `at` ends (after the last chunk's trailers).
    fn chunked_end(&mut self, mut at: usize) -> io::Result<Option<usize>> {
        loop {
            let Some(line_end) = self.line_end(at)? else {
                return Ok(None);
            };
            let line = String::from_utf8_lossy(&self.buffer[at..line_end - 2]).into_owned();
            let digits = line.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(digits, 16)
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
            at = line_end;
            if size == 0 {
                // Trailers, then an empty line.
                loop {
                    let Some(line_end) = self.line_end(at)? else {
                        return Ok(None);
                    };
                    let empty = line_end - at == 2;
                    at = line_end;
                    if empty {
                        return Ok(Some(at));
                    }
                }
            }
            let Some(data_end) = self.need(at + size + 2)? else {
                return Ok(None);
            };
            at = data_end;
        }
    }

    /// The end (after CRLF) of the line that starts at `at`.
    fn line_end(&mut self, at: usize) -> io::Result<Option<usize>> {
        loop {
            if let Some(offset) = find(&self.buffer[at..], b"\r\n") {
                return Ok(Some(at + offset + 2));
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Reads until the buffer holds `len` bytes.
    fn need(&mut self, len: usize) -> io::Result<Option<usize>> {
        while self.buffer.len() < len {
            if !self.fill()? {
                return Ok(None);
            }
        }
        Ok(Some(len))
    }

    /// Reads more; false at end of stream or when the receiver stops.
    fn fill(&mut self) -> io::Result<bool> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if self.shared.stop.load(Ordering::SeqCst) {
                return Ok(false);
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.buffer.extend_from_slice(&chunk[..n]);
                    return Ok(true);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

fn answer_bytes(status: u16, headers: &[(String, String)], body: &[u8], is_head: bool) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status)).into_bytes();
    let framed = headers.iter().any(|(name, _)| {
        name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
    });
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    if !framed {
        out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    if !is_head {
        out.extend_from_slice(body);
    }
    out
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Whatever",
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Header lines in wire order: the name in its original case, the value's bytes.
pub type HeaderLines = Vec<(String, Vec<u8>)>;

/// Splits a raw request into its request line, its headers (in order, names in their
/// original case, values trimmed) and everything after the head.
pub fn split_request(raw: &[u8]) -> (String, HeaderLines, Vec<u8>) {
    let (head, body) = match find(raw, b"\r\n\r\n") {
        Some(at) => (&raw[..at], &raw[at + 4..]),
        None => (raw, &[][..]),
    };
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let request_line = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let headers = lines
        .filter(|line| !line.is_empty())
        .map(|line| {
            let colon = line.iter().position(|&b| b == b':').unwrap_or(line.len());
            let name = String::from_utf8_lossy(&line[..colon]).into_owned();
            let value = line
                .get(colon + 1..)
                .unwrap_or_default()
                .trim_ascii()
                .to_vec();
            (name, value)
        })
        .collect();
    (request_line, headers, body.to_vec())
}
