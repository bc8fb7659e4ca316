//! Undoing content codings: reading every Content-Encoding header, removing the codings in
//! reverse order, and spotting gzip bodies sent without a Content-Encoding.

use bytes::Bytes;

use super::decompress::{self, Decoded, End};
use super::media_type::header_values;
use crate::capture::Header;
use crate::units::{format_bytes, plural};

const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

pub(crate) struct Undone {
    pub bytes: Bytes,
    /// In the order removed, as sent (lower-cased).
    pub codings: Vec<String>,
    /// The result stops at the display limit.
    pub cut_at_limit: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Gzip,
    Deflate,
    Brotli,
    Zstd,
}

impl Coding {
    fn from_token(token: &str) -> Option<Coding> {
        match token {
            "gzip" | "x-gzip" => Some(Coding::Gzip),
            "deflate" => Some(Coding::Deflate),
            "br" => Some(Coding::Brotli),
            "zstd" => Some(Coding::Zstd),
            _ => None,
        }
    }

    fn decode(self, input: &[u8], cap: usize) -> Decoded {
        match self {
            Coding::Gzip => decompress::gzip(input, cap),
            Coding::Deflate => decompress::deflate(input, cap),
            Coding::Brotli => decompress::brotli(input, cap),
            Coding::Zstd => decompress::zstd(input, cap),
        }
    }
}

/// The codings listed in every Content-Encoding header, in the order they were applied,
/// lower-cased, `identity` and empty list items left out.
fn listed_codings(headers: &[Header]) -> Vec<String> {
    header_values(headers, "content-encoding")
        .flat_map(|value| {
            String::from_utf8_lossy(value)
                .split(',')
                .map(|token| token.trim().to_ascii_lowercase())
                .collect::<Vec<_>>()
        })
        .filter(|token| !token.is_empty() && token != "identity")
        .collect()
}

/// Whether [`undo_content_codings`] could change the body: a cheap test, so bodies sent as
/// they are need not be copied into `Bytes` first.
pub(crate) fn may_be_coded(headers: &[Header], raw: &[u8]) -> bool {
    !raw.is_empty()
        && (raw.starts_with(&GZIP_MAGIC)
            || header_values(headers, "content-encoding").next().is_some())
}

pub(crate) fn undo_content_codings(
    headers: &[Header],
    raw: &Bytes,
    declared_type: Option<&str>,
    cap: usize,
    notes: &mut Vec<String>,
) -> Undone {
    let listed = listed_codings(headers);
    if raw.is_empty() {
        return unchanged(raw);
    }
    if listed.is_empty() {
        return if raw.starts_with(&GZIP_MAGIC) {
            undo_unannounced_gzip(raw, declared_type, cap, notes)
        } else {
            unchanged(raw)
        };
    }
    let mut undone = unchanged(raw);
    for token in listed.iter().rev() {
        let Some(coding) = Coding::from_token(token) else {
            notes.push(unknown_coding_note(token, &undone.codings));
            break;
        };
        if !undo_one(&mut undone, coding, token, cap, notes) {
            break;
        }
    }
    undone
}

fn unchanged(raw: &Bytes) -> Undone {
    Undone {
        bytes: raw.clone(),
        codings: Vec::new(),
        cut_at_limit: false,
    }
}

/// Removes one coding from `undone`. Returns false when decoding has to stop here.
fn undo_one(
    undone: &mut Undone,
    coding: Coding,
    token: &str,
    cap: usize,
    notes: &mut Vec<String>,
) -> bool {
    let decoded = coding.decode(&undone.bytes, cap);
    match decoded.end {
        End::Complete { trailing } => {
            if trailing > 0 {
                notes.push(format!(
                    "{} after the end of the {token} data ignored",
                    plural(trailing, "byte")
                ));
            }
        }
        End::OverCap => {
            notes.push(format!(
                "{token} body expands beyond the {limit} display limit; showing the first {limit}",
                limit = format_bytes(cap as u64)
            ));
            undone.cut_at_limit = true;
        }
        End::Failed(why) if undone.cut_at_limit => {
            // The input was cut by an earlier layer, so this layer is bound to end early.
            notes.push(format!(
                "the {token} layer was cut at the display limit, so only its first {} could \
                 be decoded ({why})",
                format_bytes(decoded.output.len() as u64)
            ));
        }
        End::Failed(why) => {
            let shown = if undone.codings.is_empty() {
                "showing the bytes as received".to_string()
            } else {
                format!(
                    "showing the bytes with only {} undone",
                    undone.codings.join(", ")
                )
            };
            notes.push(format!("{token} body could not be decoded: {why}; {shown}"));
            return false;
        }
    }
    undone.bytes = Bytes::from(decoded.output);
    undone.codings.push(token.to_string());
    true
}

