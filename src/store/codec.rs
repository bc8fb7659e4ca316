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
    decode_headers_into(block, &mut headers);
    headers
}

/// [`decode_headers`] into `headers`, reusing the strings it already holds: a filter scan
/// decodes one block per capture, and allocating afresh for each was a fifth of its time.
pub fn decode_headers_into(block: &[u8], headers: &mut Vec<Header>) {
    let mut count = 0;
    let mut rest = block;
    while !rest.is_empty() {
        let (line, next) = match memchr::memmem::find(rest, b"\r\n") {
            Some(end) => (&rest[..end], &rest[end + 2..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        let Some(colon) = memchr::memchr(b':', line) else {
            continue;
        };
        let value = &line[colon + 1..];
        let value = value.strip_prefix(b" ").unwrap_or(value);
        if count == headers.len() {
            headers.push(Header::new(String::new(), Vec::new()));
        }
        let header = &mut headers[count];
        header.name.clear();
        header
            .name
            .push_str(&String::from_utf8_lossy(&line[..colon]));
        header.value.clear();
        header.value.extend_from_slice(value);
        count += 1;
    }
    headers.truncate(count);
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
    fn decoding_into_a_used_list_leaves_nothing_of_the_old_one() {
        let mut headers = vec![Header::new("Old-Name-That-Is-Long", "old value"); 3];
        decode_headers_into(b"A: 1\r\nB: \xff\r\n", &mut headers);
        assert_eq!(
            headers,
            [Header::new("A", "1"), Header::new("B", b"\xff".to_vec())]
        );
        decode_headers_into(b"", &mut headers);
        assert!(headers.is_empty());
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
