//! Writing captures: records appended to the tail segment, then their index rows, in one
//! SQLite write transaction. The transaction is taken first, so its lock orders every
//! writer of the store, in this process or another. A capture is acknowledged once the
//! transaction is committed, so a script that gets a 200 finds the capture with
//! `hookscope list` at once.
//!
//! Whoever takes the lock first indexes any records past the tail's indexed end: those of
//! a writer that died between the two steps, or whose commit failed. Records with an id at
//! or below the highest id ever given are never indexed again, so a clear or a delete is
//! never undone by this.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, Transaction, TransactionBehavior, params};

use super::database::{CAPTURE_COLUMNS, Location, PAGE_SIZE, stored_from_row};
use super::segment::{SegmentNo, record};
use super::{Database, StoreError};
use crate::capture::{Capture, CaptureId, CaptureSummary};
use crate::vendor::Vendor;

/// Rows moved out of a store from before segments per transaction.
const MOVE_BATCH: usize = 256;
/// Rows from before segments: answered from the partial index `captures_inline`, which only
/// such rows enter.
pub(super) const INLINE_ROWS: &str = "SELECT count(*) FROM captures WHERE segment IS NULL";

/// The tail segment and where its indexed records end, as the `segment_tail` row says.
#[derive(Debug, Clone, Copy)]
struct Tail {
    segment: SegmentNo,
    end: u64,
}

/// The segment the index says is being written.
pub(super) fn tail_segment(conn: &Connection) -> Result<SegmentNo, StoreError> {
    Ok(Tail::read(conn)?.segment)
}

impl Tail {
    fn read(conn: &Connection) -> Result<Self, StoreError> {
        let (segment, end): (SegmentNo, i64) = conn
            .prepare_cached("SELECT segment, end_offset FROM segment_tail")?
            .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(Self {
            segment,
            end: end.max(0) as u64,
        })
    }

    fn write(&self, conn: &Connection) -> Result<(), StoreError> {
        conn.prepare_cached("UPDATE segment_tail SET segment = ?1, end_offset = ?2")?
            .execute(params![self.segment, self.end as i64])?;
        Ok(())
    }

    /// Where `bytes` more go: at the end of this segment, or at the start of the next one
    /// once this one would grow past `limit`.
    fn make_room(&mut self, bytes: usize, limit: u64) {
        if self.end > 0 && self.end + bytes as u64 > limit {
            self.segment += 1;
            self.end = 0;
        }
    }
}

/// The highest capture id ever given (AUTOINCREMENT's record of it), whatever was deleted.
fn last_id(conn: &Connection) -> Result<CaptureId, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT ifnull(max(seq), 0) FROM sqlite_sequence WHERE name = 'captures'",
    )?;
    Ok(stmt.query_row([], |row| row.get(0))?)
}

impl Database {
    /// Stores every capture and applies retention, in one transaction: the records first,
    /// then their index rows. Returns the summaries of what was indexed, in id order (the
    /// given captures last, after any records of an earlier writer that were never indexed),
    /// and, when retention removed anything, the newest id it removed.
    pub fn insert_batch(
        &mut self,
        captures: &[Capture],
        keep: u64,
    ) -> Result<(Vec<CaptureSummary>, Option<CaptureId>), StoreError> {
        let tx = self.write_transaction()?;
        let mut tail = Tail::read(&tx)?;
        let mut summaries = recover(self, &tx, &mut tail)?;
        let first = last_id(&tx)? + 1;
        let mut buffer = Vec::with_capacity(
            captures
                .iter()
                .map(|c| c.body.len() + c.uri.len() + 64 * c.headers.len() + 128)
                .sum(),
        );
        let lengths: Vec<usize> = (first..)
            .zip(captures)
            .map(|(id, capture)| record::encode(&mut buffer, id, capture))
            .collect();
        tail.make_room(buffer.len(), self.segment_limit);
        if let Err(error) = self.segments.write_at(tail.segment, tail.end, &buffer) {
            // Leave no part of the records for the next writer to index: they were refused.
            let _ = self.segments.truncate(tail.segment, tail.end);
            return Err(error.into());
        }
        crash_test::after_segment_write();
        let written = tail.end;
        let indexed = (|| {
            for ((id, capture), &length) in (first..).zip(captures).zip(&lengths) {
                let location = Location {
                    segment: tail.segment,
                    offset: tail.end,
                    length,
                };
                summaries.push(insert_row(&tx, capture, id, location)?);
                tail.end += length as u64;
            }
            tail.write(&tx)?;
            adjust_count(&tx, captures.len() as i64)?;
            Ok::<_, StoreError>((trim_to(&tx, keep)?, lowest_live_segment(&tx, tail)?))
        })();
        let (trimmed, floor) = match indexed {
            Ok(done) => done,
            Err(error) => {
                // Refused (the sender gets a 503): take the records back while the lock is
                // still held, so no later writer indexes them.
                let _ = self.segments.truncate(tail.segment, written);
                return Err(error);
            }
        };
        tx.commit()?;
        self.remove_segments_below(floor);
        Ok((summaries, trimmed))
    }

