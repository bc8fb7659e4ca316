//! A capture written back as an HTTP/1.1 request message: what `show --raw` prints and what
//! replay sends.

use crate::capture::Capture;

/// The request as it came on the wire. Headers and body are exact; a chunked body is sent
/// again as one chunk (chunk boundaries are not kept), which any HTTP/1.1 peer reads the same.
pub fn request_bytes(capture: &Capture) -> Vec<u8> {
    let mut out = Vec::with_capacity(capture.body.len() + 512);
    let version = match capture.version.as_str() {
        v if v.starts_with("HTTP/1") => v,
        _ => "HTTP/1.1",
    };
    out.extend_from_slice(format!("{} {} {version}\r\n", capture.method, capture.uri).as_bytes());
    for header in &capture.headers {
        out.extend_from_slice(header.name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(&header.value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if is_chunked(capture) {
        if !capture.body.is_empty() {
            out.extend_from_slice(format!("{:x}\r\n", capture.body.len()).as_bytes());
            out.extend_from_slice(&capture.body);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\n\r\n");
    } else {
        out.extend_from_slice(&capture.body);
    }
    out
}

fn is_chunked(capture: &Capture) -> bool {
    capture
        .header_values("transfer-encoding")
        .filter_map(|v| std::str::from_utf8(v).ok())
        .flat_map(|v| v.split(','))
        .any(|coding| coding.trim().eq_ignore_ascii_case("chunked"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Header;
    use bytes::Bytes;

    fn capture(headers: Vec<Header>, body: &'static [u8]) -> Capture {
        Capture {
            id: 1,
            received_at: chrono::Utc::now(),
            peer: "127.0.0.1:1".into(),
            method: "PATCH".into(),
            uri: "/a?b".into(),
            version: "HTTP/1.1".into(),
            headers,
            body: Bytes::from_static(body),
            response_status: 200,
            verdict: None,
        }
    }

    #[test]
    fn writes_request_line_headers_and_body() {
        let c = capture(vec![Header::new("Content-Length", "2")], b"hi");
        assert_eq!(
            request_bytes(&c),
            b"PATCH /a?b HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi"
        );
    }

    #[test]
    fn rechunks_a_chunked_body() {
        let c = capture(vec![Header::new("Transfer-Encoding", "chunked")], b"hello");
        assert!(request_bytes(&c).ends_with(b"\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
    }
}
