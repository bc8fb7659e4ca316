//! The analyser thread: recognises the vendor of each new capture and validates it, just
//! behind the listener. Analysis costs tens of microseconds per payload, as much as storing
//! it, so it runs here at the lowest CPU priority instead of on the path every reply waits
//! on: a burst is acknowledged at full speed and analysed as soon as there is CPU to spare.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::thread::JoinHandle;

use super::{Database, WriterHandle};
use crate::capture::CaptureId;
use crate::inspect;

/// Captures analysed per transaction: big enough to amortise the commit, small enough that
/// a person sees verdicts appear while a burst is still arriving.
const BATCH: usize = 64;
/// And no more body bytes than this per batch (past the first capture), so a run of large
/// bodies does not sit in memory all at once.
const BATCH_BYTES: usize = 8 << 20;

/// Starts the analyser. It waits for `pokes` (one per committed insert batch) and, once
/// `stop` is set and it is poked, analyses what is still pending and ends.
pub fn spawn(
    db: Database,
    writer: WriterHandle,
    pokes: Receiver<()>,
    stop: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("store-analyser".into())
        .spawn(move || {
            lower_priority();
            run(&db, &writer, &pokes, &stop);
        })
}

fn run(db: &Database, writer: &WriterHandle, pokes: &Receiver<()>, stop: &AtomicBool) {
    let mut after: CaptureId = 0;
    loop {
        let pending = match db.pending_analysis(after, BATCH, BATCH_BYTES) {
            Ok(pending) => pending,
            Err(error) => {
                tracing::error!(%error, "cannot read captures to analyse");
                Vec::new()
            }
        };
        let Some(last) = pending.last().map(|p| p.id) else {
            if stop.load(Ordering::Acquire) || pokes.recv().is_err() {
                return;
            }
            // Captures re-marked for analysis (rules changed) may sit before `after`.
            after = 0;
            continue;
        };
        after = last;
        let verdicts = pending
            .iter()
            .map(|p| {
                let path = p.uri.split('?').next();
                (
                    p.id,
                    inspect::verdict(path, &p.headers, &p.body, p.received_at),
                )
            })
            .collect();
        if writer.record_verdicts_blocking(verdicts).is_err() {
            return;
        }
    }
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
