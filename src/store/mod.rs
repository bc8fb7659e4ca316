//! The SQLite store: one file per store, WAL mode, written only by the writer thread
//! ([`writer`]) and read through [`Database`] connections of its own.

mod analyser;
mod checkpointer;
mod codec;
mod database;
mod flood;
mod health;
mod scan;
mod schema;
mod segment;
mod tail;
#[cfg(test)]
mod tail_tests;
#[cfg(test)]
mod test_support;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use tokio::sync::broadcast;

use crate::attempt::AttemptBrief;
use crate::capture::{CaptureId, CaptureSummary};

pub use codec::check_header;
pub use database::{Database, Durability, OpenMode};
pub use health::StoreHealth;
pub use scan::Scan;
pub use writer::WriterHandle;

/// How many store events a subscriber may fall behind before it is told it lagged
/// (and re-reads from the store instead).
const EVENT_BUFFER: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot use the store {}: {reason}", path.display())]
    Open { path: PathBuf, reason: String },
    #[error("no hookscope store at {}", .0.display())]
    Missing(PathBuf),
    #[error(
        "{} is not a hookscope store: {why}. hookscope leaves it untouched: choose another file with --db",
        path.display()
    )]
    Foreign { path: PathBuf, why: String },
    #[error(
        "the store {} was made by an older hookscope (schema version {found}; this build reads {known}): run `hookscope` once to upgrade it, then try again",
        path.display()
    )]
    Older {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error(
        "the store's files were deleted or replaced while hookscope was running ({0}), so nothing more can be captured: restart hookscope to start a new store"
    )]
    Lost(String),
    #[error(
        "the store was written by a newer hookscope (schema version {found}; this build knows up to {known})"
    )]
    TooNew { found: i64, known: i64 },
    #[error("cannot store this capture: {0}")]
    Invalid(String),
    #[error("the store is closed")]
    Closed,
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot use the store's segment files: {0}")]
    Segment(String),
}

/// What changed in the store, published after the change is committed.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreEvent {
    /// Captures committed together, in id order. One event per transaction, so a subscriber
    /// wakes once per batch, not once per capture.
    Inserted(Arc<[CaptureSummary]>),
    /// The analyser's verdicts for these captures (vendor, kind, validity) are stored.
    /// Captures are analysed in id order, just behind `Inserted`.
    Analysed(Arc<[CaptureSummary]>),
    /// Retention removed every capture up to and including this id (and their attempts).
    Trimmed { through: CaptureId },
    /// The user deleted this capture (and its attempts).
    Deleted { id: CaptureId },
    /// The user deleted every capture.
    Cleared,
    /// Replays and forwards recorded, in id order.
    Attempted(Arc<[AttemptBrief]>),
    /// The writer started failing, recovered, or found its files gone: once per change.
    Health(StoreHealth),
    /// Another process wrote to the store (`hookscope clear`, `import`, `replay`): what a
    /// subscriber holds may be stale and should be read again.
    ChangedElsewhere,
}

/// Where a store lives, and the temporary directory to remove with it for a throwaway store.
#[derive(Debug)]
pub struct StoreLocation {
    pub path: PathBuf,
    temp_dir: Option<tempfile::TempDir>,
}

impl StoreLocation {
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            temp_dir: None,
        }
    }

    /// A store that lives only as long as this process: a file in a private temporary
    /// directory, removed on exit.
    pub fn throwaway() -> std::io::Result<Self> {
        let temp_dir = tempfile::Builder::new().prefix("hookscope-").tempdir()?;
        Ok(Self {
            path: temp_dir.path().join("captures.sqlite3"),
            temp_dir: Some(temp_dir),
        })
    }

    pub fn is_throwaway(&self) -> bool {
        self.temp_dir.is_some()
    }
}

