//! `hookscope listen`: capture until Ctrl-C or SIGTERM. Headless, it prints one JSON line per
//! capture on stdout and status lines on stderr.

use std::io::{BufWriter, IsTerminal, Write};
use std::time::Duration;

use http::StatusCode;
use tokio::sync::broadcast::{self, error::RecvError};

use super::{CommandError, exit, store_path};
use crate::attempt::AttemptKind;
use crate::capture::{CaptureId, CaptureSummary};
use crate::cli::ListenArgs;
use crate::escape::{json_line, visible_line};
use crate::listener::{HeaderCase, ListenerLimits, Rejection, ResponseConfig};
use crate::replay::forward::{ForwardConfig, ForwardRoute};
use crate::session::{Session, SessionConfig, SessionError, ShutdownSignals};
use crate::store::{StoreEvent, StoreOptions, StoreReader};

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
    // Before the store opens: its stored verdicts are checked against the definitions.
    let vendor_problems = crate::vendor::user::load_installed();
    let resign_warnings = if args.resign {
        crate::replay::resign::missing_secrets()
    } else {
        Vec::new()
    };
    let exposed = exposure_warning(&args);
    // Headless, said on stderr just after the line that names the address.
    let notes: Vec<String> = exposed
        .iter()
        .cloned()
        .chain(
            vendor_problems
                .iter()
                .map(|problem| format!("vendor definition {problem}")),
        )
        .chain(resign_warnings.iter().cloned())
        .collect();
    runtime.block_on(async {
        let session = Session::open(session_config(&args)?)
            .await
            .map_err(session_error)?;
        if interactive {
            let options = crate::tui::Options {
                insecure: args.insecure,
                resign: args.resign,
                show_secrets: args.show_secrets,
                exposed: exposed.is_some(),
                warnings: exposed.into_iter().chain(resign_warnings).collect(),
                ..crate::tui::Options::new(args.theme, args.clipboard, &args.forward_to)
            };
            crate::tui::run(session, options)
                .await
                .map_err(|e| CommandError::new(exit::FAILURE, format!("{e:#}")))
        } else {
            listen_headless(session, &args, &notes).await
        }
    })
}

/// Anyone who can reach a port other than loopback can write to the store: said at start
/// unless senders must authenticate.
fn exposure_warning(args: &ListenArgs) -> Option<String> {
    (!args.listen.ip().is_loopback() && args.require_auth.is_none()).then(|| {
        format!(
            "warning: {} accepts webhooks from other machines and anyone who can reach it \
             can fill the store; add --require-auth to make senders authenticate",
            args.listen
        )
    })
}

fn session_config(args: &ListenArgs) -> Result<SessionConfig, CommandError> {
    let store = if args.in_memory {
        None
    } else {
        Some(store_path(args.db.as_deref())?)
    };
    Ok(SessionConfig {
        listen: args.listen,
        store,
        store_options: StoreOptions {
            keep: args.keep,
            fsync: args.fsync,
            owns_verdicts: true,
        },
        response: ResponseConfig {
            status: StatusCode::from_u16(args.status).unwrap_or(StatusCode::OK),
            body: args.response_body.clone(),
            headers: args
                .response_headers
                .iter()
                .map(|h| (h.name.clone(), h.value.clone()))
                .collect(),
            header_case: HeaderCase::as_written(
                args.response_headers.iter().map(|h| h.written.clone()),
            ),
            delay: Duration::from_millis(args.delay),
            ..ResponseConfig::default()
        },
        limits: ListenerLimits {
            max_headers: args.max_headers as usize,
            max_header_bytes: usize::try_from(args.max_header_bytes).unwrap_or(usize::MAX),
            ..ListenerLimits::default()
        },
        max_body: usize::try_from(args.max_body).unwrap_or(usize::MAX),
        auth: args.require_auth.clone(),
        forward: ForwardConfig {
            routes: args.forward_to.clone(),
            timeout: args.forward_timeout,
            reply: args.forward_reply,
            insecure: args.insecure,
            resign: args.resign,
            ..ForwardConfig::default()
        },
    })
}

fn forward_descriptions(args: &ListenArgs) -> Vec<String> {
    args.forward_to.iter().map(ForwardRoute::describe).collect()
}

/// A port in use is the user's to fix (exit 2); anything else is a failure to start.
fn session_error(error: SessionError) -> CommandError {
    let code = match error {
        SessionError::Bind(_) => exit::USAGE,
        _ => exit::FAILURE,
    };
    CommandError::new(code, error.to_string())
}

