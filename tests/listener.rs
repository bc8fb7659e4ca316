//! The listener and store together: a real server on a loopback port, real clients, a real
//! SQLite file.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use common::{ServerConfig, TestServer, client, raw_exchange, status_of};
use hookscope::capture::Header;
use hookscope::listener::{HeaderCase, ResponseConfig};
use hookscope::store::{Database, Durability, OpenMode};
use http::{HeaderName, HeaderValue, StatusCode};

#[tokio::test(flavor = "multi_thread")]
async fn captures_any_method_on_any_path() {
    let server = TestServer::start().await;
    let requests: [(&str, &str); 5] = [
        ("GET", "/"),
        ("DELETE", "/items/42?force=true&x=%20y"),
        ("BREW", "/coffee/pot-1"),
        ("PURGE", "/cache/*"),
        ("OPTIONS", "*"),
    ];
    for (method, target) in requests {
        let request = format!("{method} {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        let response = raw_exchange(server.addr, request.as_bytes()).await;
        assert_eq!(status_of(&response), 200, "{method} {target}");
    }
    let captured: Vec<(String, String)> = server
        .captures()
        .into_iter()
        .map(|c| (c.method, c.uri))
        .collect();
    let expected: Vec<(String, String)> = requests
        .iter()
        .map(|(m, t)| (m.to_string(), t.to_string()))
        .collect();
    assert_eq!(captured, expected);
    let delete = &server.captures()[1];
    assert_eq!(delete.path(), "/items/42");
    assert_eq!(delete.query(), Some("force=true&x=%20y"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn keeps_headers_in_wire_order_with_case_and_duplicates() {
    let server = TestServer::start().await;
    let request = b"POST /h HTTP/1.1\r\nHost: t\r\nX-Trace: 1\r\nx-other: a\r\n\
        X-Trace: 2\r\nX-Latin1: caf\xe9\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    let response = raw_exchange(server.addr, request).await;
    assert_eq!(status_of(&response), 200);
    let capture = server.captures().remove(0);
    assert_eq!(
        capture.headers,
        vec![
            Header::new("Host", "t"),
            Header::new("X-Trace", "1"),
            Header::new("x-other", "a"),
            Header::new("X-Trace", "2"),
            Header::new("X-Latin1", b"caf\xe9".to_vec()),
            Header::new("Content-Length", "2"),
            Header::new("Connection", "close"),
        ]
    );
    assert_eq!(capture.version, "HTTP/1.1");
    assert!(capture.peer.starts_with("127.0.0.1:"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_sharing_a_connection_each_get_their_own_head() {
    let server = TestServer::start().await;
    // Pipelined: a chunked body with a trailer, then a sized one, then one without a body.
    let requests = b"PUT /one HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\
        4\r\nabcd\r\n3;ext=x\r\nefg\r\n0\r\nX-Trailer: t\r\n\r\n\
        POST /two HTTP/1.1\r\nHost: b\r\nContent-Length: 5\r\n\r\nhello\
        GET /three HTTP/1.1\r\nHost: c\r\nConnection: close\r\n\r\n";
    raw_exchange(server.addr, requests).await;
    let captures = server.captures();
    assert_eq!(captures.len(), 3);
    assert_eq!(&captures[0].body[..], b"abcdefg");
    assert_eq!(captures[0].headers[0], Header::new("Host", "a"));
    assert_eq!(&captures[1].body[..], b"hello");
    assert_eq!(captures[1].headers[0], Header::new("Host", "b"));
    assert_eq!(captures[2].uri, "/three");
    assert_eq!(captures[2].headers[0], Header::new("Host", "c"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn stores_a_binary_body_byte_for_byte() {
    let server = TestServer::start().await;
    let body: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let response = client()
        .post(server.url("/bin"))
        .header("Content-Type", "application/octet-stream")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let capture = server.captures().remove(0);
    assert_eq!(capture.body.as_ref(), body.as_slice());
    assert_eq!(capture.size(), 70_000);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn stores_a_gzip_body_as_sent() {
    let server = TestServer::start().await;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(br#"{"event":"compressed"}"#).unwrap();
    let gzipped = encoder.finish().unwrap();
    client()
        .post(server.url("/gz"))
        .header("Content-Encoding", "gzip")
        .header("Content-Type", "application/json")
        .body(gzipped.clone())
        .send()
        .await
        .unwrap();
    let capture = server.captures().remove(0);
    assert_eq!(capture.body.as_ref(), gzipped.as_slice());
    assert_eq!(&capture.body[..2], &[0x1f, 0x8b]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_413_over_the_limit_and_keeps_capturing() {
    let mut server = TestServer::start_with(ServerConfig {
        max_body: 1024,
        ..ServerConfig::default()
    })
    .await;
    let http = client();

    let declared = http
        .post(server.url("/big"))
        .body(vec![b'x'; 1025])
        .send()
        .await
        .unwrap();
    assert_eq!(declared.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let message = declared.text().await.unwrap();
    assert!(
        message.contains("1.0 KiB limit") && message.contains("--max-body"),
        "{message}"
    );

    // Chunked, so the size is only known while reading.
    let mut chunked =
        b"POST /big-chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..3 {
        chunked.extend_from_slice(b"200\r\n");
        chunked.extend_from_slice(&[b'y'; 0x200]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(status_of(&raw_exchange(server.addr, &chunked).await), 413);

    let at_limit = http
        .post(server.url("/fits"))
        .body(vec![b'z'; 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(at_limit.status(), 200);
    let captures = server.captures();
    assert_eq!(
        captures.len(),
        1,
        "only the request within the limit is stored"
    );
    assert_eq!(captures[0].uri, "/fits");
    let rejection = server.rejections.recv().await.unwrap();
    assert_eq!(rejection.request.as_deref(), Some("POST /big"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_on_the_port_does_not_stop_the_listener() {
    let mut server = TestServer::start().await;
    let answer = raw_exchange(
        server.addr,
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n",
    )
    .await;
    assert!(answer.is_empty() || status_of(&answer) == 400);
    let response = client()
        .post(server.url("/after"))
        .body("ok")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.captures().len(), 1);
    let rejection = server.rejections.recv().await.unwrap();
    assert_eq!(rejection.request, None);
    assert!(
        rejection.reason.contains("not a valid HTTP/1 request"),
        "{}",
        rejection.reason
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_1000_concurrent_requests_is_captured_exactly() {
    let server = TestServer::start().await;
    let http = client();
    let mut tasks = Vec::new();
    for n in 0..1000 {
        let http = http.clone();
        let url = server.url(&format!("/burst/{n}"));
        tasks.push(tokio::spawn(async move {
            let response = http
                .post(url)
                .body(format!("{{\"n\":{n}}}"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            let ack: serde_json::Value = response.json().await.unwrap();
            (n, ack["id"].as_i64().unwrap())
        }));
    }
    let mut acks = Vec::new();
    for task in tasks {
        acks.push(task.await.unwrap());
    }
    let captures = server.captures();
    assert_eq!(captures.len(), 1000);
    let mut ids: Vec<i64> = captures.iter().map(|c| c.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), 1000, "ids are distinct");
    for (n, id) in acks {
        let capture = captures.iter().find(|c| c.id == id).unwrap();
        assert_eq!(capture.uri, format!("/burst/{n}"));
        assert_eq!(capture.body.as_ref(), format!("{{\"n\":{n}}}").as_bytes());
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn captures_survive_a_restart_and_ids_keep_counting() {
    let server = TestServer::start().await;
    for n in 0..3 {
        client()
            .post(server.url("/before"))
            .body(format!("{n}"))
            .send()
            .await
            .unwrap();
    }
    let dir = server.stop().await;
    // Read once stopped, so the analyser's verdicts are in: they belong to the capture.
    let before = common::all_captures(
        &Database::open(
            &dir.path().join("captures.sqlite3"),
            OpenMode::MustExist,
            Durability::PowerLoss,
        )
        .unwrap(),
    );

    let server = TestServer::start_in(dir, ServerConfig::default()).await;
    assert_eq!(server.captures(), before);
    let response = client().post(server.url("/after")).send().await.unwrap();
    let ack: serde_json::Value = response.json().await.unwrap();
    assert_eq!(ack, serde_json::json!({"ok": true, "id": 4}));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn retention_deletes_the_oldest_first() {
    let server = TestServer::start_with(ServerConfig {
        keep: 3,
        ..ServerConfig::default()
    })
    .await;
    for n in 1..=5 {
        client()
            .post(server.url(&format!("/{n}")))
            .send()
            .await
            .unwrap();
    }
    let uris: Vec<String> = server.captures().into_iter().map(|c| c.uri).collect();
    assert_eq!(uris, ["/3", "/4", "/5"]);
    assert_eq!(server.db().count().unwrap(), 3);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_response_is_configurable() {
    let server = TestServer::start_with(ServerConfig {
        response: ResponseConfig {
            status: StatusCode::ACCEPTED,
            body: Some("received {id}".into()),
            headers: vec![
                (
                    HeaderName::from_static("x-hook"),
                    HeaderValue::from_static("a"),
                ),
                (
                    HeaderName::from_static("x-hook"),
                    HeaderValue::from_static("b"),
                ),
            ],
            delay: Duration::from_millis(150),
            ..ResponseConfig::default()
        },
        ..ServerConfig::default()
    })
    .await;
    let started = Instant::now();
    let response = client().post(server.url("/r")).send().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "the delay is applied"
    );
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let hooks: Vec<_> = response.headers().get_all("x-hook").iter().collect();
    assert_eq!(hooks, ["a", "b"]);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(response.text().await.unwrap(), "received 1");
    assert_eq!(server.captures()[0].response_status, 202);
    server.stop().await;
}

/// `--response-header 'X-A: b'` goes out as `X-A`, not hyper's `x-a`; each value of a
/// repeated name keeps its own spelling, and hyper's own headers stay as they were.
#[tokio::test(flavor = "multi_thread")]
async fn response_header_names_go_out_as_written() {
    let header = |name: &'static str, value: &'static str| {
        (
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };
    let server = TestServer::start_with(ServerConfig {
        response: ResponseConfig {
            headers: vec![
                header("x-a", "b"),
                header("content-type", "text/plain"),
                header("x-a", "c"),
            ],
            header_case: HeaderCase::as_written(["X-A", "Content-TYPE", "x-A"]),
            ..ResponseConfig::default()
        },
        ..ServerConfig::default()
    })
    .await;
    for _ in 0..2 {
        let response = raw_exchange(
            server.addr,
            b"POST /h HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )
        .await;
        let text = String::from_utf8(response).unwrap();
        let head = text.split("\r\n\r\n").next().unwrap();
        assert_eq!(status_of(head.as_bytes()), 200);
        let lines: Vec<&str> = head.lines().skip(1).collect();
        for expected in ["X-A: b", "x-A: c", "Content-TYPE: text/plain"] {
            assert!(lines.contains(&expected), "{expected:?} missing: {head}");
        }
        assert!(
            lines.iter().any(|l| l.starts_with("content-length: ")),
            "{head}"
        );
    }
    server.stop().await;
}

/// A sender that stops halfway through its request must not keep hookscope from stopping:
/// after the drain time its connection is closed and the store shuts down.
#[tokio::test(flavor = "multi_thread")]
async fn a_half_sent_request_does_not_hold_up_shutdown() {
    use tokio::io::AsyncWriteExt;
    let server = TestServer::start().await;
    let mut stalled = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    stalled
        .write_all(b"POST /slow HTTP/1.1\r\nHost: t\r\nX-Half")
        .await
        .unwrap();
    client().post(server.url("/done")).send().await.unwrap();
    let stopped = tokio::time::timeout(Duration::from_secs(5), server.stop()).await;
    let dir = stopped.expect("shutdown waited on the stalled connection");
    let db = hookscope::store::Database::open(
        &dir.path().join("captures.sqlite3"),
        hookscope::store::OpenMode::MustExist,
        hookscope::store::Durability::Throwaway,
    )
    .unwrap();
    assert_eq!(common::all_captures(&db).len(), 1);
}

/// A write by another process (here another connection, as `hookscope clear` in another
/// terminal would be) is published as `ChangedElsewhere`; the store's own writes are not.
#[tokio::test(flavor = "multi_thread")]
async fn writes_by_another_process_are_noticed_and_own_writes_are_not() {
    use hookscope::store::{StoreEvent, StoreLocation, StoreOptions};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite3");
    let store = hookscope::store::Store::open(
        StoreLocation::file(&path),
        StoreOptions {
            keep: 100,
            fsync: false,
            owns_verdicts: true,
        },
    )
    .unwrap();
    let mut events = store.subscribe();
    let capture = hookscope::capture::Capture::new("POST", "/own", Vec::new(), "{}");
    store.writer().insert(capture).await.unwrap();
    let elsewhere = |events: &mut tokio::sync::broadcast::Receiver<StoreEvent>| {
        std::iter::from_fn(|| events.try_recv().ok()).any(|e| e == StoreEvent::ChangedElsewhere)
    };
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert!(
        !elsewhere(&mut events),
        "its own insert was taken for someone else's"
    );

    let mut other = Database::open(&path, OpenMode::MustExist, Durability::Throwaway).unwrap();
    other.clear().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(6);
    loop {
        if elsewhere(&mut events) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the other write went unnoticed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // The other clear removed the segment this writer wrote: that is no lost store.
    let capture = hookscope::capture::Capture::new("POST", "/after", Vec::new(), "{}");
    store.writer().insert(capture).await.unwrap();
    tokio::task::spawn_blocking(move || store.close())
        .await
        .unwrap();
}
