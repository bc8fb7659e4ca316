//! The database schema and its migrations. `PRAGMA user_version` records how many migrations a
//! file has had; a file is only ever moved forward, never rebuilt. `PRAGMA application_id`
//! marks the file as hookscope's, so another application's SQLite file is never mistaken
//! for a store (and never changed).

use rusqlite::{Connection, OptionalExtension};

use super::StoreError;

/// Each entry upgrades the schema by one version. Append only: never edit a released step.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: captures, and their count, kept by the Database methods that insert and delete (in
    // the same transaction), so that neither retention nor the capture counter scans the table.
    // Not triggers: a trigger makes SQLite keep a statement journal for every insert.
    "CREATE TABLE captures (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        received_at     INTEGER NOT NULL, -- microseconds since the Unix epoch, UTC
        peer            TEXT NOT NULL,
        method          TEXT NOT NULL,
        uri             TEXT NOT NULL,
        path            TEXT NOT NULL,
        query           TEXT,
        version         TEXT NOT NULL,
        headers         BLOB NOT NULL,    -- 'Name: value\\r\\n' lines in wire order
        content_type    TEXT,
        body            BLOB NOT NULL,    -- exactly as received
        size            INTEGER NOT NULL,
        response_status INTEGER NOT NULL
    );
    CREATE TABLE capture_count (n INTEGER NOT NULL);
    INSERT INTO capture_count (n) VALUES (0);",
    // 2: what hookscope made of each payload, so lists and filters need not decode bodies.
    // Filled in by the analyser just after the insert (`analysed`); `analysis` records which
    // rules produced the verdicts, and a build with other rules analyses everything again.
    "ALTER TABLE captures ADD COLUMN vendor TEXT;
    ALTER TABLE captures ADD COLUMN kind TEXT;
    ALTER TABLE captures ADD COLUMN errors INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE captures ADD COLUMN warnings INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE captures ADD COLUMN dedupe_key TEXT;
    ALTER TABLE captures ADD COLUMN duplicate_of INTEGER;
    ALTER TABLE captures ADD COLUMN analysed INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX captures_by_dedupe_key ON captures (dedupe_key) WHERE dedupe_key IS NOT NULL;
    CREATE INDEX captures_pending_analysis ON captures (id) WHERE analysed = 0;
    CREATE TABLE analysis (version INTEGER NOT NULL);
    INSERT INTO analysis (version) VALUES (0);",
    // 3: every replay and forward of a capture. Deleted with it by the same Database
    // methods that delete captures (not a foreign key: cascades would need
    // `foreign_keys` on every connection and a lookup per deleted capture).
    "CREATE TABLE attempts (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        capture_id       INTEGER NOT NULL,
        kind             TEXT NOT NULL,     -- 'replay' or 'forward'
        target           TEXT NOT NULL,     -- the URL it went to
        request          BLOB NOT NULL,     -- exactly as written to the socket
        started_at       INTEGER NOT NULL,  -- microseconds since the Unix epoch, UTC
        elapsed_us       INTEGER NOT NULL,
        status           INTEGER,           -- NULL: no response
        reason           TEXT,
        response_headers BLOB,              -- 'Name: value\\r\\n' lines in wire order
        response_body    BLOB,              -- at most the response cap
        response_size    INTEGER,           -- the whole body's size
        error            TEXT
    );
    CREATE INDEX attempts_by_capture ON attempts (capture_id, id);",
    // 4: segment files. A capture's record (its head and body exactly as received) lies at
    // `offset` in segment file `segment`, `length` bytes; the row keeps only what lists and
    // filters read. `segment` is NULL for a row from before segments, whose headers and body
    // are still in the row until the listener moves them out. `segment_tail` names the one
    // segment that is written and where its indexed records end: bytes past that end were
    // written but never indexed (the process died between the two) and are indexed by the
    // next writer.
    "ALTER TABLE captures ADD COLUMN segment INTEGER;
    ALTER TABLE captures ADD COLUMN offset INTEGER;
    ALTER TABLE captures ADD COLUMN length INTEGER;
    CREATE INDEX captures_by_segment ON captures (segment) WHERE segment IS NOT NULL;
    CREATE TABLE segment_tail (segment INTEGER NOT NULL, end_offset INTEGER NOT NULL);
    INSERT INTO segment_tail (segment, end_offset) VALUES (1, 0);",
    // 5: the rows from before segments, found without reading every row: every start asks
    // whether any are left to move, and with a million captures a scan took 60 ms of it.
    // New rows never enter it (they always have a segment).
    "CREATE INDEX captures_inline ON captures (id) WHERE segment IS NULL;",
    // 6: requests refused for lacking the `--require-auth` credentials, captured all the
    // same (answered 401); the segment record keeps the mark too, in its status word.
    "ALTER TABLE captures ADD COLUMN unauthenticated INTEGER NOT NULL DEFAULT 0;",
];

/// The schema version this build writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// hookscope's mark in the SQLite header: "HkSc".
pub const APPLICATION_ID: i32 = 0x486b_5363;

/// What a SQLite file turned out to be, read before anything is written to it.
#[derive(Debug, PartialEq, Eq)]
pub enum Identity {
    /// No tables at all: a file just created (or left empty).
    Empty,
    /// A store, at this schema version; `marked` is false for one made before the mark.
    Store { version: i64, marked: bool },
    /// Someone else's database: what gave it away.
    Foreign(String),
}

/// Tells a store from an empty file and from another application's database, by reading
/// the header's two numbers and, for stores older than the mark, the table names.
pub fn identify(conn: &Connection) -> rusqlite::Result<Identity> {
    let application_id: i32 = conn.query_row("PRAGMA application_id", [], |row| row.get(0))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if application_id == APPLICATION_ID {
        return Ok(Identity::Store {
            version,
            marked: true,
        });
    }
    if application_id != 0 {
        return Ok(Identity::Foreign(format!(
            "it belongs to another application (its application_id is {application_id:#x})"
        )));
    }
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         ORDER BY name",
    )?;
    let tables: Vec<String> = stmt
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if tables.is_empty() && version == 0 {
        return Ok(Identity::Empty);
    }
    // Before the mark, a store was known by its first migration's tables.
    let has = |name: &str| tables.iter().any(|t| t == name);
    let counted: Option<i64> = if has("capture_count") {
        conn.query_row("SELECT count(*) FROM capture_count", [], |row| row.get(0))
            .optional()?
    } else {
        None
    };
    if version >= 1 && has("captures") && counted == Some(1) {
        return Ok(Identity::Store {
            version,
            marked: false,
        });
    }
    let shown: Vec<&str> = tables.iter().take(4).map(String::as_str).collect();
    let more = if tables.len() > shown.len() {
        ", …"
    } else {
        ""
    };
    Ok(Identity::Foreign(if shown.is_empty() {
        format!("its user_version is {version}, which no hookscope store has")
    } else {
        format!(
            "it holds another application's tables ({}{more})",
            shown.join(", ")
        )
    }))
}

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found > CURRENT_VERSION {
        return Err(StoreError::TooNew {
            found,
            known: CURRENT_VERSION,
        });
    }
    if found < CURRENT_VERSION && found > 0 {
        tracing::info!(from = found, to = CURRENT_VERSION, "migrating store");
    }
    for (index, step) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        // A new store is marked with its first tables, so no file is ever left with
        // hookscope's tables and no mark.
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
    }
    Ok(())
}
