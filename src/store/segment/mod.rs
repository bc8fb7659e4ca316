//! Segment files: where the store keeps every request's bytes. The SQLite file holds a small
//! index row per capture (what lists and filters read, and where its record lies); the
//! records themselves go to numbered files in a folder beside it, appended once per group
//! commit. Bodies then cost one `write` each, instead of a pass through the WAL and another
//! through the checkpoint.
//!
//! Only the newest segment (the tail, named in the index's `segment_tail` row) is ever
//! written, and only by a process holding SQLite's write lock: that lock orders every
//! writer, in this process and in others. Older segments are read-only until retention,
//! a clear or a compaction leaves no index row in them and they are removed.

pub mod record;

use std::cell::RefCell;
use std::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::{DirBuilderExt, FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

pub use record::RecordView;

/// A segment is sealed once a commit would take it past this size.
pub const SEGMENT_BYTES: u64 = 16 << 20;
/// Read handles kept open per connection: a scan walks segments in order, so a few do.
const OPEN_FOR_READING: usize = 8;

pub type SegmentNo = i64;

/// The segment folder of one store, as one connection sees it.
pub struct Segments {
    dir: PathBuf,
    /// fsync each write, and the folder when a segment is created (`--fsync`).
    sync: bool,
    reading: RefCell<Vec<(SegmentNo, File)>>,
    writing: RefCell<Option<(SegmentNo, File)>>,
}

impl Segments {
    /// The folder for the store at `db_path`: `captures.sqlite3-segments`, beside SQLite's
    /// own `-wal` and `-shm` files.
    pub fn dir_for(db_path: &Path) -> PathBuf {
        let mut name = db_path.file_name().unwrap_or_default().to_owned();
        name.push("-segments");
        db_path.with_file_name(name)
    }

    pub fn new(db_path: &Path, sync: bool) -> Self {
        Self {
            dir: Self::dir_for(db_path),
            sync,
            reading: RefCell::new(Vec::new()),
            writing: RefCell::new(None),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, segment: SegmentNo) -> PathBuf {
        self.dir.join(format!("{segment:010}.seg"))
    }

    /// `length` bytes at `offset` of a segment; `None` when the segment is gone (retention
    /// or a clear removed it after the index row was read).
    pub fn read(
        &self,
        segment: SegmentNo,
        offset: u64,
        length: usize,
    ) -> std::io::Result<Option<Vec<u8>>> {
        let mut buffer = vec![0; length];
        let found = self.with_reader(segment, |file| file.read_exact_at(&mut buffer, offset))?;
        Ok(found.map(|()| buffer))
    }

    fn with_reader<T>(
        &self,
        segment: SegmentNo,
        read: impl FnOnce(&File) -> std::io::Result<T>,
    ) -> std::io::Result<Option<T>> {
        let mut reading = self.reading.borrow_mut();
        if let Some(at) = reading.iter().position(|(n, _)| *n == segment) {
            let entry = reading.remove(at);
            reading.insert(0, entry);
        } else {
            let file = match File::open(self.path(segment)) {
                Ok(file) => file,
                Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(e),
            };
            // Segments removed since they were opened (retention, a clear) keep their disk
            // space while a handle is open: let them go now rather than when pushed out.
            reading.retain(|(_, open)| !is_removed(open));
            reading.insert(0, (segment, file));
            reading.truncate(OPEN_FOR_READING);
        }
        match read(&reading[0].1) {
            Ok(value) => Ok(Some(value)),
            // The file was cut short under the row (a torn tail being repaired): gone too.
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// How long a segment's file is; 0 when there is none.
    pub fn len(&self, segment: SegmentNo) -> std::io::Result<u64> {
        match std::fs::metadata(self.path(segment)) {
            Ok(meta) => Ok(meta.len()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(0),
            Err(e) => Err(e),
        }
    }

    pub fn exists(&self, segment: SegmentNo) -> bool {
        self.path(segment).exists()
    }

    /// Writes `bytes` at `offset` of the tail segment, creating it (and the folder) when
    /// needed; with `sync`, on disk before it returns.
    pub fn write_at(&self, segment: SegmentNo, offset: u64, bytes: &[u8]) -> std::io::Result<()> {
        let mut writing = self.writing.borrow_mut();
        if writing.as_ref().is_none_or(|(n, _)| *n != segment) {
            *writing = Some((segment, self.create(segment)?));
        }
        let Some((_, file)) = writing.as_ref() else {
            unreachable!("opened above");
        };
        file.write_all_at(bytes, offset)?;
        if self.sync {
            file.sync_data()?;
        }
        Ok(())
    }

    /// Forgets the segment this connection last wrote: another process moved the tail on
    /// (a clear), so its file may rightly be gone.
    pub fn forget_writing(&self) {
        self.writing.borrow_mut().take();
    }

    /// The segment this connection last wrote, and what happened to it when it is no longer
    /// the file under its name (deleted, or the folder removed or replaced).
    pub fn tail_gone(&self) -> Option<(SegmentNo, String)> {
        use std::os::unix::fs::MetadataExt;
        let writing = self.writing.borrow();
        let (segment, file) = writing.as_ref()?;
        let path = self.path(*segment);
        let open = match file.metadata() {
            Ok(meta) => meta,
            Err(e) => {
                return Some((
                    *segment,
                    format!("{} cannot be checked: {e}", path.display()),
                ));
            }
        };
        let why = match std::fs::metadata(&path) {
            Ok(named) if (named.dev(), named.ino()) == (open.dev(), open.ino()) => return None,
            Ok(_) => format!("{} was replaced by another file", path.display()),
            Err(_) => format!("{} was deleted", path.display()),
        };
        Some((*segment, why))
    }

    fn create(&self, segment: SegmentNo) -> std::io::Result<File> {
        let path = self.path(segment);
        let existed = path.exists();
        if !existed {
            // Owner only, like the SQLite file: these hold every header and body.
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&self.dir)?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)?;
        if !existed && self.sync {
            // The new name must survive a power cut as well as the bytes under it.
            File::open(&self.dir)?.sync_all()?;
        }
        Ok(file)
    }

    /// Cuts a segment back to `len` bytes: the torn end of a write that never finished.
    pub fn truncate(&self, segment: SegmentNo, len: u64) -> std::io::Result<()> {
        OpenOptions::new()
            .write(true)
            .open(self.path(segment))?
            .set_len(len)
    }

    /// The numbers of the segment files there are, in order.
    pub fn list(&self) -> std::io::Result<Vec<SegmentNo>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut found: Vec<SegmentNo> = entries
            .filter_map(|entry| {
                let name = entry.ok()?.file_name();
                name.to_str()?.strip_suffix(".seg")?.parse().ok()
            })
            .collect();
        found.sort_unstable();
        Ok(found)
    }

    /// Removes a sealed segment no index row points into any more.
    pub fn remove(&self, segment: SegmentNo) -> std::io::Result<()> {
        self.reading.borrow_mut().retain(|(n, _)| *n != segment);
        match std::fs::remove_file(self.path(segment)) {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Every record from `offset` to the end of a segment, for recovery: stops at the first
    /// one that is torn or damaged, and returns where the whole records end.
    pub fn scan_from(
        &self,
        segment: SegmentNo,
        mut offset: u64,
        mut visit: impl FnMut(&RecordView<'_>, u64, usize) -> Result<(), crate::store::StoreError>,
    ) -> Result<ScanEnd, crate::store::StoreError> {
        let file_len = self.len(segment)?;
        let file = match File::open(self.path(segment)) {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Ok(ScanEnd {
                    end: offset,
                    torn: 0,
                });
            }
            Err(e) => return Err(e.into()),
        };
        while offset < file_len {
            let mut frame = [0; record::FRAME];
            let Some(length) = file
                .read_exact_at(&mut frame, offset)
                .ok()
                .and_then(|()| record::length_from_frame(&frame))
                .filter(|&length| offset + length as u64 <= file_len)
            else {
                break;
            };
            let mut bytes = vec![0; length];
            file.read_exact_at(&mut bytes, offset)?;
            let Ok((view, _)) = record::decode(&bytes) else {
                break;
            };
            visit(&view, offset, length)?;
            offset += length as u64;
        }
        Ok(ScanEnd {
            end: offset,
            torn: file_len - offset,
        })
    }
}

/// Whether an open file's name is gone (it has no links left).
fn is_removed(file: &File) -> bool {
    use std::os::unix::fs::MetadataExt;
    file.metadata().is_ok_and(|meta| meta.nlink() == 0)
}

/// Where a recovery scan stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanEnd {
    /// The end of the last whole record.
    pub end: u64,
    /// Bytes after it that do not make a record.
    pub torn: u64,
}

impl From<std::io::Error> for crate::store::StoreError {
    fn from(error: std::io::Error) -> Self {
        crate::store::StoreError::Segment(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Open files of this process under `dir` whose names are gone.
    fn removed_but_open(dir: &Path) -> usize {
        std::fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
            .filter(|target| {
                let text = target.to_string_lossy();
                text.starts_with(&*dir.to_string_lossy()) && text.ends_with(" (deleted)")
            })
            .count()
    }

    #[test]
    fn a_segment_removed_elsewhere_does_not_keep_its_space_in_a_reader() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.sqlite3");
        let writer = Segments::new(&db, false);
        for segment in 1..=3 {
            writer.write_at(segment, 0, b"record").unwrap();
        }
        let reader = Segments::new(&db, false);
        assert!(reader.read(1, 0, 6).unwrap().is_some());
        assert!(reader.read(2, 0, 6).unwrap().is_some());
        // Retention in another connection removes the oldest segment.
        writer.remove(1).unwrap();
        assert_eq!(
            removed_but_open(writer.dir()),
            1,
            "the reader still holds it"
        );
        assert!(reader.read(3, 0, 6).unwrap().is_some());
        assert_eq!(removed_but_open(writer.dir()), 0);
    }
}