/// A store from before segment files keeps headers and bodies in its rows: the listener
/// moves them out once, and says so, since a large store takes a few seconds.
fn move_into_segments(db: &mut Database, path: &Path) -> Result<(), StoreError> {
    let inline = db.inline_rows()?;
    if inline == 0 {
        return Ok(());
    }
    eprintln!(
        "hookscope: moving {inline} captures in {} into segment files (once: the store predates them)…",
        path.display()
    );
    let started = std::time::Instant::now();
    let moved = db.move_inline_rows()?;
    eprintln!(
        "hookscope: moved {moved} captures in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    tracing::info!(moved, "moved captures into segment files");
    Ok(())
}

/// A read connection that tasks can share.
#[derive(Clone)]
pub struct StoreReader(Arc<Mutex<Database>>);

impl StoreReader {
    pub fn new(db: Database) -> Self {
        Self(Arc::new(Mutex::new(db)))
    }

    pub fn lock(&self) -> MutexGuard<'_, Database> {
        // A panic while holding the lock cannot leave the connection half-changed: it only reads.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The running store: a writer thread that batches writes into transactions, a reader, and
/// a feed of committed changes.
pub struct Store {
    location: StoreLocation,
    reader: StoreReader,
    writer: WriterHandle,
    events: broadcast::Sender<StoreEvent>,
    writer_thread: JoinHandle<()>,
    analyser: Analyser,
    durability: Durability,
}

/// The analyser thread and how to tell it to finish.
struct Analyser {
    thread: JoinHandle<()>,
    stop: Arc<AtomicBool>,
    poke: SyncSender<()>,
}

#[derive(Debug, Clone, Copy)]
pub struct StoreOptions {
    /// Retention: the oldest captures beyond this many are deleted.
    pub keep: u64,
    /// fsync every commit, so acknowledged captures survive a power cut too, not only
    /// hookscope being killed. Costs throughput; ignored for a throwaway store.
    pub fsync: bool,
    /// The listener's store: verdicts made under other rules (another build, other vendor
    /// definitions or secrets) are handed to the analyser again. A command that writes only
    /// attempts or imports (`replay`, `import`) leaves them be, so a shell with other
    /// secrets never makes a running listener analyse its whole store again.
    pub owns_verdicts: bool,
}

impl Store {
    pub fn open(location: StoreLocation, options: StoreOptions) -> Result<Self, StoreError> {
        let durability = match (location.is_throwaway(), options.fsync) {
            (true, _) => Durability::Throwaway,
            (false, true) => Durability::PowerLoss,
            (false, false) => Durability::ProcessCrash,
        };
        let mut write_db = Database::open(&location.path, OpenMode::CreateIfMissing, durability)?
            .without_auto_checkpoint()?;
        let recovered = write_db.recover_tail()?;
        if recovered > 0 {
            eprintln!(
                "hookscope: indexed {recovered} captures that were written to {} but not indexed when hookscope last stopped",
                location.path.display()
            );
        }
        if options.owns_verdicts {
            write_db.refresh_verdicts()?;
            move_into_segments(&mut write_db, &location.path)?;
        }
        let checkpoint_db = Database::open(&location.path, OpenMode::MustExist, durability)?;
        let read_db = Database::open(&location.path, OpenMode::MustExist, durability)?;
        let analyser_db = Database::open(&location.path, OpenMode::MustExist, durability)?;
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let thread_error = |e: std::io::Error| StoreError::Open {
            path: location.path.clone(),
            reason: format!("cannot start the store's threads: {e}"),
        };
        let (poke, pokes) = std::sync::mpsc::sync_channel(1);
        let flood = Arc::new(flood::FloodGauge::default());
        let (writer, writer_thread) = writer::spawn(
            write_db,
            checkpoint_db,
            options.keep,
            events.clone(),
            writer::Analyser {
                poke: poke.clone(),
                flood: flood.clone(),
            },
        )
        .map_err(thread_error)?;
        let stop = Arc::new(AtomicBool::new(false));
        let analyser_thread = analyser::spawn(
            analyser_db,
            writer.clone(),
            analyser::Signals {
                pokes,
                stop: stop.clone(),
                flood,
            },
        )
        .map_err(thread_error)?;
        // Whatever an earlier run left unanalysed (or new rules re-marked) is picked up now.
        let _ = poke.try_send(());
        Ok(Self {
            location,
            reader: StoreReader::new(read_db),
            writer,
            events,
            writer_thread,
            analyser: Analyser {
                thread: analyser_thread,
                stop,
                poke,
            },
            durability,
        })
    }

    pub fn path(&self) -> &Path {
        &self.location.path
    }

    pub fn is_throwaway(&self) -> bool {
        self.location.is_throwaway()
    }

    /// Opens more connections to the store, from any thread: for readers that must not
    /// wait on the shared one (the interface's background workers).
    pub fn connector(&self) -> impl Fn() -> Result<Database, StoreError> + Send + Sync + 'static {
        let (path, durability) = (self.location.path.clone(), self.durability);
        move || Database::open(&path, OpenMode::MustExist, durability)
    }

    pub fn writer(&self) -> WriterHandle {
        self.writer.clone()
    }

    pub fn reader(&self) -> StoreReader {
        self.reader.clone()
    }

    /// Committed changes from now on. A subscriber that falls behind gets `Lagged` and
    /// should re-read from the store what it missed.
    pub fn subscribe(&self) -> broadcast::Receiver<StoreEvent> {
        self.events.subscribe()
    }

    /// Analyses what is still pending, finishes every queued write, then stops the
    /// writer. Call it once the listener has stopped: the writer ends when the last
    /// [`WriterHandle`] is gone. Subscribers see the feed end once they have read the last
    /// event.
    pub fn close(self) {
        let Self {
            location,
            reader,
            writer,
            events,
            writer_thread,
            analyser,
            durability: _,
        } = self;
        analyser.stop.store(true, Ordering::Release);
        let _ = analyser.poke.try_send(());
        let _ = analyser.thread.join();
        drop(analyser.poke);
        drop(writer);
        drop(events);
        let _ = writer_thread.join();
        // The connections go before the location, so a throwaway store's files are closed
        // before its directory is removed.
        drop(reader);
        drop(location);
    }
}