    /// Indexes what an earlier writer wrote but did not index (it died between the two), at
    /// once rather than at the next capture; returns how many.
    pub fn recover_tail(&mut self) -> Result<usize, StoreError> {
        let tx = self.write_transaction()?;
        let mut tail = Tail::read(&tx)?;
        let recovered = recover(self, &tx, &mut tail)?.len();
        tx.commit()?;
        Ok(recovered)
    }

    /// Deletes one capture; false when there was none with that id. A sealed segment left
    /// mostly empty by deletes is compacted: what is still in it moves to the tail, and the
    /// file goes.
    pub fn delete(&mut self, id: CaptureId) -> Result<bool, StoreError> {
        let tx = self.write_transaction()?;
        let mut tail = Tail::read(&tx)?;
        let segment: Option<Option<SegmentNo>> = tx
            .query_row("SELECT segment FROM captures WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        let deleted = tx.execute("DELETE FROM captures WHERE id = ?1", [id])?;
        tx.execute("DELETE FROM attempts WHERE capture_id = ?1", [id])?;
        adjust_count(&tx, -(deleted as i64))?;
        let emptied = match segment.flatten() {
            Some(segment) if segment < tail.segment => compact(self, &tx, segment, &mut tail)?,
            _ => None,
        };
        tail.write(&tx)?;
        tx.commit()?;
        if let Some(segment) = emptied {
            let _ = self.segments.remove(segment);
        }
        Ok(deleted > 0)
    }

    /// Deletes every capture and returns how many there were. Ids keep counting up. The
    /// tail moves to a new segment, so every file that held a capture goes.
    pub fn clear(&mut self) -> Result<u64, StoreError> {
        let tx = self.write_transaction()?;
        let mut tail = Tail::read(&tx)?;
        let deleted = tx.execute("DELETE FROM captures", [])?;
        tx.execute("DELETE FROM attempts", [])?;
        tx.execute("UPDATE capture_count SET n = 0", [])?;
        tail = Tail {
            segment: tail.segment + 1,
            end: 0,
        };
        tail.write(&tx)?;
        tx.commit()?;
        self.remove_segments_below(tail.segment);
        Ok(deleted as u64)
    }

    /// How many rows from before segments still hold their headers and body.
    pub fn inline_rows(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(INLINE_ROWS, [], |row| row.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// Moves the headers and bodies of rows from before segments into segment files, a
    /// batch per transaction, and gives the file its space back. Returns how many moved.
    pub fn move_inline_rows(&mut self) -> Result<u64, StoreError> {
        let mut moved = 0;
        let mut after: CaptureId = 0;
        loop {
            let tx = self.write_transaction()?;
            let rows: Vec<Capture> = {
                let mut stmt = tx.prepare_cached(&format!(
                    "SELECT {CAPTURE_COLUMNS} FROM captures WHERE segment IS NULL AND id > ?1
                     ORDER BY id LIMIT ?2"
                ))?;
                stmt.query_map(params![after, MOVE_BATCH as i64], stored_from_row)?
                    .map(|row| row.map(|(capture, _)| capture))
                    .collect::<Result<_, _>>()?
            };
            let Some(last) = rows.last() else {
                break;
            };
            after = last.id;
            let mut tail = Tail::read(&tx)?;
            let mut buffer = Vec::new();
            let lengths: Vec<usize> = rows
                .iter()
                .map(|capture| record::encode(&mut buffer, capture.id, capture))
                .collect();
            tail.make_room(buffer.len(), self.segment_limit);
            self.segments.write_at(tail.segment, tail.end, &buffer)?;
            {
                let mut update = tx.prepare_cached(
                    "UPDATE captures SET segment = ?2, offset = ?3, length = ?4,
                        headers = X'', body = X'' WHERE id = ?1",
                )?;
                for (capture, &length) in rows.iter().zip(&lengths) {
                    update.execute(params![
                        capture.id,
                        tail.segment,
                        tail.end as i64,
                        length as i64
                    ])?;
                    tail.end += length as u64;
                }
            }
            tail.write(&tx)?;
            tx.commit()?;
            moved += rows.len() as u64;
        }
        if moved > 0 {
            self.compact_file();
        }
        Ok(moved)
    }

    /// Takes the write lock at once: the tail is read and written under it. (Unchecked:
    /// the transaction borrows the connection shared, beside the segment files.)
    pub(super) fn write_transaction(&self) -> Result<Transaction<'_>, StoreError> {
        Ok(Transaction::new_unchecked(
            &self.conn,
            TransactionBehavior::Immediate,
        )?)
    }

    /// Gives the file the space the moved bodies took, in the page size of a new store (a
    /// page size changes only outside WAL mode). Not worth failing the start for: another
    /// process reading the store at that moment only leaves the file larger.
    fn compact_file(&self) {
        let rebuilt = self.conn.execute_batch(&format!(
            "PRAGMA journal_mode = DELETE; PRAGMA page_size = {PAGE_SIZE}; VACUUM;"
        ));
        let wal = self.conn.execute_batch("PRAGMA journal_mode = WAL;");
        if let Err(error) = rebuilt.and(wal) {
            tracing::warn!(%error, "cannot give the store file back its space now");
        }
    }

    /// Removes sealed segment files below `floor`: no row points into them any more.
    fn remove_segments_below(&self, floor: SegmentNo) {
        let oldest = match self.oldest_segment.get() {
            Some(oldest) => oldest,
            None => match self.segments.list() {
                Ok(found) => found.first().copied().unwrap_or(floor),
                Err(error) => {
                    tracing::warn!(%error, "cannot list the segment files");
                    return;
                }
            },
        };
        for segment in oldest..floor {
            if let Err(error) = self.segments.remove(segment) {
                tracing::warn!(%error, segment, "cannot remove an emptied segment file");
                return;
            }
        }
        self.oldest_segment.set(Some(oldest.max(floor)));
    }
}

/// Indexes the records past the tail's indexed end (and in any segment after it) whose ids
/// were never given out, cutting off the torn end of a write that never finished.
fn recover(
    db: &Database,
    tx: &Transaction<'_>,
    tail: &mut Tail,
) -> Result<Vec<CaptureSummary>, StoreError> {
    let mut recovered = Vec::new();
    loop {
        let len = db.segments.len(tail.segment)?;
        if len < tail.end {
            tracing::warn!(
                segment = tail.segment,
                indexed = tail.end,
                len,
                "a segment file is shorter than its index says: records were lost outside hookscope"
            );
            tail.end = len;
        } else if len > tail.end {
            let seen = last_id(tx)?;
            let scan = db
                .segments
                .scan_from(tail.segment, tail.end, |view, offset, length| {
                    if view.id > seen {
                        let capture = view.to_owned_capture();
                        let location = Location {
                            segment: tail.segment,
                            offset,
                            length,
                        };
                        recovered.push(insert_row(tx, &capture, view.id, location)?);
                    }
                    Ok(())
                })?;
            if scan.torn > 0 {
                tracing::warn!(
                    segment = tail.segment,
                    bytes = scan.torn,
                    "cut off the end of a write that never finished (never acknowledged)"
                );
                db.segments.truncate(tail.segment, scan.end)?;
            }
            tail.end = scan.end;
        }
        if !db.segments.exists(tail.segment + 1) {
            break;
        }
        *tail = Tail {
            segment: tail.segment + 1,
            end: 0,
        };
    }
    if !recovered.is_empty() {
        tracing::info!(
            captures = recovered.len(),
            "indexed captures whose records were written but not indexed"
        );
        adjust_count(tx, recovered.len() as i64)?;
        tail.write(tx)?;
    }
    Ok(recovered)
}

/// Moves what is left in a sealed `segment` to the tail when less than half of the file is
/// still referenced. Returns the segment when no row points into it any more.
fn compact(
    db: &Database,
    tx: &Transaction<'_>,
    segment: SegmentNo,
    tail: &mut Tail,
) -> Result<Option<SegmentNo>, StoreError> {
    let live: Vec<(CaptureId, Location)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT id, segment, offset, length FROM captures WHERE segment = ?1 ORDER BY offset",
        )?;
        stmt.query_map([segment], |row| {
            Ok((row.get(0)?, Location::from_row(row, 1)?))
        })?
        .filter_map(|row| match row {
            Ok((id, Some(location))) => Some(Ok((id, location))),
            Ok((_, None)) => None,
            Err(e) => Some(Err(e)),
        })
        .collect::<Result<_, _>>()?
    };
    let live_bytes: u64 = live.iter().map(|(_, l)| l.length as u64).sum();
    if !live.is_empty() && live_bytes * 2 >= db.segments.len(segment)? {
        return Ok(None);
    }
    let mut buffer = Vec::with_capacity(live_bytes as usize);
    let mut kept = Vec::with_capacity(live.len());
    for (id, location) in live {
        if let Some(bytes) = db.read_record(id, location)? {
            kept.push((id, buffer.len() as u64));
            buffer.extend_from_slice(&bytes);
        }
    }
    if !buffer.is_empty() {
        tail.make_room(buffer.len(), db.segment_limit);
        db.segments.write_at(tail.segment, tail.end, &buffer)?;
        let mut update =
            tx.prepare_cached("UPDATE captures SET segment = ?2, offset = ?3 WHERE id = ?1")?;
        for (id, at) in &kept {
            update.execute(params![id, tail.segment, (tail.end + at) as i64])?;
        }
        tail.end += buffer.len() as u64;
    }
    Ok(Some(segment))
}

