//! Forward mode through a real session: every webhook is committed, then sent exactly as it
//! arrived to a raw receiver standing in for the developer's app; a dead or silent app never
//! holds up the listener, and every outcome is recorded as an attempt.

mod common;

use std::io::Write;
use std::time::Duration;

use common::receiver::{Behaviour, RawReceiver, split_request};
use hookscope::attempt::{Attempt, AttemptKind};
use hookscope::listener::ResponseConfig;
use hookscope::replay::Target;
use hookscope::replay::forward::{ForwardConfig, ForwardRoute};
use hookscope::session::{Serving, Session, SessionConfig};
use hookscope::store::{Database, Durability, OpenMode, StoreOptions};

struct Running {
    serving: Serving,
    url: String,
    db_path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn route(url: &str, filter: &str) -> ForwardRoute {
    ForwardRoute {
        target: Target::parse(url).unwrap(),
        filter: hookscope::filter::parse(filter).unwrap(),
        filter_text: filter.to_owned(),
    }
}

async fn start(forward: ForwardConfig) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("captures.sqlite3");
    let session = Session::open(SessionConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        store: Some(db_path.clone()),
        store_options: StoreOptions {
            keep: 1000,
            fsync: false,
            owns_verdicts: true,
        },
        response: ResponseConfig::default(),
        max_body: 1 << 20,
        forward,
        auth: None,
        limits: Default::default(),
    })
    .await
    .unwrap();
    let url = format!("http://{}", session.local_addr());
    Running {
        serving: session.serve(),
        url,
        db_path,
        _dir: dir,
    }
}

impl Running {
    /// Stops the session (every forward recorded) and returns each capture's attempts.
    async fn stop(self) -> (Database, Vec<Vec<Attempt>>) {
        self.serving.shutdown().await.unwrap();
        let db = Database::open(&self.db_path, OpenMode::MustExist, Durability::Throwaway).unwrap();
        let ids = db.all_ids().unwrap();
        let attempts = ids.iter().map(|id| db.attempts_for(*id).unwrap()).collect();
        (db, attempts)
    }
}

