//! One capture as it lies in a segment file: a frame (magic, payload length, CRC-32 of the
//! payload) around the request exactly as received. The CRC tells a whole record from the
//! torn end of a write that a crash cut short.

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::capture::{Capture, CaptureId};
use crate::store::codec::{decode_headers, encode_headers};

/// "HSR1": hookscope segment record, format 1.
const MAGIC: u32 = u32::from_le_bytes(*b"HSR1");
/// Magic, payload length, CRC.
pub const FRAME: usize = 12;
/// The payload's fixed part: id, time, status, then the lengths of the six variable fields.
const FIXED: usize = 8 + 8 + 2 + 2 + 2 + 2 + 4 + 4 + 4;

/// A record read back, borrowing the bytes it was read from.
#[derive(Debug, PartialEq, Eq)]
pub struct RecordView<'a> {
    pub id: CaptureId,
    pub received_at: DateTime<Utc>,
    pub response_status: u16,
    /// Refused for lacking the `--require-auth` credentials.
    pub unauthenticated: bool,
    pub peer: &'a str,
    pub method: &'a str,
    pub version: &'a str,
    pub uri: &'a str,
    /// The stored header block (see `codec`).
    pub headers: &'a [u8],
    pub body: &'a [u8],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// Fewer bytes than the frame announces: the end of a write that never finished.
    #[error("the record ends early")]
    Truncated,
    #[error("the record is damaged")]
    Corrupt,
}

/// Appends the record of `capture`, stored under `id`, to `out`; returns its length.
pub fn encode(out: &mut Vec<u8>, id: CaptureId, capture: &Capture) -> usize {
    let headers = encode_headers(&capture.headers);
    let fields: [&[u8]; 6] = [
        capture.peer.as_bytes(),
        capture.method.as_bytes(),
        capture.version.as_bytes(),
        capture.uri.as_bytes(),
        &headers,
        &capture.body,
    ];
    let payload_len = FIXED + fields.iter().map(|f| f.len()).sum::<usize>();
    let start = out.len();
    out.reserve(FRAME + payload_len);
    out.extend_from_slice(&MAGIC.to_le_bytes());
    out.extend_from_slice(&(payload_len as u32).to_le_bytes());
    out.extend_from_slice(&[0; 4]); // the CRC, once the payload is in
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(&capture.received_at.timestamp_micros().to_le_bytes());
    out.extend_from_slice(&status_word(capture).to_le_bytes());
    // Peer, method and version are short by construction; the listener caps the rest.
    for field in &fields[..3] {
        out.extend_from_slice(&(field.len().min(u16::MAX as usize) as u16).to_le_bytes());
    }
    for field in &fields[3..] {
        out.extend_from_slice(&(field.len() as u32).to_le_bytes());
    }
    for (n, field) in fields.iter().enumerate() {
        let cap = if n < 3 { u16::MAX as usize } else { usize::MAX };
        out.extend_from_slice(&field[..field.len().min(cap)]);
    }
    let crc = crc32fast::hash(&out[start + FRAME..]);
    out[start + 8..start + 12].copy_from_slice(&crc.to_le_bytes());
    out.len() - start
}

/// In the status word, the bit that marks a request refused for lacking the `--require-auth`
/// credentials: statuses stop at 999, so records written before the mark read as without it.
const UNAUTHENTICATED: u16 = 0x8000;

fn status_word(capture: &Capture) -> u16 {
    let status = capture.response_status & !UNAUTHENTICATED;
    if capture.unauthenticated {
        status | UNAUTHENTICATED
    } else {
        status
    }
}

/// The whole record's length, from its frame: `None` when `frame` is not the start of one.
pub fn length_from_frame(frame: &[u8; FRAME]) -> Option<usize> {
    (u32::from_le_bytes(frame[..4].try_into().ok()?) == MAGIC)
        .then(|| FRAME + u32::from_le_bytes(frame[4..8].try_into().unwrap_or_default()) as usize)
}

/// Reads the record at the start of `bytes`; returns it and its length.
pub fn decode(bytes: &[u8]) -> Result<(RecordView<'_>, usize), RecordError> {
    let frame: &[u8; FRAME] = bytes
        .get(..FRAME)
        .and_then(|f| f.try_into().ok())
        .ok_or(RecordError::Truncated)?;
    let length = length_from_frame(frame).ok_or(RecordError::Corrupt)?;
    let payload = bytes.get(FRAME..length).ok_or(RecordError::Truncated)?;
    if crc32fast::hash(payload) != u32::from_le_bytes(frame[8..12].try_into().unwrap_or_default())
        || payload.len() < FIXED
    {
        return Err(RecordError::Corrupt);
    }
    let mut cursor = Cursor(payload);
    let id = cursor.i64();
    let micros = cursor.i64();
    let status_word = cursor.u16();
    let lengths = [
        cursor.u16() as usize,
        cursor.u16() as usize,
        cursor.u16() as usize,
        cursor.u32() as usize,
        cursor.u32() as usize,
        cursor.u32() as usize,
    ];
    if lengths.iter().sum::<usize>() != cursor.0.len() {
        return Err(RecordError::Corrupt);
    }
    let [peer, method, version, uri, headers, body] = lengths.map(|len| cursor.take(len));
    fn text(bytes: &[u8]) -> Result<&str, RecordError> {
        std::str::from_utf8(bytes).map_err(|_| RecordError::Corrupt)
    }
    let view = RecordView {
        id,
        received_at: DateTime::from_timestamp_micros(micros).unwrap_or_default(),
        response_status: status_word & !UNAUTHENTICATED,
        unauthenticated: status_word & UNAUTHENTICATED != 0,
        peer: text(peer)?,
        method: text(method)?,
        version: text(version)?,
        uri: text(uri)?,
        headers,
        body,
    };
    Ok((view, length))
}

