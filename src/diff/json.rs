//! JSON bodies compared by structure: key order and whitespace do not matter, arrays are
//! compared by position, and each difference is named by its JSON Pointer (RFC 6901).
//!
//! Numbers are compared by the text `serde_json::Number` displays for them, since the crate is
//! built without `arbitrary_precision`: integers stay integers and everything else becomes an
//! f64. So `1` and `1.0` differ (an integer and a float), while `1e2` and `100.0` are the
//! same (both the float 100.0); integers beyond 64 bits are compared as floats. A duplicate
//! key counts once, with its last value, as serde_json reads it.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Map, Value};

/// Differences past this many are counted, not listed.
pub const MAX_JSON_CHANGES: usize = 1_000;

/// Values are shown cut to this many characters.
const SHORT_VALUE_CHARS: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JsonChangeKind {
    /// Only in `b`.
    Added,
    /// Only in `a`.
    Removed,
    /// Same type, another value.
    Changed,
    /// Another type (`1` and `"1"`, an object and an array).
    TypeChanged,
}

/// One difference: where, and a short rendering of each side's value (compact JSON, long
/// values cut with `…`); `a` is `None` for an added value, `b` for a removed one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonChange {
    /// `""` is the whole document.
    pub pointer: String,
    pub kind: JsonChangeKind,
    pub a: Option<String>,
    pub b: Option<String>,
    /// For `type_changed`: `null`, `boolean`, `number`, `string`, `array` or `object`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub a_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b_type: Option<&'static str>,
}

/// The differences (at most [`MAX_JSON_CHANGES`]) and how many more there were.
pub(super) fn compare(a: &Value, b: &Value) -> (Vec<JsonChange>, usize) {
    let mut found = Found::default();
    let mut pointer = String::new();
    walk(a, b, &mut pointer, &mut found);
    (found.changes, found.omitted)
}

#[derive(Default)]
struct Found {
    changes: Vec<JsonChange>,
    omitted: usize,
}

impl Found {
    fn push(&mut self, pointer: &str, kind: JsonChangeKind, a: Option<&Value>, b: Option<&Value>) {
        if self.changes.len() >= MAX_JSON_CHANGES {
            self.omitted += 1;
            return;
        }
        let types = if kind == JsonChangeKind::TypeChanged {
            (a.map(type_name), b.map(type_name))
        } else {
            (None, None)
        };
        self.changes.push(JsonChange {
            pointer: pointer.to_owned(),
            kind,
            a: a.map(short),
            b: b.map(short),
            a_type: types.0,
            b_type: types.1,
        });
    }
}

// Recursion depth is bounded by serde_json's own nesting limit (128) when parsing.
fn walk(a: &Value, b: &Value, pointer: &mut String, found: &mut Found) {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => walk_objects(a, b, pointer, found),
        (Value::Array(a), Value::Array(b)) => walk_arrays(a, b, pointer, found),
        (Value::Number(x), Value::Number(y)) => {
            if x.to_string() != y.to_string() {
                found.push(pointer, JsonChangeKind::Changed, Some(a), Some(b));
            }
        }
        _ if type_name(a) != type_name(b) => {
            found.push(pointer, JsonChangeKind::TypeChanged, Some(a), Some(b));
        }
        _ => {
            if a != b {
                found.push(pointer, JsonChangeKind::Changed, Some(a), Some(b));
            }
        }
    }
}

fn walk_objects(
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    pointer: &mut String,
    found: &mut Found,
) {
    for (key, a_value) in a {
        let depth = enter(pointer, key);
        match b.get(key) {
            Some(b_value) => walk(a_value, b_value, pointer, found),
            None => found.push(pointer, JsonChangeKind::Removed, Some(a_value), None),
        }
        pointer.truncate(depth);
    }
    for (key, b_value) in b.iter().filter(|(key, _)| !a.contains_key(*key)) {
        let depth = enter(pointer, key);
        found.push(pointer, JsonChangeKind::Added, None, Some(b_value));
        pointer.truncate(depth);
    }
}

fn walk_arrays(a: &[Value], b: &[Value], pointer: &mut String, found: &mut Found) {
    for index in 0..a.len().max(b.len()) {
        let depth = enter(pointer, &index.to_string());
        match (a.get(index), b.get(index)) {
            (Some(a), Some(b)) => walk(a, b, pointer, found),
            (Some(a), None) => found.push(pointer, JsonChangeKind::Removed, Some(a), None),
            (None, Some(b)) => found.push(pointer, JsonChangeKind::Added, None, Some(b)),
            (None, None) => {}
        }
        pointer.truncate(depth);
    }
}