/// Posts `/hook/0`, `/hook/1`, … and checks each is acknowledged.
async fn post_hooks(url: &str, count: usize) {
    let client = common::client();
    for n in 0..count {
        let response = client
            .post(format!("{url}/hook/{n}"))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
}

fn forward_to(routes: Vec<ForwardRoute>) -> ForwardConfig {
    ForwardConfig {
        routes,
        timeout: Duration::from_millis(500),
        ..ForwardConfig::default()
    }
}

/// Writes a request as given, byte for byte, and returns the status line of the reply.
fn post_raw(url: &str, request: &[u8]) -> (u16, Vec<u8>) {
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(request).unwrap();
    let mut reply = Vec::new();
    std::io::Read::read_to_end(&mut stream, &mut reply).ok();
    let status = std::str::from_utf8(&reply[9..12]).unwrap().parse().unwrap();
    (status, reply)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forward_is_byte_exact() {
    let app = RawReceiver::ok();
    let hookscope = start(forward_to(vec![route(&app.url(), "")])).await;
    let body: Vec<u8> = (0..=255u8).chain(*b"\n\r\n").collect();
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(br#"{"zipped":true}"#).unwrap();
    let gzipped = gzip.finish().unwrap();
    for (headers, body) in [
        (
            "X-GitHub-Event: push\r\nx-dup: 1\r\ncontent-type: application/octet-stream\r\nX-Dup: 2\r\n",
            body.clone(),
        ),
        (
            "Content-Encoding: gzip\r\nContent-Type: application/json\r\n",
            gzipped.clone(),
        ),
    ] {
        let mut request = format!(
            "POST /hooks/in?a=1&b=%20 HTTP/1.1\r\nHost: hookscope.test\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(&body);
        let (status, _) = tokio::task::spawn_blocking({
            let url = hookscope.url.clone();
            move || post_raw(&url, &request)
        })
        .await
        .unwrap();
        assert_eq!(status, 200);
    }
    let mut received = app.wait_for(2, Duration::from_secs(10));
    // Eight senders forward at once, so the two may arrive in either order.
    received.sort_by_key(|raw| raw.windows(16).any(|w| w == b"Content-Encoding"));
    let (line, headers, forwarded) = split_request(&received[0]);
    assert_eq!(line, "POST /hooks/in?a=1&b=%20 HTTP/1.1");
    let names: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_slice()))
        .collect();
    let host = app.url().trim_start_matches("http://").to_owned();
    assert_eq!(
        names,
        [
            ("Host", host.as_bytes()),
            ("X-GitHub-Event", b"push".as_slice()),
            ("x-dup", b"1".as_slice()),
            ("content-type", b"application/octet-stream".as_slice()),
            ("X-Dup", b"2".as_slice()),
            ("Content-Length", body.len().to_string().as_bytes()),
        ],
        "names, case, order and duplicates kept; Connection dropped"
    );
    assert_eq!(forwarded, body);
    let (_, headers, forwarded) = split_request(&received[1]);
    assert!(
        headers
            .iter()
            .any(|(n, v)| n == "Content-Encoding" && v == b"gzip")
    );
    assert_eq!(forwarded, gzipped, "a gzip body stays gzipped");

    let (_, attempts) = hookscope.stop().await;
    for capture_attempts in &attempts {
        assert_eq!(capture_attempts.len(), 1);
        let attempt = &capture_attempts[0];
        assert_eq!(attempt.kind, AttemptKind::Forward);
        assert_eq!(attempt.response.as_ref().map(|r| r.status), Some(200));
        assert_eq!(
            attempt.response.as_ref().map(|r| r.body.as_ref()),
            Some(b"ok".as_slice())
        );
    }
    assert_eq!(
        attempts[0][0].request.as_ref(),
        received[0].as_slice(),
        "the request is recorded as sent"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_app_that_is_down_or_silent_never_holds_up_the_listener() {
    let silent = RawReceiver::start(Behaviour::Hang);
    // A port nothing listens on: bound, then closed.
    let refused = common::refused_url();
    let hookscope = start(forward_to(vec![
        route(&refused, ""),
        route(&silent.url(), ""),
    ]))
    .await;
    let started = std::time::Instant::now();
    post_hooks(&hookscope.url, 3).await;
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "the listener waited for the app ({:?})",
        started.elapsed()
    );
    silent.wait_for(3, Duration::from_secs(10));
    let (db, attempts) = hookscope.stop().await;
    assert_eq!(db.count().unwrap(), 3, "every capture is kept");
    for capture_attempts in attempts {
        let errors: Vec<&str> = capture_attempts
            .iter()
            .map(|a| a.error.as_deref().unwrap_or("answered"))
            .collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("refused")), "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("no answer")), "{errors:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_queue_is_recorded_as_not_forwarded_and_memory_stays_bounded() {
    let silent = RawReceiver::start(Behaviour::Hang);
    let hookscope = start(ForwardConfig {
        queue: 2,
        ..forward_to(vec![route(&silent.url(), "")])
    })
    .await;
    post_hooks(&hookscope.url, 16).await;
    let (db, attempts) = hookscope.stop().await;
    assert_eq!(db.count().unwrap(), 16);
    let not_forwarded = attempts
        .iter()
        .flatten()
        .filter(|a| {
            a.error
                .as_deref()
                .is_some_and(|e| e.contains("already waiting"))
        })
        .count();
    // 8 senders hang on one each, 2 wait in the queue: the rest cannot be held.
    assert!(
        not_forwarded >= 4,
        "{not_forwarded} recorded as not forwarded"
    );
    assert!(
        attempts.iter().all(|a| !a.is_empty()),
        "every capture has an outcome"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn webhooks_go_to_the_app_their_filter_names() {
    let octopus_app = RawReceiver::ok();
    let other_app = RawReceiver::ok();
    let hookscope = start(forward_to(vec![
        route(&format!("{}/octopus", octopus_app.url()), "vendor:octopus"),
        route(&other_app.url(), "-vendor:octopus"),
    ]))
    .await;
    let client = common::client();
    let octopus = hookscope::samples::find(hookscope::vendor::Vendor::Octopus, None, false)
        .unwrap()
        .body;
    for (path, body) in [("/a", octopus.to_vec()), ("/b", b"{\"hello\":1}".to_vec())] {
        client
            .post(format!("{}{path}?q=1", hookscope.url))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
    }
    let to_octopus = octopus_app.wait_for(1, Duration::from_secs(10));
    let to_other = other_app.wait_for(1, Duration::from_secs(10));
    hookscope.stop().await;
    assert_eq!(
        split_request(&to_octopus[0]).0,
        "POST /octopus?q=1 HTTP/1.1"
    );
    assert_eq!(split_request(&to_other[0]).0, "POST /b?q=1 HTTP/1.1");
    assert_eq!(octopus_app.requests().len(), 1);
    assert_eq!(other_app.requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn forward_reply_answers_the_sender_with_the_app_response() {
    let app = RawReceiver::start(Behaviour::Answer {
        status: 422,
        headers: vec![("X-App".into(), "yes".into())],
        body: b"rejected by the app".to_vec(),
    });
    let hookscope = start(ForwardConfig {
        reply: true,
        ..forward_to(vec![route(&app.url(), "")])
    })
    .await;
    let client = common::client();
    let response = client
        .post(format!("{}/hook", hookscope.url))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(response.headers()["x-app"], "yes");
    assert_eq!(response.text().await.unwrap(), "rejected by the app");
    let (db, attempts) = hookscope.stop().await;
    assert_eq!(db.count().unwrap(), 1);
    assert_eq!(attempts[0].len(), 1, "forwarded once, not twice");

    // The app is down: the sender gets 502 saying so, and the capture is kept.
    let refused = common::refused_url();
    let hookscope = start(ForwardConfig {
        reply: true,
        ..forward_to(vec![route(&refused, "")])
    })
    .await;
    let response = client
        .post(format!("{}/hook", hookscope.url))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    let text = response.text().await.unwrap();
    assert!(
        text.contains("stored this request") && text.contains("refused"),
        "{text}"
    );
    let (db, _) = hookscope.stop().await;
    assert_eq!(db.count().unwrap(), 1);
}

/// Headless, a forward that fails is a line on stderr.
#[test]
fn headless_says_on_stderr_when_a_forward_fails() {
    let home = tempfile::tempdir().unwrap();
    let refused = common::refused_url();
    let mut running = common::RunningBinary::start(home.path(), &["--forward-to", &refused]);
    let seen = running.stderr_lines();
    let (status, _) = post_raw(
        &format!("http://{}", running.addr),
        b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    );
    assert_eq!(status, 200);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let line = loop {
        let line = seen
            .recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
            .expect("no line about the failed forward");
        if line.contains("not forwarded") {
            break line;
        }
    };
    assert!(
        line.contains("capture 1") && line.contains("refused"),
        "{line}"
    );
    let (status, _) = running.terminate();
    assert!(status.success());
}
