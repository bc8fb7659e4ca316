//! `application/x-www-form-urlencoded` bodies: decoding the pairs and recognising the shape.

/// More pairs than any real form holds. Each pair costs two allocations, so a body of
/// `&&&&...` must not turn into millions of them.
pub(crate) const MAX_PAIRS: usize = 100_000;

/// The decoded pairs in order, duplicates kept; `+` is a space and bad percent-escapes stay as
/// they are (what `form_urlencoded` does).
pub(crate) fn pairs(body: &[u8], notes: &mut Vec<String>) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(body)
        .take(MAX_PAIRS + 1)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    if pairs.len() > MAX_PAIRS {
        pairs.truncate(MAX_PAIRS);
        notes.push(format!(
            "the form has more than {MAX_PAIRS} fields; only the first {MAX_PAIRS} are listed"
        ));
    }
    pairs
}

/// `name=value&name=value` with URL-safe names and no spaces (a trailing newline allowed).
pub(crate) fn looks_like_form(text: &str) -> bool {
    let text = text.trim_end();
    if text.is_empty() || !text.contains('=') {
        return false;
    }
    let allowed = |b: u8| b.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&b);
    if !text.bytes().all(allowed) {
        return false;
    }
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .all(|pair| match pair.split_once('=') {
            Some((name, _)) => {
                !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._~%+*[]".contains(&b))
            }
            None => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_decoded_in_order_with_duplicates() {
        let mut notes = Vec::new();
        let pairs = pairs(b"a=1&b=two+words&a=%E2%9C%93&empty=&flag", &mut notes);
        let expected = [
            ("a", "1"),
            ("b", "two words"),
            ("a", "✓"),
            ("empty", ""),
            ("flag", ""),
        ];
        assert_eq!(pairs, expected.map(|(n, v)| (n.to_string(), v.to_string())));
        assert!(notes.is_empty());
    }

    #[test]
    fn pair_count_is_capped() {
        let body = "x=1&".repeat(MAX_PAIRS + 10);
        let mut notes = Vec::new();
        assert_eq!(pairs(body.as_bytes(), &mut notes).len(), MAX_PAIRS);
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn form_shape() {
        assert!(looks_like_form("a=b&c=d"));
        assert!(looks_like_form("payload=%7B%22a%22%3A1%7D\n"));
        assert!(looks_like_form("items[0]=x&items[1]=y&"));
        assert!(!looks_like_form("a=b c"));
        assert!(!looks_like_form("just text"));
        assert!(!looks_like_form("=value"));
        assert!(!looks_like_form("a=b&plain"));
        assert!(!looks_like_form("{\"a\"=1}"));
        assert!(!looks_like_form(""));
    }
}