async fn listen_headless(
    session: Session,
    args: &ListenArgs,
    notes: &[String],
) -> Result<(), CommandError> {
    let signals = ShutdownSignals::install();
    announce(&session, &forward_descriptions(args));
    for note in notes {
        eprintln!(
            "hookscope: {}",
            crate::escape::visible_line(note.as_bytes())
        );
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    // Only this run's captures are printed, although the analyser may also (re)analyse older
    // ones: those left unanalysed by a crash, or all of them after the rules changed.
    let store = session.store();
    let newest_before = store
        .reader()
        .lock()
        .latest_summaries(1)
        .map_err(CommandError::from)?
        .first()
        .map_or(0, |s| s.id);
    let mask = !args.show_secrets;
    let printer = spawn_printer(store.subscribe(), store.reader(), newest_before, mask, stop)
        .map_err(|e| CommandError::new(exit::FAILURE, format!("cannot start: {e}")))?;
    let warner = tokio::spawn(print_rejections(session.rejections()));
    let reporter = tokio::spawn(print_forwards(store.subscribe(), store.reader()));
    let serving = session.serve();
    signals.requested(stopped_or_never(stopped)).await;
    eprintln!("hookscope: stopped");
    // Every handler finishes and the forwarder records what it sent before the store
    // closes; then the printer prints the last of the captures.
    serving.shutdown().await.map_err(session_error)?;
    warner.abort();
    let _ = reporter.await;
    match printer.join() {
        Ok(Err(error)) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(CommandError::new(
            exit::FAILURE,
            format!("cannot write to stdout: {error}"),
        )),
        _ => Ok(()),
    }
}

fn announce(session: &Session, forwards: &[String]) {
    let store = session.store();
    let store_text = if store.is_throwaway() {
        "throwaway store (removed on exit)".to_owned()
    } else {
        format!(
            "store {} ({} captures)",
            store.path().display(),
            session.existing
        )
    };
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(
        stderr,
        "hookscope listening on http://{} · {store_text} · Ctrl-C to stop",
        session.local_addr()
    );
    for target in forwards {
        let _ = writeln!(stderr, "hookscope: forwarding to {target}");
    }
    if let Some(log) = session.log_path() {
        let _ = writeln!(stderr, "hookscope: log file {}", log.display());
    }
}

/// Resolves once `stop` is set to true.
async fn stopped_or_never(mut stop: tokio::sync::watch::Receiver<bool>) {
    if stop.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// A status line on stderr for every forward that failed (a person watching a headless run
/// wants to know the app is down; successes would drown the terminal).
async fn print_forwards(mut events: broadcast::Receiver<StoreEvent>, reader: StoreReader) {
    loop {
        match events.recv().await {
            Ok(StoreEvent::Attempted(batch)) => {
                let failed: Vec<_> = batch
                    .iter()
                    .filter(|a| a.kind == AttemptKind::Forward && a.status.is_none())
                    .collect();
                if failed.is_empty() {
                    continue;
                }
                let db = reader.lock();
                for brief in failed {
                    let error = db
                        .attempts_for(brief.capture_id)
                        .ok()
                        .and_then(|all| all.into_iter().find(|a| a.id == brief.id))
                        .and_then(|a| a.error);
                    eprintln!(
                        "hookscope: capture {} not forwarded: {}",
                        brief.capture_id,
                        visible_line(error.unwrap_or_default().as_bytes())
                    );
                }
            }
            Ok(_) | Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => return,
        }
    }
}

/// Prints a JSON line for every committed capture, on a thread of its own so that a slow
/// stdout never holds up the runtime. If stdout goes away (`| head`), asks the listener to stop.
fn spawn_printer(
    events: broadcast::Receiver<StoreEvent>,
    reader: StoreReader,
    printed_through: CaptureId,
    mask: bool,
    stop: tokio::sync::watch::Sender<bool>,
) -> std::io::Result<std::thread::JoinHandle<std::io::Result<()>>> {
    std::thread::Builder::new()
        .name("stdout-printer".into())
        .spawn(move || {
            let out = BufWriter::new(std::io::stdout().lock());
            let result = print_captures(events, &reader, printed_through, mask, out);
            if result.is_err() {
                let _ = stop.send(true);
            }
            result
        })
}

/// Writes one line per capture, once it is analysed (the line carries its vendor and
/// validity; the analyser runs in id order just behind the inserts), until the feed ends;
/// with `mask`, secret query parameters masked. A store that stops (or starts again)
/// taking captures is said once on stderr.
/// Falling behind the feed is not a loss: what was missed is read back from the store.
/// Output is flushed whenever the feed is idle, so lines appear at once at low rates and in
/// large writes under load.
fn print_captures(
    mut events: broadcast::Receiver<StoreEvent>,
    reader: &StoreReader,
    printed_through: CaptureId,
    mask: bool,
    mut out: impl Write,
) -> std::io::Result<()> {
    let mut last_printed = printed_through;
    loop {
        match events.blocking_recv() {
            Ok(StoreEvent::Analysed(batch)) => {
                for summary in batch.iter() {
                    if summary.id > last_printed {
                        write_line(&mut out, summary, mask)?;
                        last_printed = summary.id;
                    }
                }
            }
            Ok(StoreEvent::Health(health)) => say_health(&health),
            Ok(_) => {}
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
                    write_line(&mut out, summary, mask)?;
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

fn write_line(out: &mut impl Write, summary: &CaptureSummary, mask: bool) -> std::io::Result<()> {
    if mask && summary.query.is_some() {
        let mut shown = summary.clone();
        crate::secrets::summary(&mut shown);
        return writeln!(out, "{}", json_line(&shown));
    }
    writeln!(out, "{}", json_line(summary))
}

fn say_health(health: &crate::store::StoreHealth) {
    use crate::store::StoreHealth;
    let line = match health {
        StoreHealth::Writing => "the store takes captures again".to_owned(),
        StoreHealth::Failing(why) => {
            format!("NOT CAPTURING: senders get 503 until the store can be written ({why})")
        }
        StoreHealth::Lost(why) => format!(
            "NOT CAPTURING: {why}; senders get 503. Stop and restart hookscope for a new store"
        ),
    };
    eprintln!("hookscope: {}", visible_line(line.as_bytes()));
}

async fn print_rejections(mut rejected: broadcast::Receiver<Rejection>) {
    loop {
        match rejected.recv().await {
            Ok(r) if r.notice => {
                eprintln!("hookscope: {}", visible_line(r.reason.as_bytes()))
            }
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
            unauthenticated: false,
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
        print_captures(receiver, &reader, 0, true, &mut out).unwrap();
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
        print_captures(receiver, &reader, 3, true, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap().lines().count(),
            2,
            "only /4 and /5"
        );
    }
}
