use super::*;

/// One JSONL record, with `peer` and `version` as given (already JSON-escaped).
fn record(n: usize, peer: &str, version: &str) -> String {
    format!(
        r#"{{"id":{n},"received_at":"2026-01-02T03:04:05Z","method":"POST","path":"/{n}","query":null,"size":0,"content_type":null,"peer":"{peer}","uri":"/{n}","version":"{version}","headers":[],"body":"","body_encoding":"utf8","response_status":200}}"#
    )
}

fn good(n: usize) -> String {
    record(n, "10.0.0.1:5", "HTTP/1.1")
}

fn message(result: Result<Imported, ArchiveError>) -> String {
    result.expect_err("the import should fail").to_string()
}

fn har_of(captures: usize) -> String {
    let mut har = HarWriter::start(Vec::new()).unwrap();
    for n in 1..=captures {
        let mut capture = Capture::new("POST", format!("/hook/{n}"), Vec::new(), "{}");
        capture.id = n as i64;
        har.entry(&capture).unwrap();
    }
    String::from_utf8(har.finish().unwrap()).unwrap()
}

#[test]
fn controls_in_peer_or_version_are_refused_with_line_and_field() {
    for (peer, version, field) in [
        (r"1.2.3.4:5\u001b]0;pwned\u0007", "HTTP/1.1", "peer"),
        ("10.0.0.1:5", r"HTTP/1.1\u009b31m", "version"),
        ("10.0.0.1:5", r"HTTP/1.1\u202e", "version"),
    ] {
        let text = format!("{}\n{}\n", good(1), record(2, peer, version));
        let error = message(read_archive(&text));
        assert!(error.starts_with(&format!("line 2: {field} \"")), "{error}");
        assert!(error.contains("control character"), "{error}");
        assert!(
            !error.chars().any(crate::escape::is_hidden_control),
            "{error}"
        );
    }
}

#[test]
fn a_method_with_a_control_or_a_uri_with_crlf_is_refused() {
    let method = good(1).replace(r#""method":"POST""#, r#""method":"PO\u001bST""#);
    assert!(message(read_archive(&method)).starts_with("line 1: method "));
    let uri = good(1).replace(r#""uri":"/1""#, r#""uri":"/1 HTTP/1.1\r\nX-Evil: 1""#);
    assert!(message(read_archive(&uri)).starts_with("line 1: uri "));
}

#[test]
fn a_bad_line_says_how_many_lines_were_left_out_with_it() {
    let mut lines: Vec<String> = (1..=9).map(good).collect();
    lines[6] = "{\"id\":7,".to_owned();
    lines.insert(8, String::new());
    let error = message(read_archive(&lines.join("\n")));
    assert!(
        error.starts_with("line 7: not a capture record: "),
        "{error}"
    );
    assert!(
        error.ends_with(
            "; nothing was imported (the 6 good lines before it and the 2 lines after it \
             were left out too: an import is all or nothing)"
        ),
        "blank lines are not counted: {error}"
    );
}

#[test]
fn left_out_counts_read_well_in_every_case() {
    let left_out = |good_before, after, unit| {
        LeftOut {
            good_before,
            after,
            unit,
        }
        .to_string()
    };
    assert_eq!(left_out(0, 0, Unit::Line), "nothing was imported");
    assert_eq!(
        left_out(1, 0, Unit::Entry),
        "nothing was imported (the 1 good entry before it was left out too: an import is \
         all or nothing)"
    );
    assert_eq!(
        left_out(0, 3, Unit::Entry),
        "nothing was imported (the 3 entries after it were left out too: an import is all \
         or nothing)"
    );
}

#[test]
fn a_bad_har_entry_is_named_and_counts_the_entries_left_out() {
    let har = har_of(5);
    assert_eq!(read_archive(&har).unwrap().captures.len(), 5);
    let mut document: serde_json::Value = serde_json::from_str(&har).unwrap();
    document["log"]["entries"][1]["_hookscope"]["peer"] = "a\u{1b}[2J".into();
    let error = message(read_archive(&document.to_string()));
    assert!(
        error.starts_with("entry 2: _hookscope.peer \"a\\x1b[2J\" holds"),
        "{error}"
    );
    assert!(
        error.contains("(the 1 good entry before it and the 3 entries after it were"),
        "{error}"
    );
    document["log"]["entries"][1] = serde_json::json!({ "request": {} });
    let error = message(read_archive(&document.to_string()));
    assert!(
        error.starts_with("entry 2: not a HAR entry: missing field"),
        "{error}"
    );
}

#[test]
fn a_har_cut_in_the_middle_says_so_and_where() {
    let har = har_of(3);
    let cut = &har[..har.len() / 2];
    let error = message(read_archive(cut));
    let line = cut.lines().count();
    let column = cut.lines().last().unwrap().chars().count();
    assert_eq!(
        error,
        format!(
            "this looks like a HAR file that ends early: its JSON stops at line {line}, \
             column {column} (the file has {} bytes), as if it was cut off in a download or \
             a copy; nothing was imported",
            cut.len()
        )
    );
}

#[test]
fn a_pretty_printed_har_cut_at_a_line_break_is_recognised_too() {
    let document: serde_json::Value = serde_json::from_str(&har_of(3)).unwrap();
    let pretty = serde_json::to_string_pretty(&document).unwrap();
    // Cut inside the first entry; then again with a member before "log", which only the
    // rule for a cut object over several lines recognises.
    let cut = &pretty[..pretty.find("\"request\"").unwrap()];
    assert!(message(read_archive(cut)).starts_with("this looks like a HAR file that ends early"));
    let without_log_first = cut.replacen("{\n  \"log\"", "{\"x\": 1, \"log\"", 1);
    assert!(
        message(read_archive(&without_log_first))
            .starts_with("this looks like a HAR file that ends early")
    );
}

#[test]
fn a_har_with_broken_json_is_not_blamed_on_its_first_line() {
    let har = har_of(2).replacen("\"time\":0", "\"time\":0,,", 1);
    let error = message(read_archive(&har));
    assert!(
        error.starts_with("this looks like a HAR file, but it is not valid JSON: "),
        "{error}"
    );
}

#[test]
fn a_truncated_jsonl_line_is_still_a_jsonl_error() {
    let text = format!("{}\n{}", good(1), &good(2)[..40]);
    assert!(message(read_archive(&text)).starts_with("line 2: not a capture record: EOF"));
    let single = &good(1)[..40];
    assert!(message(read_archive(single)).starts_with("line 1: not a capture record: EOF"));
}
