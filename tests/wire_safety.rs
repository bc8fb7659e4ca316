//! Nothing hookscope writes as a request trusts its store: a capture whose method, target,
//! version or headers would add headers of their own on the wire (from an import by an older
//! build, or a store edited by hand) is refused by replay, forwarding and the client, each
//! saying why, and never reaches the receiver; a hostile version is written as HTTP/1.1.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::hookscope;
use common::receiver::{RawReceiver, split_request};
use hookscope::attempt::Attempt;
use hookscope::capture::{Capture, Header};
use hookscope::replay::forward::{ForwardConfig, ForwardRoute, Forwarder, ReplyError};
use hookscope::replay::{Client, OutgoingRequest, SendError, SendOptions, Target};
use hookscope::store::{Database, Durability, OpenMode, Store, StoreLocation, StoreOptions};
use hookscope::wire::{UnsafeRequest, checked_request_bytes, request_bytes};

/// What every hostile field below tries to smuggle in.
const INJECTED: &[u8] = b"X-Injected";

fn capture(method: &str, uri: &str, headers: Vec<Header>) -> Capture {
    let mut headers = headers;
    headers.insert(0, Header::new("Host", "127.0.0.1:9"));
    Capture::new(method, uri, headers, "{}")
}

/// The captures of the store, in id order, with what `replay` must say of each: `None`
/// for one that goes out, else the words its failure line must hold.
fn hostile_captures() -> Vec<(Capture, Option<&'static str>)> {
    let mut version = capture("POST", "/version", vec![]);
    version.version = "HTTP/1.1\r\nX-Injected: version".into();
    vec![
        (capture("POST", "/fine", vec![]), None),
        (
            capture("POST", "/a\r\nX-Injected: target", vec![]),
            Some(r"the request target `/a\r\nX-Injected: target` holds a line break"),
        ),
        (
            capture(
                "GET / HTTP/1.1\r\nX-Injected: method\r\nX-Rest:",
                "/m",
                vec![],
            ),
            Some(
                r"the method `GET / HTTP/1.1\r\nX-Injected: method\r\nX-Rest:` is not an HTTP method",
            ),
        ),
        (
            capture("POST", "/lf", vec![Header::new("X-A", "a\nX-Injected: lf")]),
            Some("the value of the header `X-A` holds a line break"),
        ),
        (
            capture("POST", "/cr", vec![Header::new("X-A", "a\rX-Injected: cr")]),
            Some("the value of the header `X-A` holds a line break"),
        ),
        (
            capture("POST", "/name", vec![Header::new("X-A\nX-Injected", "v")]),
            Some(r"the header name `X-A\nX-Injected` is not an HTTP header name"),
        ),
        (
            capture("POST", "/nul", vec![Header::new("X-A", &b"a\0b"[..])]),
            Some("the value of the header `X-A` holds a NUL byte"),
        ),
        (
            capture("POST", "/a b", vec![]),
            Some("the request target `/a b` holds a space"),
        ),
        (
            capture("POST", "/a\x01b", vec![]),
            Some(r"the request target `/a\x01b` holds a control character"),
        ),
        // Replay writes HTTP/1.1 whatever the capture says, so this one goes, as 1.1.
        (version, None),
    ]
}

/// A store holding `captures`, written through the library as an old import would have.
fn store_with(home: &Path, captures: &[Capture]) -> PathBuf {
    let path = home.join("captures.sqlite3");
    let mut db = Database::open(&path, OpenMode::CreateIfMissing, Durability::Throwaway).unwrap();
    db.insert_batch(captures, u64::MAX).unwrap();
    // The store hands the fields back as written, or this test tests nothing.
    for (i, capture) in captures.iter().enumerate() {
        let stored = db.get(i as i64 + 1).unwrap().unwrap();
        assert_eq!(
            (
                &stored.method,
                &stored.uri,
                &stored.version,
                &stored.headers
            ),
            (
                &capture.method,
                &capture.uri,
                &capture.version,
                &capture.headers
            )
        );
    }
    path
}

