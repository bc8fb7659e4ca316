//! The writer thread: group commit. Captures that arrive while a transaction is being
//! committed wait in the queue and go into the next transaction together, so one fsync
//! acknowledges many requests.
//!
//! Checkpoints (copying the WAL back into the database file) run on a second thread with its
//! own connection, so that the writer, which every acknowledgement waits on, never does them.

use std::thread::JoinHandle;

use tokio::sync::{broadcast, mpsc, oneshot};

use super::{Database, StoreError, StoreEvent};
use crate::capture::{Capture, CaptureId, Verdict};

/// Upper bound on captures per transaction, so one commit never holds a reply for long.
const MAX_BATCH: usize = 512;
/// Room for captures waiting for the writer; a full queue makes the listener wait, not drop.
const QUEUE: usize = 4096;
/// Under sustained load, checkpoint after this many commits; otherwise whenever the writer
/// goes idle.
const CHECKPOINT_EVERY: u32 = 64;

type Reply = oneshot::Sender<Result<CaptureId, StoreError>>;

// Inserts are the common message; boxing them would cost an allocation per request.
#[allow(clippy::large_enum_variant)]
enum Write {
    Insert(Capture, Reply),
    /// The analyser's verdicts; the reply says when they are committed.
    Verdicts(Vec<(CaptureId, Verdict)>, oneshot::Sender<()>),
}

/// Queues writes to the store. Cheap to clone; the writer stops when every handle is gone.
#[derive(Clone)]
pub struct WriterHandle {
    queue: mpsc::Sender<Write>,
}

impl WriterHandle {
    /// Stores the capture and resolves once it is committed, with its id.
    pub async fn insert(&self, capture: Capture) -> Result<CaptureId, StoreError> {
        let (reply, committed) = oneshot::channel();
        self.queue
            .send(Write::Insert(capture, reply))
            .await
            .map_err(|_| StoreError::Closed)?;
        committed.await.map_err(|_| StoreError::Closed)?
    }

    /// For the analyser thread: stores verdicts and returns once they are committed.
    pub(super) fn record_verdicts_blocking(
        &self,
        verdicts: Vec<(CaptureId, Verdict)>,
    ) -> Result<(), StoreError> {
        let (reply, committed) = oneshot::channel();
        self.queue
            .blocking_send(Write::Verdicts(verdicts, reply))
            .map_err(|_| StoreError::Closed)?;
        committed.blocking_recv().map_err(|_| StoreError::Closed)
    }
}

/// Starts the writer on `db` and the checkpointer on `checkpoint_db` (two connections to the
/// same file). The returned thread ends, after a last checkpoint, once every handle is gone.
pub fn spawn(
    db: Database,
    checkpoint_db: Database,
    keep: u64,
    events: broadcast::Sender<StoreEvent>,
    analyser: std::sync::mpsc::SyncSender<()>,
) -> std::io::Result<(WriterHandle, JoinHandle<()>)> {
    let (queue, incoming) = mpsc::channel(QUEUE);
    let (poke, pokes) = std::sync::mpsc::sync_channel::<()>(1);
    let checkpointer = std::thread::Builder::new()
        .name("store-checkpt".into())
        .spawn(move || {
            // Pokes coalesce: one waiting poke stands for any number of commits.
            while pokes.recv().is_ok() {
                checkpoint_db.checkpoint(false);
            }
            checkpoint_db.checkpoint(true);
        })?;
    let thread = std::thread::Builder::new()
        .name("store-writer".into())
        .spawn(move || {
            run(db, keep, incoming, events, poke, analyser);
            let _ = checkpointer.join();
        })?;
    Ok((WriterHandle { queue }, thread))
}

fn run(
    mut db: Database,
    keep: u64,
    mut incoming: mpsc::Receiver<Write>,
    events: broadcast::Sender<StoreEvent>,
    checkpoint: std::sync::mpsc::SyncSender<()>,
    analyser: std::sync::mpsc::SyncSender<()>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut commits_since_checkpoint = 0;
    let mut next = incoming.blocking_recv();
    while let Some(write) = next.take() {
        match write {
            Write::Insert(capture, reply) => batch.push((capture, reply)),
            Write::Verdicts(verdicts, reply) => {
                record(&mut db, &verdicts, &events);
                let _ = reply.send(());
            }
        }
        while batch.len() < MAX_BATCH {
            match incoming.try_recv() {
                Ok(Write::Insert(capture, reply)) => batch.push((capture, reply)),
                Ok(verdicts) => {
                    next = Some(verdicts);
                    break;
                }
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            commit(&mut db, keep, &mut batch, &events);
            // Pokes coalesce like the checkpointer's: the analyser reads what is pending.
            let _ = analyser.try_send(());
        }
        commits_since_checkpoint += 1;
        let idle = next.is_none() && incoming.is_empty();
        if commits_since_checkpoint >= CHECKPOINT_EVERY || idle {
            let _ = checkpoint.try_send(());
            commits_since_checkpoint = 0;
        }
        if next.is_none() {
            next = incoming.blocking_recv();
        }
    }
}

fn commit(
    db: &mut Database,
    keep: u64,
    batch: &mut Vec<(Capture, Reply)>,
    events: &broadcast::Sender<StoreEvent>,
) {
    let (captures, replies): (Vec<Capture>, Vec<Reply>) = batch.drain(..).unzip();
    match db.insert_batch(&captures, keep) {
        Ok((summaries, trimmed)) => {
            for (reply, summary) in replies.into_iter().zip(&summaries) {
                let _ = reply.send(Ok(summary.id));
            }
            let _ = events.send(StoreEvent::Inserted(summaries.into()));
            if let Some(through) = trimmed {
                let _ = events.send(StoreEvent::Trimmed { through });
            }
        }
        // One bad capture must not fail the others: retry each on its own.
        Err(error) if captures.len() > 1 => {
            tracing::warn!(%error, "batch insert failed; retrying one by one");
            for (capture, reply) in captures.into_iter().zip(replies) {
                let mut single = vec![(capture, reply)];
                commit(db, keep, &mut single, events);
            }
        }
        Err(error) => {
            tracing::error!(%error, "cannot store capture");
            if let Some(reply) = replies.into_iter().next() {
                let _ = reply.send(Err(error));
            }
        }
    }
}

fn record(
    db: &mut Database,
    verdicts: &[(CaptureId, Verdict)],
    events: &broadcast::Sender<StoreEvent>,
) {
    match db.record_verdicts(verdicts) {
        Ok(summaries) if !summaries.is_empty() => {
            let _ = events.send(StoreEvent::Analysed(summaries.into()));
        }
        Ok(_) => {}
        // A verdict is derived data: losing one leaves the capture itself intact.
        Err(error) => tracing::error!(%error, "cannot store verdicts"),
    }
}
