//! Text helpers the vendor decoders share: one-line values, headlines and links.

use serde_json::Value;

use super::Field;

/// Adds a field when there is a value to show.
pub(super) fn push(fields: &mut Vec<Field>, label: &str, value: Option<String>) {
    if let Some(value) = value {
        fields.push(Field {
            label: label.into(),
            value,
        });
    }
}

/// A string value on one line, or None when absent, not a string or blank.
pub(super) fn line(value: Option<&Value>) -> Option<String> {
    let text = collapse(value?.as_str()?);
    (!text.is_empty()).then_some(text)
}

/// A number or a string as display text: ids and counts arrive either way.
pub(super) fn scalar(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Number(n) => Some(n.to_string()),
        other => line(Some(other)),
    }
}

/// Runs of whitespace, newlines included, become one space.
pub(super) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An http(s) URL with something after the scheme and nothing that would break a link.
pub(super) fn is_http(url: &str) -> bool {
    let has_scheme = |scheme: &str| {
        url.get(..scheme.len())
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(scheme))
    };
    let scheme_len = if has_scheme("http://") {
        7
    } else if has_scheme("https://") {
        8
    } else {
        return false;
    };
    url.len() > scheme_len && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `kind · part · part` for a list: parts cut to a readable length, the whole line too.
pub(super) fn headline(kind: &str, parts: &[Option<String>]) -> String {
    let mut out = collapse(kind);
    for part in parts.iter().flatten() {
        out.push_str(" · ");
        out.push_str(&clip(part, 72));
    }
    clip(&out, 120)
}

/// Cuts `text` to at most `max` characters ending in `…`, at a word boundary when one is
/// near enough that little is lost.
pub(super) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max - 1).collect();
    let kept = match kept.rfind(' ') {
        Some(space) if space >= kept.len() / 2 => &kept[..space],
        _ => kept.as_str(),
    };
    format!("{}…", kept.trim_end().trim_end_matches('·').trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_at_a_word_boundary() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("one two three four", 12), "one two…");
        assert_eq!(clip("abcdefghijkl", 6), "abcde…");
    }

    #[test]
    fn only_http_links() {
        assert!(is_http("https://app.bitdrift.io/x"));
        assert!(is_http("HTTP://example.com"));
        assert!(!is_http("https://"));
        assert!(!is_http("javascript:alert(1)"));
        assert!(!is_http("https://a b"));
    }
}
