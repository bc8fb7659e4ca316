//! Multipart bodies: finding the boundary lines, then each part's headers, name, file name,
//! type and body. Lenient like browsers: LF-only line ends and a missing closing boundary are
//! accepted (the latter with a note).

use bytes::Bytes;

use super::{Part, charset, media_type};
use crate::capture::Header;
use crate::units::plural;

/// More parts than a real form holds; each part costs a few allocations.
pub(crate) const MAX_PARTS: usize = 10_000;
/// Headers kept per part; the rest are skipped.
const MAX_PART_HEADERS: usize = 32;
/// RFC 2046 allows 70 characters; a little slack for senders that ignore it.
const MAX_BOUNDARY: usize = 200;

/// A boundary line found in the body.
struct Delimiter {
    line_start: usize,
    /// Where the line after it starts.
    next_line: usize,
}

/// Splits `body` into parts. `None` (with a note) when no part can be found, so the caller
/// shows the body whole.
pub(crate) fn split(body: &Bytes, boundary: &str, notes: &mut Vec<String>) -> Option<Vec<Part>> {
    if boundary.is_empty() || boundary.len() > MAX_BOUNDARY {
        notes.push(format!(
            "the multipart boundary parameter is {} characters long; it must be 1 to 70, so \
             the parts cannot be separated",
            boundary.len()
        ));
        return None;
    }
    let delimiter = [b"--", boundary.as_bytes()].concat();
    let (delimiters, closed) = find_delimiters(body, &delimiter, notes);
    if delimiters.is_empty() {
        notes.push(format!(
            "no part starting with a --{boundary} line was found, so the parts cannot be \
             separated"
        ));
        return None;
    }
    if !closed {
        notes.push(format!(
            "the multipart body ends without the closing --{boundary}-- line; it may be cut short"
        ));
    }
    let mut parts = Vec::with_capacity(delimiters.len());
    for (index, pair) in delimiters.windows(2).enumerate() {
        let end = end_of_content(body, pair[1].line_start).max(pair[0].next_line);
        let chunk = body.slice(pair[0].next_line..end);
        parts.push(parse_part(chunk, index + 1, notes));
    }
    if !closed && let Some(last) = delimiters.last() {
        let chunk = body.slice(last.next_line..);
        parts.push(parse_part(chunk, delimiters.len(), notes));
    }
    Some(parts)
}

/// Every opening boundary line, plus the closing one at the end when present (then `true`).
fn find_delimiters(
    body: &[u8],
    delimiter: &[u8],
    notes: &mut Vec<String>,
) -> (Vec<Delimiter>, bool) {
    let mut found = Vec::new();
    let mut line_start = 0;
    while line_start < body.len() {
        let line_end = body[line_start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(body.len(), |at| line_start + at);
        let next_line = (line_end + 1).min(body.len());
        let line = &body[line_start..line_end];
        if let Some(after) = line.strip_prefix(delimiter) {
            let after = after.strip_suffix(b"\r").unwrap_or(after);
            let here = Delimiter {
                line_start,
                next_line,
            };
            if after.starts_with(b"--") {
                // A closing line before any opening one leaves `found` empty: no parts.
                if !found.is_empty() {
                    found.push(here);
                }
                return (found, true);
            }
            // Anything but transport padding after the boundary means it is content.
            if after.iter().all(|&b| b == b' ' || b == b'\t') {
                if found.len() == MAX_PARTS {
                    notes.push(format!(
                        "the body has more than {MAX_PARTS} parts; only the first {MAX_PARTS} \
                         are shown"
                    ));
                    found.push(here);
                    return (found, true);
                }
                found.push(here);
            }
        }
        line_start = line_end + 1;
    }
    (found, false)
}

/// A part's content ends before the line break that precedes the next boundary line.
fn end_of_content(body: &[u8], boundary_line_start: usize) -> usize {
    let mut end = boundary_line_start;
    if end > 0 && body[end - 1] == b'\n' {
        end -= 1;
        if end > 0 && body[end - 1] == b'\r' {
            end -= 1;
        }
    }
    end
}

fn parse_part(chunk: Bytes, number: usize, notes: &mut Vec<String>) -> Part {
    let (headers, body_start) = read_headers(&chunk, number, notes);
    let body = chunk.slice(body_start..);
    let disposition = first_header(&headers, "content-disposition").map(media_type::parse);
    let content_type = first_header(&headers, "content-type").map(media_type::parse);
    let name = disposition
        .as_ref()
        .and_then(|d| d.param("name"))
        .map(str::to_string);
    let filename = disposition.as_ref().and_then(|d| {
        d.param("filename*")
            .and_then(decode_extended_value)
            .or_else(|| d.param("filename").map(str::to_string))
    });
    let mut text_notes = Vec::new();
    let charset_param = content_type.as_ref().and_then(|t| t.param("charset"));
    let decoded = charset::decode(&body, charset_param, false, &mut text_notes);
    let label = match &name {
        Some(name) => format!("part {number} ({name:?})"),
        None => format!("part {number}"),
    };
    notes.extend(
        text_notes
            .into_iter()
            .map(|note| format!("{label}: {note}")),
    );
    Part {
        headers,
        name,
        filename,
        content_type: content_type
            .map(|t| t.essence)
            .filter(|essence| !essence.is_empty()),
        body,
        text: (!decoded.looks_binary).then_some(decoded.text),
    }
}

fn first_header<'a>(headers: &'a [Header], name: &str) -> Option<&'a [u8]> {
    headers
        .iter()
        .find(|header| header.name.eq_ignore_ascii_case(name))
        .map(|header| header.value.as_slice())
}

