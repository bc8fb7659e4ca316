//! `hookscope diff`, the real binary on a store the test fills itself: the text for people,
//! the `--json` shape, and the exit codes scripts rely on (0 same, 1 different, 2 trouble).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::hookscope;
use flate2::Compression;
use flate2::write::GzEncoder;
use hookscope::capture::{Capture, Header};
use hookscope::store::{Database, Durability, OpenMode};

const EVENT: &str = r#"{"data":{"status":"ok","id":7},"kind":"push"}"#;

/// A store holding, in order (ids 1 to 4): the event; the same event with its keys in another
/// order and other whitespace; a changed event; the event gzipped.
fn fill_store(home: &Path) -> PathBuf {
    let path = home.join("captures.sqlite3");
    let mut db = Database::open(&path, OpenMode::CreateIfMissing, Durability::Throwaway).unwrap();
    let json = || Header::new("Content-Type", "application/json");
    let captures = [
        Capture::new("POST", "/hooks", vec![json()], EVENT),
        Capture::new(
            "POST",
            "/hooks",
            vec![json()],
            "{\n  \"kind\": \"push\",\n  \"data\": {\"id\": 7, \"status\": \"ok\"}\n}",
        ),
        Capture::new(
            "POST",
            "/hooks?retry=1",
            vec![json(), Header::new("X-Retry", "1")],
            r#"{"data":{"status":"failed","id":7},"kind":"push","extra":[1]}"#,
        ),
        Capture::new(
            "POST",
            "/hooks",
            vec![json(), Header::new("Content-Encoding", "gzip")],
            gzip(EVENT.as_bytes()),
        ),
    ];
    db.insert_batch(&captures, 1_000).unwrap();
    path
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn diff(home: &Path, db: &Path, args: &[&str]) -> Output {
    hookscope(home)
        .arg("diff")
        .args(args)
        .arg("--db")
        .arg(db)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn the_same_event_written_differently_exits_0() {
    let home = tempfile::tempdir().unwrap();
    let db = fill_store(home.path());
    let out = diff(home.path(), &db, &["1", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.starts_with("comparing #1 → #2\n"), "{text}");
    assert!(
        text.contains("body (JSON, compared by structure)\n  no differences\n"),
        "{text}"
    );
    assert!(text.contains("the same JSON written differently"), "{text}");
}

#[test]
fn a_changed_event_lists_every_difference_and_exits_1() {
    let home = tempfile::tempdir().unwrap();
    let db = fill_store(home.path());
    let out = diff(home.path(), &db, &["1", "3"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    for expected in [
        "  ~ query: (none) → retry=1",
        "  + X-Retry: 1",
        r#"  ~ /data/status: "ok" → "failed""#,
        "  + /extra: [1]",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
}

#[test]
fn json_output_is_one_object_with_stable_fields() {
    let home = tempfile::tempdir().unwrap();
    let db = fill_store(home.path());
    let out = diff(home.path(), &db, &["1", "3", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["a", "b", "same", "request_line", "headers", "body"]);
    assert_eq!(
        (value["a"].as_str(), value["b"].as_str()),
        (Some("#1"), Some("#3"))
    );
    assert_eq!(value["same"], false);
    assert_eq!(value["request_line"][0]["field"], "query");
    assert_eq!(value["headers"][0]["kind"], "added");
    assert_eq!(value["body"]["format"], "json");
    let pointers: Vec<&str> = value["body"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["pointer"].as_str())
        .collect();
    assert_eq!(pointers, ["/data/status", "/extra"]);

    let same = diff(home.path(), &db, &["1", "2", "--json"]);
    assert_eq!(same.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&same.stdout).unwrap();
    assert_eq!(value["same"], true);
}

#[test]
fn a_gzipped_body_with_the_same_content_differs_only_by_its_header() {
    let home = tempfile::tempdir().unwrap();
    let db = fill_store(home.path());
    let out = diff(home.path(), &db, &["1", "4", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["headers"][0]["name"], "Content-Encoding");
    assert_eq!(value["body"]["changes"], serde_json::json!([]));
    assert_eq!(value["body"]["raw_same"], false);
    let notes = value["body"]["notes"].to_string();
    assert!(notes.contains("decode to the same content"), "{notes}");
}

#[test]
fn an_unknown_id_exits_2_naming_the_id_and_the_store() {
    let home = tempfile::tempdir().unwrap();
    let db = fill_store(home.path());
    let out = diff(home.path(), &db, &["1", "99"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("99"), "{message}");
    assert!(message.contains(db.to_str().unwrap()), "{message}");
}

#[test]
fn a_missing_store_exits_2_and_is_not_created() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("nothing-here.sqlite3");
    let out = diff(home.path(), &db, &["1", "2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no hookscope store"));
    assert!(!db.exists());
}
