//! The real binary, run as a child process: the CLI contract scripts rely on.

mod common;

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::Duration;

use common::{RunningBinary, TestServer, all_captures, client, hookscope};
use hookscope::store::{Database, Durability, OpenMode};

const SUMMARY_FIELDS: [&str; 15] = [
    "content_type",
    "duplicate_of",
    "errors",
    "id",
    "kind",
    "method",
    "path",
    "peer",
    "query",
    "received_at",
    "size",
    "unauthenticated",
    "valid",
    "vendor",
    "warnings",
];

fn keys(line: &str) -> BTreeSet<String> {
    let value: serde_json::Value = serde_json::from_str(line).unwrap();
    value.as_object().unwrap().keys().cloned().collect()
}

fn summary_keys() -> BTreeSet<String> {
    SUMMARY_FIELDS.iter().map(|s| s.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn headless_prints_one_line_per_capture_and_stops_cleanly_on_sigterm() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("c.sqlite3");
    let binary = RunningBinary::start(home.path(), &["--db", db.to_str().unwrap()]);
    let http = client();
    for n in 0..3 {
        http.post(format!("http://{}/hook/{n}?via=test", binary.addr))
            .header("Content-Type", "application/json")
            .body(format!("{{\"n\":{n}}}"))
            .send()
            .await
            .unwrap();
    }
    let (status, stdout) = binary.terminate();
    assert!(status.success(), "{status:?}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    for (n, line) in lines.iter().enumerate() {
        assert_eq!(keys(line), summary_keys());
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(value["id"], n as i64 + 1);
        assert_eq!(value["method"], "POST");
        assert_eq!(value["path"], format!("/hook/{n}"));
        assert_eq!(value["query"], "via=test");
        assert_eq!(value["size"], 7);
        assert_eq!(value["content_type"], "application/json");
        assert!(value["peer"].as_str().unwrap().starts_with("127.0.0.1:"));
        // Generic JSON: no vendor, nothing validated.
        assert_eq!(value["vendor"], serde_json::Value::Null);
        assert_eq!(value["valid"], serde_json::Value::Null);
        assert_eq!(
            (value["errors"].as_u64(), value["warnings"].as_u64()),
            (Some(0), Some(0))
        );
        let at = value["received_at"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
    }
}

#[test]
fn list_json_has_the_same_fields_as_headless_lines() {
    let home = tempfile::tempdir().unwrap();
    let db = store_from(home.path(), SAMPLE_JSONL);
    let db = db.as_str();
    let out = run(home.path(), &["list", "--json", "--db", db]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    for line in lines {
        assert_eq!(keys(line), summary_keys());
    }
    let limited = run(home.path(), &["list", "--json", "--limit", "1", "--db", db]);
    let only: serde_json::Value = serde_json::from_slice(&limited.stdout).unwrap();
    assert_eq!(only["path"], "/second", "--limit keeps the newest");
}

/// Runs the binary to completion with `args`.
fn run(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    hookscope(home).args(args).output().unwrap()
}

/// A store in `home` holding the captures of `jsonl`, imported by the binary.
fn store_from(home: &std::path::Path, jsonl: &str) -> String {
    let file = home.join("in.jsonl");
    std::fs::write(&file, jsonl).unwrap();
    let db = home.join("c.sqlite3");
    let status = hookscope(home)
        .args([
            "import",
            file.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    db.to_str().unwrap().to_owned()
}

const SAMPLE_JSONL: &str = concat!(
    r#"{"id":7,"received_at":"2026-01-02T03:04:05.000006Z","method":"POST","path":"/first","query":null,"size":2,"content_type":"text/plain","peer":"10.0.0.1:5","uri":"/first","version":"HTTP/1.1","headers":[{"name":"Content-Type","value":"text/plain"}],"body":"hi","body_encoding":"utf8","response_status":200}"#,
    "\n",
    r#"{"id":8,"received_at":"2026-01-02T03:04:06.000000Z","method":"PUT","path":"/second","query":"a=1","size":3,"content_type":null,"peer":"10.0.0.1:6","uri":"/second?a=1","version":"HTTP/1.1","headers":[],"body":"AP8A","body_encoding":"base64","response_status":202}"#,
    "\n"
);

#[test]
fn a_busy_port_is_one_clear_line_and_exit_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let home = tempfile::tempdir().unwrap();
    let out = run(
        home.path(),
        &["--headless", "--in-memory", "--listen", &addr],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&addr) && stderr.contains("already in use") && stderr.contains("--listen"),
        "{stderr}"
    );
}

#[test]
fn show_reports_an_unknown_id_and_prints_exact_bodies() {
    let home = tempfile::tempdir().unwrap();
    let db = store_from(home.path(), SAMPLE_JSONL);
    let db = db.as_str();

    let missing = run(home.path(), &["show", "99", "--db", db]);
    assert_eq!(missing.status.code(), Some(1));
    let stderr = String::from_utf8(missing.stderr).unwrap();
    assert!(stderr.contains("no capture with id 99"), "{stderr}");

    let body = run(home.path(), &["show", "2", "--body", "--db", db]);
    assert_eq!(body.stdout, [0x00, 0xff, 0x00]);

    let raw = run(home.path(), &["show", "1", "--raw", "--db", db]);
    assert_eq!(
        raw.stdout,
        b"POST /first HTTP/1.1\r\nContent-Type: text/plain\r\n\r\nhi"
    );

    let readable = run(home.path(), &["show", "2", "--db", db]);
    let text = String::from_utf8(readable.stdout).unwrap();
    assert!(
        text.starts_with("#2  PUT /second?a=1  HTTP/1.1\n"),
        "{text}"
    );
    assert!(
        text.contains("00000000  00 ff 00"),
        "binary bodies are a hex dump: {text}"
    );
}

#[test]
fn show_escapes_control_characters_in_readable_output() {
    let home = tempfile::tempdir().unwrap();
    let record = r#"{"id":1,"received_at":"2026-01-02T03:04:05Z","method":"POST","path":"/x","query":null,"size":9,"content_type":null,"peer":"p","uri":"/x","version":"HTTP/1.1","headers":[{"name":"X-Evil","value":"a\u001b]0;pwned\u0007"}],"body":"\u001b[2Jgone\u009b","body_encoding":"utf8","response_status":200}"#;
    let db = store_from(home.path(), record);
    let db = db.as_str();
    let out = run(home.path(), &["show", "1", "--db", db]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{9b}'));
    assert!(text.contains("X-Evil: a\\x1b]0;pwned\\x07"), "{text}");
    assert!(text.contains("\\x1b[2Jgone\\u{9b}"), "{text}");
}

#[test]
fn a_corrupt_store_is_named_and_left_untouched() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("c.sqlite3");
    let garbage = b"this is somebody's precious file, not a database".repeat(200);
    std::fs::write(&db, &garbage).unwrap();
    for args in [
        vec!["list", "--db", db.to_str().unwrap()],
        vec![
            "--headless",
            "--listen",
            "127.0.0.1:0",
            "--db",
            db.to_str().unwrap(),
        ],
    ] {
        let out = run(home.path(), &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains(db.to_str().unwrap()) && stderr.contains("not a SQLite database"),
            "{stderr}"
        );
    }
    assert_eq!(std::fs::read(&db).unwrap(), garbage);
}

#[test]
fn reading_commands_never_create_a_store() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("absent.sqlite3");
    let out = run(home.path(), &["list", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("no hookscope store at")
    );
    assert!(!db.exists());
}

#[test]
fn help_lists_every_listen_option_with_and_without_the_subcommand() {
    let home = tempfile::tempdir().unwrap();
    let options = [
        "--listen",
        "--db",
        "--in-memory",
        "--fsync",
        "--keep",
        "--max-body",
        "--status",
        "--response-body",
        "--response-header",
        "--delay",
        "--headless",
    ];
    for args in [vec!["--help"], vec!["listen", "--help"]] {
        let out = run(home.path(), &args);
        let help = String::from_utf8(out.stdout).unwrap();
        for option in options {
            assert!(help.contains(option), "{args:?} lacks {option}");
        }
    }
    let top = hookscope(home.path()).arg("--help").output().unwrap();
    let help = String::from_utf8(top.stdout).unwrap();
    for command in ["listen", "list", "show", "export", "import", "clear"] {
        assert!(
            help.contains(&format!("  {command} ")),
            "help lacks {command}"
        );
    }
}

/// Captures made by a real listener (binary body, non-UTF-8 header, query, duplicates),
/// exported by the binary and imported into an empty store, come back identical.
#[tokio::test(flavor = "multi_thread")]
async fn har_and_jsonl_round_trip_exactly() {
    let server = TestServer::start().await;
    let http = client();
    http.post(server.url("/json?a=1&b=two%20words"))
        .header("Content-Type", "application/json")
        .header("X-Dup", "1")
        .header("X-Dup", "2")
        .body(r#"{"ok":true}"#)
        .send()
        .await
        .unwrap();
    http.put(server.url("/bin"))
        .body(vec![0u8, 159, 146, 150, 255])
        .send()
        .await
        .unwrap();
    common::raw_exchange(
        server.addr,
        b"PATCH /latin HTTP/1.1\r\nHost: h\r\nX-Name: Jos\xe9\r\nConnection: close\r\n\r\n",
    )
    .await;
    let source_db = server.db_path.clone();
    let dir = server.stop().await;
    // Read after the stop, which lets the analyser finish: verdicts are part of a capture.
    let original = all_captures(
        &Database::open(&source_db, OpenMode::MustExist, Durability::PowerLoss).unwrap(),
    );
    assert!(original.iter().all(|c| c.verdict.is_some()));

    for format in ["har", "jsonl"] {
        let archive = dir.path().join(format!("out.{format}"));
        let export = run(
            dir.path(),
            &[
                "export",
                "--db",
                source_db.to_str().unwrap(),
                "-o",
                archive.to_str().unwrap(),
            ],
        );
        assert!(
            export.status.success(),
            "{}",
            String::from_utf8_lossy(&export.stderr)
        );
        if format == "har" {
            let har: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&archive).unwrap()).unwrap();
            assert_eq!(har["log"]["version"], "1.2");
            assert_eq!(har["log"]["entries"].as_array().unwrap().len(), 3);
            assert_eq!(
                har["log"]["entries"][1]["request"]["postData"]["encoding"],
                "base64"
            );
        }
        let target = dir.path().join(format!("from-{format}.sqlite3"));
        let import = run(
            dir.path(),
            &[
                "import",
                archive.to_str().unwrap(),
                "--db",
                target.to_str().unwrap(),
            ],
        );
        assert!(
            import.status.success(),
            "{}",
            String::from_utf8_lossy(&import.stderr)
        );
        let db = Database::open(&target, OpenMode::MustExist, Durability::PowerLoss).unwrap();
        assert_eq!(all_captures(&db), original, "{format} round trip");
    }
}

#[test]
fn import_rejects_a_file_that_is_not_an_archive() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("notes.txt");
    std::fs::write(&file, "just some notes").unwrap();
    let db = home.path().join("c.sqlite3");
    let out = run(
        home.path(),
        &[
            "import",
            file.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("not a HAR or JSONL file")
    );
}

/// SIGKILL in the middle of a burst: every request that was answered 2xx is in the store.
#[tokio::test(flavor = "multi_thread")]
async fn sigkill_during_a_burst_loses_nothing_acknowledged() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("c.sqlite3");
    let mut binary = RunningBinary::start(home.path(), &["--db", db.to_str().unwrap()]);
    let mut stdout = binary.child.stdout.take().unwrap();
    let drain = std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let acked = common::Acked::default();
    let senders = common::spawn_senders(binary.addr, "/kill", 32, usize::MAX, &acked);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while acked.lock().unwrap().len() < 500 {
        assert!(std::time::Instant::now() < deadline, "the burst stalled");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    binary.child.kill().unwrap();
    binary.child.wait().unwrap();
    let _ = drain.join();
    for sender in senders {
        sender.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let db = Database::open(&db, OpenMode::MustExist, Durability::PowerLoss).unwrap();
    for (id, body) in &acked {
        let capture = db
            .get(*id)
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged capture {id} lost"));
        assert_eq!(capture.body.as_ref(), body.as_bytes());
    }
    assert!(db.count().unwrap() >= acked.len() as u64);
}

#[test]
fn clear_deletes_everything_and_says_how_much() {
    let home = tempfile::tempdir().unwrap();
    let db = store_from(home.path(), SAMPLE_JSONL);
    let db = db.as_str();
    let out = hookscope(home.path())
        .args(["clear", "--yes", "--db", db])
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("deleted 2 captures")
    );
    let list = run(home.path(), &["list", "--json", "--db", db]);
    assert!(list.stdout.is_empty());
}

/// A script that forgot `--yes` must not wipe the store: with stdin not a terminal there is
/// nobody to ask, so clear refuses and says how to go ahead.
#[test]
fn clear_without_yes_refuses_when_stdin_is_not_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    let db = store_from(home.path(), SAMPLE_JSONL);
    let db = db.as_str();
    let out = run(home.path(), &["clear", "--db", db]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--yes"), "{stderr}");
    assert_eq!(count(db), 2, "nothing deleted");

    let out = run(home.path(), &["clear", "-y", "--db", db]);
    assert!(out.status.success());
    assert_eq!(count(db), 0);
}

/// On a terminal, clear asks; only `y` or `yes` deletes. `script` gives the child a
/// terminal and types `answer` into it.
#[test]
fn clear_asks_first_on_a_terminal() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let db = store_from(home.path(), SAMPLE_JSONL);
    let db = db.as_str();
    let on_a_terminal = |answer: &str| {
        let line = format!("{} clear --db {db}", env!("CARGO_BIN_EXE_hookscope"));
        let mut child = std::process::Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_STATE_HOME", home.path().join("state"))
            .env("HOME", home.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(answer.as_bytes()).unwrap();
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, shown) = on_a_terminal("n\n");
    assert!(
        shown.contains(&format!("Delete all 2 captures from {db}? [y/N]")),
        "{shown}"
    );
    assert!(shown.contains("nothing deleted"), "{shown}");
    assert_eq!(code, Some(1));
    assert_eq!(count(db), 2);

    let (code, shown) = on_a_terminal("y\n");
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains("deleted 2 captures"), "{shown}");
    assert_eq!(count(db), 0);
}

fn count(db: &str) -> u64 {
    Database::open(
        std::path::Path::new(db),
        OpenMode::MustExist,
        Durability::PowerLoss,
    )
    .unwrap()
    .count()
    .unwrap()
}

#[test]
fn list_limit_zero_shows_every_capture() {
    let home = tempfile::tempdir().unwrap();
    let db = store_from(home.path(), SAMPLE_JSONL);
    let db = db.as_str();
    let out = run(home.path(), &["list", "--json", "--limit", "0", "--db", db]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 2);
    assert!(out.stderr.is_empty(), "everything is shown, no note");
    let out = run(home.path(), &["list", "--limit", "0", "--db", db]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert_eq!(table.lines().count(), 3, "a title and two rows: {table}");
    let help = run(home.path(), &["list", "--help"]);
    assert!(
        String::from_utf8(help.stdout)
            .unwrap()
            .contains("0 shows every capture")
    );
}

#[test]
fn list_says_on_stderr_when_it_shows_fewer_than_the_store_holds() {
    let home = tempfile::tempdir().unwrap();
    let db = store_from(home.path(), SAMPLE_JSONL);
    let db = db.as_str();
    let note = "showing the newest 1 of 2 captures (--limit 0 for all)\n";
    let out = run(home.path(), &["list", "--limit", "1", "--db", db]);
    assert_eq!(String::from_utf8(out.stderr).unwrap(), note);
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 2);

    let out = run(home.path(), &["list", "--json", "--limit", "1", "--db", db]);
    assert_eq!(String::from_utf8(out.stderr).unwrap(), note);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    assert_eq!(
        keys(stdout.trim_end()),
        summary_keys(),
        "stdout stays JSON lines"
    );

    let out = run(home.path(), &["list", "--db", db]);
    assert!(out.stderr.is_empty(), "all of them fit the default limit");
}

/// One long content type (a multipart boundary) must not widen every row of the table.
#[test]
fn list_cuts_a_long_payload_to_a_bounded_column() {
    let home = tempfile::tempdir().unwrap();
    let boundary = "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW";
    let line = format!(
        r#"{{"id":1,"received_at":"2026-01-02T03:04:05Z","method":"POST","path":"/up","query":null,"size":2,"content_type":"{boundary}","peer":"10.0.0.1:5","uri":"/up","version":"HTTP/1.1","headers":[{{"name":"Content-Type","value":"{boundary}"}}],"body":"hi","body_encoding":"utf8","response_status":200}}"#
    );
    let db = store_from(home.path(), &format!("{SAMPLE_JSONL}{line}\n"));
    let out = run(home.path(), &["list", "--db", db.as_str()]);
    let table = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{table}");
    assert!(!table.contains(boundary), "{table}");
    let row = lines[3];
    assert!(row.contains("multipart/form-data; boundary=----"), "{row}");
    let payload_at = lines[0].find("PAYLOAD").unwrap();
    let check_at = lines[0].find("CHECK").unwrap();
    assert_eq!(check_at - payload_at, 44 + 2, "{table}");
    let cut: String = row.chars().skip(payload_at).take(44).collect();
    assert!(cut.ends_with('…'), "{cut:?}");
}
