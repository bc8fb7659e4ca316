//! The writer thread, the only one that writes to the store. Group commit: captures that
//! arrive while a transaction is being committed wait in the queue and go into the next
//! transaction together, so one fsync acknowledges many requests. It never waits for more
//! to arrive: while it commits one group, the listener reads the next, so under a flood
//! the groups grow by themselves and both sides stay busy. The analyser's verdicts and
//! the replay and forward attempts are recorded just after, each group in a transaction of
//! its own; deletes and clears the user asks for come last. Every change is published as a
//! [`StoreEvent`] once committed. Checkpoints are the [`Checkpointer`]'s.

use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::{broadcast, mpsc, oneshot};

use super::checkpointer::Checkpointer;
use super::flood::FloodGauge;
use super::health::Health;
use super::{Database, StoreError, StoreEvent};
use crate::attempt::{Attempt, AttemptId};
use crate::capture::{Capture, CaptureId, CaptureSummary, Verdict};

/// Upper bound on captures per transaction, so one commit never holds a reply for long.
const MAX_BATCH: usize = 512;
/// Room for captures waiting for the writer; a full queue makes the listener wait, not drop.
const QUEUE: usize = 4096;
/// How often the writer looks for writes by other processes.
const LOOK_ELSEWHERE_EVERY: Duration = Duration::from_secs(2);
/// Under sustained load, checkpoint after this many commits; otherwise whenever the writer
/// goes idle.
const CHECKPOINT_EVERY: u32 = 64;

type Reply = oneshot::Sender<Result<CaptureId, StoreError>>;
type AttemptReply = oneshot::Sender<Result<AttemptId, StoreError>>;

// Inserts are the common message; boxing them would cost an allocation per request.
#[allow(clippy::large_enum_variant)]
enum Write {
    Insert(Capture, Reply),
    /// The analyser's verdicts; the reply says when they are committed.
    Verdicts(Vec<(CaptureId, Verdict)>, oneshot::Sender<()>),
    /// A replay or forward; the reply carries its id (0 when its capture is gone).
    Attempt(Box<Attempt>, AttemptReply),
    Change(Change),
    /// Time to look for writes by other processes (`hookscope clear` in another terminal).
    LookElsewhere,
}

/// What the user asks for: rare, so each is a transaction of its own.
enum Change {
    Delete(CaptureId, oneshot::Sender<Result<bool, StoreError>>),
    Clear(oneshot::Sender<Result<u64, StoreError>>),
    /// All or nothing, and past retention: an import adds everything it was given.
    Import(
        Vec<Capture>,
        oneshot::Sender<Result<Vec<CaptureSummary>, StoreError>>,
    ),
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

    /// Records a replay or forward and resolves once it is committed, with its id (0 when
    /// its capture was deleted meanwhile).
    pub async fn record_attempt(&self, attempt: Attempt) -> Result<AttemptId, StoreError> {
        let (reply, committed) = oneshot::channel();
        self.queue
            .send(Write::Attempt(Box::new(attempt), reply))
            .await
            .map_err(|_| StoreError::Closed)?;
        committed.await.map_err(|_| StoreError::Closed)?
    }

    /// Queues a replay or forward to be recorded without waiting for its commit: forwarding
    /// must keep pace with ingest, and waiting for each commit held every sender up. Waits
    /// only for room in the queue.
    pub async fn queue_attempt(&self, attempt: Attempt) -> Result<(), StoreError> {
        let (reply, _) = oneshot::channel();
        self.queue
            .send(Write::Attempt(Box::new(attempt), reply))
            .await
            .map_err(|_| StoreError::Closed)
    }

    /// [`Self::record_attempt`] from a thread outside the runtime.
    pub fn record_attempt_blocking(&self, attempt: Attempt) -> Result<AttemptId, StoreError> {
        let (reply, committed) = oneshot::channel();
        self.queue
            .blocking_send(Write::Attempt(Box::new(attempt), reply))
            .map_err(|_| StoreError::Closed)?;
        committed.blocking_recv().map_err(|_| StoreError::Closed)?
    }

    /// Deletes one capture and its attempts; false when there was none with that id. From a
    /// thread outside the runtime.
    pub fn delete_blocking(&self, id: CaptureId) -> Result<bool, StoreError> {
        let (reply, done) = oneshot::channel();
        self.queue
            .blocking_send(Write::Change(Change::Delete(id, reply)))
            .map_err(|_| StoreError::Closed)?;
        done.blocking_recv().map_err(|_| StoreError::Closed)?
    }

