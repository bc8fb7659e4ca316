//! The body every error answer carries, `{"ok":false,"error":"…"}`, whether the handler
//! writes it through hyper or the connection writes it before hyper could.

use http::StatusCode;

pub fn body(message: &str) -> String {
    let message = serde_json::Value::from(message);
    format!(r#"{{"ok":false,"error":{message}}}"#)
}

/// A complete HTTP/1.1 answer that closes the connection.
pub fn raw_response(status: StatusCode, message: &str) -> Vec<u8> {
    let body = body(message);
    format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_answer_is_a_whole_http1_response() {
        let answer = raw_response(StatusCode::HTTP_VERSION_NOT_SUPPORTED, "say \"1.1\"");
        let text = String::from_utf8(answer).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 505 HTTP Version Not Supported\r\n"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        assert_eq!(body, r#"{"ok":false,"error":"say \"1.1\""}"#);
    }
}
