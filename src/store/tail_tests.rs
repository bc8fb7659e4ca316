//! The segment store's invariants: records and index rows agree after a crash between the
//! two, retention and deletes give the files back, and a store from before segments moves
//! into them with every byte kept.

use std::path::PathBuf;

use bytes::Bytes;
use rusqlite::Connection;

use super::segment::Segments;
use super::test_support::capture;
use super::{Database, Durability, OpenMode, schema};
use crate::capture::{Capture, CaptureId, Header};

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("c.sqlite3")
    }

    fn open(&self) -> Database {
        Database::open(
            &self.path(),
            OpenMode::CreateIfMissing,
            Durability::Throwaway,
        )
        .unwrap()
    }

    /// With segments sealed after about `limit` bytes, to see several of them.
    fn open_small(&self, limit: u64) -> Database {
        let mut db = self.open();
        db.segment_limit = limit;
        db
    }

    fn segment_files(&self) -> Vec<i64> {
        Segments::new(&self.path(), false).list().unwrap()
    }

    fn sql(&self) -> Connection {
        Connection::open(self.path()).unwrap()
    }
}

/// A capture whose every part is distinct, with bytes that are not text.
fn numbered(n: usize) -> Capture {
    Capture {
        headers: vec![
            Header::new("X-N", n.to_string()),
            Header::new("x-n", vec![0xff, n as u8]),
        ],
        body: Bytes::from(format!("{{\"n\":{n}}}\u{0}\u{1b}[31m").into_bytes()),
        ..capture(&format!("/hook/{n}?q={n}"))
    }
}

/// Room for about `n` records of [`numbered`] per segment.
fn records(n: u64) -> u64 {
    let mut one = Vec::new();
    n * super::segment::record::encode(&mut one, 1, &numbered(10)) as u64
}

fn stored(db: &Database, id: CaptureId) -> Capture {
    let mut found = db
        .get(id)
        .unwrap()
        .unwrap_or_else(|| panic!("#{id} is gone"));
    found.id = 0;
    found.verdict = None;
    found
}

fn ids(db: &Database) -> Vec<CaptureId> {
    db.all_ids().unwrap()
}

#[test]
fn bodies_and_headers_live_in_segment_files_not_in_the_index() {
    let fixture = Fixture::new();
    let mut db = fixture.open();
    db.insert_batch(&[numbered(1), numbered(2)], u64::MAX)
        .unwrap();
    assert_eq!(stored(&db, 1), numbered(1));
    assert_eq!(stored(&db, 2), numbered(2));
    let inline: i64 = fixture
        .sql()
        .query_row(
            "SELECT sum(length(body)) + sum(length(headers)) FROM captures",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(inline, 0, "the index rows hold no body or header bytes");
    assert_eq!(fixture.segment_files(), [1]);
}

/// The writer died after writing a batch's records, before committing their rows (its
/// transaction rolled back): the next writer indexes them under the next ids.
#[test]
fn records_written_but_never_indexed_are_indexed_by_the_next_writer() {
    let fixture = Fixture::new();
    let mut db = fixture.open();
    db.insert_batch(&[numbered(1)], u64::MAX).unwrap();
    {
        let tx = db.write_transaction().unwrap();
        let mut records = Vec::new();
        super::segment::record::encode(&mut records, 2, &numbered(2));
        super::segment::record::encode(&mut records, 3, &numbered(3));
        let end: i64 = tx
            .query_row("SELECT end_offset FROM segment_tail", [], |r| r.get(0))
            .unwrap();
        db.segments.write_at(1, end as u64, &records).unwrap();
        // Dropped without a commit.
    }
    drop(db);

    let mut db = fixture.open();
    assert_eq!(ids(&db), [1], "not indexed yet");
    let (summaries, _) = db.insert_batch(&[numbered(4)], u64::MAX).unwrap();
    let indexed: Vec<CaptureId> = summaries.iter().map(|s| s.id).collect();
    assert_eq!(
        indexed,
        [2, 3, 4],
        "the recovered captures are published too"
    );
    assert_eq!(ids(&db), [1, 2, 3, 4]);
    for n in 1..=4 {
        assert_eq!(stored(&db, n as CaptureId), numbered(n));
    }
    assert_eq!(db.count().unwrap(), 4);
}

/// A write cut short (never acknowledged) leaves part of a record: it is cut off, and the
/// next records go where it was.
#[test]
fn the_torn_end_of_a_write_is_cut_off() {
    let fixture = Fixture::new();
    let mut db = fixture.open();
    db.insert_batch(&[numbered(1)], u64::MAX).unwrap();
    let segment = Segments::dir_for(&fixture.path()).join("0000000001.seg");
    let whole = std::fs::metadata(&segment).unwrap().len();
    let mut torn = Vec::new();
    super::segment::record::encode(&mut torn, 2, &numbered(2));
    torn.truncate(torn.len() / 2);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&segment)
        .unwrap();
    std::io::Write::write_all(&mut file, &torn).unwrap();

    let (summaries, _) = db.insert_batch(&[numbered(3)], u64::MAX).unwrap();
    assert_eq!(summaries.len(), 1, "nothing of the torn record was indexed");
    assert_eq!(summaries[0].id, 2, "its id was never given out");
    assert_eq!(stored(&db, 2), numbered(3));
    let mut one = Vec::new();
    let length = super::segment::record::encode(&mut one, 2, &numbered(3)) as u64;
    assert_eq!(std::fs::metadata(&segment).unwrap().len(), whole + length);
}

