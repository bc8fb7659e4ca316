//! `hookscope replay ID... --to URL`: captures sent again, exactly as they arrived, one
//! line (or one JSON object) per request. Every attempt is recorded with its capture, so the
//! interface's Replays tab shows it too.

use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{CommandError, exit, ignore_broken_pipe, open_writer, store_path};
use crate::capture::CaptureId;
use crate::cli::ReplayArgs;
use crate::escape::{json_line, visible_line};
use crate::replay::bulk::{Bulk, BulkOptions, Sent, replay_all};
use crate::replay::{Client, SendOptions};
use crate::store::{Database, Store};
use crate::units::format_bytes;

/// How long a filter waits for the analyser to reach captures it has not judged yet.
const ANALYSIS_WAIT: Duration = Duration::from_secs(10);

pub fn run(args: ReplayArgs) -> Result<(), CommandError> {
    if args.ids.is_empty() && args.filter.is_none() {
        return Err(CommandError::new(
            exit::USAGE,
            "name the captures to replay (ids as `hookscope list` shows them), or choose them \
             with --filter",
        ));
    }
    let path = store_path(args.store.db.as_deref())?;
    if !path.exists() {
        return Err(CommandError::new(
            exit::FAILURE,
            format!(
                "no hookscope store at {}: nothing to replay",
                path.display()
            ),
        ));
    }
    // Attempts are recorded through a store writer of this process's own.
    let store = open_writer(&path)?;
    let result = replay(&args, &store);
    store.close();
    result
}

fn replay(args: &ReplayArgs, store: &Store) -> Result<(), CommandError> {
    let db = store.connector()()?;
    let ids = chosen_ids(args, &db)?;
    if ids.is_empty() {
        eprintln!("hookscope: no capture matches; nothing was sent");
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CommandError::new(exit::FAILURE, format!("cannot start: {e}")))?;
    let client = Client::new(SendOptions {
        timeout: args.timeout,
        insecure: args.insecure,
        ..SendOptions::default()
    });
    let options = BulkOptions {
        pace: args.pace,
        speed: args.speed,
        concurrency: usize::from(args.concurrency),
        resign: args.resign,
    };
    let writer = store.writer();
    let cancel = AtomicBool::new(false);
    let mut out = std::io::stdout().lock();
    let mut written = Ok(());
    let target = args.to.to_string();
    let started = Instant::now();
    let bulk = Bulk {
        target: &args.to,
        options: &options,
        client: &client,
        writer: &writer,
    };
    let tally = runtime.block_on(replay_all(
        &bulk,
        &ids,
        |id| db.get(id),
        &cancel,
        |sent, _| {
            if written.is_ok() {
                written = print(&mut out, sent, args.json, &target);
            }
        },
    ));
    ignore_broken_pipe(written.and_then(|()| out.flush()))?;
    if !args.json {
        eprintln!(
            "hookscope: replayed {} to {} in {:.1} s: {} answered, {} failed",
            crate::units::plural(tally.total, "capture"),
            args.to,
            started.elapsed().as_secs_f64(),
            tally.answered,
            tally.failed
        );
    }
    if tally.failed > 0 {
        return Err(CommandError::silent(exit::FAILURE));
    }
    Ok(())
}

/// The ids given (those the filter matches, with one), else every capture the filter
/// matches, in capture order.
fn chosen_ids(args: &ReplayArgs, db: &Database) -> Result<Vec<CaptureId>, CommandError> {
    let Some(filter) = &args.filter else {
        return Ok(args.ids.clone());
    };
    let mut matched = Vec::new();
    let mut after = 0;
    let waiting_since = Instant::now();
    loop {
        let scan = db.scan_matches(filter, after, 50_000, &|| false)?;
        matched.extend(scan.matched);
        after = scan.scanned_through;
        if scan.complete {
            break;
        }
        if scan.awaiting_analysis {
            if waiting_since.elapsed() > ANALYSIS_WAIT {
                eprintln!(
                    "hookscope: captures after #{after} are not analysed yet; the filter \
                     stopped there"
                );
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    if args.ids.is_empty() {
        return Ok(matched);
    }
    let mut ids = args.ids.clone();
    ids.retain(|id| matched.binary_search(id).is_ok());
    Ok(ids)
}

/// The `--json` record: one per request.
#[derive(Serialize)]
struct ReplayRecord<'a> {
    id: CaptureId,
    /// The recorded attempt's id; null when the capture was not found.
    attempt: Option<i64>,
    target: &'a str,
    status: Option<u16>,
    elapsed_ms: Option<f64>,
    response_size: Option<u64>,
    error: Option<&'a str>,
}

fn print(out: &mut impl Write, sent: &Sent, json: bool, target: &str) -> std::io::Result<()> {
    let record = match sent {
        Sent::Attempted(attempt) => ReplayRecord {
            id: attempt.capture_id,
            attempt: Some(attempt.id).filter(|id| *id > 0),
            target: &attempt.target,
            status: attempt.response.as_ref().map(|r| r.status),
            elapsed_ms: Some(attempt.elapsed.as_secs_f64() * 1000.0),
            response_size: attempt.response.as_ref().map(|r| r.body_size),
            error: attempt.error.as_deref(),
        },
        Sent::Missing(id) => ReplayRecord {
            id: *id,
            attempt: None,
            target,
            status: None,
            elapsed_ms: None,
            response_size: None,
            error: Some("no capture with this id in the store"),
        },
    };
    if json {
        return writeln!(out, "{}", json_line(&record));
    }
    match (record.status, record.error) {
        (Some(status), _) => writeln!(
            out,
            "#{}  {}  {status}  {:.1} ms  {}",
            record.id,
            visible_line(record.target.as_bytes()),
            record.elapsed_ms.unwrap_or_default(),
            format_bytes(record.response_size.unwrap_or_default())
        ),
        (None, error) => writeln!(
            out,
            "#{}  {}  failed: {}",
            record.id,
            visible_line(record.target.as_bytes()),
            visible_line(error.unwrap_or("no response").as_bytes())
        ),
    }
}
