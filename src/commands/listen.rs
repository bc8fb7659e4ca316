//! `hookscope listen`: capture until Ctrl-C or SIGTERM. Headless, it prints one JSON line per
//! capture on stdout and status lines on stderr.

use std::io::{BufWriter, IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;
use tokio::sync::broadcast::{self, error::RecvError};

use super::{CommandError, exit, store_path};
use crate::capture::{CaptureId, CaptureSummary};
use crate::cli::ListenArgs;
use crate::escape::{json_line, visible_line};
use crate::listener::{Listener, ListenerState, Rejection, ResponseConfig};
use crate::logging::LogGuard;
use crate::store::{Store, StoreEvent, StoreLocation, StoreOptions, StoreReader};

/// How many summaries a lagging printer reads back from the store at a time.
const CATCH_UP_PAGE: usize = 1000;

pub fn run(args: ListenArgs) -> Result<(), CommandError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::new(exit::FAILURE, format!("cannot start: {e}")))?;
    // The interface needs a terminal on both ends; piped or redirected, hookscope prints
    // JSON lines instead, as with --headless.
    let interactive =
        !args.headless && std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    runtime.block_on(async {
        let session = Session::open(&args).await?;
        if interactive {
            let options = crate::tui::Options::from_args(&args);
            crate::tui::run(session, options).await
        } else {
            listen_headless(session).await
        }
    })
}

/// A listener bound to its address and the store it writes to: everything both the
/// interface and headless mode run on.
pub struct Session {
    pub listener: Listener,
    pub store: Store,
    pub state: ListenerState,
    /// Requests answered without being captured (too large, unparseable).
    pub rejected: broadcast::Receiver<Rejection>,
    pub log: Option<LogGuard>,
    /// Captures already in the store when the session started.
    pub existing: u64,
}

impl Session {
    /// Binds first, so a busy port is a plain message before anything else happens.
    pub async fn open(args: &ListenArgs) -> Result<Self, CommandError> {
        let listener = Listener::bind(args.listen)
            .await
            .map_err(|e| CommandError::new(exit::USAGE, e.to_string()))?;
        let location = if args.in_memory {
            StoreLocation::throwaway().map_err(|e| {
                CommandError::new(
                    exit::FAILURE,
                    format!("cannot create a temporary store: {e}"),
                )
            })?
        } else {
            StoreLocation::file(store_path(args.db.as_deref())?)
        };
        let store = Store::open(
            location,
            StoreOptions {
                keep: args.keep,
                fsync: args.fsync,
            },
        )?;
        let log = crate::logging::init();
        let existing = store.reader().lock().count()?;
        let (rejections, rejected) = broadcast::channel(256);
        let state = ListenerState {
            writer: store.writer(),
            response: Arc::new(ResponseConfig {
                status: StatusCode::from_u16(args.status).unwrap_or(StatusCode::OK),
                body: args.response_body.clone(),
                headers: args.response_headers.clone(),
                delay: Duration::from_millis(args.delay),
                ..ResponseConfig::default()
            }),
            max_body: usize::try_from(args.max_body).unwrap_or(usize::MAX),
            rejections,
        };
        tracing::info!(addr = %listener.local_addr(), store = %store.path().display(), "listening");
        Ok(Self {
            listener,
            store,
            state,
            rejected,
            log,
            existing,
        })
    }
}

async fn listen_headless(session: Session) -> Result<(), CommandError> {
    let Session {
        listener,
        store,
        state,
        rejected,
        log,
        existing,
    } = session;
    announce(
        &listener,
        &store,
        existing,
        log.as_ref().map(|l| l.path.as_path()),
    );

    let (stop, stopped) = tokio::sync::watch::channel(false);
    // Only this run's captures are printed, although the analyser may also (re)analyse older
    // ones: those left unanalysed by a crash, or all of them after the rules changed.
    let newest_before = store
        .reader()
        .lock()
        .latest_summaries(1)
        .map_err(CommandError::from)?
        .first()
        .map_or(0, |s| s.id);
    let printer = spawn_printer(store.subscribe(), store.reader(), newest_before, stop)
        .map_err(|e| CommandError::new(exit::FAILURE, format!("cannot start: {e}")))?;
    let warner = tokio::spawn(print_rejections(rejected));
    listener
        .serve(state, shutdown_requested(stopped_or_never(stopped)))
        .await;
    eprintln!("hookscope: stopped");
    // Every handler has finished, so every acknowledged capture is queued: close the store to
    // commit them, then let the printer print the last of them.
    tokio::task::spawn_blocking(move || store.close())
        .await
        .map_err(|e| CommandError::new(exit::FAILURE, e.to_string()))?;
    warner.abort();
    match printer.join() {
        Ok(Err(error)) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(CommandError::new(
            exit::FAILURE,
            format!("cannot write to stdout: {error}"),
        )),
        _ => Ok(()),
    }
}

fn announce(listener: &Listener, store: &Store, existing: u64, log: Option<&std::path::Path>) {
    let store_text = if store.is_throwaway() {
        "throwaway store (removed on exit)".to_owned()
    } else {
        format!("store {} ({existing} captures)", store.path().display())
    };
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(
        stderr,
        "hookscope listening on http://{} · {store_text} · Ctrl-C to stop",
        listener.local_addr()
    );
    if let Some(log) = log {
        let _ = writeln!(stderr, "hookscope: log file {}", log.display());
    }
}