    /// Deletes every capture; returns how many there were. From a thread outside the runtime.
    pub fn clear_blocking(&self) -> Result<u64, StoreError> {
        let (reply, done) = oneshot::channel();
        self.queue
            .blocking_send(Write::Change(Change::Clear(reply)))
            .map_err(|_| StoreError::Closed)?;
        done.blocking_recv().map_err(|_| StoreError::Closed)?
    }

    /// Adds imported captures (with their verdicts) in one transaction; returns their
    /// summaries. From a thread outside the runtime.
    pub fn import_blocking(
        &self,
        captures: Vec<Capture>,
    ) -> Result<Vec<CaptureSummary>, StoreError> {
        let (reply, done) = oneshot::channel();
        self.queue
            .blocking_send(Write::Change(Change::Import(captures, reply)))
            .map_err(|_| StoreError::Closed)?;
        done.blocking_recv().map_err(|_| StoreError::Closed)?
    }

    /// For the analyser thread: queues verdicts to be stored; the returned receiver resolves
    /// once they are committed, so the analyser can work on the next batch meanwhile.
    pub(super) fn queue_verdicts_blocking(
        &self,
        verdicts: Vec<(CaptureId, Verdict)>,
    ) -> Result<oneshot::Receiver<()>, StoreError> {
        let (reply, committed) = oneshot::channel();
        self.queue
            .blocking_send(Write::Verdicts(verdicts, reply))
            .map_err(|_| StoreError::Closed)?;
        Ok(committed)
    }
}

/// Starts the writer on `db` and the checkpointer on `checkpoint_db` (two connections to the
/// same file). The returned thread ends, after a last checkpoint, once every handle is gone.
pub fn spawn(
    db: Database,
    checkpoint_db: Database,
    keep: u64,
    events: broadcast::Sender<StoreEvent>,
    analyser: Analyser,
) -> std::io::Result<(WriterHandle, JoinHandle<()>)> {
    let (queue, incoming) = mpsc::channel(QUEUE);
    let (checkpointer, checkpoints) = Checkpointer::spawn(checkpoint_db)?;
    spawn_elsewhere_clock(queue.downgrade())?;
    let thread = std::thread::Builder::new()
        .name("store-writer".into())
        .spawn(move || {
            run(db, keep, incoming, events, checkpointer, analyser);
            let _ = checkpoints.join();
        })?;
    Ok((WriterHandle { queue }, thread))
}

/// What the writer tells the analyser: that there is something new, and how big its
/// commits are (a flood, which the analyser stands aside for).
pub struct Analyser {
    pub poke: std::sync::mpsc::SyncSender<()>,
    pub flood: Arc<FloodGauge>,
}

/// Asks the writer, every couple of seconds, to look for writes by other processes. It
/// holds only a weak handle, so it never keeps the writer alive; it ends with it.
fn spawn_elsewhere_clock(queue: mpsc::WeakSender<Write>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("store-watch".into())
        .spawn(move || {
            loop {
                std::thread::sleep(LOOK_ELSEWHERE_EVERY);
                let Some(queue) = queue.upgrade() else {
                    return;
                };
                // A full queue means the writer is busy: the next look will do.
                if let Err(mpsc::error::TrySendError::Closed(_)) =
                    queue.try_send(Write::LookElsewhere)
                {
                    return;
                }
            }
        })?;
    Ok(())
}

