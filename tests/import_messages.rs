//! `hookscope import` on files it must refuse, run as the real binary: what it says, the exit
//! status, and that nothing reaches the store or the terminal that should not.

mod common;

use std::path::Path;
use std::process::Output;

use common::hookscope;
use hookscope::escape::is_hidden_control;

/// One JSONL record; `peer` and `version` are JSON string contents (escapes allowed).
fn record(n: usize, peer: &str, version: &str) -> String {
    format!(
        r#"{{"id":{n},"received_at":"2026-01-02T03:04:05Z","method":"POST","path":"/{n}","query":null,"size":2,"content_type":"text/plain","peer":"{peer}","uri":"/{n}","version":"{version}","headers":[{{"name":"Content-Type","value":"text/plain"}}],"body":"hi","body_encoding":"utf8","response_status":200}}"#
    )
}

fn good(n: usize) -> String {
    record(n, "10.0.0.1:5", "HTTP/1.1")
}

/// Imports `contents` into the store `c.sqlite3` in `home`.
fn import(home: &Path, contents: &[u8]) -> Output {
    let file = home.join("in.archive");
    std::fs::write(&file, contents).unwrap();
    run(home, &["import", file.to_str().unwrap()])
}

fn run(home: &Path, args: &[&str]) -> Output {
    let db = home.join("c.sqlite3");
    hookscope(home)
        .args(args)
        .args(["--db", db.to_str().unwrap()])
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// What `list --json` shows: one line per capture in the store.
fn stored(home: &Path) -> usize {
    if !home.join("c.sqlite3").exists() {
        return 0;
    }
    let out = run(home, &["list", "--json", "--limit", "0"]);
    String::from_utf8(out.stdout).unwrap().lines().count()
}

#[test]
fn controls_in_peer_and_version_are_refused_by_line_and_field() {
    let home = tempfile::tempdir().unwrap();
    let hostile = [
        (r"1.2.3.4:5\u001b]0;pwned\u0007", "HTTP/1.1", "peer"),
        (r"1.2.3.4:5\u009b31m", "HTTP/1.1", "peer"),
        ("10.0.0.1:5", r"HTTP/1.1\u001b[2J", "version"),
        ("10.0.0.1:5", r"HTTP/1.1\u202egnp.exe", "version"),
    ];
    for (peer, version, field) in hostile {
        let text = format!("{}\n{}\n", good(1), record(2, peer, version));
        let out = import(home.path(), text.as_bytes());
        let message = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{message}");
        assert!(
            message.contains(&format!("line 2: {field} \"")) && message.contains("control"),
            "{message}"
        );
        assert!(
            !message.chars().any(|c| c != '\n' && is_hidden_control(c)),
            "the message itself is escaped: {message:?}"
        );
        assert_eq!(stored(home.path()), 0, "all or nothing");
    }
}

#[test]
fn a_har_cut_in_the_middle_says_it_ends_early_and_where() {
    let home = tempfile::tempdir().unwrap();
    let jsonl: String = (1..=4).map(|n| good(n) + "\n").collect();
    assert!(import(home.path(), jsonl.as_bytes()).status.success());
    let export = run(home.path(), &["export", "--format", "har"]);
    assert!(export.status.success());
    let har = String::from_utf8(export.stdout).unwrap();
    let cut = &har[..har.len() / 2];

    let other = tempfile::tempdir().unwrap();
    let out = import(other.path(), cut.as_bytes());
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{message}");
    let line = cut.lines().count();
    let column = cut.lines().last().unwrap().chars().count();
    assert!(
        message.contains("looks like a HAR file that ends early")
            && message.contains(&format!("at line {line}, column {column}")),
        "{message}"
    );
    assert!(!message.contains("not a capture record"), "{message}");
}

#[test]
fn random_bytes_are_a_failed_import_exit_1_not_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    // Not UTF-8 from the first byte, as most random data is.
    let noise: Vec<u8> = (0..4096u32)
        .map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x80)
        .collect();
    let out = import(home.path(), &noise);
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{message}");
    assert!(
        message.contains("cannot import") && message.contains("not UTF-8"),
        "{message}"
    );
    // A file that cannot be read at all is still the environment's problem (2).
    let missing = home.path().join("missing.har");
    let out = run(home.path(), &["import", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn a_bad_line_says_how_many_good_lines_were_not_imported() {
    let home = tempfile::tempdir().unwrap();
    let mut lines: Vec<String> = (1..=10).map(good).collect();
    lines[6] = good(7).replace("\"body_encoding\":\"utf8\"", "\"body_encoding\":\"utf9\"");
    let out = import(home.path(), lines.join("\n").as_bytes());
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{message}");
    assert!(message.contains("line 7: "), "{message}");
    assert!(
        message.contains(
            "nothing was imported (the 6 good lines before it and the 3 lines after it were \
             left out too"
        ),
        "{message}"
    );
    assert_eq!(stored(home.path()), 0);
}

#[test]
fn file_contents_quoted_in_an_error_reach_the_terminal_escaped() {
    let home = tempfile::tempdir().unwrap();
    // serde_json quotes an unknown variant as it is, between backticks.
    let text = good(1).replace(
        "\"body_encoding\":\"utf8\"",
        r#""body_encoding":"\u001b]0;pwned\u0007\u001b[2J""#,
    );
    let out = import(home.path(), text.as_bytes());
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{message}");
    assert!(
        !message.chars().any(|c| c != '\n' && is_hidden_control(c)),
        "{message:?}"
    );
    assert!(message.contains("\\x1b]0;pwned\\x07"), "{message}");
}
