//! Helpers shared by the integration tests: a real listener on a free loopback port with a
//! real store in a temporary folder, raw-socket requests, and the real binary as a child.

#![allow(dead_code)]

pub mod receiver;

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hookscope::capture::Capture;
use hookscope::listener::{Listener, ListenerLimits, ListenerState, Rejection, ResponseConfig};
use hookscope::store::{Database, Durability, OpenMode, Store, StoreLocation, StoreOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{broadcast, oneshot};

pub struct TestServer {
    pub addr: SocketAddr,
    pub db_path: PathBuf,
    pub rejections: broadcast::Receiver<Rejection>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Store>>,
    _dir: Arc<tempfile::TempDir>,
}

pub struct ServerConfig {
    pub response: ResponseConfig,
    pub max_body: usize,
    pub keep: u64,
    /// `--require-auth`.
    pub auth: Option<hookscope::auth::AuthRule>,
    pub limits: ListenerLimits,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            response: ResponseConfig::default(),
            max_body: 32 << 20,
            keep: 100_000,
            auth: None,
            limits: ListenerLimits::default(),
        }
    }
}

impl ServerConfig {
    /// The defaults, with these listener limits.
    pub fn with_limits(limits: ListenerLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(ServerConfig::default()).await
    }

    pub async fn start_with(config: ServerConfig) -> Self {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        Self::start_in(dir, config).await
    }

    /// Starts on the store file inside `dir` (reopening it if it exists).
    pub async fn start_in(dir: Arc<tempfile::TempDir>, config: ServerConfig) -> Self {
        let db_path = dir.path().join("captures.sqlite3");
        let store = Store::open(
            StoreLocation::file(&db_path),
            StoreOptions {
                keep: config.keep,
                fsync: false,
                owns_verdicts: true,
            },
        )
        .unwrap();
        let listener = Listener::bind("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap()
            .with_drain_timeout(Duration::from_millis(200));
        let addr = listener.local_addr();
        let (rejections_tx, rejections) = broadcast::channel(64);
        let state = ListenerState {
            writer: store.writer(),
            response: Arc::new(config.response),
            max_body: config.max_body,
            rejections: rejections_tx,
            forward: None,
            auth: config.auth.map(Arc::new),
            limits: config.limits,
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            listener
                .serve(state, async {
                    let _ = stopped.await;
                })
                .await;
            store
        });
        Self {
            addr,
            db_path,
            rejections,
            stop: Some(stop),
            task: Some(task),
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops the listener and closes the store; returns the folder so it can be reopened.
    pub async fn stop(mut self) -> Arc<tempfile::TempDir> {
        let _ = self.stop.take().unwrap().send(());
        let store = self.task.take().unwrap().await.unwrap();
        tokio::task::spawn_blocking(move || store.close())
            .await
            .unwrap();
        self._dir.clone()
    }

    pub fn db(&self) -> Database {
        Database::open(&self.db_path, OpenMode::MustExist, Durability::PowerLoss).unwrap()
    }

    pub fn captures(&self) -> Vec<Capture> {
        all_captures(&self.db())
    }
}

pub fn all_captures(db: &Database) -> Vec<Capture> {
    let mut captures = Vec::new();
    db.for_each_capture(|c| {
        captures.push(c);
        Ok(())
    })
    .unwrap();
    captures
}

/// Writes `request` on a fresh connection and reads until the server closes it.
pub async fn raw_exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .expect("the server did not close the connection")
        .unwrap();
    response
}

/// Opens a connection and writes `bytes` on it, leaving it open.
pub async fn send_and_hold(addr: SocketAddr, bytes: &[u8]) -> tokio::net::TcpStream {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    stream
}

/// Everything the server sends until it closes the connection; `None` if it has not closed
/// it within `wait`.
pub async fn read_until_closed(
    stream: &mut tokio::net::TcpStream,
    wait: Duration,
) -> Option<Vec<u8>> {
    let mut response = Vec::new();
    tokio::time::timeout(wait, stream.read_to_end(&mut response))
        .await
        .ok()?
        .unwrap();
    Some(response)
}

/// The body of a raw response, after its head.
pub fn body_of(response: &[u8]) -> String {
    let text = String::from_utf8_lossy(response);
    text.split_once("\r\n\r\n")
        .map_or_else(String::new, |(_, body)| body.to_owned())
}

/// The next rejection the listener reports, waiting at most `wait`.
pub async fn next_rejection(
    rejections: &mut broadcast::Receiver<Rejection>,
    wait: Duration,
) -> Rejection {
    tokio::time::timeout(wait, rejections.recv())
        .await
        .expect("no rejection was reported")
        .unwrap()
}

pub fn status_of(response: &[u8]) -> u16 {
    let line = response.split(|&b| b == b'\r').next().unwrap_or_default();
    std::str::from_utf8(line)
        .ok()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {:?}", String::from_utf8_lossy(response)))
}

/// A loopback URL nothing listens on: a port bound, then let go.
pub fn refused_url() -> String {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", socket.local_addr().unwrap())
}

/// What senders were answered 2xx for: the id in the answer, and the body sent.
pub type Acked = Arc<Mutex<Vec<(i64, String)>>>;

/// Starts `workers` tasks posting numbered JSON bodies (of varying length) to `path` until a
/// request fails or is not answered 2xx, or `enough` are acknowledged in all; each answered
/// capture goes into `acked` as it comes, so a test can act in the middle of the burst.
pub fn spawn_senders(
    addr: SocketAddr,
    path: &str,
    workers: usize,
    enough: usize,
    acked: &Acked,
) -> Vec<tokio::task::JoinHandle<()>> {
    let http = client();
    (0..workers)
        .map(|worker| {
            let (http, acked, url) = (http.clone(), acked.clone(), format!("http://{addr}{path}"));
            tokio::spawn(async move {
                for n in 0.. {
                    if acked.lock().unwrap().len() >= enough {
                        return;
                    }
                    let body = format!(
                        "{{\"worker\":{worker},\"n\":{n},\"pad\":\"{}\"}}",
                        "x".repeat(n % 300)
                    );
                    let Ok(response) = http.post(&url).body(body.clone()).send().await else {
                        return;
                    };
                    if !response.status().is_success() {
                        return;
                    }
                    let Ok(text) = response.text().await else {
                        return;
                    };
                    let Ok(ack) = serde_json::from_str::<serde_json::Value>(&text) else {
                        return;
                    };
                    acked
                        .lock()
                        .unwrap()
                        .push((ack["id"].as_i64().unwrap(), body));
                }
            })
        })
        .collect()
}

/// A copy, in `dir`, of a store made by the release before segment files (schema 3):
/// `old.sqlite3`.
pub fn store_before_segments(dir: &std::path::Path) -> PathBuf {
    let db = dir.join("old.sqlite3");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/store-before-segments.sqlite3"),
        &db,
    )
    .unwrap();
    db
}

