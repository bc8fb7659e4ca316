//! Whole requests compared: bodies through the real decoder, and the rendered lines.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::*;
use crate::capture::{Capture, Header};

fn capture(id: i64, uri: &str, headers: &[(&str, &str)], body: &[u8]) -> Capture {
    let headers = headers.iter().map(|(n, v)| Header::new(*n, *v)).collect();
    let mut capture = Capture::new("POST", uri, headers, body.to_vec());
    capture.id = id;
    capture
}

fn compared(a: &Capture, b: &Capture) -> RequestDiff {
    diff(&Side::of_capture(a), &Side::of_capture(b))
}

fn texts(diff: &RequestDiff) -> Vec<String> {
    diff.lines().into_iter().map(|l| l.text).collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

const JSON: (&str, &str) = ("Content-Type", "application/json");

#[test]
fn the_same_capture_is_the_same_and_says_so() {
    let a = capture(1, "/h", &[JSON], br#"{"a":1}"#);
    let found = compared(&a, &a);
    assert!(found.is_same());
    assert!(found.body.raw_same);
    let lines = texts(&found);
    assert_eq!(lines[0], "comparing #1 → #1");
    assert_eq!(lines.iter().filter(|l| *l == "  no differences").count(), 3);
}

#[test]
fn json_bodies_ignore_key_order_and_report_pointers() {
    let a = capture(1, "/h", &[JSON], br#"{"data":{"status":"ok","n":1}}"#);
    let b = capture(
        2,
        "/h",
        &[JSON],
        b"{ \"data\": {\"n\": 1,\n \"status\": \"failed\", \"extra\": 1 } }",
    );
    let found = compared(&a, &b);
    assert!(!found.is_same());
    let lines = found.lines();
    let body_at = lines
        .iter()
        .position(|l| l.text == "body (JSON, compared by structure)")
        .unwrap();
    let body: Vec<(LineKind, &str)> = lines[body_at + 1..]
        .iter()
        .map(|l| (l.kind, l.text.as_str()))
        .collect();
    assert_eq!(
        body,
        [
            (LineKind::Changed, r#"  ~ /data/status: "ok" → "failed""#),
            (LineKind::Added, "  + /data/extra: 1"),
        ]
    );
}

#[test]
fn gzip_and_plain_bodies_with_the_same_content_are_the_same_body() {
    let plain = br#"{"event":"push"}"#;
    let a = capture(1, "/h", &[JSON], plain);
    let b = capture(2, "/h", &[JSON, ("Content-Encoding", "gzip")], &gzip(plain));
    let found = compared(&a, &b);
    assert!(found.body.is_same());
    assert!(!found.body.raw_same);
    assert_eq!(found.body.b.codings, ["gzip"]);
    let note = found.body.notes.last().unwrap();
    assert!(note.contains("decode to the same content"), "{note}");
    assert!(note.contains("Content-Encoding none and gzip"), "{note}");
    // The header that made the difference is still reported.
    assert!(matches!(
        found.headers.as_slice(),
        [HeaderChange::Added { name, .. }] if name == "Content-Encoding"
    ));
}

#[test]
fn json_written_differently_is_noted_but_the_same() {
    let a = capture(1, "/h", &[JSON], br#"{"a":1,"b":2}"#);
    let b = capture(2, "/h", &[JSON], b"{\"b\": 2, \"a\": 1}\n");
    let found = compared(&a, &b);
    assert!(found.is_same());
    assert!(found.body.notes[0].contains("the same JSON written differently"));
}

#[test]
fn text_bodies_are_compared_line_by_line() {
    let text = ("Content-Type", "text/plain");
    let a = capture(1, "/h", &[text], b"one\ntwo\nthree\n");
    let b = capture(2, "/h", &[text], b"one\n2\nthree\n");
    let lines = texts(&compared(&a, &b));
    let at = lines
        .iter()
        .position(|l| l == "body (text, line by line)")
        .unwrap();
    assert_eq!(
        lines[at + 1..],
        [
            "  @@ -1,3 +1,3 @@",
            "    one",
            "  - two",
            "  + 2",
            "    three"
        ]
    );
}

#[test]
fn binary_bodies_give_sizes_and_the_first_differing_offset() {
    let octets = ("Content-Type", "application/octet-stream");
    let a = capture(1, "/h", &[octets], b"\x00\x01\x02\x03");
    let b = capture(2, "/h", &[octets], b"\x00\x01\xff\x03\x04");
    let found = compared(&a, &b);
    let BodyChanges::Binary(binary) = &found.body.changes else {
        panic!("{:?}", found.body.changes);
    };
    assert_eq!(binary.first_difference, Some(2));
    let lines = texts(&found);
    assert!(
        lines.contains(&"  ~ size: 4 bytes → 5 bytes".to_owned()),
        "{lines:?}"
    );
    assert!(lines.contains(&"  ~ first difference at offset 2 (0x2): 0x02 → 0xff".to_owned()));
    let same = compared(&a, &a);
    assert!(texts(&same).contains(&"  identical bytes".to_owned()));
}

#[test]
fn request_line_and_header_changes_are_rendered_with_marks() {
    let a = capture(
        1,
        "/h?x=1",
        &[("Content-Type", "text/plain"), ("X-Retry", "1")],
        b"",
    );
    let b = capture(
        2,
        "/other",
        &[("content-type", "text/plain"), ("X-New", "y")],
        b"",
    );
    let lines = texts(&compared(&a, &b));
    for expected in [
        "  ~ path: /h → /other",
        "  ~ query: x=1 → (none)",
        "  ~ name case: Content-Type → content-type",
        "  - X-Retry: 1",
        "  + X-New: y",
        "body (empty)",
    ] {
        assert!(
            lines.contains(&expected.to_owned()),
            "{expected:?} in {lines:?}"
        );
    }
}

#[test]
fn hostile_bytes_never_reach_the_lines_unescaped() {
    let a = capture(
        1,
        "/h\x1b[2J",
        &[("X-T", "a\u{9b}b")],
        b"line\x1b]0;x\x07\n",
    );
    let b = capture(2, "/h", &[("X-T", "c")], "other\u{202e}\n".as_bytes());
    for line in compared(&a, &b).lines() {
        assert!(
            !line.text.chars().any(crate::escape::is_hidden_control),
            "{:?}",
            line.text
        );
    }
}

#[test]
fn serialises_with_stable_snake_case_fields() {
    let a = capture(1, "/h", &[JSON], br#"{"a":1}"#);
    let b = capture(2, "/h", &[JSON], br#"{"a":2}"#);
    let value = serde_json::to_value(compared(&a, &b)).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["a", "b", "same", "request_line", "headers", "body"]);
    assert_eq!(value["same"], false);
    assert_eq!(value["body"]["format"], "json");
    assert_eq!(value["body"]["changes"][0]["pointer"], "/a");
    assert_eq!(value["body"]["changes"][0]["kind"], "changed");
    assert_eq!(value["body"]["a"]["format"], "json");
}

#[test]
fn a_replay_side_is_compared_like_a_capture() {
    let original = capture(12, "/h", &[JSON], br#"{"a":1}"#);
    let headers = original.headers.clone();
    let replay = Side {
        label: "replay 3 of #12".into(),
        method: "POST",
        uri: "/h",
        headers: &headers,
        body: br#"{"a":1}"#,
    };
    let found = diff(&Side::of_capture(&original), &replay);
    assert!(found.is_same());
    assert_eq!(found.b, "replay 3 of #12");
}
