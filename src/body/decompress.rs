//! The decompressors behind each content coding, all streaming into a buffer that never grows
//! past the output cap, so a decompression bomb costs at most the cap in memory.

use std::io::{self, Read};

use ruzstd::decoding::StreamingDecoder;
use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};

/// Largest zstd window accepted. RFC 9659 limits the `zstd` content coding to 8 MiB windows
/// (browsers enforce it too), and the window is allocated up front, so it also bounds memory.
pub(crate) const MAX_ZSTD_WINDOW: u64 = 8 * 1024 * 1024;

/// More gzip members or zstd frames than any real sender uses; each one costs a fresh decoder.
const MAX_MEMBERS: usize = 1000;

/// How one decompression ended.
#[derive(Debug)]
pub(crate) enum End {
    /// The whole stream was decoded. `trailing` input bytes after it were ignored.
    Complete { trailing: usize },
    /// The output reached the cap and there was more.
    OverCap,
    /// The stream is corrupt or truncated; the message says how, in plain words.
    Failed(String),
}

/// The output so far (never longer than the cap) and how decoding ended.
pub(crate) struct Decoded {
    pub output: Vec<u8>,
    pub end: End,
}

pub(crate) fn gzip(input: &[u8], cap: usize) -> Decoded {
    let mut output = Vec::new();
    let mut rest = input;
    for _ in 0..MAX_MEMBERS {
        let mut decoder = flate2::bufread::GzDecoder::new(rest);
        match read_capped(&mut decoder, &mut output, cap) {
            Ok(ReadEnd::Eof) => {}
            Ok(ReadEnd::OverCap) => return over_cap(output),
            Err(error) => return failed(output, describe_io(&error)),
        }
        rest = decoder.into_inner();
        // Concatenated members are one valid gzip stream; anything else is trailing junk.
        if !rest.starts_with(&[0x1f, 0x8b]) {
            break;
        }
    }
    complete(output, rest.len())
}

/// `deflate` is meant to be zlib-wrapped, but some senders send raw deflate; like browsers,
/// accept both.
pub(crate) fn deflate(input: &[u8], cap: usize) -> Decoded {
    if has_zlib_header(input) {
        let zlib = zlib(input, cap);
        let failed_at_once = matches!(zlib.end, End::Failed(_)) && zlib.output.is_empty();
        if !failed_at_once {
            return zlib;
        }
        let raw = raw_deflate(input, cap);
        return if matches!(raw.end, End::Failed(_)) {
            zlib
        } else {
            raw
        };
    }
    raw_deflate(input, cap)
}

fn has_zlib_header(input: &[u8]) -> bool {
    match input {
        [cmf, flg, ..] => {
            let deflate_method = cmf & 0x0f == 8 && cmf >> 4 <= 7;
            deflate_method && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0
        }
        _ => false,
    }
}

fn zlib(input: &[u8], cap: usize) -> Decoded {
    inflate(flate2::bufread::ZlibDecoder::new(input), cap, |d| {
        d.into_inner().len()
    })
}

fn raw_deflate(input: &[u8], cap: usize) -> Decoded {
    inflate(flate2::bufread::DeflateDecoder::new(input), cap, |d| {
        d.into_inner().len()
    })
}

/// Runs a deflate decoder to the end or the cap; `trailing` says how many input bytes
/// were left after the stream.
fn inflate<D: Read>(mut decoder: D, cap: usize, trailing: impl FnOnce(D) -> usize) -> Decoded {
    let mut output = Vec::new();
    match read_capped(&mut decoder, &mut output, cap) {
        Ok(ReadEnd::Eof) => complete(output, trailing(decoder)),
        Ok(ReadEnd::OverCap) => over_cap(output),
        Err(error) => failed(output, describe_io(&error)),
    }
}

pub(crate) fn brotli(input: &[u8], cap: usize) -> Decoded {
    let mut output = Vec::new();
    let mut decoder = brotli::Decompressor::new(input, 32 * 1024);
    match read_capped(&mut decoder, &mut output, cap) {
        Ok(ReadEnd::Eof) => complete(output, 0),
        Ok(ReadEnd::OverCap) => over_cap(output),
        // The brotli decoder only ever says "Invalid Data".
        Err(_) => failed(output, "the data is corrupt or cut short".to_string()),
    }
}

/// A zstd body may hold several frames, and skippable frames that carry no content.
pub(crate) fn zstd(input: &[u8], cap: usize) -> Decoded {
    let mut output = Vec::new();
    let mut rest = input;
    let mut frames = 0;
    for _ in 0..MAX_MEMBERS {
        if rest.is_empty() {
            break;
        }
        let frame_start = rest;
        match StreamingDecoder::new_with_max_window_size(&mut rest, MAX_ZSTD_WINDOW) {
            Ok(mut decoder) => match read_capped(&mut decoder, &mut output, cap) {
                Ok(ReadEnd::Eof) => frames += 1,
                Ok(ReadEnd::OverCap) => return over_cap(output),
                Err(error) => {
                    return failed(
                        output,
                        format!("the data is corrupt or cut short ({error})"),
                    );
                }
            },
            Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                length,
                ..
            })) => {
                let skip = usize::try_from(length)
                    .unwrap_or(usize::MAX)
                    .min(rest.len());
                rest = &rest[skip..];
            }
            // Junk after at least one good frame: keep what decoded, as for gzip.
            Err(_) if frames > 0 => {
                return complete(output, frame_start.len());
            }
            Err(error) => return failed(output, describe_zstd(&error)),
        }
    }
    complete(output, rest.len())
}

