//! The replay client against real loopback servers: what it puts on the wire, how it reads
//! each kind of answer, how it fails, and how it reuses connections.

mod common;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::receiver::{Behaviour, RawReceiver, split_request};
use hookscope::capture::{Capture, Header};
use hookscope::replay::{Client, OutgoingRequest, Response, SendError, SendOptions, Target};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const WAIT: Duration = Duration::from_secs(5);

fn client() -> Client {
    Client::new(SendOptions::default())
}

fn get(url: &str) -> (Target, OutgoingRequest) {
    let target = Target::parse(url).unwrap();
    let capture = Capture::new("GET", "/", vec![], Bytes::new());
    let request = OutgoingRequest::for_capture(&capture, &target);
    (target, request)
}

async fn send_get(client: &Client, url: &str) -> Result<Response, SendError> {
    let (target, request) = get(url);
    client.send(&target, &request).await
}

fn header_names(raw: &[u8]) -> Vec<String> {
    split_request(raw)
        .1
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

#[test]
fn the_receiver_records_requests_as_they_came() {
    let receiver = RawReceiver::ok();
    let mut stream = std::net::TcpStream::connect(receiver.addr).unwrap();
    let first = b"POST /a HTTP/1.1\r\nX-One: 1\r\nContent-Length: 3\r\n\r\nabc";
    let second = b"POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n";
    stream.write_all(first).unwrap();
    stream.write_all(second).unwrap();
    let requests = receiver.wait_for(2, WAIT);
    assert_eq!(requests, [first.to_vec(), second.to_vec()]);
    let (line, headers, body) = split_request(&requests[0]);
    assert_eq!(line, "POST /a HTTP/1.1");
    assert_eq!(headers[0], ("X-One".to_owned(), b"1".to_vec()));
    assert_eq!(body, b"abc");
    let mut answer = vec![0; 256];
    let n = stream.read(&mut answer).unwrap();
    assert!(answer[..n].starts_with(b"HTTP/1.1 200 OK\r\n"));
    assert_eq!(receiver.connections(), 1);
}

#[tokio::test]
async fn a_binary_body_and_headers_are_replayed_byte_for_byte() {
    let receiver = RawReceiver::ok();
    let body: Vec<u8> = (0..=255u8).collect();
    let capture = Capture::new(
        "POST",
        "/hooks/github?delivery=72d3&empty=&x=%20",
        vec![
            Header::new("Host", "hooks.example.test"),
            Header::new("X-GitHub-Event", "push"),
            Header::new("content-type", "application/octet-stream"),
            Header::new("X-Dup", "first"),
            Header::new("Content-Length", "256"),
            Header::new("x-dup", "second"),
        ],
        body.clone(),
    );
    let target = Target::parse(&receiver.url()).unwrap();
    let request = OutgoingRequest::for_capture(&capture, &target);
    let response = client().send(&target, &request).await.unwrap();
    assert_eq!((response.status, &response.body[..]), (200, &b"ok"[..]));

    let raw = receiver.wait_for(1, WAIT).remove(0);
    assert_eq!(raw, request.to_bytes());
    let (line, headers, received_body) = split_request(&raw);
    assert_eq!(
        line,
        "POST /hooks/github?delivery=72d3&empty=&x=%20 HTTP/1.1"
    );
    assert_eq!(
        header_names(&raw),
        [
            "Host",
            "X-GitHub-Event",
            "content-type",
            "X-Dup",
            "Content-Length",
            "x-dup"
        ]
    );
    assert_eq!(headers[0].1, target.host_header().into_bytes());
    assert_eq!(headers[3].1, b"first");
    assert_eq!(headers[5].1, b"second");
    assert_eq!(received_body, body);
}

#[tokio::test]
async fn a_gzip_body_stays_the_same_bytes() {
    let receiver = RawReceiver::ok();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(br#"{"ref":"refs/heads/main"}"#).unwrap();
    let gzipped = encoder.finish().unwrap();
    let capture = Capture::new(
        "POST",
        "/in",
        vec![
            Header::new("Content-Type", "application/json"),
            Header::new("Content-Encoding", "gzip"),
        ],
        gzipped.clone(),
    );
    let target = Target::parse(&receiver.url()).unwrap();
    let request = OutgoingRequest::for_capture(&capture, &target);
    client().send(&target, &request).await.unwrap();
    let (_, headers, body) = split_request(&receiver.wait_for(1, WAIT)[0]);
    assert!(headers.contains(&("Content-Encoding".to_owned(), b"gzip".to_vec())));
    assert_eq!(body, gzipped);
}

#[tokio::test]
async fn a_port_nothing_listens_on_is_refused_quickly() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let error = send_get(&client(), &format!("http://127.0.0.1:{port}"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), "refused");
    assert_eq!(
        error.to_string(),
        format!("connection refused by 127.0.0.1:{port} (is your app running?)")
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let receiver = RawReceiver::start(Behaviour::Hang);
    let client = Client::new(SendOptions {
        timeout: Duration::from_millis(300),
        ..SendOptions::default()
    });
    let started = Instant::now();
    let error = send_get(&client, &receiver.url()).await.unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(error.kind(), "timeout");
    assert_eq!(
        error.to_string(),
        format!("no answer from {} within 300 ms", receiver.addr)
    );
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(receiver.wait_for(1, WAIT).len(), 1);
}

#[tokio::test]
async fn a_server_that_hangs_up_gives_the_closed_error() {
    let receiver = RawReceiver::start(Behaviour::Close);
    let error = send_get(&client(), &receiver.url()).await.unwrap_err();
    assert_eq!(error.kind(), "closed");
    assert_eq!(
        error.to_string(),
        format!("{} closed the connection before answering", receiver.addr)
    );
}

#[tokio::test]
async fn a_chunked_response_is_decoded_and_keeps_the_connection() {
    let receiver = RawReceiver::start(Behaviour::Answer {
        status: 201,
        headers: vec![
            ("Transfer-Encoding".into(), "chunked".into()),
            ("X-Order".into(), "1".into()),
            ("x-order".into(), "2".into()),
        ],
        body: b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n".to_vec(),
    });
    let client = client();
    for _ in 0..2 {
        let response = send_get(&client, &receiver.url()).await.unwrap();
        assert_eq!(
            (response.status, response.reason.as_str()),
            (201, "Created")
        );
        assert_eq!(&response.body[..], b"hello world");
        assert_eq!(response.body_size, 11);
        let names: Vec<&str> = response.headers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["Transfer-Encoding", "X-Order", "x-order"]);
    }
    assert_eq!(receiver.connections(), 1);
}

#[tokio::test]
async fn a_response_without_a_length_is_read_until_the_server_closes() {
    let server = ScriptedServer::start(b"HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nuntil the end").await;
    let client = client();
    for _ in 0..2 {
        let response = send_get(&client, &server.url()).await.unwrap();
        assert_eq!(&response.body[..], b"until the end");
    }
    // Such a connection cannot carry a second request.
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn interim_answers_are_skipped() {
    let server = ScriptedServer::start(
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok",
    )
    .await;
    let response = send_get(&client(), &server.url()).await.unwrap();
    assert_eq!((response.status, &response.body[..]), (202, &b"ok"[..]));
}

#[tokio::test]
async fn head_answers_have_no_body_and_the_connection_stays_usable() {
    let receiver = RawReceiver::ok();
    let client = client();
    let target = Target::parse(&receiver.url()).unwrap();
    let head = Capture::new("HEAD", "/", vec![], Bytes::new());
    let response = client
        .send(&target, &OutgoingRequest::for_capture(&head, &target))
        .await
        .unwrap();
    assert!(response.body.is_empty());
    assert_eq!(response.body_size, 0);
    let response = send_get(&client, &receiver.url()).await.unwrap();
    assert_eq!(&response.body[..], b"ok");
    assert_eq!(receiver.connections(), 1);
}

#[tokio::test]
async fn a_large_response_is_capped_but_counted_in_full() {
    let receiver = RawReceiver::start(Behaviour::Answer {
        status: 200,
        headers: vec![],
        body: vec![b'x'; 3 << 20],
    });
    let client = Client::new(SendOptions {
        max_response_body: 1 << 20,
        ..SendOptions::default()
    });
    for _ in 0..2 {
        let response = send_get(&client, &receiver.url()).await.unwrap();
        assert_eq!(response.body.len(), 1 << 20);
        assert_eq!(response.body_size, 3 << 20);
        assert!(response.is_truncated());
    }
    assert_eq!(receiver.connections(), 1);
}

#[tokio::test]
async fn connections_are_reused() {
    let receiver = RawReceiver::ok();
    let client = client();
    send_get(&client, &receiver.url()).await.unwrap();
    // A clone in another task shares the idle connections.
    let (clone, url) = (client.clone(), receiver.url());
    tokio::spawn(async move { send_get(&clone, &url).await.unwrap() })
        .await
        .unwrap();
    assert_eq!(receiver.wait_for(2, WAIT).len(), 2);
    assert_eq!(receiver.connections(), 1);
}

#[tokio::test]
async fn an_idle_connection_the_server_closed_is_not_reused() {
    // Says nothing of closing, then closes: the idle connection goes stale.
    let server = ScriptedServer::start(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").await;
    let client = client();
    send_get(&client, &server.url()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let response = send_get(&client, &server.url()).await.unwrap();
    assert_eq!(&response.body[..], b"ok");
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn a_request_a_reused_connection_drops_is_sent_again_on_a_fresh_one() {
    // Like a server whose keep-alive timer fires just as the next request comes in.
    let server = ScriptedServer::forgetful(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").await;
    let client = client();
    for _ in 0..3 {
        let response = send_get(&client, &server.url()).await.unwrap();
        assert_eq!(&response.body[..], b"ok");
    }
    assert_eq!(server.connections(), 3);
    assert_eq!(server.requests(), 5);
}

#[tokio::test]
async fn garbage_and_a_cut_answer_are_errors_not_panics() {
    let garbage = ScriptedServer::start(b"SSH-2.0-OpenSSH_9.6\r\n").await;
    let error = send_get(&client(), &garbage.url()).await.unwrap_err();
    assert_eq!(error.kind(), "protocol");
    let prefix = format!(
        "{} sent something that is not an HTTP response: ",
        garbage.addr
    );
    assert!(error.to_string().starts_with(&prefix), "{error}");

    let cut = ScriptedServer::start(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort").await;
    let error = send_get(&client(), &cut.url()).await.unwrap_err();
    assert_eq!(error.kind(), "closed");
    assert!(
        error.to_string().contains("in the middle of its answer"),
        "{error}"
    );
}

#[tokio::test]
async fn https_works_with_insecure_and_fails_verification_without() {
    let server = TlsServer::start().await;
    let insecure = Client::new(SendOptions {
        insecure: true,
        ..SendOptions::default()
    });
    for _ in 0..2 {
        let response = send_get(&insecure, &server.url()).await.unwrap();
        assert_eq!(
            (response.status, &response.body[..]),
            (200, &b"secure ok"[..])
        );
    }
    assert_eq!(server.connections(), 1);

    let error = send_get(&client(), &server.url()).await.unwrap_err();
    assert_eq!(error.kind(), "tls");
    assert!(
        error.to_string().starts_with(
            "TLS handshake with 127.0.0.1 failed: its certificate is not signed by an authority"
        ),
        "{error}"
    );
}

/// Answers every connection's first request with fixed bytes, then closes it, or (when
/// forgetful) keeps it open and hangs up on the next request without a word.
struct ScriptedServer {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl ScriptedServer {
    async fn start(answer: &'static [u8]) -> Self {
        Self::spawn(answer, false).await
    }

    async fn forgetful(answer: &'static [u8]) -> Self {
        Self::spawn(answer, true).await
    }

    async fn spawn(answer: &'static [u8], forgetful: bool) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (accepted, requests) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let counters = (accepted.clone(), requests.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                counters.0.fetch_add(1, Ordering::SeqCst);
                let requests = counters.1.clone();
                tokio::spawn(async move {
                    if read_head(&mut stream).await {
                        requests.fetch_add(1, Ordering::SeqCst);
                        let _ = stream.write_all(answer).await;
                    }
                    if forgetful && read_head(&mut stream).await {
                        requests.fetch_add(1, Ordering::SeqCst);
                    }
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self {
            addr,
            accepted,
            requests,
            task,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads a body-less request's head; false if the client went away first.
async fn read_head(stream: &mut (impl AsyncRead + Unpin)) -> bool {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return false,
        }
    }
    true
}

/// A keep-alive https server with a fresh self-signed certificate for 127.0.0.1.
struct TlsServer {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl TlsServer {
    async fn start() -> Self {
        let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
        let key =
            rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![certified.cert.der().clone()], key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A client that rejects the certificate ends the handshake here.
                    if let Ok(stream) = acceptor.accept(tcp).await {
                        answer_each_request(stream).await;
                    }
                });
            }
        });
        Self {
            addr,
            accepted,
            task,
        }
    }

    fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer_each_request(mut stream: impl AsyncRead + AsyncWrite + Unpin) {
    while read_head(&mut stream).await {
        let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nsecure ok";
        if stream.write_all(answer).await.is_err() || stream.flush().await.is_err() {
            return;
        }
    }
}
