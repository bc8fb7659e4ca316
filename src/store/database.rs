//! One connection to a store file, and every query hookscope runs on it.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params};

use super::StoreError;
use super::codec::{decode_headers, encode_headers};
use super::schema;
use super::segment::{SEGMENT_BYTES, SegmentNo, Segments, record};
use crate::attempt::{Attempt, AttemptBrief, AttemptId, AttemptKind, AttemptResponse, ForwardMark};
use crate::capture::{Capture, CaptureId, CaptureSummary, Header, Verdict, format_timestamp};
use crate::inspect;
use crate::vendor::Vendor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// The listener and `import`: a new store is created where none exists.
    CreateIfMissing,
    /// Commands that read: a missing file is an error, never a new empty store.
    MustExist,
}

/// What a commit survives once it has returned (SQLite's `synchronous` in WAL mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// hookscope being killed at any moment (`kill -9`, a crash): the commit is in the WAL,
    /// which the OS holds even if the process dies. A power cut or an OS crash may still
    /// lose the last commits (never corrupt the file). No fsync per commit.
    ProcessCrash,
    /// Also a power cut or an OS crash: every commit is fsynced before it returns.
    PowerLoss,
    /// A throwaway store: nothing is worth keeping beyond the process.
    Throwaway,
}

/// A capture waiting for the analyser: what analysis reads of it.
pub struct PendingAnalysis {
    pub id: CaptureId,
    pub headers: Vec<Header>,
    pub body: Bytes,
    /// The request target: the path takes part in detecting user vendors.
    pub uri: String,
    /// Signature timestamps are judged against the delivery, not against now.
    pub received_at: DateTime<Utc>,
}

pub struct Database {
    pub(super) conn: Connection,
    /// Where the captures' records lie; the rows say which segment and where.
    pub(super) segments: Segments,
    /// The size past which the tail segment is sealed (smaller in tests).
    pub(super) segment_limit: u64,
    /// The oldest segment file this connection knows to exist, once it has looked.
    pub(super) oldest_segment: std::cell::Cell<Option<SegmentNo>>,
}

/// The page size of a new store (and of one moved into segment files).
pub(super) const PAGE_SIZE: u32 = 4096;
/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 64;

/// How long a statement waits for another connection's lock before failing with "busy".
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const SUMMARY_COLUMNS: &str = "id, received_at, method, path, query, size, content_type, peer, \
     vendor, kind, errors, warnings, duplicate_of, analysed, \
     (SELECT ifnull(status, -1) FROM attempts \
      WHERE capture_id = captures.id AND kind = 'forward' ORDER BY id DESC LIMIT 1), \
     unauthenticated";
const ATTEMPT_COLUMNS: &str = "id, capture_id, kind, target, request, started_at, elapsed_us, \
     status, reason, response_headers, response_body, response_size, error";
pub(super) const CAPTURE_COLUMNS: &str = "id, received_at, peer, method, uri, version, headers, \
     body, response_status, vendor, kind, errors, warnings, dedupe_key, duplicate_of, analysed, \
     segment, offset, length, unauthenticated";

/// Where a capture's record lies in the segment files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Location {
    pub segment: SegmentNo,
    pub offset: u64,
    pub length: usize,
}

impl Location {
    /// From the `segment, offset, length` columns starting at `first`; `None` for a row
    /// from before segments, which holds its headers and body itself.
    pub fn from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<Option<Self>> {
        let segment: Option<SegmentNo> = row.get(first)?;
        Ok(match segment {
            Some(segment) => Some(Self {
                segment,
                offset: row.get::<_, i64>(first + 1)?.max(0) as u64,
                length: row.get::<_, i64>(first + 2)?.max(0) as usize,
            }),
            None => None,
        })
    }
}