/// The part's headers and where its body starts. A part whose first lines are not headers
/// is taken to have none, so its content is not lost.
fn read_headers(chunk: &[u8], number: usize, notes: &mut Vec<String>) -> (Vec<Header>, usize) {
    let mut headers: Vec<Header> = Vec::new();
    let mut skipped = 0;
    let mut line_start = 0;
    while line_start < chunk.len() {
        let line_end = chunk[line_start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(chunk.len(), |at| line_start + at);
        let next_line = (line_end + 1).min(chunk.len());
        let raw_line = &chunk[line_start..line_end];
        let line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
        if line.is_empty() {
            note_skipped(skipped, number, notes);
            return (headers, next_line);
        }
        let continuation = matches!(line.first(), Some(b' ' | b'\t'));
        if continuation && line_start > 0 {
            // Obsolete line folding: part of the previous header's value.
            if let Some(last) = headers.last_mut() {
                last.value.push(b' ');
                last.value.extend_from_slice(line.trim_ascii());
            }
        } else if let Some(header) = parse_header_line(line) {
            if headers.len() < MAX_PART_HEADERS {
                headers.push(header);
            } else {
                skipped += 1;
            }
        } else {
            notes.push(format!(
                "part {number} has no headers (its first line is not a header)"
            ));
            return (Vec::new(), 0);
        }
        line_start = line_end + 1;
    }
    note_skipped(skipped, number, notes);
    if !headers.is_empty() {
        notes.push(format!(
            "part {number} has no blank line after its headers, so its body is empty"
        ));
    }
    (headers, chunk.len())
}

fn note_skipped(skipped: usize, number: usize, notes: &mut Vec<String>) {
    if skipped > 0 {
        notes.push(format!(
            "part {number} has more than {MAX_PART_HEADERS} headers; {} skipped",
            plural(skipped, "header")
        ));
    }
}

fn parse_header_line(line: &[u8]) -> Option<Header> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name = line[..colon].trim_ascii_end();
    let is_token = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
    if name.is_empty() || !name.iter().all(is_token) {
        return None;
    }
    let name = String::from_utf8_lossy(name).into_owned();
    Some(Header::new(name, line[colon + 1..].trim_ascii()))
}

/// RFC 8187 `charset'language'percent-encoded`, e.g. `UTF-8''na%C3%AFve.txt`.
fn decode_extended_value(value: &str) -> Option<String> {
    let mut fields = value.splitn(3, '\'');
    let charset = fields.next()?;
    let _language = fields.next()?;
    let encoded = fields.next()?;
    let bytes = percent_decode(encoded.as_bytes());
    let encoding =
        encoding_rs::Encoding::for_label(charset.trim().as_bytes()).unwrap_or(encoding_rs::UTF_8);
    let (text, _) = encoding.decode_without_bom_handling(&bytes);
    Some(text.into_owned())
}

fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let hex = |at: usize| input.get(at).and_then(|&b| (b as char).to_digit(16));
        match (input[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_str(body: &[u8], boundary: &str) -> (Option<Vec<Part>>, Vec<String>) {
        let mut notes = Vec::new();
        let parts = split(&Bytes::copy_from_slice(body), boundary, &mut notes);
        (parts, notes)
    }

    #[test]
    fn two_fields_and_a_binary_file() {
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01";
        let mut body = Vec::new();
        body.extend_from_slice(b"preamble\r\n--XyZ\r\n");
        body.extend_from_slice(b"Content-Disposition: form-data; name=\"title\"\r\n\r\n");
        body.extend_from_slice(b"Hello\r\nworld\r\n--XyZ\r\n");
        body.extend_from_slice(b"Content-Disposition: form-data; name=\"count\"\r\n\r\n42\r\n");
        body.extend_from_slice(b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; ");
        body.extend_from_slice(b"filename=\"pic.png\"\r\nContent-Type: image/PNG\r\n\r\n");
        body.extend_from_slice(png);
        body.extend_from_slice(b"\r\n--XyZ--\r\nepilogue");
        let (parts, notes) = split_str(&body, "XyZ");
        let parts = parts.unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(parts.len(), 3);

        assert_eq!(parts[0].name.as_deref(), Some("title"));
        assert_eq!(parts[0].text.as_deref(), Some("Hello\r\nworld"));
        assert_eq!(parts[0].headers.len(), 1);
        assert_eq!(parts[0].headers[0].name, "Content-Disposition");
        assert_eq!(parts[1].name.as_deref(), Some("count"));
        assert_eq!(&parts[1].body[..], b"42");
        assert_eq!(parts[1].filename, None);

        assert_eq!(parts[2].name.as_deref(), Some("file"));
        assert_eq!(parts[2].filename.as_deref(), Some("pic.png"));
        assert_eq!(parts[2].content_type.as_deref(), Some("image/png"));
        assert_eq!(&parts[2].body[..], png);
        assert_eq!(parts[2].text, None);
    }

    #[test]
    fn lf_only_and_missing_close_are_tolerated() {
        let body = b"--b\nContent-Disposition: form-data; name=a\n\none\n--b\n\ntwo\nlines";
        let (parts, notes) = split_str(body, "b");
        let parts = parts.unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name.as_deref(), Some("a"));
        assert_eq!(parts[0].text.as_deref(), Some("one"));
        assert!(parts[1].headers.is_empty());
        assert_eq!(parts[1].text.as_deref(), Some("two\nlines"));
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("without the closing --b--"), "{notes:?}");
    }

    #[test]
    fn boundary_prefix_inside_content_is_not_a_boundary() {
        let body = b"--ab\r\n\r\n--abc is not a boundary\r\n--ab--\r\n";
        let parts = split_str(body, "ab").0.unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].text.as_deref(), Some("--abc is not a boundary"));
    }

    #[test]
    fn extended_filename_and_folded_headers() {
        let body = "--b\r\nContent-Disposition: form-data; name=\"f\";\r\n filename=\"fallback.txt\"; \
                    filename*=UTF-8''na%C3%AFve%20file.txt\r\n\r\nx\r\n--b--";
        let parts = split_str(body.as_bytes(), "b").0.unwrap();
        assert_eq!(parts[0].filename.as_deref(), Some("naïve file.txt"));
        assert_eq!(parts[0].headers.len(), 1);
    }

    #[test]
    fn part_without_headers_keeps_its_content() {
        let (parts, notes) = split_str(b"--b\r\njust content\r\n--b--", "b");
        let parts = parts.unwrap();
        assert_eq!(parts[0].text.as_deref(), Some("just content"));
        assert!(notes[0].contains("no headers"), "{notes:?}");
    }

    #[test]
    fn no_boundary_line_means_no_parts() {
        let (parts, notes) = split_str(b"hello there", "b");
        assert!(parts.is_none());
        assert!(
            notes[0].contains("no part starting with a --b line"),
            "{notes:?}"
        );
        let (parts, _) = split_str(b"--b--", "b");
        assert!(parts.is_none());
        let (parts, notes) = split_str(b"--x\r\n", &"x".repeat(500));
        assert!(parts.is_none());
        assert!(notes[0].contains("500 characters"), "{notes:?}");
    }

    #[test]
    fn part_count_is_capped() {
        let body = "--b\n".repeat(MAX_PARTS + 50);
        let (parts, notes) = split_str(body.as_bytes(), "b");
        assert_eq!(parts.unwrap().len(), MAX_PARTS);
        assert!(notes[0].contains("more than"), "{notes:?}");
    }
}
