//! Secrets that came with a webhook (credentials, session cookies, API keys, signatures,
//! the token Octopus repeats in its payload), masked wherever a capture is shown or
//! exported: screens get shared, and HAR files with live session tokens in them are a known
//! way in. What is stored, replayed and forwarded is always exactly what arrived.
//!
//! A masked value keeps what helps debugging (an `Authorization` scheme, cookie names and
//! attributes, how long the value was) and hides the rest behind [`MASK`].

use std::borrow::Cow;

use crate::capture::{Capture, Header};

/// What stands in for a secret. ASCII, so it reads the same in a terminal, JSON and HAR.
pub const MASK: &str = "********";

/// Header names that always carry credentials.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "apikey",
];

/// Words that make a header or parameter name look like it holds a token, key or secret.
const SECRET_WORDS: &[&str] = &[
    "token",
    "secret",
    "signature",
    "password",
    "passwd",
    "apikey",
    "api-key",
    "api_key",
    "credential",
];

/// Query parameter names that are secrets on their own (short ones that words would miss).
const SECRET_PARAMS: &[&str] = &["key", "sig", "auth", "pass", "pwd", "session"];

/// Whether a header's value is masked.
pub fn is_secret_header(name: &str) -> bool {
    named_like_secret(name, SECRET_HEADERS)
}

/// Whether a query parameter's value is masked.
pub fn is_secret_param(name: &str) -> bool {
    named_like_secret(name, SECRET_PARAMS)
}

/// One of `exact`, a name with a secret's word in it, or one ending in a key.
fn named_like_secret(name: &str, exact: &[&str]) -> bool {
    let lower = name.to_ascii_lowercase();
    exact.contains(&lower.as_str())
        || SECRET_WORDS.iter().any(|word| lower.contains(word))
        || lower.ends_with("-key")
        || lower.ends_with("_key")
}

/// The value to show for a header: unchanged unless its name is a secret's.
pub fn header_value<'a>(name: &str, value: &'a [u8]) -> Cow<'a, [u8]> {
    if !is_secret_header(name) || value.is_empty() {
        return Cow::Borrowed(value);
    }
    let lower = name.to_ascii_lowercase();
    let text = String::from_utf8_lossy(value);
    let masked = match lower.as_str() {
        "authorization" | "proxy-authorization" => credentials(&text),
        "cookie" => cookies(&text),
        "set-cookie" => set_cookie(&text),
        _ => MASK.to_owned(),
    };
    Cow::Owned(masked.into_bytes())
}

/// Headers as shown: every secret's value masked.
pub fn headers(headers: &[Header]) -> Vec<Header> {
    headers
        .iter()
        .map(|h| Header::new(h.name.clone(), header_value(&h.name, &h.value).into_owned()))
        .collect()
}

/// `Bearer eyJ…` → `Bearer ********`: which scheme was used is what people debug.
fn credentials(value: &str) -> String {
    match value.trim().split_once(' ') {
        Some((scheme, rest)) if !rest.trim().is_empty() => format!("{scheme} {MASK}"),
        _ => MASK.to_owned(),
    }
}

/// `session=abc; theme=dark` → `session=********; theme=********`: names stay.
fn cookies(value: &str) -> String {
    value
        .split(';')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) => format!("{name}={MASK}"),
            None => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// `id=abc; Path=/; HttpOnly` → `id=********; Path=/; HttpOnly`: only the value is secret.
fn set_cookie(value: &str) -> String {
    match value.split_once(';') {
        Some((first, attributes)) => format!("{};{attributes}", cookies(first)),
        None => cookies(value),
    }
}

/// A query string with secret parameters' values masked; names, order and the other
/// values stay as they were written (not decoded and encoded again).
pub fn query(query: &str) -> Cow<'_, str> {
    let masks = query.split('&').any(|pair| {
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        pair.contains('=') && is_secret_param(&decoded(name))
    });
    if !masks {
        return Cow::Borrowed(query);
    }
    Cow::Owned(
        query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, value)) if is_secret_param(&decoded(name)) && !value.is_empty() => {
                    format!("{name}={MASK}")
                }
                _ => pair.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("&"),
    )
}

