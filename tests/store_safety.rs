//! The store as the files under it can betray it: another application's SQLite file given
//! as `--db`, a store from an older hookscope, a read-only file, files deleted under a
//! running listener, and who may read what it holds.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{TestServer, client, hookscope, stdout_of};

/// Runs a command that must end by itself (a listener that wrongly starts is killed).
fn finished(mut command: Command) -> Output {
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("{command:?} did not stop by itself");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file in `dir`, with its bytes: what "left untouched" is checked against.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

fn foreign_database(path: &Path, setup: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(setup).unwrap();
}

#[test]
fn another_applications_database_is_refused_by_every_command_and_left_untouched() {
    let home = tempfile::tempdir().unwrap();
    let folder = home.path().join("app");
    std::fs::create_dir(&folder).unwrap();
    let db = folder.join("app.db");
    foreign_database(
        &db,
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);
         INSERT INTO notes (text) VALUES ('keep me');",
    );
    let before = snapshot(&folder);
    let db_arg = db.to_str().unwrap();
    for args in [
        vec!["list", "--db", db_arg],
        vec!["show", "1", "--db", db_arg],
        vec!["export", "--db", db_arg],
        vec!["clear", "--yes", "--db", db_arg],
        vec![
            "listen",
            "--headless",
            "--listen",
            "127.0.0.1:0",
            "--db",
            db_arg,
        ],
    ] {
        let mut command = hookscope(home.path());
        command.args(&args);
        let output = finished(command);
        let told = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {told}");
        assert!(
            told.contains("app.db is not a hookscope store")
                && told.contains("another application's tables (notes)")
                && told.contains("untouched"),
            "{args:?}: {told}"
        );
        assert_eq!(snapshot(&folder), before, "{args:?} changed the folder");
    }
}

#[test]
fn a_database_marked_by_another_application_is_refused_even_when_empty() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("marked.db");
    foreign_database(&db, "PRAGMA application_id = 1234;");
    let mut command = hookscope(home.path());
    command.args(["list", "--db", db.to_str().unwrap()]);
    let output = finished(command);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("belongs to another application"),
        "{}",
        stderr(&output)
    );
}

fn application_id(db: &Path) -> i32 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap()
}

fn user_version(db: &Path) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