impl Database {
    pub fn open(path: &Path, mode: OpenMode, durability: Durability) -> Result<Self, StoreError> {
        let open_error = |reason: String| StoreError::Open {
            path: path.to_owned(),
            reason,
        };
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        match mode {
            OpenMode::MustExist if !path.exists() => {
                return Err(StoreError::Missing(path.to_owned()));
            }
            OpenMode::MustExist => {}
            OpenMode::CreateIfMissing => {
                flags |= OpenFlags::SQLITE_OPEN_CREATE;
                create_private(path).map_err(open_error)?;
            }
        }
        let mut conn =
            Connection::open_with_flags(path, flags).map_err(|e| open_error(describe(&e)))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| open_error(describe(&e)))?;
        // The writer's commit alone uses a dozen cached statements, beside the verdicts' and
        // the attempts': rusqlite's default of 16 evicted some on every commit.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // Before anything is written: a file that is not a store is left exactly as it was.
        let identity = schema::identify(&conn).map_err(|e| open_error(describe(&e)))?;
        let marked = match (identity, mode) {
            (schema::Identity::Foreign(why), _) => {
                return Err(StoreError::Foreign {
                    path: path.to_owned(),
                    why,
                });
            }
            (schema::Identity::Empty, OpenMode::MustExist) => {
                return Err(StoreError::Missing(path.to_owned()));
            }
            (schema::Identity::Store { version, .. }, _) if version > schema::CURRENT_VERSION => {
                return Err(open_error(
                    StoreError::TooNew {
                        found: version,
                        known: schema::CURRENT_VERSION,
                    }
                    .to_string(),
                ));
            }
            // Commands that read never change a store, and this build's queries need its
            // schema: the listener (or any command that writes) upgrades it.
            (schema::Identity::Store { version, .. }, OpenMode::MustExist)
                if version < schema::CURRENT_VERSION =>
            {
                return Err(StoreError::Older {
                    path: path.to_owned(),
                    found: version,
                    known: schema::CURRENT_VERSION,
                });
            }
            (schema::Identity::Store { marked, .. }, _) => marked,
            (schema::Identity::Empty, OpenMode::CreateIfMissing) => false,
        };
        if mode == OpenMode::CreateIfMissing && conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(open_error(
                "the file is read-only for this user, so nothing could be captured into it: \
                 change its permissions or choose another file with --db"
                    .to_owned(),
            ));
        }
        let synchronous = match durability {
            Durability::ProcessCrash => "NORMAL",
            Durability::PowerLoss => "FULL",
            Durability::Throwaway => "OFF",
        };
        conn.pragma_update(None, "synchronous", synchronous)
            .map_err(|e| open_error(describe(&e)))?;
        if mode == OpenMode::CreateIfMissing {
            // Bodies live in segment files, so rows are small and a commit touches a handful
            // of pages (the table's and each index's last leaf, the counters): every one is
            // written whole to the WAL, and 4 KiB pages write a quarter of what 16 KiB ones
            // did. page_size only takes effect on a new file, so it must come before WAL is
            // switched on.
            conn.execute_batch(&format!(
                "PRAGMA page_size = {PAGE_SIZE}; PRAGMA journal_mode = WAL;"
            ))
            .map_err(|e| open_error(describe(&e)))?;
            schema::migrate(&mut conn).map_err(|e| match e {
                StoreError::Sqlite(e) => open_error(describe(&e)),
                other => open_error(other.to_string()),
            })?;
            if !marked {
                conn.pragma_update(None, "application_id", schema::APPLICATION_ID)
                    .map_err(|e| open_error(describe(&e)))?;
            }
        }
        Ok(Self {
            conn,
            segments: Segments::new(path, durability == Durability::PowerLoss),
            segment_limit: SEGMENT_BYTES,
            oldest_segment: std::cell::Cell::new(None),
        })
    }

    /// Whether the stored verdicts were made under this process's rules (build, vendor
    /// definitions, secrets). A command that reads a store with other verdicts works out
    /// the ones it shows itself; only the listener's store hands them to its analyser.
    pub fn verdicts_current(&self) -> Result<bool, StoreError> {
        Ok(self.stored_analysis_version()? == inspect::analysis_version())
    }

    fn stored_analysis_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT version FROM analysis", [], |row| row.get(0))?)
    }

    /// Verdicts are derived data: when this process's rules differ from the ones that
    /// wrote them, every capture is marked for the analyser to look at again.
    pub fn refresh_verdicts(&mut self) -> Result<(), StoreError> {
        let current = inspect::analysis_version();
        let version = self.stored_analysis_version()?;
        if version != current {
            tracing::info!(from = version, to = current, "captures will be re-analysed");
            let tx = self.conn.transaction()?;
            tx.execute("UPDATE captures SET analysed = 0", [])?;
            tx.execute("UPDATE analysis SET version = ?1", [current])?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Captures the analyser has not looked at yet, oldest first, after `after`: at most
    /// `limit` of them, and past the first no more than `max_bytes` of bodies in all (bodies
    /// may be 32 MiB each).
    pub fn pending_analysis(
        &self,
        after: CaptureId,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<PendingAnalysis>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CAPTURE_COLUMNS} FROM captures WHERE analysed = 0 AND id > ?1
             ORDER BY id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![after, limit as i64], stored_from_row)?;
        let mut pending = Vec::new();
        let mut bytes = 0;
        for row in rows {
            let (capture, location) = row?;
            // A capture deleted since the row was read needs no verdict.
            let Some(capture) = self.complete(capture, location)? else {
                continue;
            };
            bytes += capture.body.len();
            pending.push(PendingAnalysis {
                id: capture.id,
                headers: capture.headers,
                body: capture.body,
                uri: capture.uri,
                received_at: capture.received_at,
            });
            if bytes >= max_bytes {
                break;
            }
        }
        Ok(pending)
    }

    /// Stores the analyser's verdicts in one transaction, marking a capture that repeats an
    /// earlier event, and returns the updated summaries (captures deleted meanwhile are
    /// skipped).
    pub fn record_verdicts(
        &mut self,
        verdicts: &[(CaptureId, Verdict)],
    ) -> Result<Vec<CaptureSummary>, StoreError> {
        let tx = self.conn.transaction()?;
        let mut summaries = Vec::with_capacity(verdicts.len());
        {
            let mut update = tx.prepare_cached(
                "UPDATE captures SET vendor = ?2, kind = ?3, errors = ?4, warnings = ?5,
                    dedupe_key = ?6, analysed = 1,
                    duplicate_of = (SELECT min(earlier.id) FROM captures AS earlier
                        WHERE ?6 IS NOT NULL AND earlier.dedupe_key = ?6 AND earlier.id < ?1)
                 WHERE id = ?1",
            )?;
            let mut select = tx.prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM captures WHERE id = ?1"
            ))?;
            for (id, verdict) in verdicts {
                let updated = update.execute(params![
                    id,
                    verdict.vendor.map(Vendor::id),
                    verdict.kind,
                    verdict.errors,
                    verdict.warnings,
                    verdict.dedupe_key,
                ])?;
                if updated == 1 {
                    summaries.push(select.query_row([id], summary_from_row)?);
                }
            }
        }
        tx.commit()?;
        Ok(summaries)
    }

    /// Changes whenever another connection commits to the file (SQLite's `data_version`).
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))?)
    }

    /// The writer's connection: checkpoints are left to [`Database::checkpoint`] on another
    /// connection, off the path every acknowledgement waits on.
    pub fn without_auto_checkpoint(self) -> Result<Self, StoreError> {
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(self)
    }

    /// Copies what the WAL holds back into the database file, without waiting for readers;
    /// `truncate` also empties the WAL file (used on shutdown, when nothing else writes).
    /// Returns how many frames the WAL holds, when the checkpoint could run.
    pub fn checkpoint(&self, truncate: bool) -> Option<u32> {
        let mode = if truncate { "TRUNCATE" } else { "PASSIVE" };
        let result = self
            .conn
            .query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| {
                row.get::<_, i64>(1)
            });
        match result {
            Ok(frames) => Some(u32::try_from(frames).unwrap_or(0)),
            Err(error) => {
                tracing::warn!(%error, "checkpoint failed; the WAL is kept and retried later");
                None
            }
        }
    }

    /// Checkpoints everything and makes the next commit write the WAL from its start again,
    /// instead of appending to it. Waits at most `wait` for readers to leave the WAL;
    /// returns whether they did. Meant for a moment when nothing writes (the writer calls
    /// it between transactions): a write that comes meanwhile waits for it.
    pub fn restart_wal(&self, wait: Duration) -> Result<bool, StoreError> {
        self.conn.busy_timeout(wait)?;
        let busy = self
            .conn
            .query_row("PRAGMA wal_checkpoint(RESTART)", [], |row| {
                row.get::<_, i64>(0)
            });
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(busy? == 0)
    }

    pub fn get(&self, id: CaptureId) -> Result<Option<Capture>, StoreError> {
        let sql = format!("SELECT {CAPTURE_COLUMNS} FROM captures WHERE id = ?1");
        let stored = self
            .conn
            .prepare_cached(&sql)?
            .query_row([id], stored_from_row)
            .optional()?;
        match stored {
            Some((capture, location)) => self.complete(capture, location),
            None => Ok(None),
        }
    }

    /// Fills in the headers and body of a capture read from its row, from its record; `None`
    /// when the record is gone (its segment was removed after the row was read).
    pub(super) fn complete(
        &self,
        mut capture: Capture,
        location: Option<Location>,
    ) -> Result<Option<Capture>, StoreError> {
        let Some(location) = location else {
            return Ok(Some(capture));
        };
        let Some(buffer) = self.read_record(capture.id, location)? else {
            return Ok(None);
        };
        let (view, _) = record::decode(&buffer).map_err(|e| self.damaged(capture.id, e))?;
        let whole = view.to_capture(&buffer);
        capture.headers = whole.headers;
        capture.body = whole.body;
        Ok(Some(capture))
    }

    /// The record's bytes, checked to be the record of `id`; `None` when its segment is gone.
    pub(super) fn read_record(
        &self,
        id: CaptureId,
        location: Location,
    ) -> Result<Option<Bytes>, StoreError> {
        let Some(bytes) = self
            .segments
            .read(location.segment, location.offset, location.length)?
        else {
            return Ok(None);
        };
        match record::decode(&bytes) {
            Ok((view, _)) if view.id == id => Ok(Some(Bytes::from(bytes))),
            Ok(_) => Err(self.damaged(id, record::RecordError::Corrupt)),
            Err(e) => Err(self.damaged(id, e)),
        }
    }

    fn damaged(&self, id: CaptureId, error: record::RecordError) -> StoreError {
        StoreError::Segment(format!(
            "the record of capture #{id} in {} is unreadable ({error})",
            self.segments.dir().display()
        ))
    }

    /// Summaries of captures with an id above `after`, oldest first.
    pub fn summaries_after(
        &self,
        after: CaptureId,
        limit: usize,
    ) -> Result<Vec<CaptureSummary>, StoreError> {
        let sql =
            format!("SELECT {SUMMARY_COLUMNS} FROM captures WHERE id > ?1 ORDER BY id LIMIT ?2");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![after, limit as i64], summary_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every capture id, oldest first: what the interface's list scrolls over.
    pub fn all_ids(&self) -> Result<Vec<CaptureId>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM captures ORDER BY id")?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Summaries of these captures (those that still exist), oldest first.
    pub fn summaries_for(&self, ids: &[CaptureId]) -> Result<Vec<CaptureSummary>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        // SQLite takes up to 32,766 parameters; a screen of rows is far fewer.
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let sql =
                format!("SELECT {SUMMARY_COLUMNS} FROM captures WHERE id IN ({marks}) ORDER BY id");
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(chunk), summary_from_row)?;
            for row in rows {
                out.push(row?);
            }
        }
        Ok(out)
    }

    /// The newest `limit` summaries, oldest first.
    pub fn latest_summaries(&self, limit: usize) -> Result<Vec<CaptureSummary>, StoreError> {
        let sql = format!(
            "SELECT * FROM (SELECT {SUMMARY_COLUMNS} FROM captures ORDER BY id DESC LIMIT ?1)
             ORDER BY id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([limit as i64], summary_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Calls `visit` with every capture, oldest first, without holding them all in memory.
    pub fn for_each_capture(
        &self,
        mut visit: impl FnMut(Capture) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut after = 0;
        let sql =
            format!("SELECT {CAPTURE_COLUMNS} FROM captures WHERE id > ?1 ORDER BY id LIMIT 256");
        let mut stmt = self.conn.prepare(&sql)?;
        loop {
            let page: Vec<(Capture, Option<Location>)> = stmt
                .query_map([after], stored_from_row)?
                .collect::<Result<_, _>>()?;
            let Some((last, _)) = page.last() else {
                return Ok(());
            };
            after = last.id;
            for (capture, location) in page {
                if let Some(capture) = self.complete(capture, location)? {
                    visit(capture)?;
                }
            }
        }
    }

    pub fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT n FROM capture_count", [], |row| row.get(0))?;
        Ok(n.max(0) as u64)
    }
}

impl Database {
    /// Stores attempts in one transaction; those whose capture is gone meanwhile (deleted,
    /// trimmed) are dropped. Returns what was stored, in order, and for each given attempt
    /// its id (0 when dropped).
    pub fn insert_attempts(
        &mut self,
        attempts: &[Attempt],
    ) -> Result<(Vec<AttemptBrief>, Vec<AttemptId>), StoreError> {
        let tx = self.conn.transaction()?;
        let mut stored = Vec::with_capacity(attempts.len());
        let mut ids = Vec::with_capacity(attempts.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO attempts (capture_id, kind, target, request, started_at, elapsed_us,
                    status, reason, response_headers, response_body, response_size, error)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12
                 WHERE EXISTS (SELECT 1 FROM captures WHERE id = ?1)",
            )?;
            for attempt in attempts {
                let response = attempt.response.as_ref();
                let inserted = insert.execute(params![
                    attempt.capture_id,
                    attempt.kind.id(),
                    attempt.target,
                    attempt.request.as_ref(),
                    attempt.started_at.timestamp_micros(),
                    i64::try_from(attempt.elapsed.as_micros()).unwrap_or(i64::MAX),
                    response.map(|r| r.status),
                    response.map(|r| r.reason.as_str()),
                    response.map(|r| encode_headers(&r.headers)),
                    response.map(|r| r.body.as_ref()),
                    response.map(|r| r.body_size as i64),
                    attempt.error,
                ])?;
                if inserted == 1 {
                    let mut brief = attempt.brief();
                    brief.id = tx.last_insert_rowid();
                    ids.push(brief.id);
                    stored.push(brief);
                } else {
                    ids.push(0);
                }
            }
        }
        tx.commit()?;
        Ok((stored, ids))
    }

    /// Every attempt for a capture, oldest first.
    pub fn attempts_for(&self, capture_id: CaptureId) -> Result<Vec<Attempt>, StoreError> {
        let sql =
            format!("SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE capture_id = ?1 ORDER BY id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([capture_id], attempt_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn attempt_from_row(row: &Row<'_>) -> rusqlite::Result<Attempt> {
    let status: Option<u16> = row.get(7)?;
    let response = match status {
        Some(status) => Some(AttemptResponse {
            status,
            reason: row.get::<_, Option<String>>(8)?.unwrap_or_default(),
            headers: decode_headers(&row.get::<_, Option<Vec<u8>>>(9)?.unwrap_or_default()),
            body: Bytes::from(row.get::<_, Option<Vec<u8>>>(10)?.unwrap_or_default()),
            body_size: row.get::<_, Option<i64>>(11)?.unwrap_or(0).max(0) as u64,
        }),
        None => None,
    };
    let kind: String = row.get(2)?;
    Ok(Attempt {
        id: row.get(0)?,
        capture_id: row.get(1)?,
        kind: AttemptKind::from_id(&kind).unwrap_or(AttemptKind::Replay),
        target: row.get(3)?,
        request: Bytes::from(row.get::<_, Vec<u8>>(4)?),
        started_at: timestamp(row.get(5)?),
        elapsed: std::time::Duration::from_micros(row.get::<_, i64>(6)?.max(0) as u64),
        response,
        error: row.get(12)?,
    })
}

fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<CaptureSummary> {
    Ok(CaptureSummary {
        id: row.get(0)?,
        received_at: format_timestamp(timestamp(row.get(1)?)),
        method: row.get(2)?,
        path: row.get(3)?,
        query: row.get(4)?,
        size: row.get::<_, i64>(5)?.max(0) as u64,
        content_type: row.get(6)?,
        peer: row.get(7)?,
        vendor: vendor_from(row.get(8)?),
        kind: row.get(9)?,
        valid: None,
        errors: row.get(10)?,
        warnings: row.get(11)?,
        duplicate_of: row.get(12)?,
        analysed: row.get(13)?,
        forward: row.get::<_, Option<i64>>(14)?.map(ForwardMark::from_column),
        unauthenticated: row.get(15)?,
    })
    .map(|mut summary| {
        summary.valid = summary.vendor.map(|_| summary.errors == 0);
        summary
    })
}

/// A capture as its row holds it, and where its record lies: headers and body are still
/// to be read from there ([`Database::complete`]) unless the row is from before segments.
pub(super) fn stored_from_row(row: &Row<'_>) -> rusqlite::Result<(Capture, Option<Location>)> {
    let headers: Vec<u8> = row.get(6)?;
    let body: Vec<u8> = row.get(7)?;
    let capture = Capture {
        id: row.get(0)?,
        received_at: timestamp(row.get(1)?),
        peer: row.get(2)?,
        method: row.get(3)?,
        uri: row.get(4)?,
        version: row.get(5)?,
        headers: decode_headers(&headers),
        body: Bytes::from(body),
        response_status: row.get(8)?,
        unauthenticated: row.get(19)?,
        verdict: row.get::<_, bool>(15)?.then_some(Verdict {
            vendor: vendor_from(row.get(9)?),
            kind: row.get(10)?,
            errors: row.get(11)?,
            warnings: row.get(12)?,
            dedupe_key: row.get(13)?,
            duplicate_of: row.get(14)?,
        }),
    };
    Ok((capture, Location::from_row(row, 16)?))
}

fn vendor_from(id: Option<String>) -> Option<Vendor> {
    id.as_deref().and_then(Vendor::from_id)
}

fn timestamp(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// Creates a new store's folder (0700) and its empty file (0600) before SQLite opens it:
/// captures hold other people's tokens, and SQLite would make a file anyone can read. Its
/// `-wal` and `-shm` files take the same mode from it.
fn create_private(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.exists()
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("cannot create the folder {}: {e}", dir.display()))?;
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
            Err(format!("cannot create the file: {e}"))
        }
        _ => Ok(()),
    }
}

