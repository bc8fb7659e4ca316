//! The writer thread: group commit. Captures that arrive while a transaction is being
//! committed wait in the queue and go into the next transaction together, so one fsync
//! acknowledges many requests.
//!
//! Checkpoints (copying the WAL back into the database file) run on a second thread with its
//! own connection, so that the writer, which every acknowledgement waits on, never does them.

use std::thread::JoinHandle;

use tokio::sync::{broadcast, mpsc, oneshot};

use super::{Database, StoreError, StoreEvent};
use crate::capture::{Capture, CaptureId};

/// Upper bound on captures per transaction, so one commit never holds a reply for long.
const MAX_BATCH: usize = 512;
/// Room for captures waiting for the writer; a full queue makes the listener wait, not drop.
const QUEUE: usize = 4096;
/// Under sustained load, checkpoint after this many commits; otherwise whenever the writer
/// goes idle.
const CHECKPOINT_EVERY: u32 = 64;

type Reply = oneshot::Sender<Result<CaptureId, StoreError>>;

/// Queues writes to the store. Cheap to clone; the writer stops when every handle is gone.
#[derive(Clone)]
pub struct WriterHandle {
    queue: mpsc::Sender<(Capture, Reply)>,
}

impl WriterHandle {
    /// Stores the capture and resolves once it is committed, with its id.
    pub async fn insert(&self, capture: Capture) -> Result<CaptureId, StoreError> {
        let (reply, committed) = oneshot::channel();
        self.queue
            .send((capture, reply))
            .await
            .map_err(|_| StoreError::Closed)?;
        committed.await.map_err(|_| StoreError::Closed)?
    }
}

/// Starts the writer on `db` and the checkpointer on `checkpoint_db` (two connections to the
/// same file). The returned thread ends, after a last checkpoint, once every handle is gone.
pub fn spawn(
    db: Database,
    checkpoint_db: Database,
    keep: u64,
    events: broadcast::Sender<StoreEvent>,
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
            run(db, keep, incoming, events, poke);
            let _ = checkpointer.join();
        })?;
    Ok((WriterHandle { queue }, thread))
}

fn run(
    mut db: Database,
    keep: u64,
    mut incoming: mpsc::Receiver<(Capture, Reply)>,
    events: broadcast::Sender<StoreEvent>,
    checkpoint: std::sync::mpsc::SyncSender<()>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut commits_since_checkpoint = 0;
    while let Some(first) = incoming.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match incoming.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        commit(&mut db, keep, &mut batch, &events);
        commits_since_checkpoint += 1;
        if commits_since_checkpoint >= CHECKPOINT_EVERY || incoming.is_empty() {
            let _ = checkpoint.try_send(());
            commits_since_checkpoint = 0;
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