impl RecordView<'_> {
    /// The capture this record holds, without a verdict. `body` shares `buffer`, the bytes
    /// the record was decoded from, instead of copying it.
    pub fn to_capture(&self, buffer: &Bytes) -> Capture {
        self.with_body(buffer.slice_ref(self.body))
    }

    fn with_body(&self, body: Bytes) -> Capture {
        Capture {
            id: self.id,
            received_at: self.received_at,
            peer: self.peer.to_owned(),
            method: self.method.to_owned(),
            uri: self.uri.to_owned(),
            version: self.version.to_owned(),
            headers: decode_headers(self.headers),
            body,
            response_status: self.response_status,
            unauthenticated: self.unauthenticated,
            verdict: None,
        }
    }
}

impl RecordView<'_> {
    /// [`Self::to_capture`] with the body copied out.
    pub fn to_owned_capture(&self) -> Capture {
        self.with_body(Bytes::copy_from_slice(self.body))
    }
}

/// Reads the fixed part; `decode` checked its length first.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }

    fn i64(&mut self) -> i64 {
        i64::from_le_bytes(self.take(8).try_into().unwrap_or_default())
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take(4).try_into().unwrap_or_default())
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.take(2).try_into().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Header;
    use crate::store::test_support::capture;

    fn with_raw_bytes() -> Capture {
        Capture {
            headers: vec![
                Header::new("X-Dup", "1"),
                Header::new("x-dup", vec![0xff, b'2']),
            ],
            body: Bytes::from_static(b"\x00\xffnot utf-8\r\n"),
            ..capture("/hook?a=1")
        }
    }

    #[test]
    fn a_record_gives_back_the_capture_byte_for_byte() {
        let original = with_raw_bytes();
        let mut out = vec![0xAA; 3];
        let length = encode(&mut out, 42, &original);
        assert_eq!(length, out.len() - 3);
        let buffer = Bytes::from(out.split_off(3));
        let (view, read) = decode(&buffer).unwrap();
        assert_eq!(read, length);
        assert_eq!(view.id, 42);
        assert_eq!(view.to_capture(&buffer), Capture { id: 42, ..original });
    }

    /// The `--require-auth` mark rides in the status word's top bit: a refused request
    /// reads back refused, with its real status, and one without the mark reads back as
    /// records written before it existed do.
    #[test]
    fn the_unauthenticated_mark_survives_the_record() {
        for (unauthenticated, status) in [(true, 401), (false, 401), (false, 599)] {
            let original = Capture {
                response_status: status,
                unauthenticated,
                ..capture("/hook")
            };
            let mut out = Vec::new();
            encode(&mut out, 7, &original);
            let buffer = Bytes::from(out);
            let (view, _) = decode(&buffer).unwrap();
            assert_eq!(
                (view.unauthenticated, view.response_status),
                (unauthenticated, status)
            );
            assert_eq!(view.to_capture(&buffer), Capture { id: 7, ..original });
        }
    }

    #[test]
    fn a_torn_or_damaged_record_is_told_apart_from_a_whole_one() {
        let mut out = Vec::new();
        let length = encode(&mut out, 7, &with_raw_bytes());
        for cut in [0, 5, FRAME, length - 1] {
            assert_eq!(
                decode(&out[..cut]),
                Err(RecordError::Truncated),
                "cut at {cut}"
            );
        }
        let mut flipped = out.clone();
        flipped[length - 2] ^= 1;
        assert_eq!(decode(&flipped), Err(RecordError::Corrupt));
        let zeros = vec![0; length];
        assert_eq!(decode(&zeros), Err(RecordError::Corrupt), "a hole of zeros");
    }

    #[test]
    fn records_follow_one_another() {
        let mut out = Vec::new();
        let first = encode(&mut out, 1, &capture("/a"));
        encode(&mut out, 2, &capture("/b"));
        let (second, _) = decode(&out[first..]).unwrap();
        assert_eq!((second.id, second.uri), (2, "/b"));
    }
}