fn run(
    mut db: Database,
    keep: u64,
    mut incoming: mpsc::Receiver<Write>,
    events: broadcast::Sender<StoreEvent>,
    mut checkpointer: Checkpointer,
    analyser: Analyser,
) {
    let mut pending = Pending::default();
    let mut commits_since_checkpoint = 0;
    let mut elsewhere = Elsewhere::new(&db);
    let mut health = Health::new(
        Path::new(db.conn.path().unwrap_or_default()),
        events.clone(),
    );
    while let Some(write) = incoming.blocking_recv() {
        pending.add(write);
        pending.take_queued(&mut incoming);
        if let Some(lost) = health.lost() {
            pending.refuse(&lost);
            continue;
        }
        if !pending.inserts.is_empty() {
            analyser.flood.committed(pending.inserts.len());
            commit(&mut db, keep, &mut pending.inserts, &events, &mut health);
            // Pokes coalesce like the checkpointer's: the analyser reads what is pending.
            let _ = analyser.poke.try_send(());
        }
        if !pending.verdicts.is_empty() {
            record(&mut db, &pending.verdicts, &events);
            pending.verdicts.clear();
            for reply in pending.verdict_replies.drain(..) {
                let _ = reply.send(());
            }
        }
        if !pending.attempts.is_empty() {
            record_attempts(&mut db, &mut pending.attempts, &events);
        }
        for change in pending.changes.drain(..) {
            apply_change(&mut db, change, &events);
        }
        if std::mem::take(&mut pending.look_elsewhere) {
            // Also while no webhook comes, so the loss is reported before the next one.
            if health.verify(&db).is_ok() && elsewhere.changed(&db) {
                let _ = events.send(StoreEvent::ChangedElsewhere);
            }
        }
        commits_since_checkpoint += 1;
        if commits_since_checkpoint >= CHECKPOINT_EVERY || incoming.is_empty() {
            checkpointer.poke();
            commits_since_checkpoint = 0;
        }
        checkpointer.restart_if_due();
    }
}

/// Writes taken from the queue for the next transactions: captures to insert, and the
/// analyser's verdicts (for captures committed earlier), recorded together just after.
#[derive(Default)]
struct Pending {
    inserts: Vec<(Capture, Reply)>,
    verdicts: Vec<(CaptureId, Verdict)>,
    verdict_replies: Vec<oneshot::Sender<()>>,
    attempts: Vec<(Attempt, AttemptReply)>,
    /// Deletes and clears, in the order asked.
    changes: Vec<Change>,
    look_elsewhere: bool,
}

impl Pending {
    fn add(&mut self, write: Write) {
        match write {
            Write::Insert(capture, reply) => self.inserts.push((capture, reply)),
            Write::Verdicts(verdicts, reply) => {
                self.verdicts.extend(verdicts);
                self.verdict_replies.push(reply);
            }
            Write::Attempt(attempt, reply) => self.attempts.push((*attempt, reply)),
            Write::Change(change) => self.changes.push(change),
            Write::LookElsewhere => self.look_elsewhere = true,
        }
    }

    /// Answers every write taken with `error`: the store cannot take them.
    fn refuse(&mut self, error: &StoreError) {
        let again = || StoreError::Lost(error.to_string());
        for (_, reply) in self.inserts.drain(..) {
            let _ = reply.send(Err(again()));
        }
        for (_, reply) in self.attempts.drain(..) {
            let _ = reply.send(Err(again()));
        }
        for change in self.changes.drain(..) {
            match change {
                Change::Delete(_, reply) => drop(reply.send(Err(again()))),
                Change::Clear(reply) => drop(reply.send(Err(again()))),
                Change::Import(_, reply) => drop(reply.send(Err(again()))),
            }
        }
        // The analyser sees its verdicts go unrecorded and stops.
        self.verdicts.clear();
        self.verdict_replies.clear();
        self.look_elsewhere = false;
    }

    /// Moves what is waiting in the queue here, up to [`MAX_BATCH`] captures.
    fn take_queued(&mut self, incoming: &mut mpsc::Receiver<Write>) {
        while self.inserts.len() < MAX_BATCH {
            match incoming.try_recv() {
                Ok(write) => self.add(write),
                Err(_) => break,
            }
        }
    }
}