/// Appends `/token` with RFC 6901 escaping (`~` as `~0`, `/` as `~1`); returns the length
/// to truncate back to. One buffer for the whole walk, so unchanged nodes allocate nothing.
fn enter(pointer: &mut String, token: &str) -> usize {
    let depth = pointer.len();
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
    depth
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Compact JSON, cut with `…` past [`SHORT_VALUE_CHARS`]. Serialising stops soon after the
/// cut, so a huge subtree costs no more than a small one.
fn short(value: &Value) -> String {
    let mut out = Capped {
        bytes: Vec::new(),
        limit: SHORT_VALUE_CHARS * 4 + 4,
    };
    // An error here only means the cap was reached.
    let _ = serde_json::to_writer(&mut out, value);
    let text = String::from_utf8_lossy(&out.bytes);
    let mut chars = text.chars();
    let kept: String = chars.by_ref().take(SHORT_VALUE_CHARS).collect();
    if chars.next().is_some() {
        format!("{kept}…")
    } else {
        kept
    }
}

/// A writer that refuses more than `limit` bytes.
struct Capped {
    bytes: Vec<u8>,
    limit: usize,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = self.limit.saturating_sub(self.bytes.len());
        if room == 0 {
            return Err(io::Error::other("long enough"));
        }
        let taken = buf.len().min(room);
        self.bytes.extend_from_slice(&buf[..taken]);
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn changes(a: &str, b: &str) -> Vec<JsonChange> {
        let a: Value = serde_json::from_str(a).unwrap();
        let b: Value = serde_json::from_str(b).unwrap();
        compare(&a, &b).0
    }

    fn summary(changes: &[JsonChange]) -> Vec<(String, JsonChangeKind)> {
        changes
            .iter()
            .map(|c| (c.pointer.clone(), c.kind))
            .collect()
    }

    #[test]
    fn key_order_and_whitespace_do_not_matter() {
        assert!(
            changes(
                r#"{"a":1,"b":[true,null]}"#,
                "{ \"b\" : [ true , null ],\n\"a\": 1 }"
            )
            .is_empty()
        );
    }

    #[test]
    fn differences_are_named_by_pointer() {
        let found = changes(
            r#"{"data":{"status":"ok","old":true}}"#,
            r#"{"data":{"status":"failed","extra":1}}"#,
        );
        assert_eq!(
            summary(&found),
            [
                ("/data/status".into(), JsonChangeKind::Changed),
                ("/data/old".into(), JsonChangeKind::Removed),
                ("/data/extra".into(), JsonChangeKind::Added),
            ]
        );
        assert_eq!(found[0].a.as_deref(), Some("\"ok\""));
        assert_eq!(found[0].b.as_deref(), Some("\"failed\""));
        assert_eq!(
            (found[2].a.as_deref(), found[2].b.as_deref()),
            (None, Some("1"))
        );
    }

    #[test]
    fn pointer_segments_escape_tilde_and_slash() {
        let found = changes(r#"{"a/b":{"m~n":1}}"#, r#"{"a/b":{"m~n":2}}"#);
        assert_eq!(found[0].pointer, "/a~1b/m~0n");
    }

    #[test]
    fn arrays_compare_by_position() {
        let found = changes(r#"{"l":[1,2,3]}"#, r#"{"l":[1,5]}"#);
        assert_eq!(
            summary(&found),
            [
                ("/l/1".into(), JsonChangeKind::Changed),
                ("/l/2".into(), JsonChangeKind::Removed),
            ]
        );
    }

    #[test]
    fn numbers_compare_as_written_after_normalising() {
        assert_eq!(changes("1", "1.0")[0].kind, JsonChangeKind::Changed);
        assert!(changes("1e2", "100.0").is_empty());
        assert!(changes("[10, -3]", "[10,-3]").is_empty());
    }

    #[test]
    fn a_different_type_is_its_own_kind() {
        let found = changes(r#"{"n":1}"#, r#"{"n":"1"}"#);
        assert_eq!(found[0].kind, JsonChangeKind::TypeChanged);
        assert_eq!(
            (found[0].a_type, found[0].b_type),
            (Some("number"), Some("string"))
        );
        assert_eq!(changes("{}", "[]")[0].pointer, "");
    }

    #[test]
    fn long_values_are_cut() {
        let long = "x".repeat(500);
        let shown = short(&json!({ "k": long }));
        assert!(shown.ends_with('…'));
        assert_eq!(shown.chars().count(), SHORT_VALUE_CHARS + 1);
    }

    #[test]
    fn past_the_cap_differences_are_counted() {
        let a = Value::Array((0..MAX_JSON_CHANGES + 5).map(|n| json!(n)).collect());
        let b = Value::Array(Vec::new());
        let (listed, omitted) = compare(&a, &b);
        assert_eq!((listed.len(), omitted), (MAX_JSON_CHANGES, 5));
    }
}
