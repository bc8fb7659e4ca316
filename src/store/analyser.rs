//! The analyser thread: recognises the vendor of each new capture and validates it, just
//! behind the listener. Analysis costs tens of microseconds per payload, as much as storing
//! it, so it runs here at the lowest CPU priority instead of on the path every reply waits
//! on, and stands aside while ingest is flooded ([`FloodGauge`]): a burst is acknowledged at
//! full speed, and analysed on every core once it has passed (or half a second behind it, if it
//! goes on).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::thread::JoinHandle;

use super::database::PendingAnalysis;
use super::flood::FloodGauge;
use super::{Database, WriterHandle};
use crate::capture::{CaptureId, Verdict};
use crate::inspect;

/// Captures analysed per transaction when few are waiting: a person sees verdicts appear
/// while a burst is still arriving.
const BATCH: usize = 64;
/// When a backlog is waiting (after a flood), per transaction: fewer commits for the writer,
/// and enough to share between cores.
const CATCH_UP_BATCH: usize = 1024;
/// And no more body bytes than this per batch (past the first capture), so a run of large
/// bodies does not sit in memory all at once.
const BATCH_BYTES: usize = 16 << 20;
/// A batch shorter than this is analysed on this thread alone.
const SPLIT_FROM: usize = 128;

/// What wakes the analyser and what holds it back.
pub struct Signals {
    /// One per committed insert batch (they coalesce).
    pub pokes: Receiver<()>,
    /// Once set, and poked, it analyses what is still pending and ends.
    pub stop: Arc<AtomicBool>,
    pub flood: Arc<FloodGauge>,
}

pub fn spawn(
    db: Database,
    writer: WriterHandle,
    signals: Signals,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("store-analyser".into())
        .spawn(move || {
            lower_priority();
            run(&db, &writer, &signals);
        })
}

fn run(db: &Database, writer: &WriterHandle, signals: &Signals) {
    let stopping = || signals.stop.load(Ordering::Acquire);
    let mut after: CaptureId = 0;
    let mut batch = BATCH;
    // The batch the writer is recording while the next one is analysed: one at a time, so
    // the analyser never runs ahead of what the store can take.
    let mut recording: Option<tokio::sync::oneshot::Receiver<()>> = None;
    let mut looked_after_stop = false;
    let committed = |recording: &mut Option<tokio::sync::oneshot::Receiver<()>>| {
        recording
            .take()
            .is_none_or(|reply| reply.blocking_recv().is_ok())
    };
    loop {
        signals.flood.wait_out(&stopping);
        let pending = match db.pending_analysis(after, batch, BATCH_BYTES) {
            Ok(pending) => pending,
            Err(error) => {
                tracing::error!(%error, "cannot read captures to analyse");
                Vec::new()
            }
        };
        let Some(last) = pending.last().map(|p| p.id) else {
            if !committed(&mut recording) {
                return;
            }
            // A capture committed between the query above and the stop must still get its
            // verdict: once stopping, look once more before ending.
            if stopping() {
                if looked_after_stop {
                    return;
                }
                looked_after_stop = true;
                continue;
            }
            if signals.pokes.recv().is_err() {
                return;
            }
            // Captures re-marked for analysis (rules changed) may sit before `after`.
            after = 0;
            batch = BATCH;
            continue;
        };
        // A full batch means more are waiting: take larger ones until they are done.
        batch = if pending.len() == batch {
            CATCH_UP_BATCH
        } else {
            BATCH
        };
        after = last;
        let verdicts = verdicts(&pending);
        if !committed(&mut recording) {
            return;
        }
        match writer.queue_verdicts_blocking(verdicts) {
            Ok(reply) => recording = Some(reply),
            Err(_) => return,
        }
    }
}

/// The verdicts of a batch, shared between the cores when it is large.
fn verdicts(pending: &[PendingAnalysis]) -> Vec<(CaptureId, Verdict)> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if pending.len() < SPLIT_FROM || cores == 1 {
        return pending.iter().map(verdict).collect();
    }
    let share = pending.len().div_ceil(cores);
    std::thread::scope(|scope| {
        let helpers: Vec<_> = pending[share..]
            .chunks(share)
            .map(|chunk| {
                scope.spawn(move || {
                    lower_priority();
                    chunk.iter().map(verdict).collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<_> = pending[..share].iter().map(verdict).collect();
        for helper in helpers {
            match helper.join() {
                Ok(part) => all.extend(part),
                // A panic in analysis is a bug, but it must not stop the others' verdicts.
                Err(_) => tracing::error!("a capture's analysis panicked"),
            }
        }
        all
    })
}

fn verdict(pending: &PendingAnalysis) -> (CaptureId, Verdict) {
    let path = pending.uri.split('?').next();
    (
        pending.id,
        inspect::verdict(path, &pending.headers, &pending.body, pending.received_at),
    )
}

/// nice 19 for this thread only (Linux applies priorities per thread).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its arguments; gettid names this thread.
    unsafe {
        let tid = libc::gettid();
        if libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 19) != 0 {
            tracing::debug!("could not lower the analyser's priority");
        }
    }
}
