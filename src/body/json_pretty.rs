//! Re-indenting JSON without building a value tree, so what the sender wrote survives:
//! key order, duplicate keys, and numbers exactly as written (no float rounding of large
//! integers). Iterative, so nesting depth costs no stack; it stops at `MAX_INDENT_DEPTH`.

use super::json_depth::max_depth;
use super::pretty::{MAX_INDENT_DEPTH, TOO_LARGE, output_budget, too_deep};

/// Why re-indenting stopped.
enum Stop {
    TooLarge,
    TooDeep,
}

/// Pretty JSON (two-space indent, the layout `serde_json::to_string_pretty` uses), or why it
/// could not be made, in plain words.
pub(crate) fn pretty_json(text: &str) -> Result<String, String> {
    // Skipping a value checks its syntax without recursing, at any depth.
    if let Err(error) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Err(format!("not valid JSON ({error})"));
    }
    reindent(text).map_err(|stop| match stop {
        Stop::TooLarge => TOO_LARGE.to_string(),
        Stop::TooDeep => format!("valid, but {}", too_deep(max_depth(text))),
    })
}

/// Re-indents text already known to be valid JSON.
fn reindent(text: &str) -> Result<String, Stop> {
    let bytes = text.as_bytes();
    let budget = output_budget(text.len());
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut depth = 0usize;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b' ' | b'\t' | b'\n' | b'\r' => at += 1,
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                let next = skip_whitespace(bytes, at + 1);
                out.push(open as char);
                if bytes.get(next) == Some(&close) {
                    out.push(close as char);
                    at = next + 1;
                } else {
                    depth += 1;
                    if depth > MAX_INDENT_DEPTH {
                        return Err(Stop::TooDeep);
                    }
                    new_line(&mut out, depth, budget)?;
                    at += 1;
                }
            }
            close @ (b'}' | b']') => {
                depth = depth.saturating_sub(1);
                new_line(&mut out, depth, budget)?;
                out.push(close as char);
                at += 1;
            }
            b',' => {
                out.push(',');
                new_line(&mut out, depth, budget)?;
                at += 1;
            }
            b':' => {
                out.push_str(": ");
                at += 1;
            }
            b'"' => {
                let end = string_end(bytes, at);
                out.push_str(&text[at..end]);
                at = end;
            }
            _ => {
                // A number or literal runs to the next structural character or whitespace.
                let end = bytes[at..]
                    .iter()
                    .position(|b| b",:]} \t\n\r".contains(b))
                    .map_or(bytes.len(), |len| at + len);
                out.push_str(&text[at..end]);
                at = end;
            }
        }
    }
    Ok(out)
}

fn skip_whitespace(bytes: &[u8], from: usize) -> usize {
    bytes[from.min(bytes.len())..]
        .iter()
        .position(|b| !b" \t\n\r".contains(b))
        .map_or(bytes.len(), |len| from + len)
}

/// Index just past the closing quote of the string starting at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    bytes.len()
}

fn new_line(out: &mut String, depth: usize, budget: usize) -> Result<(), Stop> {
    if out.len() + 1 + 2 * depth > budget {
        return Err(Stop::TooLarge);
    }
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_serde_json_layout() {
        let samples = [
            r#"{"b":1,"a":[1,2,{"c":null}],"e":{},"f":[],"g":"x, y: {z}"}"#,
            r#"[ true , false,{ "k" : "v\"}" } ]"#,
            r#""just a string""#,
            "42",
            r#"{"nested":{"deeper":{"deepest":[[],[{}]]}}}"#,
        ];
        for sample in samples {
            let value: serde_json::Value = serde_json::from_str(sample).unwrap();
            let expected = serde_json::to_string_pretty(&value).unwrap();
            assert_eq!(pretty_json(sample).unwrap(), expected, "{sample}");
        }
    }

    #[test]
    fn keeps_order_duplicates_and_numbers_as_written() {
        let text = r#"{"z":1,"a":2,"z":3,"big":123456789012345678901234567890,"f":1.0e2}"#;
        assert_eq!(
            pretty_json(text).unwrap(),
            "{\n  \"z\": 1,\n  \"a\": 2,\n  \"z\": 3,\n  \"big\": 123456789012345678901234567890,\n  \"f\": 1.0e2\n}"
        );
    }

    #[test]
    fn keeps_escapes_and_unicode() {
        let text = "{\"s\":\"tab\\there \\u00e9 é \\\\\"}";
        assert_eq!(
            pretty_json(text).unwrap(),
            "{\n  \"s\": \"tab\\there \\u00e9 é \\\\\"\n}"
        );
    }

    #[test]
    fn indentation_cannot_blow_up_the_output() {
        let depth = 120;
        let items = vec!["1"; 200_000].join(",");
        let text = format!("{}{items}{}", "[".repeat(depth), "]".repeat(depth));
        assert_eq!(pretty_json(&text).unwrap_err(), TOO_LARGE);
    }

    #[test]
    fn invalid_json_is_an_error() {
        let error = pretty_json("{\"a\": }").unwrap_err();
        assert!(error.starts_with("not valid JSON"), "{error}");
    }

    #[test]
    fn stops_at_the_depth_hookscope_reads() {
        let nested = |depth: usize| format!("{}1{}", "[1,".repeat(depth), "]".repeat(depth));
        assert!(pretty_json(&nested(MAX_INDENT_DEPTH)).is_ok());
        let error = pretty_json(&nested(200)).unwrap_err();
        assert_eq!(
            error,
            "valid, but nested 200 levels deep, deeper than the pretty-printer goes (127 levels)"
        );
    }
}