/// SQLite's own wording, plus what to do when the file is not a store at all.
fn describe(error: &rusqlite::Error) -> String {
    use rusqlite::ffi::ErrorCode;
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => "the file is not a SQLite database, or it is damaged. \
             hookscope leaves it untouched: move it aside or choose another file with --db"
            .to_owned(),
        Some(ErrorCode::CannotOpen) => {
            "the file, or its -wal and -shm files beside it, cannot be opened (check that the \
             folder exists and that this user may write in it and to those files)"
                .to_owned()
        }
        Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => {
            "the file is read-only for this user".to_owned()
        }
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::capture;

    fn open(dir: &tempfile::TempDir) -> Database {
        let path = dir.path().join("c.sqlite3");
        Database::open(&path, OpenMode::CreateIfMissing, Durability::Throwaway).unwrap()
    }

    #[test]
    fn a_restarted_wal_is_written_from_its_start_unless_a_reader_is_inside() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = open(&dir).without_auto_checkpoint().unwrap();
        let connect = || {
            let path = dir.path().join("c.sqlite3");
            Database::open(&path, OpenMode::MustExist, Durability::Throwaway).unwrap()
        };
        let (checkpointer, reader) = (connect(), connect());
        for n in 0..20 {
            writer
                .insert_batch(&[capture(&format!("/{n}"))], 100)
                .unwrap();
        }
        // A read transaction that sees commits not yet checkpointed pins the WAL.
        reader
            .conn
            .execute_batch("BEGIN; SELECT count(*) FROM captures;")
            .unwrap();
        let grown = checkpointer.checkpoint(false).unwrap();
        assert!(grown >= 20, "20 commits left {grown} frames");
        let wait = Duration::from_millis(20);
        assert!(!checkpointer.restart_wal(wait).unwrap());
        writer.insert_batch(&[capture("/pinned")], 100).unwrap();
        let pinned = checkpointer.checkpoint(false).unwrap();
        assert!(
            pinned > grown,
            "{pinned} frames after {grown}: the WAL restarted"
        );

        // Given the time, the restart waits for the reader to leave.
        let leaves = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            reader.conn.execute_batch("COMMIT").unwrap();
        });
        assert!(checkpointer.restart_wal(Duration::from_secs(10)).unwrap());
        leaves.join().unwrap();
        writer.insert_batch(&[capture("/restarted")], 100).unwrap();
        let after = checkpointer.checkpoint(false).unwrap();
        assert!(after < 10, "the WAL holds {after} frames after a restart");
        assert_eq!(writer.count().unwrap(), 22, "nothing was lost on the way");
    }

    #[test]
    fn the_count_follows_inserts_retention_deletes_and_clear() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = open(&dir);
        let batch: Vec<Capture> = (0..5).map(|n| capture(&format!("/{n}"))).collect();
        let (stored, trimmed) = db.insert_batch(&batch, 3).unwrap();
        let ids: Vec<_> = stored.iter().map(|s| s.id).collect();
        assert_eq!(ids, [1, 2, 3, 4, 5]);
        assert_eq!(stored[4].path, "/4");
        assert_eq!(trimmed, Some(2));
        assert_eq!(db.count().unwrap(), 3);
        assert!(db.get(2).unwrap().is_none() && db.get(3).unwrap().is_some());

        assert!(db.delete(4).unwrap());
        assert!(!db.delete(4).unwrap());
        assert_eq!(db.count().unwrap(), 2);
        assert_eq!(db.clear().unwrap(), 2);
        assert_eq!(db.count().unwrap(), 0);
        let (stored, _) = db.insert_batch(&[capture("/after")], 3).unwrap();
        assert_eq!(stored[0].id, 6, "ids are never reused, even after clear");
    }

    #[test]
    fn summaries_come_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = open(&dir);
        let batch: Vec<Capture> = (1..=4).map(|n| capture(&format!("/{n}?q={n}"))).collect();
        db.insert_batch(&batch, u64::MAX).unwrap();
        let latest: Vec<_> = db
            .latest_summaries(2)
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(latest, [3, 4]);
        let after: Vec<_> = db.summaries_after(1, 2).unwrap();
        assert_eq!(after.iter().map(|s| s.id).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(after[0].path, "/2");
        assert_eq!(after[0].query.as_deref(), Some("q=2"));
        assert_eq!(after[0].received_at, "2026-09-21T14:13:20.123456Z");
        assert_eq!(after[0].content_type.as_deref(), Some("application/json"));
    }

    #[test]
    fn a_store_from_a_newer_hookscope_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite3");
        drop(open(&dir));
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let error = Database::open(&path, OpenMode::MustExist, Durability::Throwaway)
            .err()
            .unwrap();
        let message = error.to_string();
        assert!(
            message.contains("newer hookscope") && message.contains("c.sqlite3"),
            "{message}"
        );
        let version: i64 = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 99);
    }

    /// Verdicts come from rules that change between builds: a store analysed by other rules
    /// is handed back to the analyser, and recording a verdict marks repeats of an event.
    #[test]
    fn verdicts_are_redone_for_new_rules_and_repeats_are_marked() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = open(&dir);
        let (stored, _) = db
            .insert_batch(&[capture("/a"), capture("/b")], u64::MAX)
            .unwrap();
        let ids: Vec<CaptureId> = stored.iter().map(|s| s.id).collect();
        assert_eq!(db.pending_analysis(0, 10, usize::MAX).unwrap().len(), 2);
        let octopus = |key: &str| Verdict {
            vendor: Some(Vendor::Octopus),
            kind: Some("Created".into()),
            dedupe_key: Some(key.into()),
            ..Verdict::default()
        };
        let analysed = db
            .record_verdicts(&[(ids[0], octopus("Events-1")), (ids[1], octopus("Events-1"))])
            .unwrap();
        assert_eq!(analysed[0].duplicate_of, None);
        assert_eq!(analysed[1].duplicate_of, Some(ids[0]));
        assert!(analysed.iter().all(|s| s.analysed && s.valid == Some(true)));
        assert!(db.pending_analysis(0, 10, usize::MAX).unwrap().is_empty());

        db.conn
            .execute("UPDATE analysis SET version = 0", [])
            .unwrap();
        drop(db);
        let mut db = open(&dir);
        assert!(!db.verdicts_current().unwrap());
        assert!(
            db.pending_analysis(0, 10, usize::MAX).unwrap().is_empty(),
            "opening to read changes nothing"
        );
        db.refresh_verdicts().unwrap();
        assert!(db.verdicts_current().unwrap());
        assert_eq!(
            db.pending_analysis(0, 10, usize::MAX).unwrap().len(),
            2,
            "re-analysed"
        );
    }

    fn attempt(capture_id: CaptureId, status: Option<u16>) -> Attempt {
        Attempt {
            id: 0,
            capture_id,
            kind: AttemptKind::Forward,
            target: "http://localhost:3000/in".into(),
            request: Bytes::from_static(b"POST /in HTTP/1.1\r\n\r\n"),
            started_at: DateTime::from_timestamp_micros(1_790_000_000_000_000).unwrap(),
            elapsed: std::time::Duration::from_micros(1234),
            response: status.map(|status| AttemptResponse {
                status,
                reason: "OK".into(),
                headers: vec![Header::new("X-App", "1")],
                body: Bytes::from_static(b"ok"),
                body_size: 2,
            }),
            error: status.is_none().then(|| "connection refused".to_owned()),
        }
    }

    #[test]
    fn attempts_round_trip_and_mark_the_latest_forward_in_summaries() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = open(&dir);
        db.insert_batch(&[capture("/a"), capture("/b")], u64::MAX)
            .unwrap();
        let (stored, ids) = db
            .insert_attempts(&[
                attempt(1, Some(200)),
                attempt(1, None),
                attempt(99, Some(200)),
            ])
            .unwrap();
        assert_eq!(
            stored.len(),
            2,
            "the attempt of a capture that is gone is dropped"
        );
        assert_eq!(ids[2], 0);
        let attempts = db.attempts_for(1).unwrap();
        assert_eq!(attempts.len(), 2);
        assert_eq!(
            attempts[0],
            Attempt {
                id: ids[0],
                ..attempt(1, Some(200))
            }
        );
        assert_eq!(attempts[1].error.as_deref(), Some("connection refused"));
        let summaries = db.summaries_for(&[1, 2]).unwrap();
        assert_eq!(
            summaries[0].forward,
            Some(ForwardMark::Failed),
            "the latest forward counts"
        );
        assert_eq!(summaries[1].forward, None);
    }

    #[test]
    fn attempts_go_with_their_capture_on_delete_clear_and_retention() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = open(&dir);
        db.insert_batch(&[capture("/1"), capture("/2"), capture("/3")], u64::MAX)
            .unwrap();
        db.insert_attempts(&[
            attempt(1, Some(200)),
            attempt(2, Some(200)),
            attempt(3, None),
        ])
        .unwrap();
        assert!(db.delete(2).unwrap());
        assert!(db.attempts_for(2).unwrap().is_empty());
        // Retention to one capture trims #1 and its attempt.
        db.insert_batch(&[capture("/4")], 2).unwrap();
        assert!(db.attempts_for(1).unwrap().is_empty());
        assert_eq!(db.attempts_for(3).unwrap().len(), 1);
        db.clear().unwrap();
        let left: i64 = db
            .conn
            .query_row("SELECT count(*) FROM attempts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0);
    }
}