fn decoded(name: &str) -> String {
    form_urlencoded::parse(name.as_bytes())
        .next()
        .map(|(name, _)| name.into_owned())
        .unwrap_or_default()
}

/// A request target (`/path?query`) with its query masked.
pub fn target(target: &str) -> Cow<'_, str> {
    match target.split_once('?') {
        Some((path, q)) => match query(q) {
            Cow::Borrowed(_) => Cow::Borrowed(target),
            Cow::Owned(q) => Cow::Owned(format!("{path}?{q}")),
        },
        None => Cow::Borrowed(target),
    }
}

/// JSON body fields that hold a secret, by name: Octopus repeats the value of the header
/// it authenticates with (`WebhookHeaderValue`) in every payload.
const SECRET_FIELDS: &[&str] = &["WebhookHeaderValue"];

/// A body with the string values of secret fields masked, byte for byte otherwise: the
/// field is found in the raw text, so nothing else about the body changes.
pub fn body(body: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    for field in SECRET_FIELDS {
        let current = out.as_deref().unwrap_or(body);
        if let Some(masked) = mask_field(current, field) {
            out = Some(masked);
        }
    }
    match out {
        Some(masked) => Cow::Owned(masked),
        None => Cow::Borrowed(body),
    }
}

/// Every `"field": "value"` in `text` with the value's bytes replaced by `*`; `None` when
/// there is none.
fn mask_field(text: &[u8], field: &str) -> Option<Vec<u8>> {
    let key = format!("\"{field}\"");
    let finder = memchr::memmem::Finder::new(key.as_bytes());
    let mut out = Vec::with_capacity(text.len());
    let mut copied = 0;
    let mut masked = false;
    for found in finder.find_iter(text) {
        if found < copied {
            continue;
        }
        let mut at = found + key.len();
        at = skip_space(text, at);
        if text.get(at) != Some(&b':') {
            continue;
        }
        at = skip_space(text, at + 1);
        if text.get(at) != Some(&b'"') {
            continue;
        }
        let Some(end) = string_end(text, at + 1) else {
            continue;
        };
        if end == at + 1 {
            continue;
        }
        out.extend_from_slice(&text[copied..=at]);
        // As long as the value was, so the body's size and its Content-Length still agree.
        out.resize(out.len() + (end - at - 1), b'*');
        copied = end;
        masked = true;
    }
    masked.then(|| {
        out.extend_from_slice(&text[copied..]);
        out
    })
}

fn skip_space(text: &[u8], mut at: usize) -> usize {
    while text.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
        at += 1;
    }
    at
}

/// Where the JSON string starting at `from` (just after its opening quote) ends: the index
/// of its closing quote.
fn string_end(text: &[u8], mut from: usize) -> Option<usize> {
    while from < text.len() {
        match text[from] {
            b'\\' => from += 2,
            b'"' => return Some(from),
            _ => from += 1,
        }
    }
    None
}

/// A list row as it may be shown: its query's secret parameters masked.
pub fn summary(summary: &mut crate::capture::CaptureSummary) {
    if let Some(query) = &summary.query
        && let Cow::Owned(masked) = self::query(query)
    {
        summary.query = Some(masked);
    }
}

