//! `hookscope show` on a capture whose every field holds terminal controls, as a store made
//! before import refused them (or changed by hand) can: nothing is printed raw.

mod common;

use common::stdout_of;
use hookscope::capture::{Capture, Header};
use hookscope::escape::is_hidden_control;
use hookscope::store::{Store, StoreLocation, StoreOptions};

/// ESC with an OSC title, a CSI through C1 (U+009B), and a bidi override (U+202E).
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{9b}31m\u{202e}";
const SHOWN: &str = "\\x1b]0;pwned\\x07\\u{9b}31m\\u{202e}";

fn hostile_capture() -> Capture {
    let mut capture = Capture::new(
        format!("POST{HOSTILE}"),
        format!("/hooks/{HOSTILE}?q={HOSTILE}"),
        vec![
            Header::new("Content-Type", "application/json"),
            Header::new("X-Evil", HOSTILE),
        ],
        format!("{{\"text\":\"{HOSTILE}\"}}"),
    );
    capture.peer = format!("10.0.0.1:5{HOSTILE}");
    capture.version = format!("HTTP/1.1{HOSTILE}");
    capture
}

#[test]
fn show_escapes_every_field_of_a_hostile_capture() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("c.sqlite3");
    let store = Store::open(
        StoreLocation::file(&db),
        StoreOptions {
            keep: u64::MAX,
            fsync: false,
            owns_verdicts: false,
        },
    )
    .unwrap();
    let stored = store
        .writer()
        .import_blocking(vec![hostile_capture()])
        .unwrap();
    store.close();

    let id = stored[0].id.to_string();
    let text = stdout_of(home.path(), &["show", &id, "--db", db.to_str().unwrap()]);
    let raw: Vec<char> = text
        .chars()
        .filter(|&c| c != '\n' && is_hidden_control(c))
        .collect();
    assert!(raw.is_empty(), "raw controls {raw:?} in:\n{text}");
    let first = text.lines().next().unwrap();
    assert!(first.contains(&format!("POST{SHOWN}")), "method: {first}");
    assert!(first.contains(&format!("/hooks/{SHOWN}")), "uri: {first}");
    assert!(
        first.ends_with(&format!("HTTP/1.1{SHOWN}")),
        "version: {first}"
    );
    assert!(
        text.contains(&format!("from 10.0.0.1:5{SHOWN} ·")),
        "peer: {text}"
    );
    assert!(text.contains(&format!("X-Evil: {SHOWN}")), "header: {text}");
}