/// Below this segment no row points any more: the oldest one a row is in, or the tail.
fn lowest_live_segment(conn: &Connection, tail: Tail) -> Result<SegmentNo, StoreError> {
    let lowest: Option<SegmentNo> = conn
        .prepare_cached("SELECT min(segment) FROM captures WHERE segment IS NOT NULL")?
        .query_row([], |row| row.get(0))?;
    Ok(lowest.unwrap_or(tail.segment).min(tail.segment))
}

/// The index row of a capture whose record is at `location`; returns its summary.
fn insert_row(
    conn: &Connection,
    capture: &Capture,
    id: CaptureId,
    location: Location,
) -> Result<CaptureSummary, StoreError> {
    let mut summary = capture.summary();
    summary.id = id;
    // Captures from the listener come without a verdict (the analyser adds it); an import
    // brings its own.
    let verdict = capture.verdict.clone().unwrap_or_default();
    if let Some(key) = &verdict.dedupe_key {
        summary.duplicate_of = conn
            .prepare_cached("SELECT min(id) FROM captures WHERE dedupe_key = ?1")?
            .query_row([key], |row| row.get(0))?;
    }
    conn.prepare_cached(
        "INSERT INTO captures (id, received_at, peer, method, uri, path, query, version,
            headers, content_type, body, size, response_status,
            vendor, kind, errors, warnings, dedupe_key, duplicate_of, analysed,
            segment, offset, length, unauthenticated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, X'', ?9, X'', ?10, ?11,
            ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
    )?
    .execute(params![
        id,
        capture.received_at.timestamp_micros(),
        summary.peer,
        summary.method,
        capture.uri,
        summary.path,
        summary.query,
        capture.version,
        summary.content_type,
        summary.size as i64,
        capture.response_status,
        verdict.vendor.map(Vendor::id),
        verdict.kind,
        verdict.errors,
        verdict.warnings,
        verdict.dedupe_key,
        summary.duplicate_of,
        capture.verdict.is_some(),
        location.segment,
        location.offset as i64,
        location.length as i64,
        capture.unauthenticated,
    ])?;
    if capture.verdict.is_some() {
        summary.analysed = true;
        summary.vendor = verdict.vendor;
        summary.valid = verdict.valid();
        summary.kind = verdict.kind;
        summary.errors = verdict.errors;
        summary.warnings = verdict.warnings;
    }
    Ok(summary)
}

