//! Small readings of JSON values shared by the schema messages and the code checks.

use serde_json::Value;

/// `a string`, `a number`, ... for messages.
pub fn type_phrase(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// What was found, for "expected X; found Y": the type and, for scalars, the value itself
/// (strings quoted with JSON escapes, so control characters stay visible, and shortened).
pub fn found(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) => format!("a string ({})", quote(s)),
        Value::Array(items) => match items.len() {
            1 => "an array of 1 item".to_owned(),
            n => format!("an array of {n} items"),
        },
        Value::Object(_) => "an object".to_owned(),
    }
}

/// A string as a JSON literal, cut to a readable length.
pub fn quote(text: &str) -> String {
    const MAX_CHARS: usize = 60;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => {
            let mut quoted = serde_json::to_string(&text[..cut]).unwrap_or_default();
            quoted.insert(quoted.len() - 1, '…');
            quoted
        }
        None => serde_json::to_string(text).unwrap_or_default(),
    }
}

/// `Value::pointer` without its allocation per token, for the fixed pointers (no `~`
/// escapes) that checks and decoders look up for every capture.
pub fn at<'a>(value: &'a Value, pointer: &str) -> Option<&'a Value> {
    debug_assert!(
        !pointer.contains('~'),
        "escaped pointers need Value::pointer"
    );
    pointer
        .split('/')
        .skip(1)
        .try_fold(value, |value, token| match value {
            Value::Object(map) => map.get(token),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        })
}

/// A scalar as it appears in JSON (strings quoted and shortened), or its type for containers.
pub fn quote_value(value: &Value) -> String {
    match value {
        Value::String(s) => quote(s),
        Value::Array(_) | Value::Object(_) => type_phrase(value).to_owned(),
        scalar => scalar.to_string(),
    }
}

/// A JSON integer literal (`-?(0|[1-9][0-9]*)`), the form a number takes when a sender
/// serialises it as a string.
pub fn is_integer_literal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    match digits.as_bytes() {
        [] => false,
        [b'0'] => true,
        [b'0', ..] => false,
        bytes => bytes.iter().all(u8::is_ascii_digit),
    }
}

/// A JSON number literal: an integer literal with an optional fraction and exponent.
pub fn is_number_literal(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let (integer, fraction) = match mantissa.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (mantissa, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    is_integer_literal(integer)
        && fraction.is_none_or(digits)
        && exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)))
}

/// An integer sent either as a JSON number or as a numeric string.
pub fn integer_like(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if is_integer_literal(s) => s.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn literals() {
        for yes in ["0", "-7", "42", "9007199254740993"] {
            assert!(is_integer_literal(yes), "{yes}");
        }
        for no in ["", "-", "01", "+1", "1.0", " 1", "1e3", "x"] {
            assert!(!is_integer_literal(no), "{no}");
        }
        for yes in ["1.5", "-0.25", "1e3", "2E-4", "10"] {
            assert!(is_number_literal(yes), "{yes}");
        }
        for no in ["1.", ".5", "1e", "01.5", "NaN", "1,5"] {
            assert!(!is_number_literal(no), "{no}");
        }
    }

    #[test]
    fn found_names_type_and_value_with_escapes_visible() {
        assert_eq!(found(&json!(42)), "a number (42)");
        assert_eq!(found(&json!("a\u{1b}b")), r#"a string ("a\u001bb")"#);
        assert_eq!(found(&json!([1, 2])), "an array of 2 items");
        let long = "x".repeat(100);
        assert_eq!(quote(&long).chars().count(), 60 + 3);
        assert!(quote(&long).ends_with("…\""));
    }

    #[test]
    fn at_follows_objects_and_arrays() {
        let value = json!({"a": {"b": [10, {"c": true}]}});
        assert_eq!(at(&value, "/a/b/1/c"), Some(&json!(true)));
        assert_eq!(at(&value, "/a/b/0"), Some(&json!(10)));
        assert_eq!(at(&value, ""), Some(&value));
        assert_eq!(at(&value, "/a/x"), None);
        assert_eq!(at(&value, "/a/b/9"), None);
    }

    #[test]
    fn integers_from_numbers_and_numeric_strings() {
        assert_eq!(integer_like(&json!(3)), Some(3));
        assert_eq!(integer_like(&json!("3")), Some(3));
        assert_eq!(integer_like(&json!("03")), None);
        assert_eq!(integer_like(&json!(1.5)), None);
    }
}
