//! Choosing a format: from the declared media type when it is specific, otherwise from the
//! body's text.

use super::Format;
use super::form;

/// What a declared media type says about the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Declared {
    Json,
    Xml,
    Html,
    Form,
    Multipart,
    Text,
    /// Missing, `application/octet-stream` or anything else that does not name a format this
    /// module shows specially: look at the bytes.
    Generic,
}

pub(crate) fn classify_declared(essence: Option<&str>) -> Declared {
    let Some((top, sub)) = essence.and_then(|essence| essence.split_once('/')) else {
        return Declared::Generic;
    };
    match (top, sub) {
        ("application" | "text", "json") => Declared::Json,
        (_, sub) if sub.ends_with("+json") => Declared::Json,
        ("text", "html") => Declared::Html,
        ("application" | "text", "xml") => Declared::Xml,
        (_, sub) if sub.ends_with("+xml") => Declared::Xml,
        ("application", "x-www-form-urlencoded") => Declared::Form,
        ("multipart", _) => Declared::Multipart,
        ("text", _) => Declared::Text,
        _ => Declared::Generic,
    }
}

/// The format of a body already known to be text.
pub(crate) fn sniff_text(text: &str, cut_at_limit: bool) -> Format {
    let start = text.trim_start();
    match start.as_bytes().first() {
        Some(b'{' | b'[') if is_json(text, cut_at_limit) => Format::Json,
        Some(b'<') => markup_format(start).unwrap_or(Format::Text),
        _ if form::looks_like_form(text) => Format::Form,
        _ => Format::Text,
    }
}

/// Whether `text` is a JSON object or array. A body cut at the display limit cannot parse, so
/// then the opening bracket is taken as enough.
pub(crate) fn is_json(text: &str, cut_at_limit: bool) -> bool {
    let starts_like_json = matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'['));
    starts_like_json
        && (cut_at_limit || serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok())
}

/// XML or HTML for text starting with `<`, by its first markup.
fn markup_format(start: &str) -> Option<Format> {
    let head: String = start
        .chars()
        .take(16)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let html = ["<!doctype html", "<html", "<head", "<body"];
    if html.iter().any(|prefix| head.starts_with(prefix)) {
        return Some(Format::Html);
    }
    let second = head.chars().nth(1)?;
    (second.is_alphabetic() || matches!(second, '_' | ':' | '!' | '?')).then_some(Format::Xml)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types() {
        let table = [
            ("application/json", Declared::Json),
            ("application/vnd.github+json", Declared::Json),
            ("application/cloudevents+json", Declared::Json),
            ("application/xml", Declared::Xml),
            ("text/xml", Declared::Xml),
            ("application/atom+xml", Declared::Xml),
            ("text/html", Declared::Html),
            ("application/x-www-form-urlencoded", Declared::Form),
            ("multipart/form-data", Declared::Multipart),
            ("multipart/mixed", Declared::Multipart),
            ("text/plain", Declared::Text),
            ("text/csv", Declared::Text),
            ("application/octet-stream", Declared::Generic),
            ("image/png", Declared::Generic),
            ("json", Declared::Generic),
            ("", Declared::Generic),
        ];
        for (essence, expected) in table {
            assert_eq!(classify_declared(Some(essence)), expected, "{essence}");
        }
        assert_eq!(classify_declared(None), Declared::Generic);
    }

    #[test]
    fn sniffing_table() {
        let table = [
            ("  {\"a\": [1, 2]}\n", Format::Json),
            ("[1,2,3]", Format::Json),
            ("{not json", Format::Text),
            ("[INFO] started", Format::Text),
            ("<?xml version=\"1.0\"?><a/>", Format::Xml),
            ("<note><to>x</to></note>", Format::Xml),
            ("<!DOCTYPE html><html></html>", Format::Html),
            ("\n<HTML><body>hi</body></HTML>", Format::Html),
            ("<3 you", Format::Text),
            ("a=1&b=two+words&c=%20", Format::Form),
            ("token=abc123\n", Format::Form),
            ("hello world", Format::Text),
            ("a = b", Format::Text),
        ];
        for (text, expected) in table {
            assert_eq!(sniff_text(text, false), expected, "{text:?}");
        }
    }

    #[test]
    fn cut_json_is_still_json() {
        assert_eq!(sniff_text("{\"a\": [1, 2", false), Format::Text);
        assert_eq!(sniff_text("{\"a\": [1, 2", true), Format::Json);
    }
}