/// Recovery only indexes ids never given out: what was deleted or cleared stays gone even
/// when the tail's indexed end is behind.
#[test]
fn recovery_never_brings_back_a_deleted_or_cleared_capture() {
    let fixture = Fixture::new();
    let mut db = fixture.open();
    db.insert_batch(&[numbered(1), numbered(2), numbered(3)], u64::MAX)
        .unwrap();
    assert!(db.delete(2).unwrap());
    fixture
        .sql()
        .execute("UPDATE segment_tail SET end_offset = 0", [])
        .unwrap();
    db.insert_batch(&[numbered(4)], u64::MAX).unwrap();
    assert_eq!(ids(&db), [1, 3, 4]);

    assert_eq!(db.clear().unwrap(), 3);
    assert!(
        fixture.segment_files().is_empty(),
        "a clear leaves no file: {:?}",
        fixture.segment_files()
    );
    let (summaries, _) = db.insert_batch(&[numbered(5)], u64::MAX).unwrap();
    assert_eq!(summaries.len(), 1);
    assert_eq!(ids(&db), [5]);
    assert_eq!(stored(&db, 5), numbered(5));
}

#[test]
fn retention_removes_whole_segments_once_nothing_in_them_is_kept() {
    let fixture = Fixture::new();
    // About four records per segment.
    let mut db = fixture.open_small(records(4));
    for n in 1..=60 {
        db.insert_batch(&[numbered(n)], 10).unwrap();
    }
    assert_eq!(ids(&db), (51..=60).collect::<Vec<_>>());
    for n in 51..=60 {
        assert_eq!(stored(&db, n as CaptureId), numbered(n));
    }
    let files = fixture.segment_files();
    assert!(
        files.len() <= 5 && files.len() >= 3,
        "10 captures of about 4 per segment are in {files:?}"
    );
    // Every file left holds a capture that is kept, except maybe the tail.
    let live: Vec<i64> = {
        let sql = fixture.sql();
        let mut stmt = sql
            .prepare("SELECT DISTINCT segment FROM captures ORDER BY segment")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(files[0], live[0], "no older file is left behind");
}

/// Deleting most of a sealed segment moves what is left of it to the tail and removes it.
#[test]
fn a_mostly_deleted_segment_is_compacted_into_the_tail() {
    let fixture = Fixture::new();
    let mut db = fixture.open_small(records(4));
    for n in 1..=12 {
        db.insert_batch(&[numbered(n)], u64::MAX).unwrap();
    }
    let before = fixture.segment_files();
    assert!(before.len() >= 3, "{before:?}");
    let segment_of = |db: &Database, id: CaptureId| -> i64 {
        db.conn
            .query_row("SELECT segment FROM captures WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap()
    };
    let first = segment_of(&db, 1);
    let in_first: Vec<CaptureId> = (1..=12)
        .filter(|&id| segment_of(&db, id) == first)
        .collect();
    assert!(in_first.len() >= 3, "{in_first:?}");
    let (keep, delete) = in_first.split_last().unwrap();
    for &id in delete {
        assert!(db.delete(id).unwrap());
    }
    assert!(
        !fixture.segment_files().contains(&first),
        "segment {first} was compacted away: {:?}",
        fixture.segment_files()
    );
    assert_ne!(segment_of(&db, *keep), first);
    assert_eq!(stored(&db, *keep), numbered(*keep as usize));
    let left: Vec<CaptureId> = (1..=12).filter(|id| !delete.contains(id)).collect();
    assert_eq!(ids(&db), left);
    for id in left {
        assert_eq!(stored(&db, id), numbered(id as usize));
    }
}

/// Two connections writing in turn, as `hookscope import` beside a running listener: the
/// write lock orders them, so ids and records never collide.
#[test]
fn two_writers_of_one_store_take_turns() {
    let fixture = Fixture::new();
    let mut listener = fixture.open();
    let mut import = fixture.open();
    for n in 0..10 {
        let db = if n % 2 == 0 {
            &mut listener
        } else {
            &mut import
        };
        db.insert_batch(&[numbered(n * 2), numbered(n * 2 + 1)], u64::MAX)
            .unwrap();
    }
    assert_eq!(ids(&listener), (1..=20).collect::<Vec<_>>());
    for n in 0..20 {
        assert_eq!(stored(&import, n as CaptureId + 1), numbered(n));
    }
}

/// A store made before segments (schema 3: headers and bodies in the rows) reads as it
/// was, and moves into segment files with every byte kept.
#[test]
fn a_store_from_before_segments_is_read_then_moved_into_them() {
    let fixture = Fixture::new();
    {
        let mut old = fixture.sql();
        old.execute_batch("PRAGMA page_size = 16384; PRAGMA journal_mode = WAL;")
            .unwrap();
        let tx = old.transaction().unwrap();
        for step in &schema::MIGRATIONS[..3] {
            tx.execute_batch(step).unwrap();
        }
        tx.pragma_update(None, "user_version", 3).unwrap();
        for n in 1..=300usize {
            let capture = numbered(n);
            tx.execute(
                "INSERT INTO captures (received_at, peer, method, uri, path, query, version,
                    headers, content_type, body, size, response_status)
                 VALUES (?1, ?2, ?3, ?4, '/hook', NULL, ?5, ?6, NULL, ?7, ?8, ?9)",
                rusqlite::params![
                    capture.received_at.timestamp_micros(),
                    capture.peer,
                    capture.method,
                    capture.uri,
                    capture.version,
                    super::codec::encode_headers(&capture.headers),
                    capture.body.as_ref(),
                    capture.body.len() as i64,
                    capture.response_status,
                ],
            )
            .unwrap();
        }
        tx.execute("UPDATE capture_count SET n = 300", []).unwrap();
        tx.execute("DELETE FROM captures WHERE id = 7", []).unwrap();
        tx.execute("UPDATE capture_count SET n = 299", []).unwrap();
        tx.commit().unwrap();
    }
    let mut db = fixture.open();
    assert_eq!(db.inline_rows().unwrap(), 299);
    assert_eq!(
        stored(&db, 5),
        numbered(5),
        "read from the row before moving"
    );
    assert_eq!(db.move_inline_rows().unwrap(), 299);
    assert_eq!(db.inline_rows().unwrap(), 0);
    for n in (1..=300).filter(|&n| n != 7) {
        assert_eq!(stored(&db, n as CaptureId), numbered(n));
    }
    assert!(db.get(7).unwrap().is_none());
    let (summaries, _) = db.insert_batch(&[numbered(301)], u64::MAX).unwrap();
    assert_eq!(summaries[0].id, 301, "ids go on from the old store's");
    assert_eq!(db.count().unwrap(), 300);
    let version: i64 = fixture
        .sql()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, schema::CURRENT_VERSION);
    let (page_size, journal): (i64, String) = fixture
        .sql()
        .query_row(
            "SELECT * FROM pragma_page_size, pragma_journal_mode",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (page_size, journal.as_str()),
        (4096, "wal"),
        "rebuilt in the new page size"
    );
}