fn run(home: &Path, args: &[&str]) -> Output {
    hookscope(home).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn replay_refuses_hostile_captures_says_why_and_sends_the_rest() {
    let home = tempfile::tempdir().unwrap();
    let captures = hostile_captures();
    let all: Vec<Capture> = captures.iter().map(|(c, _)| c.clone()).collect();
    let db = store_with(home.path(), &all);
    let app = RawReceiver::ok();
    let ids: Vec<String> = (1..=captures.len()).map(|id| id.to_string()).collect();
    let mut args = vec!["replay"];
    args.extend(ids.iter().map(String::as_str));
    let url = app.url();
    args.extend([
        "--to",
        &url,
        "--db",
        db.to_str().unwrap(),
        "--concurrency",
        "1",
    ]);
    let out = run(home.path(), &args);

    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("2 answered, 8 failed"), "{stderr}");
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), captures.len(), "{lines:?}");
    let endpoint = app.addr.to_string();
    for ((_, why), line) in captures.iter().zip(&lines) {
        match why {
            None => assert!(line.contains("  200  "), "{line}"),
            Some(why) => {
                let said = format!("  failed: not sent to {endpoint}: {why}");
                assert!(line.contains(&said), "{line}\nwanted: {said}");
                assert!(
                    line.ends_with(", so it cannot be written as an HTTP request"),
                    "{line}"
                );
            }
        }
    }

    // Only the two that could be written arrived, and nothing was smuggled in.
    std::thread::sleep(Duration::from_millis(200));
    let received = app.requests();
    assert_eq!(received.len(), 2, "{:?}", received.iter().map(|r| text(r)));
    for raw in &received {
        assert!(!contains(raw, INJECTED), "{}", text(raw));
        assert!(!raw.contains(&0), "{}", text(raw));
    }
    assert_eq!(split_request(&received[0]).0, "POST /fine HTTP/1.1");
    assert_eq!(split_request(&received[1]).0, "POST /version HTTP/1.1");

    // Every refusal is recorded with its capture: nothing sent, the reason kept.
    let db = Database::open(&db, OpenMode::MustExist, Durability::Throwaway).unwrap();
    for (i, (_, why)) in captures.iter().enumerate() {
        let attempts: Vec<Attempt> = db.attempts_for(i as i64 + 1).unwrap();
        assert_eq!(attempts.len(), 1);
        let attempt = &attempts[0];
        match why {
            None => assert!(attempt.response.is_some() && attempt.error.is_none()),
            Some(why) => {
                let error = attempt.error.as_deref().unwrap_or_default();
                assert!(error.contains(why), "{error}");
                assert!(attempt.request.is_empty(), "{:?}", attempt.request);
                assert_eq!(attempt.target, app.url());
            }
        }
    }
}

#[test]
fn a_hostile_version_is_written_as_http_1_1() {
    let mut c = capture("POST", "/v", vec![]);
    for (version, written) in [
        ("HTTP/1.1\r\nX-Injected: version", "HTTP/1.1"),
        ("HTTP/1.0\r\nX-Injected: version", "HTTP/1.1"),
        ("HTTP/1.9", "HTTP/1.1"),
        ("HTTP/2.0", "HTTP/1.1"),
        ("HTTP/1.0", "HTTP/1.0"),
        ("HTTP/1.1", "HTTP/1.1"),
    ] {
        c.version = version.into();
        let expected = format!("POST /v {written}\r\nHost: 127.0.0.1:9\r\n\r\n{{}}");
        assert_eq!(text(&request_bytes(&c)), expected, "{version:?}");
        assert_eq!(text(&checked_request_bytes(&c).unwrap()), expected);
    }
}

