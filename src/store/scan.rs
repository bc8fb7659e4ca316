//! Scanning the store for captures that match a filter, a page at a time, so the filter
//! prompt can show results while a scan of 100,000 captures is still under way.

use rusqlite::Error::FromSqlConversionFailure;
use rusqlite::{Row, params};

use super::codec::decode_headers_into;
use super::database::Location;
use super::segment::record;
use super::{Database, StoreError};
use crate::body::{BodyLimits, without_content_codings};
use crate::capture::{CaptureId, Header};
use crate::filter::{Candidate, Filter};
use crate::vendor::Vendor;

/// How many rows pass between two looks at `cancelled`.
const CANCEL_CHECK_EVERY: usize = 256;

/// The short columns, then the ones read only for free text. Columns are fetched as borrowed
/// slices, so a row that fails the short terms costs no copy of its headers or body.
const FIELDS_SQL: &str = "SELECT id, analysed, method, path, query, vendor, kind, errors, \
     warnings FROM captures WHERE id > ?1 ORDER BY id";
const CONTENT_SQL: &str = "SELECT id, analysed, method, path, query, vendor, kind, errors, \
     warnings, headers, body, segment, offset, length FROM captures WHERE id > ?1 ORDER BY id";

/// One page of a scan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scan {
    /// Matching captures, in id order.
    pub matched: Vec<CaptureId>,
    /// Every capture up to this id has been looked at: resume from here. The `after` the scan
    /// was given when it looked at nothing.
    pub scanned_through: CaptureId,
    /// The scan reached the newest capture. Otherwise it stopped early: at the row limit, on
    /// cancellation, or at a capture not analysed yet (`awaiting_analysis`).
    pub complete: bool,
    /// The filter needs verdicts and the next capture has none yet: resume once the
    /// analyser has recorded it (`StoreEvent::Analysed`), not straight away.
    pub awaiting_analysis: bool,
}