/// A capture as it may be shown: secret header values, query parameters and body fields
/// masked. The id, sizes and everything else stay.
pub fn capture(capture: &Capture) -> Capture {
    Capture {
        uri: target(&capture.uri).into_owned(),
        headers: headers(&capture.headers),
        body: match body(&capture.body) {
            Cow::Borrowed(_) => capture.body.clone(),
            Cow::Owned(masked) => bytes::Bytes::from(masked),
        },
        ..capture.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(name: &str, value: &str) -> String {
        String::from_utf8(header_value(name, value.as_bytes()).into_owned()).unwrap()
    }

    #[test]
    fn credentials_keep_their_scheme_and_nothing_else() {
        assert_eq!(
            shown("Authorization", "Bearer eyJhbGciOi.x.y"),
            "Bearer ********"
        );
        assert_eq!(
            shown("proxy-authorization", "Basic dXNlcjpwYXNz"),
            "Basic ********"
        );
        assert_eq!(shown("Authorization", "s3cr3t"), "********");
    }

    #[test]
    fn cookies_keep_their_names_and_attributes() {
        assert_eq!(
            shown("Cookie", "session=abc123; theme=dark"),
            "session=********; theme=********"
        );
        assert_eq!(
            shown(
                "Set-Cookie",
                "id=a3fWa; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly"
            ),
            "id=********; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly"
        );
    }

    #[test]
    fn names_that_look_like_tokens_keys_or_secrets_are_masked() {
        for name in [
            "X-Api-Key",
            "X-Auth-Token",
            "X-Webhook-Secret",
            "Stripe-Signature",
            "X-Hub-Signature-256",
            "webhook-signature",
            "X-Shopify-Access-Token",
            "X-Client-Key",
        ] {
            assert_eq!(shown(name, "value"), MASK, "{name}");
        }
        for name in [
            "Content-Type",
            "User-Agent",
            "X-Request-Id",
            "Keep-Alive",
            "X-Octopus-Event",
        ] {
            assert_eq!(shown(name, "value"), "value", "{name}");
        }
    }

    #[test]
    fn secret_query_parameters_are_masked_where_they_stand() {
        assert_eq!(
            target("/hook?id=7&token=abc&api_key=k&sig=s&x=1"),
            "/hook?id=7&token=********&api_key=********&sig=********&x=1"
        );
        assert_eq!(
            target("/hook?access%5Ftoken=abc"),
            "/hook?access%5Ftoken=********"
        );
        assert!(matches!(target("/hook?id=7&page=2"), Cow::Borrowed(_)));
        assert!(matches!(target("/hook"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_octopus_header_value_is_masked_and_nothing_else_in_the_body_moves() {
        let body = br#"{"Payload":{"Subscription":{"WebhookHeaderKey":"X-Token", "WebhookHeaderValue" : "s3cr\"et","Name":"n"}}}"#;
        let masked = super::body(body);
        assert_eq!(masked.len(), body.len(), "the size stays");
        assert_eq!(
            std::str::from_utf8(&masked).unwrap(),
            r#"{"Payload":{"Subscription":{"WebhookHeaderKey":"X-Token", "WebhookHeaderValue" : "********","Name":"n"}}}"#
        );
        let plain = br#"{"WebhookHeaderValue":null,"x":"WebhookHeaderValue"}"#;
        assert!(matches!(super::body(plain), Cow::Borrowed(_)));
    }

    #[test]
    fn a_masked_capture_keeps_what_is_not_secret() {
        let original = Capture {
            id: 4,
            received_at: chrono::Utc::now(),
            peer: "127.0.0.1:1".into(),
            method: "POST".into(),
            uri: "/h?token=t".into(),
            version: "HTTP/1.1".into(),
            headers: vec![
                Header::new("Authorization", b"Bearer t"),
                Header::new("Content-Type", b"application/json"),
            ],
            body: bytes::Bytes::from_static(b"{}"),
            response_status: 200,
            unauthenticated: false,
            verdict: None,
        };
        let masked = capture(&original);
        assert_eq!(masked.uri, "/h?token=********");
        assert_eq!(masked.headers[0].value, b"Bearer ********");
        assert_eq!(masked.headers[1], original.headers[1]);
        assert_eq!(masked.body, original.body);
        assert_eq!(masked.id, 4);
    }
}
