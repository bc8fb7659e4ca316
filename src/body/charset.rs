//! Turning body bytes into text: choosing the charset (BOM, then the `charset=` parameter,
//! then the XML declaration, then UTF-8), replacing invalid sequences, and telling text from
//! binary.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

use crate::units::plural;

pub(crate) struct DecodedText {
    pub text: String,
    pub encoding: &'static Encoding,
    pub looks_binary: bool,
    /// Input bytes that did not decode (approximate for charsets other than UTF-8).
    invalid: usize,
    has_nul: bool,
}

impl DecodedText {
    /// Why the body was judged binary, in plain words.
    pub fn why_binary(&self) -> String {
        if self.has_nul {
            "it contains NUL bytes".to_string()
        } else if self.invalid > 0 {
            format!(
                "{} not valid {}",
                plural(self.invalid, "byte"),
                self.encoding.name()
            )
        } else {
            "it is full of control characters".to_string()
        }
    }
}

/// Decodes `bytes` as text. Notes go to `notes` only when the result is text; for binary the
/// caller explains with `why_binary`.
pub(crate) fn decode(
    bytes: &[u8],
    charset_param: Option<&str>,
    xml_like: bool,
    notes: &mut Vec<String>,
) -> DecodedText {
    let mut choice_notes = Vec::new();
    let (encoding, bom_len) = choose(bytes, charset_param, xml_like, &mut choice_notes);
    let body = &bytes[bom_len..];
    let (text, invalid) = if encoding == UTF_8 {
        decode_utf8(body)
    } else {
        let (text, had_errors) = encoding.decode_without_bom_handling(body);
        let invalid = if had_errors {
            text.chars()
                .filter(|&c| c == char::REPLACEMENT_CHARACTER)
                .count()
        } else {
            0
        };
        (text.into_owned(), invalid)
    };
    // Legacy-charset text sent as UTF-8 has a few bad bytes among ASCII; binary data is full
    // of them and of control bytes. The cheap count of all controls settles most bodies.
    let text_bytes = text.as_bytes();
    let binary_by = |controls: usize| {
        invalid.saturating_mul(4) > body.len()
            || controls.saturating_mul(10) > text.len()
            || invalid.saturating_add(controls).saturating_mul(3) > body.len()
    };
    let all_controls = count_bytes(text_bytes, is_control);
    let has_nul = all_controls > 0 && count_bytes(text_bytes, |b| b == 0) > 0;
    let looks_binary = has_nul
        || (binary_by(all_controls) && binary_by(count_bytes(text_bytes, is_unusual_control)));
    if !looks_binary {
        notes.append(&mut choice_notes);
        if invalid > 0 {
            notes.push(format!(
                "the body is not valid {0}: {1} not valid {0} replaced with U+FFFD",
                encoding.name(),
                plural(invalid, "byte")
            ));
        }
    }
    DecodedText {
        text,
        encoding,
        looks_binary,
        invalid,
        has_nul,
    }
}

/// The encoding to use and the length of the BOM to skip.
fn choose(
    bytes: &[u8],
    charset_param: Option<&str>,
    xml_like: bool,
    notes: &mut Vec<String>,
) -> (&'static Encoding, usize) {
    let declared = charset_param.map(|label| (label, Encoding::for_label(label.trim().as_bytes())));
    if let Some((bom_encoding, bom_len)) = Encoding::for_bom(bytes) {
        if let Some((label, Some(declared))) = declared
            && declared != bom_encoding
        {
            notes.push(format!(
                "the byte order mark says {}, which wins over charset={label}",
                bom_encoding.name()
            ));
        }
        return (bom_encoding, bom_len);
    }
    match declared {
        Some((_, Some(encoding))) => return (encoding, 0),
        Some((label, None)) => {
            notes.push(format!("unknown charset {label:?}; decoding as UTF-8"));
            return (UTF_8, 0);
        }
        None => {}
    }
    if xml_like && let Some(encoding) = xml_declared_encoding(bytes) {
        return (encoding, 0);
    }
    (UTF_8, 0)
}

/// UTF-8 without a copy-and-check when valid; otherwise replaced, counting the bad bytes.
fn decode_utf8(bytes: &[u8]) -> (String, usize) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), 0),
        Err(_) => {
            let invalid = bytes.utf8_chunks().map(|chunk| chunk.invalid().len()).sum();
            (String::from_utf8_lossy(bytes).into_owned(), invalid)
        }
    }
}

/// How many bytes match `predicate`. Branch-free and counted in `u8` lanes per chunk of fewer
/// than 256 bytes so it vectorises: this runs on every text body, including the common
/// declared-JSON case that must stay cheap.
fn count_bytes(bytes: &[u8], predicate: impl Fn(u8) -> bool) -> usize {
    bytes
        .chunks(224)
        .map(|chunk| {
            let in_chunk = chunk
                .iter()
                .fold(0u8, |count, &b| count + u8::from(predicate(b)));
            usize::from(in_chunk)
        })
        .sum()
}

/// Control bytes, as an upper bound on the unusual ones.
fn is_control(b: u8) -> bool {
    (b < 0x20) | (b == 0x7f)
}

/// Control bytes plain text does not normally hold: tab, line breaks (LF, VT, FF, CR) and ESC
/// (colour codes in logs) are normal.
fn is_unusual_control(b: u8) -> bool {
    ((b < 0x20) & (b.wrapping_sub(b'\t') > 4) & (b != 0x1b)) | (b == 0x7f)
}

