//! Senders that stall, linger, half-close or hold many connections: each is answered or
//! closed in bounded time, nothing partial is stored, and other webhooks still get in.

mod common;

use std::time::{Duration, Instant};

use common::{
    ServerConfig, TestServer, body_of, next_rejection, raw_exchange, read_until_closed,
    send_and_hold, status_of,
};
use hookscope::listener::{ListenerLimits, Rejection};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::broadcast;

const WAIT: Duration = Duration::from_secs(5);
/// Content-Length 100, then 10 of its bytes.
const TEN_OF_A_HUNDRED: &[u8] =
    b"POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789";

fn limits(change: impl FnOnce(&mut ListenerLimits)) -> ServerConfig {
    let mut limits = ListenerLimits::default();
    change(&mut limits);
    ServerConfig::with_limits(limits)
}

fn post(path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_that_stops_arriving_is_answered_408_and_not_stored() {
    let mut server =
        TestServer::start_with(limits(|l| l.body_idle_timeout = Duration::from_millis(300))).await;
    let started = Instant::now();
    let mut stalled = send_and_hold(server.addr, TEN_OF_A_HUNDRED).await;
    let answer = read_until_closed(&mut stalled, WAIT)
        .await
        .expect("the stalled connection was neither answered nor closed");
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(status_of(&answer), 408);
    let expected =
        "the body stopped arriving: 10 of 100 bytes, nothing for 300 ms; nothing was stored";
    assert!(body_of(&answer).contains(expected), "{}", body_of(&answer));
    let rejection = next_rejection(&mut server.rejections, WAIT).await;
    assert_eq!(rejection.reason, expected);
    assert_eq!(rejection.request.as_deref(), Some("POST /slow"));

    // Chunked: the size is not known, what arrived is.
    let mut chunked = send_and_hold(
        server.addr,
        b"POST /chunks HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
    )
    .await;
    let answer = read_until_closed(&mut chunked, WAIT).await.unwrap();
    assert_eq!(status_of(&answer), 408);
    assert!(body_of(&answer).contains("5 bytes of a chunked body"));

    // Pieces that keep coming, each within the timeout, are fine however long it takes.
    let mut steady = send_and_hold(server.addr, TEN_OF_A_HUNDRED).await;
    for _ in 0..9 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        steady.write_all(b"0123456789").await.unwrap();
    }
    let mut head = [0; 12];
    steady.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    let uris: Vec<String> = server.captures().into_iter().map(|c| c.uri).collect();
    assert_eq!(uris, ["/slow"], "only the complete one");
    server.stop().await;
}

