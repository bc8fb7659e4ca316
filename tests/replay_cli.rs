//! `hookscope replay` and `hookscope show --curl`, the real binary on a store the test fills:
//! what reaches the target, the lines and `--json` records scripts read, the exit codes, and
//! every replay recorded with its capture.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use common::hookscope;
use common::receiver::{RawReceiver, split_request};
use hookscope::attempt::AttemptKind;
use hookscope::capture::{Capture, Header};
use hookscope::store::{Database, Durability, OpenMode};

fn fill_store(home: &Path) -> PathBuf {
    let path = home.join("captures.sqlite3");
    let mut db = Database::open(&path, OpenMode::CreateIfMissing, Durability::Throwaway).unwrap();
    let captures = [
        Capture::new(
            "POST",
            "/hooks/a?n=1",
            vec![
                Header::new("Host", "127.0.0.1:9876"),
                Header::new("X-Signature", "sha256=abc"),
                Header::new("content-type", "application/json"),
            ],
            r#"{"n":1}"#,
        ),
        Capture::new("PUT", "/hooks/b", vec![Header::new("Host", "h")], "two"),
        Capture::new("POST", "/other", vec![Header::new("Host", "h")], "three"),
    ];
    db.insert_batch(&captures, u64::MAX).unwrap();
    path
}

fn run(home: &Path, args: &[&str]) -> Output {
    hookscope(home).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn replayed_captures_reach_the_target_exactly_and_are_recorded() {
    let home = tempfile::tempdir().unwrap();
    let db = fill_store(home.path());
    let app = RawReceiver::ok();
    let to = format!("{}/in", app.url());
    let out = run(
        home.path(),
        &[
            "replay",
            "1",
            "2",
            "--to",
            &to,
            "--db",
            db.to_str().unwrap(),
            // One at a time, so they reach the app in capture order.
            "--concurrency",
            "1",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("#1  ") && lines[0].contains(" 200 "),
        "{lines:?}"
    );
    assert!(text(&out.stderr).contains("2 answered, 0 failed"));

    let received = app.wait_for(2, Duration::from_secs(5));
    let (line, headers, body) = split_request(&received[0]);
    assert_eq!(line, "POST /in?n=1 HTTP/1.1");
    let names: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["Host", "X-Signature", "content-type", "Content-Length"]
    );
    assert_eq!(body, br#"{"n":1}"#);
    assert!(received[1].starts_with(b"PUT /in HTTP/1.1\r\n"));

    let db = Database::open(&db, OpenMode::MustExist, Durability::Throwaway).unwrap();
    let attempts = db.attempts_for(1).unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].kind, AttemptKind::Replay);
    assert_eq!(attempts[0].response.as_ref().unwrap().status, 200);
    assert_eq!(attempts[0].request.as_ref(), received[0].as_slice());
}

#[test]
fn json_records_have_one_shape_and_failures_exit_1() {
    let home = tempfile::tempdir().unwrap();
    let db = fill_store(home.path());
    let refused = common::refused_url();
    let out = run(
        home.path(),
        &[
            "replay",
            "1",
            "99",
            "--to",
            &refused,
            "--json",
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let records: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2);
    for record in &records {
        let mut keys: Vec<&str> = record
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "attempt",
                "elapsed_ms",
                "error",
                "id",
                "response_size",
                "status",
                "target"
            ]
        );
    }
    assert_eq!(records[0]["id"], 1);
    assert!(records[0]["status"].is_null());
    assert!(records[0]["error"].as_str().unwrap().contains("refused"));
    assert!(
        records[0]["attempt"].as_i64().unwrap() > 0,
        "a failure is recorded too"
    );
    assert_eq!(records[1]["id"], 99);
    assert!(records[1]["error"].as_str().unwrap().contains("no capture"));
}

#[test]
fn a_filter_chooses_the_captures_and_usage_errors_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let db = fill_store(home.path());
    let app = RawReceiver::ok();
    let db_arg = db.to_str().unwrap();
    let out = run(
        home.path(),
        &[
            "replay",
            "--filter",
            "path:/hooks/*",
            "--to",
            &app.url(),
            "--db",
            db_arg,
            // One at a time, so they arrive in capture order.
            "--concurrency",
            "1",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let received = app.wait_for(2, Duration::from_secs(5));
    assert!(received[0].starts_with(b"POST /hooks/a?n=1 "));
    assert!(received[1].starts_with(b"PUT /hooks/b "));
    assert_eq!(app.requests().len(), 2, "/other was left out");

    for args in [
        vec!["replay", "--to", "http://localhost:1", "--db", db_arg],
        vec!["replay", "1", "--to", "ftp://nowhere", "--db", db_arg],
        vec!["replay", "1", "--db", db_arg],
    ] {
        let out = run(home.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!text(&out.stderr).is_empty());
    }
}

#[test]
fn show_curl_prints_a_command_aimed_where_asked() {
    let home = tempfile::tempdir().unwrap();
    let db = fill_store(home.path());
    let db_arg = db.to_str().unwrap();
    let out = run(home.path(), &["show", "1", "--curl", "--db", db_arg]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let command = text(&out.stdout);
    assert!(
        command.starts_with("curl --request POST 'http://127.0.0.1:9876/hooks/a?n=1'"),
        "{command}"
    );
    assert!(
        command.contains("--header 'X-Signature: sha256=abc'"),
        "{command}"
    );

    let out = run(
        home.path(),
        &[
            "show",
            "1",
            "--curl",
            "--to",
            "http://localhost:3000/in",
            "--db",
            db_arg,
        ],
    );
    assert!(text(&out.stdout).starts_with("curl --request POST 'http://localhost:3000/in?n=1'"));
    let out = run(
        home.path(),
        &["show", "1", "--to", "http://localhost:3000", "--db", db_arg],
    );
    assert_eq!(out.status.code(), Some(2), "--to needs --curl");
}
