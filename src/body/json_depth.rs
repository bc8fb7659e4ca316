//! Telling JSON that nests too deep from JSON that is broken. serde_json builds a `Value` only
//! up to [`MAX_JSON_DEPTH`] levels and reports deeper input as "recursion limit exceeded",
//! although it may be perfectly valid: hookscope must not call such a body invalid. Everything
//! here loops over the bytes, so a hostile depth costs no stack.

use std::fmt;

use serde::de::IgnoredAny;

use crate::units::group_digits;

/// The deepest nesting serde_json builds a `Value` for (its recursion limit, 128, is reached
/// when the 128th container opens). The pretty-printer stops at the same depth, so one number
/// holds everywhere.
pub const MAX_JSON_DEPTH: usize = 127;

/// Why no `Value` could be read from a text.
#[derive(Debug)]
pub enum JsonProblem {
    /// Valid JSON, nested deeper than [`MAX_JSON_DEPTH`].
    TooDeep { depth: usize },
    /// Not valid JSON; serde_json's error says where.
    Malformed(serde_json::Error),
}

impl fmt::Display for JsonProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonProblem::TooDeep { depth } => write!(
                f,
                "valid JSON, but nested {} levels deep; hookscope reads up to {MAX_JSON_DEPTH} \
                 levels, so it was not checked",
                group_digits(*depth as u64)
            ),
            JsonProblem::Malformed(error) => write!(f, "not valid JSON: {error}"),
        }
    }
}

/// Why serde_json could not read a `Value` from `text` (`error` is what it said). Within the
/// depth limit its message is the true one. Deeper, it only says "recursion limit exceeded":
/// skipping a value (`IgnoredAny`) keeps its own heap stack instead of recursing, so it checks
/// the syntax at any depth and says where it breaks, if it does.
pub fn json_problem(text: &str, error: serde_json::Error) -> JsonProblem {
    let depth = max_depth(text);
    if depth <= MAX_JSON_DEPTH {
        return JsonProblem::Malformed(error);
    }
    match serde_json::from_str::<IgnoredAny>(text) {
        Ok(_) => JsonProblem::TooDeep { depth },
        Err(syntax) => JsonProblem::Malformed(syntax),
    }
}

/// How deep arrays and objects nest in `text`, brackets inside strings left out. Meant for
/// valid JSON; on anything else it still ends, with some number.
pub(crate) fn max_depth(text: &str) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in text.as_bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    }

    fn problem(text: &str) -> JsonProblem {
        let error = serde_json::from_str::<serde_json::Value>(text).unwrap_err();
        json_problem(text, error)
    }

    #[test]
    fn depth_leaves_out_brackets_in_strings() {
        assert_eq!(max_depth("1"), 0);
        assert_eq!(max_depth(r#"{"a":[1,{"b":[]}]}"#), 4);
        assert_eq!(max_depth(r#"["[[[\"[[", {"}}}": "\\"}]"#), 2);
    }

    #[test]
    fn the_limit_is_serde_json_s() {
        assert!(serde_json::from_str::<serde_json::Value>(&nested(MAX_JSON_DEPTH)).is_ok());
        let just_over = nested(MAX_JSON_DEPTH + 1);
        assert!(matches!(
            problem(&just_over),
            JsonProblem::TooDeep { depth: 128 }
        ));
    }

    #[test]
    fn a_million_levels_cost_no_stack() {
        let text = nested(1_000_000);
        assert_eq!(
            problem(&text).to_string(),
            "valid JSON, but nested 1,000,000 levels deep; hookscope reads up to 127 levels, \
             so it was not checked"
        );
    }

    #[test]
    fn broken_json_is_malformed_whatever_its_depth() {
        let deep_and_broken = format!("{}x{}", "[".repeat(300), "]".repeat(300));
        assert_eq!(
            problem(&deep_and_broken).to_string(),
            "not valid JSON: expected value at line 1 column 301"
        );
        let lone_surrogate = r#"["\udc00x"]"#;
        assert!(
            problem(lone_surrogate)
                .to_string()
                .starts_with("not valid JSON: lone leading surrogate")
        );
    }
}
