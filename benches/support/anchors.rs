//! The two durable anchors of the ingest load driver: the least a server can do and still
//! not lose an acknowledged request when it is killed. Both read each request on the same
//! axum stack as the bare server, hand its head and body to one writer thread, and answer
//! only once the writer has put them where a `kill -9` cannot take them (the page cache):
//! - `append log`: each group of queued requests is appended to one file with one `write`;
//! - `minimal SQLite`: each group is inserted in one transaction (a head blob and a body
//!   blob per row), WAL, `synchronous=NORMAL`.
//!
//! The writer takes whatever is queued when it is free (group commit), as hookscope's does.

use std::io::Write as _;
use std::sync::mpsc;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Uri};
use tokio::sync::oneshot;

pub const APPEND_LOG_ENV: &str = "HOOKSCOPE_LOAD_APPEND_LOG_SERVER";
pub const MINIMAL_SQLITE_ENV: &str = "HOOKSCOPE_LOAD_MINIMAL_SQLITE_SERVER";

/// One request for the writer: its head and body, and where to say it is written.
struct Queued {
    head: Vec<u8>,
    body: Bytes,
    done: oneshot::Sender<()>,
}

/// The request line and headers as bytes, as a store would keep them.
fn head_of(method: &Method, uri: &Uri, headers: &HeaderMap) -> Vec<u8> {
    let mut head = Vec::with_capacity(64 + headers.len() * 32);
    head.extend_from_slice(method.as_str().as_bytes());
    head.push(b' ');
    head.extend_from_slice(uri.to_string().as_bytes());
    head.extend_from_slice(b"\r\n");
    for (name, value) in headers {
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head
}

/// Serves on a free loopback port (printed on stdout), with `write_group` run on the writer
/// thread for each group of queued requests before they are answered.
fn serve(name: &str, mut write_group: impl FnMut(&[Queued]) + Send + 'static) {
    let (queue, incoming) = mpsc::channel::<Queued>();
    std::thread::Builder::new()
        .name("anchor-writer".into())
        .spawn(move || {
            let mut group = Vec::new();
            while let Ok(first) = incoming.recv() {
                group.push(first);
                group.extend(incoming.try_iter());
                write_group(&group);
                for queued in group.drain(..) {
                    let _ = queued.done.send(());
                }
            }
        })
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("{name} server on http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let queue = queue.clone();
                async move {
                    let (done, written) = oneshot::channel();
                    let head = head_of(&method, &uri, &headers);
                    let _ = queue.send(Queued { head, body, done });
                    let _ = written.await;
                    ([("content-type", "application/json")], r#"{"ok":true}"#)
                }
            },
        );
        axum::serve(listener, app).await.unwrap();
    });
}

/// Appends each group to one file with a single `write`: length-prefixed head and body.
pub fn run_append_log_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.path().join("captures.log"))
        .unwrap();
    let mut buffer = Vec::new();
    serve("append log", move |group| {
        buffer.clear();
        for queued in group {
            for part in [&queued.head[..], &queued.body[..]] {
                buffer.extend_from_slice(&(part.len() as u32).to_le_bytes());
                buffer.extend_from_slice(part);
            }
        }
        file.write_all(&buffer).unwrap();
    });
    drop(dir);
}

/// Inserts each group in one transaction: WAL, `synchronous=NORMAL`, a head blob and a body
/// blob per row.
pub fn run_minimal_sqlite_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = rusqlite::Connection::open(dir.path().join("captures.sqlite3")).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         CREATE TABLE captures (id INTEGER PRIMARY KEY, head BLOB NOT NULL, body BLOB NOT NULL);",
    )
    .unwrap();
    serve("minimal SQLite", move |group| {
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx
                .prepare_cached("INSERT INTO captures (head, body) VALUES (?1, ?2)")
                .unwrap();
            for queued in group {
                insert
                    .execute(rusqlite::params![queued.head, &queued.body[..]])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    });
    drop(dir);
}