/// Runs the binary with `args`, asserts it succeeded, and returns what it printed on stdout.
pub fn stdout_of(home: &std::path::Path, args: &[&str]) -> String {
    let out = hookscope(home).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "hookscope {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// The real binary, with its data, state and config folders inside `home` so a test never
/// touches the user's own store, log or config file, and with no HOOKSCOPE_* setting of the
/// environment the tests run in.
pub fn hookscope(home: &std::path::Path) -> Command {
    in_test_home(Command::new(env!("CARGO_BIN_EXE_hookscope")), home)
}

/// The real binary, as [`hookscope`], run by a shell that first sets its open-file limit
/// (soft and hard) to `files`: for running out of files without taking the tests with it.
pub fn hookscope_with_file_limit(home: &std::path::Path, files: u32) -> Command {
    let mut shell = Command::new("sh");
    shell.args([
        "-c",
        &format!("ulimit -n {files} && exec \"$0\" \"$@\""),
        env!("CARGO_BIN_EXE_hookscope"),
    ]);
    in_test_home(shell, home)
}

fn in_test_home(mut command: Command, home: &std::path::Path) -> Command {
    command
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("HOME", home)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("HOOKSCOPE_") {
            command.env_remove(name);
        }
    }
    command
}

/// A running `hookscope listen` child and the address it announced.
pub struct RunningBinary {
    pub child: Child,
    pub addr: SocketAddr,
    stderr: Option<BufReader<ChildStderr>>,
    /// The lines printed before the address line.
    pub before_address: Vec<String>,
}

impl RunningBinary {
    /// Starts the binary listening on a free port and waits for its startup line.
    pub fn start(home: &std::path::Path, extra_args: &[&str]) -> Self {
        Self::start_with_env(home, extra_args, &[])
    }

    /// [`RunningBinary::start`] with these environment variables set.
    pub fn start_with_env(
        home: &std::path::Path,
        extra_args: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        let mut command = hookscope(home);
        command.envs(env.iter().copied());
        Self::start_command(command, extra_args)
    }

    /// Starts `command` (the binary, or a shell that execs it) listening on a free port.
    pub fn start_command(mut command: Command, extra_args: &[&str]) -> Self {
        let mut child = command
            .args(["listen", "--headless", "--listen", "127.0.0.1:0"])
            .args(extra_args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        // What the store says while it opens (a recovery, a move into segment files) comes
        // before the address line.
        let mut before_address = Vec::new();
        let addr = loop {
            let mut line = String::new();
            stderr.read_line(&mut line).unwrap();
            if line.is_empty() || !line.starts_with("hookscope: ") || line.contains("http://") {
                break line
                    .split("http://")
                    .nth(1)
                    .and_then(|rest| rest.split_whitespace().next())
                    .and_then(|a| a.parse().ok())
                    .unwrap_or_else(|| {
                        panic!("no address in the startup line {line:?} after {before_address:?}")
                    });
            }
            before_address.push(line.trim_end().to_owned());
        };
        Self {
            child,
            addr,
            stderr: Some(stderr),
            before_address,
        }
    }

    /// The lines it prints on stderr from now on, as they come (read on a thread).
    pub fn stderr_lines(&mut self) -> std::sync::mpsc::Receiver<String> {
        let stderr = self.stderr.take().expect("stderr is read once");
        let (lines, seen) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    return;
                }
            }
        });
        seen
    }

    /// Sends SIGTERM and waits; returns the exit status and everything printed on stdout
    /// (unless the test took stdout).
    pub fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        // Empty when the test took stdout to drain it itself.
        let mut stdout = String::new();
        if let Some(mut pipe) = self.child.stdout.take() {
            pipe.read_to_string(&mut stdout).unwrap();
        }
        (self.child.wait().unwrap(), stdout)
    }
}
