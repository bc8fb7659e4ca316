//! What can be copied from a capture, and the text each item copies.

use serde_json::Value;

use super::{CopyError, curl_for_capture};
use crate::capture::Capture;
use crate::inspect::{Json, inspect};
use crate::units::format_bytes;
use crate::wire::checked_request_bytes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyItem {
    Body,
    PrettyBody,
    Headers,
    Curl,
    RawHttp,
    PointerValue,
}

impl CopyItem {
    /// In menu order.
    pub const ALL: [CopyItem; 6] = [
        CopyItem::Body,
        CopyItem::PrettyBody,
        CopyItem::Headers,
        CopyItem::Curl,
        CopyItem::RawHttp,
        CopyItem::PointerValue,
    ];

    /// The menu text.
    pub fn label(self) -> &'static str {
        match self {
            CopyItem::Body => "body as received",
            CopyItem::PrettyBody => "body, pretty-printed",
            CopyItem::Headers => "headers",
            CopyItem::Curl => "curl command",
            CopyItem::RawHttp => "raw HTTP request",
            CopyItem::PointerValue => "value at the finding's pointer",
        }
    }

    /// The key that picks it in the menu.
    pub fn key(self) -> char {
        match self {
            CopyItem::Body => 'b',
            CopyItem::PrettyBody => 'p',
            CopyItem::Headers => 'h',
            CopyItem::Curl => 'c',
            CopyItem::RawHttp => 'r',
            CopyItem::PointerValue => 'v',
        }
    }
}

/// The text `item` copies from `capture`; `pointer` is the JSON Pointer of the selected
/// finding, used by `PointerValue` only.
pub fn content(
    item: CopyItem,
    capture: &Capture,
    pointer: Option<&str>,
) -> Result<String, CopyError> {
    match item {
        CopyItem::Body => {
            if capture.body.is_empty() {
                return Err(CopyError::EmptyBody);
            }
            body_text(capture).map(str::to_owned)
        }
        CopyItem::PrettyBody => {
            if capture.body.is_empty() {
                return Err(CopyError::EmptyBody);
            }
            Ok(inspect(&capture.headers, &capture.body).body.render().text)
        }
        CopyItem::Headers => headers_text(capture),
        CopyItem::Curl => curl_for_capture(capture, None),
        CopyItem::RawHttp => {
            body_text(capture)?;
            let bytes =
                checked_request_bytes(capture).map_err(|reason| CopyError::UnsafeRequest {
                    id: capture.id,
                    reason,
                })?;
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        }
        CopyItem::PointerValue => pointer_value(capture, pointer.ok_or(CopyError::NoPointer)?),
    }
}

/// The body as received, when that is text: compressed or binary bytes are refused, since
/// a clipboard carries text (a NUL would cut it short in most programs).
fn body_text(capture: &Capture) -> Result<&str, CopyError> {
    let size = || format_bytes(capture.body.len() as u64);
    if let Some(coding) = compression(capture) {
        return Err(CopyError::CompressedBody {
            id: capture.id,
            coding,
            size: size(),
        });
    }
    match std::str::from_utf8(&capture.body) {
        Ok(text) if !text.contains('\0') => Ok(text),
        _ => Err(CopyError::BinaryBody {
            id: capture.id,
            size: size(),
        }),
    }
}

/// The first compressing coding `Content-Encoding` names; other names (`identity`, or a
/// charset sent there by mistake) leave the bytes as they are.
fn compression(capture: &Capture) -> Option<String> {
    const COMPRESSING: [&str; 7] = [
        "gzip",
        "x-gzip",
        "deflate",
        "br",
        "zstd",
        "compress",
        "x-compress",
    ];
    capture.header_values("content-encoding").find_map(|value| {
        String::from_utf8_lossy(value)
            .split(',')
            .map(|coding| coding.trim().to_ascii_lowercase())
            .find(|coding| COMPRESSING.contains(&coding.as_str()))
    })
}

/// `Name: value` lines in wire order, duplicates kept.
fn headers_text(capture: &Capture) -> Result<String, CopyError> {
    if capture.headers.is_empty() {
        return Err(CopyError::NoHeaders);
    }
    let mut text = String::new();
    for header in &capture.headers {
        text.push_str(&header.name);
        text.push_str(": ");
        text.push_str(&String::from_utf8_lossy(&header.value));
        text.push('\n');
    }
    Ok(text)
}