fn commit(
    db: &mut Database,
    keep: u64,
    batch: &mut Vec<(Capture, Reply)>,
    events: &broadcast::Sender<StoreEvent>,
    health: &mut Health,
) {
    let (captures, replies): (Vec<Capture>, Vec<Reply>) = batch.drain(..).unzip();
    let result = db.insert_batch(&captures, keep);
    // Committed into files that are no longer the store's is not stored: no reply says so.
    if let Err(lost) = health.verify(db) {
        for reply in replies {
            let _ = reply.send(Err(StoreError::Lost(lost.to_string())));
        }
        return;
    }
    match result {
        Ok((summaries, trimmed)) => {
            health.succeeded();
            // The given captures come last, after any an earlier writer left unindexed.
            let ours = &summaries[summaries.len() - captures.len()..];
            for (reply, summary) in replies.into_iter().zip(ours) {
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
                commit(db, keep, &mut single, events, health);
            }
        }
        Err(error) => {
            tracing::error!(%error, "cannot store capture");
            health.failed(&error);
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

/// SQLite's `data_version` on the writer's own connection changes only when another
/// connection commits, and in this process only the writer commits: so a change means
/// another process wrote to the store.
struct Elsewhere {
    seen: Option<i64>,
}

impl Elsewhere {
    fn new(db: &Database) -> Self {
        Self {
            seen: db.data_version().ok(),
        }
    }

    fn changed(&mut self, db: &Database) -> bool {
        let now = db.data_version().ok();
        let changed = now.is_some() && self.seen.is_some() && now != self.seen;
        self.seen = now.or(self.seen);
        changed
    }
}

fn record_attempts(
    db: &mut Database,
    attempts: &mut Vec<(Attempt, AttemptReply)>,
    events: &broadcast::Sender<StoreEvent>,
) {
    let (attempts, replies): (Vec<Attempt>, Vec<AttemptReply>) = attempts.drain(..).unzip();
    match db.insert_attempts(&attempts) {
        Ok((stored, ids)) => {
            for (reply, id) in replies.into_iter().zip(ids) {
                let _ = reply.send(Ok(id));
            }
            if !stored.is_empty() {
                let _ = events.send(StoreEvent::Attempted(stored.into()));
            }
        }
        Err(error) => {
            tracing::error!(%error, "cannot store replay or forward attempts");
            let message = error.to_string();
            for reply in replies {
                let _ = reply.send(Err(StoreError::Invalid(message.clone())));
            }
        }
    }
}

fn apply_change(db: &mut Database, change: Change, events: &broadcast::Sender<StoreEvent>) {
    match change {
        Change::Delete(id, reply) => {
            let result = db.delete(id);
            if let Ok(true) = result {
                let _ = events.send(StoreEvent::Deleted { id });
            }
            let _ = reply.send(result);
        }
        Change::Clear(reply) => {
            let result = db.clear();
            if result.is_ok() {
                let _ = events.send(StoreEvent::Cleared);
            }
            let _ = reply.send(result);
        }
        Change::Import(captures, reply) => {
            let result = db
                .insert_batch(&captures, u64::MAX)
                .map(|(stored, _)| stored);
            if let Ok(stored) = &result
                && !stored.is_empty()
            {
                let _ = events.send(StoreEvent::Inserted(stored.clone().into()));
            }
            let _ = reply.send(result);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::capture;

    fn queue(count: usize) -> (mpsc::Sender<Write>, mpsc::Receiver<Write>) {
        let (sender, receiver) = mpsc::channel(QUEUE);
        for n in 0..count {
            send(&sender, insert(&format!("/{n}")));
        }
        (sender, receiver)
    }

    fn send(sender: &mpsc::Sender<Write>, write: Write) {
        // `Write` is not Debug, so no `unwrap` on the error that carries it.
        assert!(sender.try_send(write).is_ok(), "the queue is full");
    }

    fn insert(uri: &str) -> Write {
        let (reply, _) = oneshot::channel();
        Write::Insert(capture(uri), reply)
    }

    /// The batch as the writer holds it when it considers waiting: one capture taken.
    fn first_capture(incoming: &mut mpsc::Receiver<Write>) -> Pending {
        let mut pending = Pending::default();
        pending.add(incoming.try_recv().unwrap());
        pending
    }

    fn verdicts(ids: &[CaptureId]) -> Write {
        let (reply, _) = oneshot::channel();
        let verdicts = ids.iter().map(|&id| (id, Verdict::default())).collect();
        Write::Verdicts(verdicts, reply)
    }

    #[test]
    fn verdicts_in_the_queue_do_not_split_a_batch_of_captures() {
        let (sender, mut incoming) = queue(2);
        send(&sender, verdicts(&[1, 2]));
        send(&sender, insert("/after"));
        send(&sender, verdicts(&[3]));

        let mut pending = first_capture(&mut incoming);
        pending.take_queued(&mut incoming);
        let uris: Vec<&str> = pending
            .inserts
            .iter()
            .map(|(c, _)| c.uri.as_str())
            .collect();
        assert_eq!(uris, ["/0", "/1", "/after"]);
        let ids: Vec<CaptureId> = pending.verdicts.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, [1, 2, 3]);
        assert_eq!(
            pending.verdict_replies.len(),
            2,
            "each sender of verdicts is answered"
        );
    }
}
