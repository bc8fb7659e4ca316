//! Request heads over a limit, and HTTP/2 on the HTTP/1.1 port: the sender is answered with a
//! body that says what happened, and the user is told the same.

mod common;

use std::time::Duration;

use common::{
    RunningBinary, ServerConfig, TestServer, body_of, next_rejection, raw_exchange, status_of,
};
use hookscope::capture::Header;
use hookscope::listener::ListenerLimits;

const WAIT: Duration = Duration::from_secs(5);

/// A request with `count` headers named, ... and `Connection: close` last.
fn request_with_headers(target: &str, count: usize) -> Vec<u8> {
    let mut request = format!("GET {target} HTTP/1.1\r\n").into_bytes();
    for n in 0..count.saturating_sub(1) {
        request.extend_from_slice(format!("X-{n}: v\r\n").as_bytes());
    }
    request.extend_from_slice(b"Connection: close\r\n\r\n");
    request
}

#[tokio::test(flavor = "multi_thread")]
async fn one_header_over_the_limit_is_answered_431_naming_that_limit() {
    let mut server = TestServer::start().await;
    let fits = raw_exchange(server.addr, &request_with_headers("/fits", 100)).await;
    assert_eq!(status_of(&fits), 200);

    let answer = raw_exchange(server.addr, &request_with_headers("/many", 101)).await;
    assert_eq!(status_of(&answer), 431);
    let expected = "more than 100 headers (raise the limit with --max-headers)";
    assert!(body_of(&answer).contains(expected), "{}", body_of(&answer));
    let rejection = next_rejection(&mut server.rejections, WAIT).await;
    assert_eq!(rejection.reason, expected);
    assert_eq!(rejection.request.as_deref(), Some("GET /many"));
    let uris: Vec<String> = server.captures().into_iter().map(|c| c.uri).collect();
    assert_eq!(uris, ["/fits"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_head_over_the_byte_limit_is_answered_431_naming_that_limit() {
    let mut server = TestServer::start_with(ServerConfig::with_limits(ListenerLimits {
        max_header_bytes: 8192,
        ..ListenerLimits::default()
    }))
    .await;
    // Far over the limit, so the sender is still writing when it is answered.
    let mut request = b"POST /big HTTP/1.1\r\nX-Pad: ".to_vec();
    request.extend(std::iter::repeat_n(b'p', 200_000));
    request.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
    let answer = raw_exchange(server.addr, &request).await;
    assert_eq!(status_of(&answer), 431);
    let expected = "the request head is larger than 8,192 bytes (raise it with --max-header-bytes)";
    assert!(body_of(&answer).contains(expected), "{}", body_of(&answer));
    let rejection = next_rejection(&mut server.rejections, WAIT).await;
    assert_eq!(rejection.reason, expected);
    assert_eq!(rejection.request.as_deref(), Some("POST /big"));
    assert!(server.captures().is_empty());
    server.stop().await;
}

/// Raised past what the wire log parsed on the stack (128), every header still arrives with
/// its case and in wire order.
#[tokio::test(flavor = "multi_thread")]
async fn a_raised_header_limit_keeps_every_header_as_sent() {
    let server = TestServer::start_with(ServerConfig::with_limits(ListenerLimits {
        max_headers: 300,
        ..ListenerLimits::default()
    }))
    .await;
    let answer = raw_exchange(server.addr, &request_with_headers("/wide", 250)).await;
    assert_eq!(status_of(&answer), 200);
    let capture = server.captures().remove(0);
    assert_eq!(capture.headers.len(), 250);
    assert_eq!(capture.headers[0], Header::new("X-0", "v"));
    assert_eq!(capture.headers[248], Header::new("X-248", "v"));
    assert_eq!(capture.headers[249], Header::new("Connection", "close"));
    server.stop().await;
}

/// Behind another request on the same connection, the oversized head is hyper's to refuse
/// (a bare 431); the user is still told which limit it broke.
#[tokio::test(flavor = "multi_thread")]
async fn a_pipelined_head_over_the_limit_is_reported_by_its_limit() {
    let mut server = TestServer::start().await;
    let mut requests = b"GET /first HTTP/1.1\r\nHost: t\r\n\r\n".to_vec();
    requests.extend(request_with_headers("/second", 101));
    let answers = String::from_utf8(raw_exchange(server.addr, &requests).await).unwrap();
    assert!(answers.starts_with("HTTP/1.1 200 "), "{answers}");
    assert!(answers.contains("HTTP/1.1 431 "), "{answers}");
    let rejection = next_rejection(&mut server.rejections, WAIT).await;
    assert_eq!(
        rejection.reason,
        "more than 100 headers (raise the limit with --max-headers)"
    );
    assert_eq!(server.captures().len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_http2_preface_is_answered_in_http1() {
    let mut server = TestServer::start().await;
    let answer = raw_exchange(server.addr, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await;
    assert!(
        answer.starts_with(b"HTTP/1.1 505 HTTP Version Not Supported\r\n"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let body = body_of(&answer);
    assert!(body.contains("hookscope speaks HTTP/1.1 only"), "{body}");
    let rejection = next_rejection(&mut server.rejections, WAIT).await;
    assert!(
        rejection.reason.contains("HTTP/2 prior-knowledge preface"),
        "{}",
        rejection.reason
    );
    assert!(!rejection.reason.contains("answered 400"));
    let after = raw_exchange(server.addr, &request_with_headers("/after", 2)).await;
    assert_eq!(status_of(&after), 200);
    server.stop().await;
}

/// The option reaches the listener from the command line, and the headless status line
/// names the limit.
#[test]
fn max_headers_on_the_command_line_is_the_limit_the_sender_meets() {
    let home = tempfile::tempdir().unwrap();
    let mut running = RunningBinary::start(home.path(), &["--in-memory", "--max-headers", "5"]);
    let lines = running.stderr_lines();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (fits, over) = runtime.block_on(async {
        (
            raw_exchange(running.addr, &request_with_headers("/five", 5)).await,
            raw_exchange(running.addr, &request_with_headers("/six", 6)).await,
        )
    });
    assert_eq!(status_of(&fits), 200);
    assert_eq!(status_of(&over), 431);
    assert!(body_of(&over).contains("more than 5 headers"));
    let line = std::iter::from_fn(|| lines.recv_timeout(WAIT).ok())
        .find(|line| line.contains("not captured"))
        .expect("no status line for the refused request");
    assert!(
        line.contains("GET /six")
            && line.contains("more than 5 headers (raise the limit with --max-headers)"),
        "{line}"
    );
    let (status, _) = running.terminate();
    assert!(status.success());
}