fn describe_zstd(error: &FrameDecoderError) -> String {
    match error {
        FrameDecoderError::WindowSizeTooBig { requested, .. } => format!(
            "it needs a {} window, more than the {} HTTP allows for zstd (RFC 9659)",
            crate::units::format_bytes(*requested),
            crate::units::format_bytes(MAX_ZSTD_WINDOW)
        ),
        FrameDecoderError::DictNotProvided { dict_id } => {
            format!("it needs dictionary {dict_id}, which was not sent")
        }
        FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::BadMagicNumber(_)) => {
            "it does not start with the zstd signature".to_string()
        }
        other => format!("the data is corrupt or cut short ({other})"),
    }
}

fn describe_io(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::UnexpectedEof => "the data ends too early (truncated)".to_string(),
        _ => format!("the data is corrupt ({error})"),
    }
}

fn complete(output: Vec<u8>, trailing: usize) -> Decoded {
    Decoded {
        output,
        end: End::Complete { trailing },
    }
}

fn over_cap(output: Vec<u8>) -> Decoded {
    Decoded {
        output,
        end: End::OverCap,
    }
}

fn failed(output: Vec<u8>, why: String) -> Decoded {
    Decoded {
        output,
        end: End::Failed(why),
    }
}

enum ReadEnd {
    Eof,
    OverCap,
}

/// Appends everything `reader` yields to `output`, stopping once `output` would pass `cap`.
/// The buffer grows by exact reservations so its capacity never exceeds the cap either.
fn read_capped(reader: &mut impl Read, output: &mut Vec<u8>, cap: usize) -> io::Result<ReadEnd> {
    let mut chunk = vec![0u8; 32 * 1024];
    loop {
        let room = cap.saturating_sub(output.len());
        // One byte more than fits, to tell "exactly full" from "more to come".
        let want = chunk.len().min(room.saturating_add(1));
        let read = match reader.read(&mut chunk[..want]) {
            Ok(0) => return Ok(ReadEnd::Eof),
            Ok(read) => read.min(want),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        let keep = read.min(room);
        if output.capacity() - output.len() < keep {
            let grown = output.capacity().saturating_mul(2).max(64 * 1024);
            let target = grown.max(output.len() + keep).min(cap);
            output.reserve_exact(target - output.len());
        }
        output.extend_from_slice(&chunk[..keep]);
        if read > room {
            return Ok(ReadEnd::OverCap);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip_of(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn read_capped_stops_at_the_cap_with_capacity_bounded() {
        let mut output = Vec::new();
        let mut zeros = io::repeat(0).take(10_000_000);
        let end = read_capped(&mut zeros, &mut output, 100_000).unwrap();
        assert!(matches!(end, ReadEnd::OverCap));
        assert_eq!(output.len(), 100_000);
        assert!(output.capacity() <= 100_000);
    }

    #[test]
    fn read_capped_exactly_full_is_complete() {
        let mut output = Vec::new();
        let end = read_capped(&mut &[7u8; 1000][..], &mut output, 1000).unwrap();
        assert!(matches!(end, ReadEnd::Eof));
        assert_eq!(output.len(), 1000);
    }

    #[test]
    fn gzip_members_concatenate_and_junk_is_counted() {
        let mut input = gzip_of(b"hello ");
        input.extend(gzip_of(b"world"));
        input.extend(b"junk");
        let decoded = gzip(&input, 1 << 20);
        assert_eq!(decoded.output, b"hello world");
        assert!(matches!(decoded.end, End::Complete { trailing: 4 }));
    }

    #[test]
    fn zlib_header_check() {
        assert!(has_zlib_header(&[0x78, 0x9c]));
        assert!(has_zlib_header(&[0x78, 0x01]));
        assert!(!has_zlib_header(&[0x78, 0x00]));
        assert!(!has_zlib_header(&[0xcb, 0x48]));
        assert!(!has_zlib_header(&[0x78]));
    }

    #[test]
    fn zstd_skips_skippable_frames_and_joins_frames() {
        let mut input = vec![0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3];
        input.extend(ruzstd::encoding::compress_to_vec(
            &b"one "[..],
            ruzstd::encoding::CompressionLevel::Fastest,
        ));
        input.extend(ruzstd::encoding::compress_to_vec(
            &b"two"[..],
            ruzstd::encoding::CompressionLevel::Fastest,
        ));
        let decoded = zstd(&input, 1 << 20);
        assert_eq!(decoded.output, b"one two");
        assert!(matches!(decoded.end, End::Complete { trailing: 0 }));
    }

    #[test]
    fn zstd_refuses_windows_beyond_rfc_9659() {
        // Frame header: magic, descriptor with no single-segment flag, window log 27 (128 MiB).
        let input = [0x28, 0xb5, 0x2f, 0xfd, 0x00, (27 - 10) << 3, 0, 0, 0];
        let decoded = zstd(&input, 1 << 20);
        match decoded.end {
            End::Failed(why) => assert!(why.contains("RFC 9659"), "{why}"),
            other => panic!("expected a failure, got {other:?}"),
        }
    }
}