/// hyper starts the head timeout again once a response is written, so a keep-alive
/// connection that sends nothing more is closed after it too; pinned here.
#[tokio::test(flavor = "multi_thread")]
async fn an_idle_keep_alive_connection_is_closed_after_the_head_timeout() {
    let server =
        TestServer::start_with(limits(|l| l.head_timeout = Duration::from_millis(300))).await;
    let mut connection = send_and_hold(
        server.addr,
        b"POST /kept HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi",
    )
    .await;
    let mut head = [0; 12];
    connection.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    let idle_from = Instant::now();
    let rest = read_until_closed(&mut connection, WAIT)
        .await
        .expect("the idle keep-alive connection stayed open");
    assert!(!rest.is_empty(), "the rest of the answer came first");
    assert!(idle_from.elapsed() < Duration::from_secs(3));
    assert_eq!(server.captures().len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_complete_request_then_a_half_close_is_captured_and_answered() {
    let server = TestServer::start().await;
    let mut connection = send_and_hold(
        server.addr,
        b"POST /half HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
    )
    .await;
    connection.shutdown().await.unwrap();
    let answer = read_until_closed(&mut connection, WAIT)
        .await
        .expect("no answer after the half-close");
    assert_eq!(
        status_of(&answer),
        200,
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert_eq!(body_of(&answer), r#"{"ok":true,"id":1}"#);
    let captures = server.captures();
    assert_eq!(captures.len(), 1);
    assert_eq!(&captures[0].body[..], b"hello");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_half_close_before_the_body_ends_is_reported_and_not_stored() {
    let mut server = TestServer::start().await;
    let mut connection = send_and_hold(server.addr, TEN_OF_A_HUNDRED).await;
    connection.shutdown().await.unwrap();
    let answer = read_until_closed(&mut connection, WAIT).await.unwrap();
    let expected = "the sender closed its side after 10 of 100 body bytes; nothing was stored";
    assert_eq!(status_of(&answer), 400);
    assert!(body_of(&answer).contains(expected), "{}", body_of(&answer));
    let rejection = next_rejection(&mut server.rejections, WAIT).await;
    assert_eq!(rejection.reason, expected);
    assert_eq!(rejection.request.as_deref(), Some("POST /slow"));

    // Before the head ends: there is no request to answer, but the user hears of it.
    let cut = b"POST /cut HTTP/1.1\r\nHost: t\r\nX-";
    let mut connection = send_and_hold(server.addr, cut).await;
    connection.shutdown().await.unwrap();
    let answer = read_until_closed(&mut connection, WAIT).await.unwrap();
    assert!(answer.is_empty());
    let rejection = next_rejection(&mut server.rejections, WAIT).await;
    let expected = format!(
        "closed its side after {} bytes of the request head",
        cut.len()
    );
    assert!(rejection.reason.contains(&expected), "{}", rejection.reason);
    assert!(server.captures().is_empty());
    server.stop().await;
}

/// At the cap, stalled connections give way to new ones, the longest idle first, and the
/// user hears of it once when it starts and once when it is over, not once per connection.
#[tokio::test(flavor = "multi_thread")]
async fn at_the_connection_cap_idle_connections_make_room() {
    const CAP: usize = 8;
    let mut server = TestServer::start_with(limits(|l| l.max_connections = Some(CAP))).await;
    let mut stalled = Vec::new();
    for _ in 0..CAP {
        stalled.push(send_and_hold(server.addr, TEN_OF_A_HUNDRED).await);
        // Apart by more than the clock's millisecond, so "the oldest" is one of them.
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Each webhook closes one stalled connection; a new stalled one fills the table again.
    for n in 0..5 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let answer = tokio::time::timeout(
            WAIT,
            raw_exchange(server.addr, &post("/in", &n.to_string())),
        )
        .await
        .expect("a webhook was kept out by stalled connections");
        assert_eq!(status_of(&answer), 200);
        stalled.push(send_and_hold(server.addr, TEN_OF_A_HUNDRED).await);
    }
    assert_eq!(server.captures().len(), 5);
    // The five oldest were closed first.
    for oldest in &mut stalled[..5] {
        let mut byte = [0; 1];
        let closed = tokio::time::timeout(WAIT, oldest.read(&mut byte)).await;
        assert!(matches!(closed, Ok(Ok(0)) | Ok(Err(_))), "{closed:?}");
    }

    drop(stalled);
    let lines = room_lines(&mut server.rejections).await;
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].contains("8 connections open, its limit"),
        "{lines:?}"
    );
    let closed: u64 = lines[1]
        .strip_prefix("closed ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no summary: {lines:?}"));
    assert!(closed >= 5, "{lines:?}");
    assert!(lines[1].ends_with("idle connections to stay under 8 open"));
    server.stop().await;
}

/// The lines about closing connections for room, until the episode's summary.
async fn room_lines(rejections: &mut broadcast::Receiver<Rejection>) -> Vec<String> {
    let mut lines = Vec::new();
    while let Ok(Ok(rejection)) = tokio::time::timeout(WAIT, rejections.recv()).await {
        let reason = rejection.reason;
        if reason.contains("idle") {
            let done = reason.starts_with("closed ");
            lines.push(reason);
            if done {
                break;
            }
        }
    }
    lines
}