/// Resolves once `stop` is set to true.
async fn stopped_or_never(mut stop: tokio::sync::watch::Receiver<bool>) {
    if stop.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Resolves on Ctrl-C, SIGTERM, or when `also` resolves (headless: stdout went away; the
/// interface: the user quit).
pub async fn shutdown_requested(also: impl Future<Output = ()>) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        () = terminate => {}
        () = also => {}
    }
}

/// Prints a JSON line for every committed capture, on a thread of its own so that a slow
/// stdout never holds up the runtime. If stdout goes away (`| head`), asks the listener to stop.
fn spawn_printer(
    events: broadcast::Receiver<StoreEvent>,
    reader: StoreReader,
    printed_through: CaptureId,
    stop: tokio::sync::watch::Sender<bool>,
) -> std::io::Result<std::thread::JoinHandle<std::io::Result<()>>> {
    std::thread::Builder::new()
        .name("stdout-printer".into())
        .spawn(move || {
            let out = BufWriter::new(std::io::stdout().lock());
            let result = print_captures(events, &reader, printed_through, out);
            if result.is_err() {
                let _ = stop.send(true);
            }
            result
        })
}

/// Writes one line per capture, once it is analysed (the line carries its vendor and
/// validity; the analyser runs in id order just behind the inserts), until the feed ends.
/// Falling behind the feed is not a loss: what was missed is read back from the store.
/// Output is flushed whenever the feed is idle, so lines appear at once at low rates and in
/// large writes under load.
fn print_captures(
    mut events: broadcast::Receiver<StoreEvent>,
    reader: &StoreReader,
    printed_through: CaptureId,
    mut out: impl Write,
) -> std::io::Result<()> {
    let mut last_printed = printed_through;
    loop {
        match events.blocking_recv() {
            Ok(StoreEvent::Analysed(batch)) => {
                for summary in batch.iter() {
                    if summary.id > last_printed {
                        write_line(&mut out, summary)?;
                        last_printed = summary.id;
                    }
                }
            }
            Ok(StoreEvent::Inserted(_) | StoreEvent::Trimmed { .. }) => {}
            Err(RecvError::Lagged(_)) => 'catch_up: loop {
                let page = reader
                    .lock()
                    .summaries_after(last_printed, CATCH_UP_PAGE)
                    .map_err(std::io::Error::other)?;
                for summary in &page {
                    // The rest is printed as its `Analysed` event arrives.
                    if !summary.analysed {
                        break 'catch_up;
                    }
                    write_line(&mut out, summary)?;
                    last_printed = summary.id;
                }
                if page.len() < CATCH_UP_PAGE {
                    break;
                }
            },
            Err(RecvError::Closed) => return out.flush(),
        }
        if events.is_empty() {
            out.flush()?;
        }
    }
}

fn write_line(out: &mut impl Write, summary: &CaptureSummary) -> std::io::Result<()> {
    writeln!(out, "{}", json_line(summary))
}

async fn print_rejections(mut rejected: broadcast::Receiver<Rejection>) {
    loop {
        match rejected.recv().await {
            Ok(r) => match &r.request {
                Some(request) => eprintln!(
                    "hookscope: not captured: {} from {}: {}",
                    visible_line(request.as_bytes()),
                    r.peer,
                    visible_line(r.reason.as_bytes())
                ),
                None => eprintln!(
                    "hookscope: not captured: a request from {}: {}",
                    r.peer,
                    visible_line(r.reason.as_bytes())
                ),
            },
            Err(RecvError::Lagged(n)) => {
                eprintln!("hookscope: {n} more requests were not captured (see the log)")
            }
            Err(RecvError::Closed) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{Capture, Verdict};
    use crate::store::{Database, Durability, OpenMode};

    fn capture(n: usize) -> Capture {
        Capture {
            id: 0,
            received_at: chrono::Utc::now(),
            peer: "127.0.0.1:1".into(),
            method: "POST".into(),
            uri: format!("/{n}"),
            version: "HTTP/1.1".into(),
            headers: Vec::new(),
            body: bytes::Bytes::new(),
            response_status: 200,
            verdict: None,
        }
    }

    /// A printer that fell behind the feed still prints every analysed capture, once, in
    /// order, and nothing that is not analysed yet.
    #[test]
    fn a_lagging_printer_reads_back_what_it_missed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite3");
        let mut db =
            Database::open(&path, OpenMode::CreateIfMissing, Durability::Throwaway).unwrap();
        let captures: Vec<Capture> = (1..=5).map(capture).collect();
        let (stored, _) = db.insert_batch(&captures, u64::MAX).unwrap();

        let (events, receiver) = broadcast::channel(2);
        for summary in &stored[..4] {
            let verdict = Verdict {
                kind: Some(format!("k{}", summary.id)),
                ..Verdict::default()
            };
            let analysed = db.record_verdicts(&[(summary.id, verdict)]).unwrap();
            events.send(StoreEvent::Analysed(analysed.into())).unwrap();
        }
        drop(events);
        let reader = StoreReader::new(
            Database::open(&path, OpenMode::MustExist, Durability::Throwaway).unwrap(),
        );
        let mut out = Vec::new();
        print_captures(receiver, &reader, 0, &mut out).unwrap();
        let paths: Vec<String> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["path"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(paths, ["/1", "/2", "/3", "/4"], "/5 is not analysed yet");

        // Captures from before this run are not printed, even when analysed now.
        let (events, receiver) = broadcast::channel(8);
        let all = db.latest_summaries(5).unwrap();
        events.send(StoreEvent::Analysed(all.into())).unwrap();
        drop(events);
        let mut out = Vec::new();
        print_captures(receiver, &reader, 3, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap().lines().count(),
            2,
            "only /4 and /5"
        );
    }
}
