//! The segment store, run as a user runs it: a crash between writing records and indexing
//! them, reading commands in another process while a listener ingests, and a store made
//! by the release before segments.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Acked, RunningBinary, spawn_senders, stdout_of};
use hookscope::store::{Database, Durability, OpenMode};

/// Posts from 16 tasks until the listener stops answering (or `enough` are acknowledged);
/// returns what was acknowledged: id and body.
async fn burst(addr: std::net::SocketAddr, enough: usize) -> Vec<(i64, String)> {
    let acked = Acked::default();
    for sender in spawn_senders(addr, "/segments", 16, enough, &acked) {
        sender.await.unwrap();
    }
    Arc::try_unwrap(acked).unwrap().into_inner().unwrap()
}

fn list_ids(home: &Path, db: &Path) -> Vec<i64> {
    let db = db.to_str().unwrap();
    stdout_of(home, &["list", "--json", "--limit", "0", "--db", db])
        .lines()
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            record["id"].as_i64().unwrap()
        })
        .collect()
}

fn assert_exact(db: &Path, acked: &[(i64, String)]) {
    let db = Database::open(db, OpenMode::MustExist, Durability::ProcessCrash).unwrap();
    for (id, body) in acked {
        let capture = db
            .get(*id)
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged capture {id} lost"));
        assert_eq!(capture.body.as_ref(), body.as_bytes(), "capture {id}");
    }
}

/// The process dies (the test hook aborts it) after a batch's records are written and
/// before their index rows are committed. On restart every acknowledged capture is listed,
/// byte for byte, and so is the batch that was in flight: its records were written.
#[tokio::test(flavor = "multi_thread")]
async fn a_crash_between_records_and_index_loses_nothing() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("c.sqlite3");
    let mut binary = RunningBinary::start_with_env(
        home.path(),
        &["--db", db.to_str().unwrap()],
        &[("HOOKSCOPE_TEST_CRASH_AFTER_SEGMENT_WRITES", "60")],
    );
    let mut stdout = binary.child.stdout.take().unwrap();
    let drain = std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let acked = burst(binary.addr, usize::MAX).await;
    let status = binary.child.wait().unwrap();
    let _ = drain.join();
    assert!(!status.success(), "the hook aborted it: {status:?}");
    assert!(
        acked.len() >= 60,
        "{} acknowledged before the crash",
        acked.len()
    );

    let restarted = RunningBinary::start(home.path(), &["--db", db.to_str().unwrap()]);
    let restarted_told = restarted.before_address.join("\n");
    let listed = list_ids(home.path(), &db);
    for (id, _) in &acked {
        assert!(
            listed.contains(id),
            "acknowledged capture {id} is not listed"
        );
    }
    assert!(
        listed.len() > acked.len(),
        "the batch in flight ({} listed, {} acknowledged) was indexed on restart",
        listed.len(),
        acked.len()
    );
    let (status, _) = restarted.terminate();
    assert!(status.success());
    assert_exact(&db, &acked);
    assert!(
        restarted_told.contains("not indexed"),
        "the restart says what it recovered: {restarted_told}"
    );
}

/// `list`, `show` and `export` in other processes while a listener takes a burst: each
/// works, and what they show is exact.
#[tokio::test(flavor = "multi_thread")]
async fn reading_commands_work_while_a_listener_ingests() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("c.sqlite3");
    let db_arg = db.to_str().unwrap().to_owned();
    let mut binary = RunningBinary::start(home.path(), &["--db", &db_arg]);
    let mut stdout = binary.child.stdout.take().unwrap();
    let drain = std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let sending = tokio::spawn(burst(binary.addr, 3_000));
    let (home_path, reads) = (home.path().to_owned(), Arc::new(Mutex::new(0)));
    let reader = {
        let reads = reads.clone();
        tokio::task::spawn_blocking(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline {
                let ids = list_ids(&home_path, Path::new(&db_arg));
                if let Some(id) = ids.last() {
                    let show = stdout_of(&home_path, &["show", &id.to_string(), "--db", &db_arg]);
                    assert!(show.contains("\"worker\""), "{show}");
                    stdout_of(
                        &home_path,
                        &["export", "--format", "jsonl", "--db", &db_arg],
                    );
                    *reads.lock().unwrap() += 1;
                }
                if ids.len() >= 3_000 {
                    return;
                }
            }
        })
    };
    let acked = sending.await.unwrap();
    reader.await.unwrap();
    assert!(
        *reads.lock().unwrap() >= 1,
        "no read happened during the burst"
    );
    let (status, _) = binary.terminate();
    assert!(status.success());
    let _ = drain.join();
    assert_exact(&db, &acked);
}

/// A store written by the release before segment files (kept in `tests/fixtures`): it is
/// listed as it was, the listener moves it into segment files once and says so, and every
/// capture reads back the same afterwards.
#[tokio::test(flavor = "multi_thread")]
async fn a_store_from_the_previous_release_moves_into_segments() {
    let home = tempfile::tempdir().unwrap();
    let db = common::store_before_segments(home.path());
    let export = |home: &Path, db: &Path| {
        let export = stdout_of(
            home,
            &["export", "--format", "jsonl", "--db", db.to_str().unwrap()],
        );
        // What was received, without the verdicts: the listener analyses the store again
        // under this build's rules, and may still be at it.
        export
            .lines()
            .map(|line| {
                let mut record: serde_json::Value = serde_json::from_str(line).unwrap();
                for verdict in [
                    "vendor",
                    "kind",
                    "valid",
                    "errors",
                    "warnings",
                    "duplicate_of",
                ] {
                    record.as_object_mut().unwrap().remove(verdict);
                }
                record
            })
            .collect::<Vec<_>>()
    };
    // Commands that read never upgrade a store, so what it held is read from a copy whose
    // schema alone was brought forward (its rows still hold their bodies).
    let reference = home.path().join("reference.sqlite3");
    std::fs::copy(&db, &reference).unwrap();
    drop(
        Database::open(
            &reference,
            OpenMode::CreateIfMissing,
            Durability::ProcessCrash,
        )
        .unwrap(),
    );
    let before = export(home.path(), &reference);
    assert_eq!(before.len(), 27, "the fixture's captures: {before:?}");
    assert!(
        before.iter().any(|r| r["body_encoding"] == "base64"),
        "a binary body is among them"
    );

    let binary = RunningBinary::start(home.path(), &["--db", db.to_str().unwrap()]);
    let told = binary.before_address.join("\n");
    assert!(
        told.contains("moving") && told.contains("into segment files") && told.contains("moved"),
        "{told}"
    );
    let (status, _) = binary.terminate();
    assert!(status.success());
    let after = export(home.path(), &db);
    assert_eq!(after, before, "every capture reads back the same");
    let inline: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM captures WHERE segment IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(inline, 0);
}