/// A store made before the mark is still known by its tables: reading it changes nothing,
/// and the listener marks it.
#[tokio::test(flavor = "multi_thread")]
async fn a_store_from_before_the_mark_is_read_as_it_is_and_marked_by_the_listener() {
    let server = TestServer::start().await;
    let response = client()
        .post(server.url("/before-the-mark"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let dir = server.stop().await;
    let db = dir.path().join("captures.sqlite3");
    assert_eq!(application_id(&db), 0x486b_5363, "a new store is marked");
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "application_id", 0)
        .unwrap();

    let home = tempfile::tempdir().unwrap();
    let before = snapshot(dir.path());
    let listed = stdout_of(home.path(), &["list", "--db", db.to_str().unwrap()]);
    assert!(listed.contains("/before-the-mark"), "{listed}");
    assert_eq!(snapshot(dir.path()), before, "reading changed the store");

    let server = TestServer::start_in(dir.clone(), Default::default()).await;
    server.stop().await;
    assert_eq!(application_id(&db), 0x486b_5363);
}

/// A command that reads never upgrades a store (a file it changes is one another build may
/// no longer read): it says what will, and the listener does.
#[test]
fn reading_a_store_from_an_older_release_asks_for_the_upgrade_and_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let db = common::store_before_segments(home.path());
    let found = user_version(&db);
    let before = std::fs::read(&db).unwrap();
    let mut command = hookscope(home.path());
    command.args(["list", "--db", db.to_str().unwrap()]);
    let output = finished(command);
    let told = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{told}");
    assert!(
        told.contains("made by an older hookscope") && told.contains("run `hookscope` once"),
        "{told}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(user_version(&db), found);
    assert!(!home.path().join("old.sqlite3-wal").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_store_and_its_files_are_readable_by_their_owner_only() {
    let home = tempfile::tempdir().unwrap();
    let folder = home.path().join("new").join("store");
    let db = folder.join("captures.sqlite3");
    let binary = common::RunningBinary::start(home.path(), &["--db", db.to_str().unwrap()]);
    let response = client()
        .post(format!("http://{}/private", binary.addr))
        .body("secret")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&folder), 0o700, "{}", folder.display());
    assert_eq!(mode(&home.path().join("new")), 0o700);
    let segments = folder.join("captures.sqlite3-segments");
    for file in [db.clone(), folder.join("captures.sqlite3-wal")] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    assert_eq!(mode(&segments), 0o700);
    for segment in std::fs::read_dir(&segments).unwrap() {
        let path = segment.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    binary.terminate();
}

/// Whoever runs the tests: as root, permissions do not stop writes, so the listener runs
/// as `nobody` against a store that only root may write.
#[test]
fn a_store_this_user_cannot_write_stops_the_listener_at_start() {
    use std::os::unix::process::CommandExt;
    let home = tempfile::tempdir().unwrap();
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let db = home.path().join("captures.sqlite3");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("PRAGMA journal_mode = DELETE;")
        .unwrap();
    // Made a store (by the library), then closed, left in rollback mode.
    drop(
        hookscope::store::Database::open(
            &db,
            hookscope::store::OpenMode::CreateIfMissing,
            hookscope::store::Durability::PowerLoss,
        )
        .unwrap(),
    );
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let mut command = hookscope(home.path());
    command.args(["listen", "--headless", "--listen", "127.0.0.1:0", "--db"]);
    command.arg(&db);
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        for dir in ["data", "state", "config"] {
            let path = home.path().join(dir);
            std::fs::create_dir_all(&path).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        command.uid(65534).gid(65534);
    }
    let output = finished(command);
    let told = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{told}");
    assert!(
        told.contains("captures.sqlite3") && told.contains("read-only"),
        "{told}"
    );
    assert!(!told.contains("listening"), "{told}");
}

async fn post(url: &str) -> (u16, String) {
    let response = client().post(url).body(r#"{"n":1}"#).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn remove_store(db: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut path = db.as_os_str().to_owned();
        path.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(path));
    }
}

/// `rm` of the store under a running listener: from then on every webhook is answered 503
/// saying why, instead of 200 with an id in a file nobody will open again.
#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_store_stops_acknowledging_and_says_why() {
    let server = TestServer::start().await;
    assert_eq!(post(&server.url("/before")).await.0, 200);
    remove_store(&server.db_path);
    for attempt in 0..3 {
        let (status, body) = post(&server.url("/after")).await;
        assert_eq!(status, 503, "attempt {attempt}: {body}");
        assert!(
            body.contains("captures.sqlite3 was deleted") && body.contains("restart hookscope"),
            "{body}"
        );
    }
    server.stop().await;
}

/// Removing only the segment folder (where the bodies are) is as bad, and noticed too.
#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_segment_folder_stops_acknowledging() {
    let server = TestServer::start().await;
    assert_eq!(post(&server.url("/before")).await.0, 200);
    let mut segments = server.db_path.as_os_str().to_owned();
    segments.push("-segments");
    std::fs::remove_dir_all(PathBuf::from(segments)).unwrap();
    let (status, body) = post(&server.url("/after")).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains(".seg was deleted"), "{body}");
    server.stop().await;
}

/// During a burst from 16 senders: no request sent after the files are gone is
/// acknowledged (each commit is checked before it is answered).
#[tokio::test(flavor = "multi_thread")]
async fn nothing_sent_after_the_store_is_deleted_mid_burst_is_acknowledged() {
    let server = TestServer::start().await;
    let gone = std::sync::Arc::new(std::sync::OnceLock::<Instant>::new());
    let mut senders = Vec::new();
    for _ in 0..16 {
        let (url, gone) = (server.url("/burst"), gone.clone());
        senders.push(tokio::spawn(async move {
            let mut late_acks = 0;
            let mut refused = 0;
            while refused < 20 {
                let sent = Instant::now();
                let (status, _) = post(&url).await;
                let after_removal = gone.get().is_some_and(|at| sent > *at);
                match status {
                    200 if after_removal => late_acks += 1,
                    200 => {}
                    _ => refused += 1,
                }
            }
            late_acks
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    remove_store(&server.db_path);
    gone.set(Instant::now()).unwrap();
    let mut late = 0;
    for sender in senders {
        late += tokio::time::timeout(Duration::from_secs(30), sender)
            .await
            .expect("senders stop once refused")
            .unwrap();
    }
    assert_eq!(late, 0, "requests sent after the removal were acknowledged");
    server.stop().await;
}