/// The value at `pointer` in the decoded body: a string as its text, anything else as
/// indented JSON.
fn pointer_value(capture: &Capture, pointer: &str) -> Result<String, CopyError> {
    let named = || {
        if pointer.is_empty() {
            "the root".to_owned()
        } else {
            pointer.to_owned()
        }
    };
    let inspection = crate::inspect::inspect_capture(capture);
    let document = match &inspection.json {
        Json::Parsed(value) => value,
        Json::NotJson => return Err(CopyError::NotJson { pointer: named() }),
        Json::Malformed(_) => return Err(CopyError::MalformedJson { pointer: named() }),
    };
    match document.pointer(pointer) {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(value) => {
            Ok(serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()))
        }
        None => Err(CopyError::NothingAtPointer { pointer: named() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Header;
    use bytes::Bytes;

    fn capture(headers: Vec<Header>, body: &[u8]) -> Capture {
        let mut capture = Capture::new("POST", "/in", headers, Bytes::copy_from_slice(body));
        capture.id = 42;
        capture
    }

    fn json(body: &str) -> Capture {
        capture(
            vec![
                Header::new("Host", "127.0.0.1:9"),
                Header::new("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        )
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn every_item_has_its_own_key_and_label() {
        let keys: Vec<char> = CopyItem::ALL.iter().map(|i| i.key()).collect();
        assert_eq!(keys, ['b', 'p', 'h', 'c', 'r', 'v']);
        assert_eq!(CopyItem::Curl.label(), "curl command");
    }

    #[test]
    fn the_body_is_copied_as_received_and_pretty() {
        let c = json(r#"{"a":[1,2]}"#);
        assert_eq!(content(CopyItem::Body, &c, None).unwrap(), r#"{"a":[1,2]}"#);
        let pretty = content(CopyItem::PrettyBody, &c, None).unwrap();
        assert!(pretty.contains("\n  \"a\": ["), "{pretty}");
    }

    #[test]
    fn binary_and_compressed_bodies_say_how_else_to_get_them() {
        let binary = capture(vec![], b"\x89PNG\r\n\x1a\n\0\0");
        let error = content(CopyItem::Body, &binary, None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the body is binary (10 B): copy the curl command instead, \
             or run `hookscope show 42 --body > file`"
        );
        assert!(matches!(
            content(CopyItem::RawHttp, &binary, None),
            Err(CopyError::BinaryBody { .. })
        ));
        let nul = capture(vec![], b"a\0b");
        assert!(content(CopyItem::Body, &nul, None).is_err());

        let headers = vec![
            Header::new("Content-Type", "application/json"),
            Header::new("Content-Encoding", "GZIP"),
        ];
        let zipped = capture(headers, &gzip(br#"{"a":"b"}"#));
        let error = content(CopyItem::Body, &zipped, None).unwrap_err();
        assert!(
            matches!(&error, CopyError::CompressedBody { coding, .. } if coding == "gzip"),
            "{error}"
        );
        assert!(!error.to_string().contains('\n'));
        // Decoded, it is text again.
        assert!(
            content(CopyItem::PrettyBody, &zipped, None)
                .unwrap()
                .contains("\"a\": \"b\"")
        );
        assert_eq!(
            content(CopyItem::PointerValue, &zipped, Some("/a")).unwrap(),
            "b"
        );
    }

    #[test]
    fn an_empty_body_has_nothing_to_copy() {
        let empty = capture(vec![], b"");
        assert_eq!(
            content(CopyItem::Body, &empty, None),
            Err(CopyError::EmptyBody)
        );
        assert_eq!(
            content(CopyItem::PrettyBody, &empty, None),
            Err(CopyError::EmptyBody)
        );
        assert_eq!(
            content(CopyItem::RawHttp, &empty, None).unwrap(),
            "POST /in HTTP/1.1\r\n\r\n"
        );
    }

    #[test]
    fn headers_are_lines_in_wire_order_with_duplicates() {
        let c = capture(
            vec![
                Header::new("X-B", "2"),
                Header::new("x-a", "1"),
                Header::new("X-B", b"\xffok".to_vec()),
            ],
            b"",
        );
        assert_eq!(
            content(CopyItem::Headers, &c, None).unwrap(),
            "X-B: 2\nx-a: 1\nX-B: \u{fffd}ok\n"
        );
        assert_eq!(
            content(CopyItem::Headers, &capture(vec![], b""), None),
            Err(CopyError::NoHeaders)
        );
    }

    #[test]
    fn the_curl_item_aims_where_the_request_was_sent() {
        let command = content(CopyItem::Curl, &json("{}"), None).unwrap();
        assert!(
            command.starts_with("curl --request POST 'http://127.0.0.1:9/in'"),
            "{command}"
        );
    }

    #[test]
    fn the_raw_request_is_the_wire_text() {
        let raw = content(CopyItem::RawHttp, &json("{}"), None).unwrap();
        assert_eq!(
            raw,
            "POST /in HTTP/1.1\r\nHost: 127.0.0.1:9\r\nContent-Type: application/json\r\n\r\n{}"
        );
    }

    #[test]
    fn pointer_values_are_text_for_strings_and_json_otherwise() {
        let c = json(r#"{"Event":{"Id":"ev-1","Tags":["a"],"N":3},"a/b":true}"#);
        let at = |pointer| content(CopyItem::PointerValue, &c, Some(pointer));
        assert_eq!(at("/Event/Id").unwrap(), "ev-1");
        assert_eq!(at("/Event/Tags").unwrap(), "[\n  \"a\"\n]");
        assert_eq!(at("/Event/N").unwrap(), "3");
        assert_eq!(at("/a~1b").unwrap(), "true");
        assert!(at("").unwrap().starts_with("{\n"));
        assert_eq!(
            at("/Event/Missing").unwrap_err().to_string(),
            "nothing at /Event/Missing in the body"
        );
    }

    #[test]
    fn pointer_errors_name_the_pointer() {
        let c = json("{}");
        assert_eq!(
            content(CopyItem::PointerValue, &c, None),
            Err(CopyError::NoPointer)
        );
        let text = capture(vec![Header::new("Content-Type", "text/plain")], b"hi");
        assert_eq!(
            content(CopyItem::PointerValue, &text, Some("/x"))
                .unwrap_err()
                .to_string(),
            "the body is not JSON, so there is no value at /x"
        );
        let broken = json("{\"a\":");
        assert_eq!(
            content(CopyItem::PointerValue, &broken, Some(""))
                .unwrap_err()
                .to_string(),
            "the body is not valid JSON, so there is no value at the root"
        );
    }
}
