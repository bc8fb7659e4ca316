//! Reading `Content-Type`-shaped header values: the media type essence and its parameters.
//! Header values are sender-controlled bytes, so everything here is lenient and lossy.

use crate::capture::Header;

/// `type/subtype; name=value; ...`, with the essence lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MediaType {
    pub essence: String,
    /// Parameter names lower-cased, values unquoted; in order, duplicates kept.
    pub params: Vec<(String, String)>,
}

impl MediaType {
    /// The first parameter with this (lower-case) name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Values of every header with this name (case-insensitive), in wire order.
pub(crate) fn header_values<'a>(
    headers: &'a [Header],
    name: &'a str,
) -> impl Iterator<Item = &'a [u8]> + 'a {
    headers
        .iter()
        .filter(move |h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_slice())
}

/// The first Content-Type header, parsed; notes when there are several that disagree or the
/// value is not a media type.
pub(crate) fn content_type(headers: &[Header], notes: &mut Vec<String>) -> Option<MediaType> {
    let mut values = header_values(headers, "content-type");
    let first = values.next()?;
    let parsed = parse(first);
    if values.any(|other| parse(other).essence != parsed.essence) {
        notes.push(format!(
            "several Content-Type headers disagree; using the first ({})",
            parsed.essence
        ));
    }
    if !parsed.essence.is_empty() && !parsed.essence.contains('/') {
        notes.push(format!(
            "Content-Type {:?} is not a media type (type/subtype); looking at the bytes instead",
            parsed.essence
        ));
    }
    Some(parsed)
}

/// Parses `essence; name=value; name="quoted \"value\""`.
pub(crate) fn parse(value: &[u8]) -> MediaType {
    let text = String::from_utf8_lossy(value);
    let (essence, mut rest) = match text.find(';') {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (&text[..], ""),
    };
    let mut params = Vec::new();
    while !rest.is_empty() {
        let (param, after) = next_param(rest);
        rest = after;
        if let Some(param) = param {
            params.push(param);
        }
    }
    MediaType {
        essence: essence.trim().to_ascii_lowercase(),
        params,
    }
}

/// Reads one `name=value` from the start of `input`; returns it and what follows its `;`.
fn next_param(input: &str) -> (Option<(String, String)>, &str) {
    let input = input.trim_start();
    let name_end = input.find(['=', ';']).unwrap_or(input.len());
    let name = input[..name_end].trim().to_ascii_lowercase();
    let after_name = &input[name_end..];
    let Some(after_equals) = after_name.strip_prefix('=') else {
        // A bare token (`; foo;`) carries no value; skip it.
        return (None, after_name.strip_prefix(';').unwrap_or(after_name));
    };
    let after_equals = after_equals.trim_start();
    let (value, rest) = if let Some(quoted) = after_equals.strip_prefix('"') {
        let (value, after_quote) = read_quoted(quoted);
        let rest = match after_quote.find(';') {
            Some(at) => &after_quote[at + 1..],
            None => "",
        };
        (value, rest)
    } else {
        match after_equals.find(';') {
            Some(at) => (
                after_equals[..at].trim().to_string(),
                &after_equals[at + 1..],
            ),
            None => (after_equals.trim().to_string(), ""),
        }
    };
    let param = (!name.is_empty()).then_some((name, value));
    (param, rest)
}

/// Reads a quoted string body (after the opening quote) up to its closing quote, or to the
/// end when it is never closed. Only `\"` and `\\` are unescaped: browsers do not escape
/// backslashes in file names, so `C:\dir\file` must survive.
fn read_quoted(input: &str) -> (String, &str) {
    let mut value = String::new();
    let mut chars = input.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return (value, &input[at + 1..]),
            '\\' if matches!(chars.peek(), Some((_, '"' | '\\'))) => {
                if let Some((_, escaped)) = chars.next() {
                    value.push(escaped);
                }
            }
            _ => value.push(c),
        }
    }
    (value, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_essence_and_params() {
        let parsed = parse(b" Application/JSON ; Charset=\"UTF-8\" ; q=1");
        assert_eq!(parsed.essence, "application/json");
        assert_eq!(parsed.param("charset"), Some("UTF-8"));
        assert_eq!(parsed.param("q"), Some("1"));
    }

    #[test]
    fn quoted_values_keep_semicolons_and_unescape_quotes() {
        let parsed = parse(br#"multipart/form-data; boundary="a;b \"c\""; x=y"#);
        assert_eq!(parsed.param("boundary"), Some(r#"a;b "c""#));
        assert_eq!(parsed.param("x"), Some("y"));
        let path = parse(br#"form-data; filename="C:\dir\file.txt""#);
        assert_eq!(path.param("filename"), Some(r"C:\dir\file.txt"));
    }

    #[test]
    fn tolerates_garbage() {
        let parsed = parse(b";;=;\xff\xfe; =x; bare; k=\"unterminated");
        assert_eq!(parsed.essence, "");
        assert_eq!(parsed.param("k"), Some("unterminated"));
        assert_eq!(parse(b"").essence, "");
    }

    #[test]
    fn notes_disagreeing_content_types() {
        let headers = [
            Header::new("Content-Type", "application/json"),
            Header::new("content-type", "text/plain"),
        ];
        let mut notes = Vec::new();
        let parsed = content_type(&headers, &mut notes).unwrap();
        assert_eq!(parsed.essence, "application/json");
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("disagree"));
    }
}