fn unknown_coding_note(token: &str, undone_so_far: &[String]) -> String {
    let what = match token {
        "compress" | "x-compress" => {
            format!("content coding {token:?} (Unix LZW) is not supported")
        }
        _ => format!("unknown content coding {token:?}"),
    };
    if undone_so_far.is_empty() {
        format!("{what}; showing the bytes as they are")
    } else {
        format!(
            "{what}; showing the bytes with only {} undone",
            undone_so_far.join(", ")
        )
    }
}

/// A body that starts with the gzip signature but came without Content-Encoding: decode it for
/// display, since a hex dump of gzip helps nobody, and say so.
fn undo_unannounced_gzip(
    raw: &Bytes,
    declared_type: Option<&str>,
    cap: usize,
    notes: &mut Vec<String>,
) -> Undone {
    let is_gzip_file = matches!(
        declared_type,
        Some("application/gzip" | "application/x-gzip")
    );
    let mut undone = unchanged(raw);
    let mut attempt = Vec::new();
    let decoded = undo_one(&mut undone, Coding::Gzip, "gzip", cap, &mut attempt);
    if decoded {
        notes.push(if is_gzip_file {
            "the body is a gzip file; showing its decompressed content".to_string()
        } else {
            "looks gzip-compressed but no Content-Encoding was sent; showing it decompressed"
                .to_string()
        });
        notes.extend(attempt);
    } else {
        notes.push(
            "starts with the gzip signature but does not decode as gzip; showing the bytes as \
             they are"
                .to_string(),
        );
    }
    undone
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    const MIB: usize = 1024 * 1024;

    fn headers(encodings: &[&str]) -> Vec<Header> {
        encodings
            .iter()
            .map(|value| Header::new("Content-Encoding", *value))
            .collect()
    }

    fn undo(encodings: &[&str], raw: &[u8], cap: usize) -> (Undone, Vec<String>) {
        let mut notes = Vec::new();
        let undone = undo_content_codings(
            &headers(encodings),
            &Bytes::copy_from_slice(raw),
            None,
            cap,
            &mut notes,
        );
        (undone, notes)
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn raw_deflate(data: &[u8]) -> Vec<u8> {
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn brotli(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        brotli::CompressorReader::new(data, 4096, 5, 22)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn zstd(data: &[u8]) -> Vec<u8> {
        ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
    }

    const TEXT: &[u8] = b"{\"event\":\"push\",\"text\":\"hello hello hello hello\"}";

    #[test]
    fn each_coding_is_undone() {
        let cases: [(&str, Vec<u8>); 6] = [
            ("gzip", gzip(TEXT)),
            ("x-gzip", gzip(TEXT)),
            ("deflate", zlib(TEXT)),
            ("deflate", raw_deflate(TEXT)),
            ("br", brotli(TEXT)),
            ("zstd", zstd(TEXT)),
        ];
        for (coding, compressed) in cases {
            assert_ne!(compressed, TEXT);
            let (undone, notes) = undo(&[coding], &compressed, MIB);
            assert_eq!(&undone.bytes[..], TEXT, "{coding}");
            assert_eq!(undone.codings, [coding]);
            assert!(notes.is_empty(), "{coding}: {notes:?}");
            assert!(!undone.cut_at_limit);
        }
    }

    #[test]
    fn stacked_codings_are_undone_in_reverse() {
        // `gzip, br`: gzip was applied first, so br comes off first.
        let compressed = brotli(&gzip(TEXT));
        let (undone, notes) = undo(&["gzip, br"], &compressed, MIB);
        assert_eq!(&undone.bytes[..], TEXT);
        assert_eq!(undone.codings, ["br", "gzip"]);
        assert!(notes.is_empty(), "{notes:?}");

        // The same list spread over two headers, with identity mixed in.
        let compressed = zstd(&zlib(TEXT));
        let (undone, _) = undo(&["deflate", "identity, zstd"], &compressed, MIB);
        assert_eq!(&undone.bytes[..], TEXT);
        assert_eq!(undone.codings, ["zstd", "deflate"]);
    }

    #[test]
    fn truncated_gzip_falls_back_to_the_raw_bytes() {
        let compressed = gzip(&TEXT.repeat(50));
        let truncated = &compressed[..compressed.len() / 2];
        let (undone, notes) = undo(&["gzip"], truncated, MIB);
        assert_eq!(&undone.bytes[..], truncated);
        assert!(undone.codings.is_empty());
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0].starts_with("gzip body could not be decoded"),
            "{notes:?}"
        );
        assert!(notes[0].contains("truncated"), "{notes:?}");
    }

    #[test]
    fn junk_after_the_stream_is_noted() {
        let mut input = zlib(TEXT);
        input.extend(b"junk");
        let (undone, notes) = undo(&["deflate"], &input, MIB);
        assert_eq!(&undone.bytes[..], TEXT);
        assert_eq!(notes, ["4 bytes after the end of the deflate data ignored"]);
    }

    #[test]
    fn corrupt_gzip_checksum_falls_back_to_the_raw_bytes() {
        let mut compressed = gzip(TEXT);
        let crc_at = compressed.len() - 8;
        compressed[crc_at] ^= 0xff;
        let (undone, notes) = undo(&["gzip"], &compressed, MIB);
        assert_eq!(&undone.bytes[..], &compressed[..]);
        assert!(notes[0].contains("corrupt"), "{notes:?}");
    }

    #[test]
    fn failure_in_the_second_layer_keeps_the_first_undone() {
        let compressed = brotli(b"this is not gzip at all");
        let (undone, notes) = undo(&["gzip, br"], &compressed, MIB);
        assert_eq!(&undone.bytes[..], b"this is not gzip at all");
        assert_eq!(undone.codings, ["br"]);
        assert!(notes[0].contains("with only br undone"), "{notes:?}");
    }

    #[test]
    fn unknown_coding_leaves_the_bytes_alone() {
        let (undone, notes) = undo(&["snappy"], b"abc", MIB);
        assert_eq!(&undone.bytes[..], b"abc");
        assert!(undone.codings.is_empty());
        assert!(
            notes[0].contains("unknown content coding \"snappy\""),
            "{notes:?}"
        );

        // gzip applied after an unknown coding: gzip comes off, then decoding stops.
        let (undone, notes) = undo(&["snappy, gzip"], &gzip(b"inner"), MIB);
        assert_eq!(&undone.bytes[..], b"inner");
        assert_eq!(undone.codings, ["gzip"]);
        assert!(notes[0].contains("with only gzip undone"), "{notes:?}");
    }

    #[test]
    fn raw_bytes_are_shared_when_nothing_is_undone() {
        let raw = Bytes::from_static(b"plain body");
        let mut notes = Vec::new();
        let undone = undo_content_codings(&[], &raw, None, MIB, &mut notes);
        assert_eq!(undone.bytes.as_ptr(), raw.as_ptr());
        assert!(notes.is_empty());
    }

    #[test]
    fn empty_body_with_a_coding_is_just_empty() {
        let (undone, notes) = undo(&["gzip"], b"", MIB);
        assert!(undone.bytes.is_empty());
        assert!(undone.codings.is_empty());
        assert!(notes.is_empty());
    }

    #[test]
    fn gzip_without_content_encoding_is_decoded_with_a_note() {
        let (undone, notes) = undo(&[], &gzip(TEXT), MIB);
        assert_eq!(&undone.bytes[..], TEXT);
        assert_eq!(undone.codings, ["gzip"]);
        assert!(
            notes[0].contains("no Content-Encoding was sent"),
            "{notes:?}"
        );

        let fake = b"\x1f\x8b\x08 not really gzip";
        let (undone, notes) = undo(&[], fake, MIB);
        assert_eq!(&undone.bytes[..], fake);
        assert!(undone.codings.is_empty());
        assert!(notes[0].contains("does not decode as gzip"), "{notes:?}");
    }

    /// Zeros streamed through an encoder, so the 200 MB never exist in memory at once.
    fn bomb(mut encoder: impl Write) {
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..200 {
            encoder.write_all(&zeros).unwrap();
        }
    }

    fn assert_stops_at_cap(coding: &str, compressed: &[u8]) {
        let (undone, notes) = undo(&[coding], compressed, MIB);
        assert_eq!(undone.bytes.len(), MIB, "{coding}");
        assert!(undone.bytes.iter().all(|&b| b == 0));
        assert!(undone.cut_at_limit);
        assert_eq!(
            notes,
            [format!(
                "{coding} body expands beyond the 1.0 MiB display limit; showing the first 1.0 MiB"
            )]
        );
    }

    #[test]
    fn gzip_bomb_stops_at_the_cap() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        bomb(&mut encoder);
        assert_stops_at_cap("gzip", &encoder.finish().unwrap());
    }

    #[test]
    fn brotli_bomb_stops_at_the_cap() {
        let mut compressed = Vec::new();
        {
            let mut encoder = brotli::CompressorWriter::new(&mut compressed, 1 << 16, 1, 22);
            bomb(&mut encoder);
        }
        assert_stops_at_cap("br", &compressed);
    }

    #[test]
    fn zstd_bomb_stops_at_the_cap() {
        // ruzstd's encoder is slow in debug builds, so this bomb is smaller; the hand-made one
        // below shows the ratio does not matter.
        let zeros = std::io::repeat(0).take(24 << 20);
        let compressed =
            ruzstd::encoding::compress_to_vec(zeros, ruzstd::encoding::CompressionLevel::Fastest);
        assert_stops_at_cap("zstd", &compressed);
    }

    #[test]
    fn zstd_rle_bomb_of_4_gib_stops_at_the_cap() {
        // One frame of 32768 RLE blocks, each 128 KiB of zeros from 4 bytes: 128 KiB of input
        // that expands to 4 GiB. Decoding it all would take long and run out of memory.
        const BLOCK: u32 = 128 * 1024;
        let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd];
        frame.push(0x00); // no content size, no checksum, no dictionary, not single-segment
        frame.push((20 - 10) << 3); // window 1 MiB
        for index in 0..32768 {
            let last = u32::from(index == 32767);
            let header = BLOCK << 3 | 1 << 1 | last; // RLE block
            frame.extend_from_slice(&header.to_le_bytes()[..3]);
            frame.push(0);
        }
        assert_stops_at_cap("zstd", &frame);
    }

    #[test]
    fn stacked_bomb_notes_the_cut_in_the_next_layer() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        bomb(&mut encoder);
        let inner = encoder.finish().unwrap();
        // gzip of gzip of zeros: the outer layer fits, the inner one hits the cap.
        let outer = gzip(&inner);
        let (undone, notes) = undo(&["gzip, gzip"], &outer, MIB);
        assert_eq!(undone.bytes.len(), MIB);
        assert_eq!(undone.codings, ["gzip", "gzip"]);
        assert_eq!(notes.len(), 1, "{notes:?}");

        // Capped in the outer layer: the inner layer then sees cut input and says so.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let noise: Vec<u8> = (0..64 * 1024)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let outer = gzip(&gzip(&noise));
        let (undone, notes) = undo(&["gzip, gzip"], &outer, 32 * 1024);
        assert!(!undone.bytes.is_empty() && undone.bytes.len() < 32 * 1024);
        assert_eq!(&undone.bytes[..], &noise[..undone.bytes.len()]);
        assert_eq!(undone.codings, ["gzip", "gzip"]);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[1].contains("cut at the display limit"), "{notes:?}");
    }
}