impl Database {
    /// Looks at captures with an id above `after`, oldest first, and returns those `filter`
    /// matches. Stops after `limit` captures, when `cancelled()` says so (asked every few
    /// hundred), or, when the filter needs verdicts, at the first capture the analyser has not
    /// reached (the analyser goes in id order, so everything before it has a verdict).
    pub fn scan_matches(
        &self,
        filter: &Filter,
        after: CaptureId,
        limit: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Scan, StoreError> {
        let needs_content = filter.needs_content();
        let needs_verdict = filter.needs_verdict();
        let sql = if needs_content {
            CONTENT_SQL
        } else {
            FIELDS_SQL
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut rows = stmt.query(params![after])?;
        let mut scan = Scan {
            scanned_through: after,
            ..Scan::default()
        };
        let mut scanned = 0;
        let mut headers = Vec::new();
        let mut content = Content {
            db: self,
            headers: &mut headers,
        };
        loop {
            let Some(row) = rows.next()? else {
                scan.complete = true;
                break;
            };
            if scanned == limit || (scanned % CANCEL_CHECK_EVERY == 0 && cancelled()) {
                break;
            }
            if needs_verdict && !row.get::<_, bool>(1)? {
                scan.awaiting_analysis = true;
                break;
            }
            let id: CaptureId = row.get(0)?;
            if row_matches(filter, row, needs_content, &mut content)? {
                scan.matched.push(id);
            }
            scan.scanned_through = id;
            scanned += 1;
        }
        Ok(scan)
    }
}

/// What a content scan reads beyond the row: the record, and space to decode the headers
/// into, kept across rows.
struct Content<'a> {
    db: &'a Database,
    headers: &'a mut Vec<Header>,
}

/// Whether the row matches. The record is read only when the short terms pass.
fn row_matches(
    filter: &Filter,
    row: &Row<'_>,
    needs_content: bool,
    content: &mut Content<'_>,
) -> Result<bool, StoreError> {
    let fields = Candidate {
        method: text(row, 2)?.unwrap_or_default(),
        path: text(row, 3)?.unwrap_or_default(),
        query: text(row, 4)?,
        vendor: text(row, 5)?.and_then(Vendor::from_id),
        kind: text(row, 6)?,
        errors: row.get(7)?,
        warnings: row.get(8)?,
        ..Candidate::default()
    };
    if !filter.matches_fields(&fields) {
        return Ok(false);
    }
    if !needs_content {
        return Ok(true);
    }
    let read;
    let (header_block, body) = match Location::from_row(row, 11)? {
        None => (blob(row, 9)?, blob(row, 10)?),
        Some(location) => {
            // A capture whose segment went meanwhile is gone: it matches nothing.
            let Some(bytes) = content.db.read_record(row.get(0)?, location)? else {
                return Ok(false);
            };
            read = bytes;
            let (view, _) =
                record::decode(&read).map_err(|e| StoreError::Segment(e.to_string()))?;
            (view.headers, view.body)
        }
    };
    decode_headers_into(header_block, content.headers);
    let body = without_content_codings(content.headers, body, BodyLimits::default());
    Ok(filter.matches_content(&Candidate {
        headers: content.headers,
        body: &body,
        ..fields
    }))
}

/// A text column borrowed from the row; NULL reads as `None`.
fn text<'row>(row: &'row Row<'_>, index: usize) -> rusqlite::Result<Option<&'row str>> {
    let value = row.get_ref(index)?;
    value
        .as_str_or_null()
        .map_err(|e| FromSqlConversionFailure(index, value.data_type(), Box::new(e)))
}

/// A blob column borrowed from the row.
fn blob<'row>(row: &'row Row<'_>, index: usize) -> rusqlite::Result<&'row [u8]> {
    let value = row.get_ref(index)?;
    value
        .as_blob()
        .map_err(|e| FromSqlConversionFailure(index, value.data_type(), Box::new(e)))
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::io::Write;

    use bytes::Bytes;
    use chrono::DateTime;

    use super::*;
    use crate::capture::{Capture, Header, Verdict};
    use crate::filter::parse;
    use crate::store::{Durability, OpenMode};

    fn open(dir: &tempfile::TempDir) -> Database {
        let path = dir.path().join("c.sqlite3");
        Database::open(&path, OpenMode::CreateIfMissing, Durability::Throwaway).unwrap()
    }

    fn capture(method: &str, uri: &str, body: &[u8]) -> Capture {
        Capture {
            id: 0,
            received_at: DateTime::from_timestamp_micros(1_790_000_000_000_000).unwrap(),
            peer: "127.0.0.1:5000".into(),
            method: method.into(),
            uri: uri.into(),
            version: "HTTP/1.1".into(),
            headers: vec![Header::new("Content-Type", "application/json")],
            body: Bytes::copy_from_slice(body),
            response_status: 200,
            unauthenticated: false,
            verdict: None,
        }
    }

    fn octopus(kind: &str, errors: u32) -> Verdict {
        Verdict {
            vendor: Some(Vendor::Octopus),
            kind: Some(kind.into()),
            errors,
            ..Verdict::default()
        }
    }

    fn analysed(capture: Capture, verdict: Verdict) -> Capture {
        Capture {
            verdict: Some(verdict),
            ..capture
        }
    }

    fn insert(db: &mut Database, captures: &[Capture]) -> Vec<CaptureId> {
        let (stored, _) = db.insert_batch(captures, u64::MAX).unwrap();
        stored.iter().map(|s| s.id).collect()
    }

    fn scan(db: &Database, filter: &str, after: CaptureId, limit: usize) -> Scan {
        db.scan_matches(&parse(filter).unwrap(), after, limit, &|| false)
            .unwrap()
    }

    /// Every match of a full scan, page by page.
    fn scan_all(db: &Database, filter: &str, page: usize) -> (Vec<CaptureId>, usize) {
        let (mut matched, mut pages, mut after) = (Vec::new(), 0, 0);
        loop {
            let result = scan(db, filter, after, page);
            pages += 1;
            matched.extend(result.matched);
            after = result.scanned_through;
            if result.complete {
                return (matched, pages);
            }
            assert!(!result.awaiting_analysis);
        }
    }

    #[test]
    fn an_empty_store_is_scanned_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let result = scan(&open(&dir), "ping", 0, 100);
        assert_eq!(
            result,
            Scan {
                complete: true,
                ..Scan::default()
            }
        );
    }

