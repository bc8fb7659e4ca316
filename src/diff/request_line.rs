//! The request line: method, path and query, each compared exactly as sent (no case folding
//! or percent-decoding: a signature covers the bytes).

use serde::Serialize;

use super::Side;
use crate::capture::split_uri;

/// One request-line field that differs. `None` only for a query that is absent (`/p`), which
/// differs from an empty one (`/p?`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// `method`, `path` or `query`.
    pub field: &'static str,
    pub a: Option<String>,
    pub b: Option<String>,
}

pub(super) fn compare(a: &Side, b: &Side) -> Vec<FieldChange> {
    let (a_path, a_query) = split_uri(a.uri);
    let (b_path, b_query) = split_uri(b.uri);
    let fields = [
        ("method", Some(a.method), Some(b.method)),
        ("path", Some(a_path), Some(b_path)),
        ("query", a_query, b_query),
    ];
    fields
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(field, a, b)| FieldChange {
            field,
            a: a.map(str::to_owned),
            b: b.map(str::to_owned),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side<'a>(method: &'a str, uri: &'a str) -> Side<'a> {
        Side {
            label: "x".into(),
            method,
            uri,
            headers: &[],
            body: b"",
        }
    }

    #[test]
    fn same_request_lines_have_no_changes() {
        assert!(compare(&side("POST", "/a?x=1"), &side("POST", "/a?x=1")).is_empty());
    }

    #[test]
    fn method_path_and_query_are_each_reported() {
        let changes = compare(&side("POST", "/a?x=1"), &side("PUT", "/b"));
        let fields: Vec<_> = changes.iter().map(|c| c.field).collect();
        assert_eq!(fields, ["method", "path", "query"]);
        assert_eq!(changes[2].a.as_deref(), Some("x=1"));
        assert_eq!(changes[2].b, None);
    }

    #[test]
    fn an_empty_query_differs_from_none() {
        let changes = compare(&side("GET", "/a?"), &side("GET", "/a"));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].a.as_deref(), Some(""));
    }
}