/// A group whose rows cannot be committed is refused (its senders get a 503): its records
/// are taken back, so no later writer indexes what was never acknowledged.
#[test]
fn the_records_of_a_refused_group_are_not_indexed_later() {
    let fixture = Fixture::new();
    let mut db = fixture.open();
    fixture
        .sql()
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON captures WHEN NEW.uri = '/refused'
             BEGIN SELECT RAISE(ABORT, 'refused'); END;",
        )
        .unwrap();
    let refused = Capture {
        uri: "/refused".into(),
        ..numbered(1)
    };
    assert!(db.insert_batch(&[refused], u64::MAX).is_err());
    fixture.sql().execute_batch("DROP TRIGGER refuse").unwrap();
    let (summaries, _) = db.insert_batch(&[numbered(2)], u64::MAX).unwrap();
    assert_eq!(
        summaries.len(),
        1,
        "the refused capture came back: {summaries:?}"
    );
    assert_eq!(ids(&db), [1]);
    assert_eq!(stored(&db, 1), numbered(2));
}

/// Every start asks whether rows from before segments are left; with a million captures,
/// reading every row to answer took most of the start.
#[test]
fn asking_for_rows_from_before_segments_reads_no_other_row() {
    let fixture = Fixture::new();
    let db = fixture.open();
    let plan: String = fixture
        .sql()
        .query_row(
            &format!("EXPLAIN QUERY PLAN {}", super::tail::INLINE_ROWS),
            [],
            |row| row.get(3),
        )
        .unwrap();
    assert!(plan.contains("USING INDEX captures_inline"), "{plan}");
    drop(db);
}
