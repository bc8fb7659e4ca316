//! Checkpoints: copying the WAL back into the database file. They run on a thread of their
//! own with their own connection, so that the writer, which every acknowledgement waits
//! on, never does that work.
//!
//! A checkpoint alone does not keep the WAL small. SQLite writes the WAL from its start
//! again only when a transaction begins right after a checkpoint caught up, with no
//! reader inside the WAL. Under a steady flood that moment rarely comes, and the WAL then
//! grows by hundreds of megabytes; every commit gets slower as it does (a longer index to
//! search, a file to extend rather than overwrite). So once a checkpoint finds the WAL
//! past [`RESTART_FRAMES`], the writer makes that moment itself, between two transactions:
//! see [`Checkpointer::restart_if_due`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Database;

/// A WAL longer than this many frames (pages: 32 MiB at 4 KiB) is started over.
const RESTART_FRAMES: u32 = 8192;
/// How long a restart waits for readers to leave the WAL. Writes queue meanwhile, so this
/// is short: a reader that stays longer only defers the restart.
const RESTART_WAIT: Duration = Duration::from_millis(20);
/// After readers kept the WAL from restarting, the next attempt waits at least this long.
const RESTART_BACKOFF: Duration = Duration::from_secs(1);
/// The shortest time between two checkpoints. Every commit rewrites the same few pages (the
/// newest leaf of the table and of each index, the counters); a checkpoint after each one
/// copied those pages into the database file over and over, and took a fifth of the CPU
/// under a flood. Pokes that arrive meanwhile wait and go as one.
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(50);

/// The writer's side of the checkpointer thread.
pub struct Checkpointer {
    db: Arc<Mutex<Database>>,
    poke: SyncSender<()>,
    wal_too_long: Arc<AtomicBool>,
    restart_blocked_at: Option<Instant>,
}

impl Checkpointer {
    /// Starts the thread on `db`, a connection of its own. It ends, after a last checkpoint
    /// that empties the WAL file, once the returned `Checkpointer` is dropped.
    pub fn spawn(db: Database) -> std::io::Result<(Self, JoinHandle<()>)> {
        let db = Arc::new(Mutex::new(db));
        let wal_too_long = Arc::new(AtomicBool::new(false));
        let (poke, pokes) = std::sync::mpsc::sync_channel(1);
        let thread = {
            let (db, wal_too_long) = (db.clone(), wal_too_long.clone());
            std::thread::Builder::new()
                .name("store-checkpt".into())
                .spawn(move || run(&db, &pokes, &wal_too_long))?
        };
        let checkpointer = Self {
            db,
            poke,
            wal_too_long,
            restart_blocked_at: None,
        };
        Ok((checkpointer, thread))
    }

    /// Asks for a checkpoint soon. Pokes coalesce: one waiting poke stands for any number
    /// of commits.
    pub fn poke(&self) {
        let _ = self.poke.try_send(());
    }

    /// For the writer, between transactions: when the last checkpoint found the WAL too
    /// long, finishes the checkpoint and marks the WAL to be written from its start by the
    /// next commit. No new frames can arrive meanwhile, because the writer is the one
    /// waiting, so the checkpoint can catch up; a reader still inside the WAL after
    /// [`RESTART_WAIT`] defers it.
    pub fn restart_if_due(&mut self) {
        let backing_off = self
            .restart_blocked_at
            .is_some_and(|at| at.elapsed() < RESTART_BACKOFF);
        if backing_off || !self.wal_too_long.swap(false, Ordering::AcqRel) {
            return;
        }
        // The lock waits out a checkpoint in progress, which would otherwise make this one
        // give up at once.
        let restarted = lock(&self.db).restart_wal(RESTART_WAIT);
        self.restart_blocked_at = match restarted {
            Ok(true) => None,
            Ok(false) => {
                tracing::debug!("readers kept the WAL from restarting; trying again later");
                Some(Instant::now())
            }
            Err(error) => {
                tracing::warn!(%error, "cannot restart the WAL; trying again later");
                Some(Instant::now())
            }
        };
    }
}

fn run(db: &Mutex<Database>, pokes: &Receiver<()>, wal_too_long: &AtomicBool) {
    while pokes.recv().is_ok() {
        if lock(db)
            .checkpoint(false)
            .is_some_and(|frames| frames > RESTART_FRAMES)
        {
            wal_too_long.store(true, Ordering::Release);
        }
        std::thread::sleep(CHECKPOINT_INTERVAL);
    }
    lock(db).checkpoint(true);
}

fn lock(db: &Mutex<Database>) -> MutexGuard<'_, Database> {
    // Checkpoints leave the connection as it was even when they fail half-way.
    db.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