/// Deletes the oldest captures beyond `keep`; returns the newest id removed.
fn trim_to(conn: &Connection, keep: u64) -> Result<Option<CaptureId>, StoreError> {
    // Cached statements: this runs on every commit, and parsing them each time was 3% of
    // the writer's time under a flood.
    let count: i64 = conn
        .prepare_cached("SELECT n FROM capture_count")?
        .query_row([], |row| row.get(0))?;
    let excess = count - keep.min(i64::MAX as u64) as i64;
    if excess <= 0 {
        return Ok(None);
    }
    let through: CaptureId = conn
        .prepare_cached("SELECT id FROM captures ORDER BY id LIMIT 1 OFFSET ?1")?
        .query_row([excess - 1], |row| row.get(0))?;
    let deleted = conn
        .prepare_cached("DELETE FROM captures WHERE id <= ?1")?
        .execute([through])?;
    conn.prepare_cached("DELETE FROM attempts WHERE capture_id <= ?1")?
        .execute([through])?;
    adjust_count(conn, -(deleted as i64))?;
    Ok(Some(through))
}

pub(super) fn adjust_count(conn: &Connection, by: i64) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE capture_count SET n = n + ?1")?
        .execute([by])?;
    Ok(())
}

/// A test hook for the crash tests: with `HOOKSCOPE_TEST_CRASH_AFTER_SEGMENT_WRITES=N`,
/// the process aborts after the N-th batch's records are written, before their index rows
/// are committed, as a `kill -9` at that moment would.
mod crash_test {
    use super::*;

    const VARIABLE: &str = "HOOKSCOPE_TEST_CRASH_AFTER_SEGMENT_WRITES";

    pub fn after_segment_write() {
        static AFTER: OnceLock<Option<u64>> = OnceLock::new();
        static WRITES: AtomicU64 = AtomicU64::new(0);
        let Some(after) = *AFTER.get_or_init(|| std::env::var(VARIABLE).ok()?.parse().ok()) else {
            return;
        };
        if WRITES.fetch_add(1, Ordering::Relaxed) + 1 == after {
            // No destructor, no flush, no commit.
            std::process::abort();
        }
    }
}