#[test]
fn show_raw_piped_writes_a_hostile_version_as_http_1_1() {
    let home = tempfile::tempdir().unwrap();
    let mut c = capture("POST", "/v", vec![]);
    c.version = "HTTP/1.1\r\nX-Injected: version".into();
    let db = store_with(home.path(), &[c]);
    let out = run(
        home.path(),
        &["show", "1", "--raw", "--db", db.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "POST /v HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n{}"
    );
}

#[test]
fn checked_request_bytes_refuses_every_hostile_field_with_a_one_line_message() {
    for (c, why) in hostile_captures() {
        let result = checked_request_bytes(&c);
        let Some(why) = why else {
            assert!(result.is_ok(), "{:?}", c.uri);
            continue;
        };
        let error = result.expect_err(why);
        let message = error.to_string();
        assert!(message.starts_with(why), "{message}");
        assert!(
            !message.chars().any(|ch| ch.is_control()),
            "{message:?} holds a control character"
        );
    }
    // An empty target and an empty method are not request lines either.
    assert!(matches!(
        checked_request_bytes(&capture("POST", "", vec![])),
        Err(UnsafeRequest::Target { .. })
    ));
    assert!(matches!(
        checked_request_bytes(&capture("", "/", vec![])),
        Err(UnsafeRequest::Method { .. })
    ));
}

#[test]
fn a_long_hostile_field_is_quoted_short() {
    let long = format!("/{}\r\n", "a".repeat(5000));
    let message = checked_request_bytes(&capture("POST", &long, vec![]))
        .unwrap_err()
        .to_string();
    assert!(message.chars().count() < 200, "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_refuses_a_hostile_request_before_connecting() {
    let app = RawReceiver::ok();
    let target = Target::parse(&app.url()).unwrap();
    let client = Client::new(SendOptions::default());
    // As edit-then-replay builds it: the parser lets a NUL through in a value.
    let edited = OutgoingRequest::edited(
        "POST",
        "/x".into(),
        &[Header::new("X-A", &b"a\0b"[..])],
        Bytes::from_static(b"{}"),
        &target,
    );
    // And one built field by field, as a library user may.
    let mut built = OutgoingRequest::for_capture(&capture("POST", "/x", vec![]), &target);
    built.target = "/x HTTP/1.1\r\nX-Injected: yes\r\nX-Rest:".into();
    for request in [edited, built] {
        let error = client.send(&target, &request).await.unwrap_err();
        assert!(matches!(error, SendError::NotSent { .. }), "{error}");
        assert_eq!(error.kind(), "unsafe");
        assert!(
            error
                .to_string()
                .starts_with(&format!("not sent to {}: ", app.addr)),
            "{error}"
        );
        assert!(request.wire_bytes().is_err());
    }
    assert_eq!(app.connections(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarding_records_a_hostile_capture_as_not_sent() {
    let home = tempfile::tempdir().unwrap();
    let hostile = capture("POST", "/a\r\nX-Injected: forward", vec![]);
    let path = store_with(home.path(), std::slice::from_ref(&hostile));
    let stored = Database::open(&path, OpenMode::MustExist, Durability::Throwaway)
        .unwrap()
        .get(1)
        .unwrap()
        .unwrap();
    let store = Store::open(
        StoreLocation::file(&path),
        StoreOptions {
            keep: 1000,
            fsync: false,
            owns_verdicts: false,
        },
    )
    .unwrap();
    let app = RawReceiver::ok();
    let forwarder = Forwarder::start(
        ForwardConfig {
            routes: vec![ForwardRoute {
                target: Target::parse(&app.url()).unwrap(),
                filter: hookscope::filter::parse("").unwrap(),
                filter_text: String::new(),
            }],
            ..ForwardConfig::default()
        },
        store.writer(),
    )
    .unwrap();
    let why = r"the request target `/a\r\nX-Injected: forward` holds a line break";
    // `--forward-reply`: the sender's answer says why.
    match forwarder.handle().exchange_first(&stored).await {
        Err(ReplyError::Failed(error)) => assert!(error.contains(why), "{error}"),
        Err(ReplyError::NoRoute) => panic!("no route"),
        Ok(response) => panic!("sent, answered {}", response.status),
    }
    // Queued, as every webhook is forwarded.
    forwarder.handle().submit(Arc::new(stored), false);
    let db = Database::open(&path, OpenMode::MustExist, Durability::Throwaway).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let attempts = loop {
        let attempts = db.attempts_for(1).unwrap();
        if attempts.len() == 2 || std::time::Instant::now() > deadline {
            break attempts;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    forwarder.finish().await;
    tokio::task::spawn_blocking(move || store.close())
        .await
        .unwrap();

    assert_eq!(attempts.len(), 2, "{attempts:?}");
    for attempt in &attempts {
        let error = attempt.error.as_deref().unwrap_or_default();
        assert!(error.contains(why), "{error}");
        assert!(attempt.request.is_empty());
    }
    assert_eq!(app.connections(), 0);
}

#[test]
fn copying_a_hostile_capture_as_a_request_or_curl_command_is_refused() {
    use hookscope::copy::{CopyError, CopyItem, content, curl_for_capture};
    for (mut c, why) in hostile_captures() {
        c.id = 7;
        let Some(why) = why else {
            assert!(content(CopyItem::RawHttp, &c, None).is_ok());
            assert!(curl_for_capture(&c, None).is_ok());
            continue;
        };
        for result in [
            content(CopyItem::RawHttp, &c, None),
            content(CopyItem::Curl, &c, None),
            curl_for_capture(&c, Some(&Target::parse("http://localhost:3000").unwrap())),
        ] {
            let error = result.expect_err(why);
            assert!(matches!(error, CopyError::UnsafeRequest { id: 7, .. }));
            let message = error.to_string();
            assert!(
                message.starts_with(&format!(
                    "capture #7 cannot be written as an HTTP request: {why}"
                )),
                "{message}"
            );
            assert!(!message.chars().any(char::is_control), "{message:?}");
        }
    }
}

#[test]
fn show_raw_or_curl_piped_refuses_a_hostile_capture_and_says_why() {
    let home = tempfile::tempdir().unwrap();
    let c = capture("POST", "/a\r\nX-Injected: target", vec![]);
    let db = store_with(home.path(), &[c]);
    for flag in ["--raw", "--curl"] {
        let out = run(
            home.path(),
            &["show", "1", flag, "--db", db.to_str().unwrap()],
        );
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{flag}: {stderr}");
        assert!(out.stdout.is_empty(), "{flag}: {}", text(&out.stdout));
        assert!(
            stderr.contains(
                r"capture #1 cannot be written as an HTTP request: the request target `/a\r\nX-Injected: target` holds a line break"
            ),
            "{flag}: {stderr}"
        );
    }
    // The readable form still shows it, escaped.
    let out = run(home.path(), &["show", "1", "--db", db.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains(r"POST /a\r\nX-Injected: target  HTTP/1.1"));
}