    #[test]
    fn fields_and_free_text_are_matched_in_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = open(&dir);
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gzip.write_all(b"{\"needle\":\"Haystack\"}").unwrap();
        let mut compressed = capture("POST", "/z", &gzip.finish().unwrap());
        compressed
            .headers
            .push(Header::new("Content-Encoding", "gzip"));
        let mut with_header = capture("PUT", "/y", b"{}");
        with_header
            .headers
            .push(Header::new("X-Trace", "HAYSTACK-1"));
        let ids = insert(
            &mut db,
            &[
                capture("GET", "/ping", b""),
                compressed,
                with_header,
                capture("POST", "/x?q=haystack", b"\xff\xfe not utf-8"),
            ],
        );
        assert_eq!(scan(&db, "haystack", 0, 100).matched, ids[1..]);
        assert_eq!(
            scan(&db, "haystack -method:put", 0, 100).matched,
            [ids[1], ids[3]]
        );
        assert_eq!(scan(&db, "method:get", 0, 100).matched, [ids[0]]);
        assert_eq!(scan(&db, "path:/? \"not utf\"", 0, 100).matched, [ids[3]]);
        assert_eq!(scan(&db, "", 0, 100).matched, ids);
    }

    #[test]
    fn a_verdict_filter_stops_at_the_first_unanalysed_capture_and_resumes() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = open(&dir);
        let done = insert(
            &mut db,
            &[
                analysed(capture("POST", "/a", b"{}"), octopus("DeploymentFailed", 1)),
                analysed(
                    capture("POST", "/b", b"{}"),
                    octopus("DeploymentSucceeded", 0),
                ),
            ],
        );
        let pending = insert(
            &mut db,
            &[capture("POST", "/c", b"{}"), capture("POST", "/d", b"{}")],
        );

        let first = scan(&db, "valid:no", 0, 100);
        assert_eq!(first.matched, [done[0]]);
        assert_eq!(first.scanned_through, done[1]);
        assert!(!first.complete && first.awaiting_analysis);
        // Nothing new until the analyser moves on.
        let again = scan(&db, "valid:no", first.scanned_through, 100);
        assert_eq!(again.scanned_through, done[1]);
        assert!(again.matched.is_empty() && again.awaiting_analysis);

        // A filter that needs no verdict goes past it.
        let no_verdict = scan(&db, "method:post", 0, 100);
        assert_eq!(no_verdict.matched.len(), 4);
        assert!(no_verdict.complete && !no_verdict.awaiting_analysis);

        db.record_verdicts(&[(pending[0], octopus("DeploymentFailed", 3))])
            .unwrap();
        let resumed = scan(&db, "valid:no", first.scanned_through, 100);
        assert_eq!(resumed.matched, [pending[0]]);
        assert_eq!(resumed.scanned_through, pending[0]);
        assert!(resumed.awaiting_analysis);

        db.record_verdicts(&[(pending[1], Verdict::default())])
            .unwrap();
        let last = scan(&db, "valid:no", resumed.scanned_through, 100);
        assert!(last.matched.is_empty() && last.complete && !last.awaiting_analysis);
        assert_eq!(last.scanned_through, pending[1]);
    }

    #[test]
    fn a_limit_pages_through_the_store_without_losing_matches() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = open(&dir);
        let captures: Vec<Capture> = (0..10)
            .map(|i| capture(if i % 3 == 0 { "GET" } else { "POST" }, "/", b"{}"))
            .collect();
        let ids = insert(&mut db, &captures);
        let gets: Vec<CaptureId> = ids.iter().copied().step_by(3).collect();

        let page = scan(&db, "method:get", 0, 4);
        assert_eq!(page.matched, [ids[0], ids[3]]);
        assert_eq!(page.scanned_through, ids[3]);
        assert!(!page.complete && !page.awaiting_analysis);

        assert_eq!(scan_all(&db, "method:get", 4), (gets.clone(), 3));
        // A page that ends on the newest capture knows it is complete.
        assert_eq!(scan_all(&db, "method:get", 5), (gets.clone(), 2));
        assert_eq!(scan_all(&db, "method:get", 1000), (gets, 1));
    }

    #[test]
    fn cancelling_stops_at_the_next_check() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = open(&dir);
        let captures = vec![capture("POST", "/", b"{}"); CANCEL_CHECK_EVERY * 2 + 10];
        let ids = insert(&mut db, &captures);
        let filter = parse("").unwrap();

        let at_once = db.scan_matches(&filter, 0, usize::MAX, &|| true).unwrap();
        assert_eq!(at_once.scanned_through, 0);
        assert!(at_once.matched.is_empty() && !at_once.complete);

        let checks = Cell::new(0);
        let on_second_check = || {
            checks.set(checks.get() + 1);
            checks.get() == 2
        };
        let cut = db
            .scan_matches(&filter, 0, usize::MAX, &on_second_check)
            .unwrap();
        assert_eq!(cut.matched, ids[..CANCEL_CHECK_EVERY]);
        assert_eq!(cut.scanned_through, ids[CANCEL_CHECK_EVERY - 1]);
        assert!(!cut.complete);
    }
}
