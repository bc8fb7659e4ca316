//! The header block as stored: `Name: value\r\n` per header, in wire order.
//!
//! It is the HTTP/1 header section itself, so `CAST(headers AS TEXT)` reads naturally in the
//! sqlite3 shell. It is lossless because names never contain `:` and values never contain CR or
//! LF (the listener's parser guarantees both; imports are checked with [`check_header`]).

use crate::capture::Header;

pub fn encode_headers(headers: &[Header]) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        headers
            .iter()
            .map(|h| h.name.len() + h.value.len() + 4)
            .sum(),
    );
    for header in headers {
        out.extend_from_slice(header.name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(&header.value);
        out.extend_from_slice(b"\r\n");
    }
    out
}

pub fn decode_headers(block: &[u8]) -> Vec<Header> {
    let mut headers = Vec::new();
    let mut rest = block;
    while !rest.is_empty() {
        let (line, next) = match find(rest, b"\r\n") {
            Some(end) => (&rest[..end], &rest[end + 2..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let value = &line[colon + 1..];
        let value = value.strip_prefix(b" ").unwrap_or(value);
        headers.push(Header {
            name: String::from_utf8_lossy(&line[..colon]).into_owned(),
            value: value.to_vec(),
        });
    }
    headers
}

/// Why a header cannot be stored, if it cannot: the name must be an HTTP token and the value
/// must not contain CR, LF or NUL.
pub fn check_header(header: &Header) -> Result<(), String> {
    if header.name.is_empty() || !header.name.bytes().all(is_token_byte) {
        return Err(format!(
            "header name {:?} is not a valid HTTP field name",
            header.name
        ));
    }
    if header.value.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)) {
        return Err(format!(
            "header {:?} has a value containing CR, LF or NUL",
            header.name
        ));
    }
    Ok(())
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_order_duplicates_and_raw_bytes() {
        let headers = vec![
            Header::new("X-B", "2"),
            Header::new("x-a", "1"),
            Header::new("X-B", "3"),
            Header::new("X-Latin1", vec![b'c', 0xe9, b'!']),
            Header::new("Empty", ""),
            Header::new("Spaced", "  leading: colon"),
        ];
        assert_eq!(decode_headers(&encode_headers(&headers)), headers);
    }

    #[test]
    fn block_reads_as_http() {
        let block = encode_headers(&[Header::new("Host", "a"), Header::new("Accept", "*/*")]);
        assert_eq!(block, b"Host: a\r\nAccept: */*\r\n");
    }

    #[test]
    fn rejects_what_would_break_the_block() {
        assert!(check_header(&Header::new("Bad Name", "v")).is_err());
        assert!(check_header(&Header::new("With:Colon", "v")).is_err());
        assert!(check_header(&Header::new("", "v")).is_err());
        assert!(check_header(&Header::new("X", "a\r\nInjected: 1")).is_err());
        assert!(check_header(&Header::new("X-Ok", "any \u{e9} bytes")).is_ok());
    }
}