/// The `encoding` of an `<?xml ...?>` declaration at the very start. UTF-16 labels are ignored:
/// a declaration readable as ASCII means the document is not UTF-16.
pub(crate) fn xml_declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(1024)];
    let rest = head.strip_prefix(b"<?xml")?;
    let end = rest.windows(2).position(|w| w == b"?>")?;
    let decl = &rest[..end];
    let at = decl.windows(8).position(|w| w == b"encoding")?;
    let after = decl[at + 8..].trim_ascii_start().strip_prefix(b"=")?;
    let after = after.trim_ascii_start();
    let (&quote, value) = after.split_first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let close = value.iter().position(|&b| b == quote)?;
    let encoding = Encoding::for_label(&value[..close])?;
    (encoding != UTF_16LE && encoding != UTF_16BE).then_some(encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_with(bytes: &[u8], charset: Option<&str>) -> (DecodedText, Vec<String>) {
        let mut notes = Vec::new();
        let decoded = decode(bytes, charset, false, &mut notes);
        (decoded, notes)
    }

    #[test]
    fn declared_latin1_is_decoded() {
        let (decoded, notes) = decode_with(b"caf\xe9 cr\xe8me", Some("ISO-8859-1"));
        assert_eq!(decoded.text, "café crème");
        assert_eq!(decoded.encoding.name(), "windows-1252");
        assert!(!decoded.looks_binary);
        assert!(notes.is_empty());
    }

    #[test]
    fn bom_wins_and_is_removed() {
        let (decoded, notes) = decode_with(b"\xef\xbb\xbf{\"a\":1}", None);
        assert_eq!(decoded.text, "{\"a\":1}");
        assert!(notes.is_empty());

        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("hé".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let (decoded, notes) = decode_with(&utf16, Some("utf-8"));
        assert_eq!(decoded.text, "hé");
        assert_eq!(decoded.encoding.name(), "UTF-16LE");
        assert!(
            notes[0].contains("byte order mark says UTF-16LE"),
            "{notes:?}"
        );
    }

    #[test]
    fn invalid_utf8_is_replaced_with_a_note() {
        let (decoded, notes) = decode_with(b"{\"name\":\"Jos\xe9 Garc\xeda\", \"x\": 1}", None);
        assert_eq!(
            decoded.text,
            "{\"name\":\"Jos\u{fffd} Garc\u{fffd}a\", \"x\": 1}"
        );
        assert!(!decoded.looks_binary);
        assert_eq!(
            notes,
            ["the body is not valid UTF-8: 2 bytes not valid UTF-8 replaced with U+FFFD"]
        );
    }

    #[test]
    fn unknown_charset_falls_back_to_utf8() {
        let (decoded, notes) = decode_with("ok ✓".as_bytes(), Some("klingon"));
        assert_eq!(decoded.text, "ok ✓");
        assert_eq!(decoded.encoding, UTF_8);
        assert_eq!(notes, ["unknown charset \"klingon\"; decoding as UTF-8"]);
    }

    #[test]
    fn xml_declaration_names_the_charset() {
        let xml = b"<?xml version=\"1.0\" encoding='ISO-8859-1'?><a>\xe9</a>";
        let mut notes = Vec::new();
        let decoded = decode(xml, None, true, &mut notes);
        assert!(decoded.text.ends_with("<a>é</a>"));
        assert_eq!(xml_declared_encoding(b"<?xml encoding=\"utf-16\"?>"), None);
        assert_eq!(xml_declared_encoding(b"<?xml version=\"1.0\"?>"), None);
        assert_eq!(xml_declared_encoding(b"<?xml encoding=\"nope"), None);
    }

    #[test]
    fn controls_are_counted_across_chunks() {
        let mut bytes = b"\t\n\x0b\r\x0c\x1b ok".repeat(100);
        bytes.extend(std::iter::repeat_n(0x01, 300));
        bytes.extend([0x7f, 0x00, 0x08, 0x0e, 0x1f, 0x20, 0x80]);
        assert_eq!(count_bytes(&bytes, is_unusual_control), 305);
        assert_eq!(count_bytes(&bytes, is_control), 905);
        assert_eq!(count_bytes(&bytes, |b| b == 0), 1);
    }

    #[test]
    fn binary_is_recognised() {
        assert!(decode_with(b"PK\x03\x04\x00\x00", None).0.looks_binary);
        assert!(
            decode_with(&[0x89, 0x50, 0xfe, 0xc3, 0x28, 0xa0], None)
                .0
                .looks_binary
        );
        assert!(decode_with(b"\x01\x02\x03\x04abc", None).0.looks_binary);
        // A short word in Latin-1 is a lot of bad bytes in proportion, yet still text.
        assert!(!decode_with(b"caf\xe9", None).0.looks_binary);
        // Colours and tabs in a log line are still text.
        assert!(
            !decode_with(b"\x1b[31merror\x1b[0m\tdone\r\n", None)
                .0
                .looks_binary
        );
        let (binary, notes) = decode_with(b"\xfa\xfb\xfd\xfcab\x00", None);
        assert!(binary.looks_binary);
        assert!(notes.is_empty());
    }
}
