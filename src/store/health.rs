//! Whether the writer can still write, and the files it writes being the ones it opened.
//!
//! SQLite and the segment files keep writing through their open handles after someone
//! deletes or replaces the files: commits succeed into files nobody will ever open again,
//! and every capture acknowledged after that is lost at exit. So before the writer
//! acknowledges a commit it checks that the store file, its WAL and the tail segment are
//! still the files it opened (device and inode); once they are not, nothing more is
//! acknowledged until the user restarts hookscope.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use tokio::sync::broadcast;

use super::{Database, StoreError, StoreEvent};

/// What the writer can do, published as [`StoreEvent::Health`] whenever it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreHealth {
    /// Commits succeed.
    Writing,
    /// The last commit failed (a full disk, an I/O error); the next one may work again.
    Failing(String),
    /// The store's files were deleted or replaced: nothing is written until a restart.
    Lost(String),
}

/// The writer's view of its health, and the files it checks.
pub struct Health {
    files: [Watched; 2],
    now: StoreHealth,
    events: broadcast::Sender<StoreEvent>,
}

/// A file and the identity it had when the writer first saw it.
struct Watched {
    path: PathBuf,
    seen: Option<(u64, u64)>,
}

impl Watched {
    fn new(path: PathBuf) -> Self {
        let mut watched = Self { path, seen: None };
        let _ = watched.check();
        watched
    }

    /// `Err` says what happened to the file.
    fn check(&mut self) -> Result<(), String> {
        let meta = match std::fs::metadata(&self.path) {
            Ok(meta) => meta,
            // A WAL that is not there yet (it appears with the first write) is adopted later;
            // one that was seen and is gone was deleted.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && self.seen.is_none() => {
                return Ok(());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(format!("{} was deleted", self.path.display()));
            }
            Err(e) => return Err(format!("{} cannot be checked: {e}", self.path.display())),
        };
        let identity = (meta.dev(), meta.ino());
        match self.seen {
            None => self.seen = Some(identity),
            Some(seen) if seen != identity => {
                return Err(format!(
                    "{} was replaced by another file",
                    self.path.display()
                ));
            }
            Some(_) => {}
        }
        Ok(())
    }
}

impl Health {
    pub fn new(db_path: &Path, events: broadcast::Sender<StoreEvent>) -> Self {
        let mut wal = db_path.as_os_str().to_owned();
        wal.push("-wal");
        Self {
            files: [
                Watched::new(db_path.to_owned()),
                Watched::new(PathBuf::from(wal)),
            ],
            now: StoreHealth::Writing,
            events,
        }
    }

    /// The error every write gets once the store is lost.
    pub fn lost(&self) -> Option<StoreError> {
        match &self.now {
            StoreHealth::Lost(why) => Some(StoreError::Lost(why.clone())),
            _ => None,
        }
    }

    /// Checks the files before a commit is acknowledged; `Err` means it must not be.
    pub fn verify(&mut self, db: &Database) -> Result<(), StoreError> {
        if let Some(lost) = self.lost() {
            return Err(lost);
        }
        let mut found = self
            .files
            .iter_mut()
            .map(Watched::check)
            .find_map(Result::err);
        if found.is_none()
            && let Some((segment, why)) = db.segments.tail_gone()
        {
            // Another process's clear starts a new tail and removes the old one: only the
            // segment the index still names must be there.
            match super::tail::tail_segment(&db.conn) {
                Ok(tail) if tail != segment => db.segments.forget_writing(),
                _ => found = Some(why),
            }
        }
        match found {
            None => Ok(()),
            Some(why) => {
                tracing::error!(%why, "the store's files changed under the writer");
                self.set(StoreHealth::Lost(why.clone()));
                Err(StoreError::Lost(why))
            }
        }
    }

    /// A commit failed; a later success clears it.
    pub fn failed(&mut self, error: &StoreError) {
        if self.lost().is_none() {
            self.set(StoreHealth::Failing(error.to_string()));
        }
    }

    pub fn succeeded(&mut self) {
        if matches!(self.now, StoreHealth::Failing(_)) {
            self.set(StoreHealth::Writing);
        }
    }

    fn set(&mut self, health: StoreHealth) {
        if self.now != health {
            self.now = health.clone();
            let _ = self.events.send(StoreEvent::Health(health));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &tempfile::TempDir) -> (Database, PathBuf) {
        let path = dir.path().join("c.sqlite3");
        let db = Database::open(
            &path,
            super::super::OpenMode::CreateIfMissing,
            super::super::Durability::Throwaway,
        )
        .unwrap();
        (db, path)
    }

    #[test]
    fn a_deleted_store_file_is_lost_once_and_stays_lost() {
        let dir = tempfile::tempdir().unwrap();
        let (db, path) = store(&dir);
        let (events, mut feed) = broadcast::channel(8);
        let mut health = Health::new(&path, events);
        assert!(health.verify(&db).is_ok());
        std::fs::remove_file(&path).unwrap();
        let error = health.verify(&db).unwrap_err().to_string();
        assert!(
            error.contains("c.sqlite3 was deleted") && error.contains("restart"),
            "{error}"
        );
        assert!(matches!(
            feed.try_recv(),
            Ok(StoreEvent::Health(StoreHealth::Lost(_)))
        ));
        // Putting a file back under the name does not make the old handles good again.
        std::fs::write(&path, b"").unwrap();
        assert!(health.verify(&db).is_err());
        health.succeeded();
        assert!(feed.try_recv().is_err(), "the loss is reported once");
    }

    #[test]
    fn a_replaced_wal_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let (db, path) = store(&dir);
        let wal = dir.path().join("c.sqlite3-wal");
        assert!(wal.exists(), "the WAL exists once the store is made");
        let (events, _feed) = broadcast::channel(8);
        let mut health = Health::new(&path, events);
        std::fs::rename(&wal, dir.path().join("elsewhere")).unwrap();
        std::fs::write(&wal, b"").unwrap();
        let error = health.verify(&db).unwrap_err().to_string();
        assert!(error.contains("replaced"), "{error}");
    }

    #[test]
    fn a_failure_is_reported_and_cleared_by_the_next_success() {
        let dir = tempfile::tempdir().unwrap();
        let (_db, path) = store(&dir);
        let (events, mut feed) = broadcast::channel(8);
        let mut health = Health::new(&path, events);
        health.succeeded();
        assert!(feed.try_recv().is_err(), "nothing changed");
        health.failed(&StoreError::Invalid("disk full".into()));
        health.failed(&StoreError::Invalid("disk full".into()));
        health.succeeded();
        let seen: Vec<StoreEvent> = std::iter::from_fn(|| feed.try_recv().ok()).collect();
        assert_eq!(
            seen,
            [
                StoreEvent::Health(StoreHealth::Failing(
                    "cannot store this capture: disk full".into()
                )),
                StoreEvent::Health(StoreHealth::Writing),
            ]
        );
    }
}
