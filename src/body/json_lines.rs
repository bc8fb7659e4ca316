//! Where a JSON Pointer's field sits in pretty-printed JSON, so a validation finding can take
//! the reader to its line. Works on the layout `json_pretty` writes: one member or element per
//! line, containers opened at the end of a line and closed at the start of one.

use crate::validate::push_token;

/// The line (0-based) of each pointer's field in `pretty`. A pointer to a field that is not
/// there (a missing required property) gets the line of its nearest existing parent.
pub fn lines_of_pointers(pretty: &str, pointers: &[&str]) -> Vec<Option<usize>> {
    if pointers.is_empty() {
        return Vec::new();
    }
    // Each pointer and its ancestors: a missing field is shown at its parent.
    let mut wanted: Vec<&str> = Vec::new();
    for pointer in pointers {
        let mut at = *pointer;
        loop {
            wanted.push(at);
            match at.rsplit_once('/') {
                Some((parent, _)) => at = parent,
                None => break,
            }
        }
    }
    let mut found: Vec<(String, usize)> = Vec::new();
    // Each open container: its pointer and, for arrays, the next element's index.
    let mut stack: Vec<(String, Option<usize>)> = Vec::new();
    for (number, line) in pretty.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with(['}', ']']) {
            stack.pop();
            continue;
        }
        let (pointer, value) = match stack.last_mut() {
            None => (String::new(), trimmed),
            Some((parent, Some(index))) => {
                let pointer = push_token(parent, &index.to_string());
                *index += 1;
                (pointer, trimmed)
            }
            Some((parent, None)) => match member_key(trimmed) {
                Some((key, rest)) => (push_token(parent, &key), rest),
                None => continue,
            },
        };
        let value = value.trim_end().trim_end_matches(',');
        match value {
            "{" => stack.push((pointer.clone(), None)),
            "[" => stack.push((pointer.clone(), Some(0))),
            _ => {}
        }
        if wanted.contains(&pointer.as_str()) {
            found.push((pointer, number));
        }
    }
    pointers
        .iter()
        .map(|pointer| nearest_line(&found, pointer))
        .collect()
}

/// The line of `pointer`, else of its closest ancestor that was found.
fn nearest_line(found: &[(String, usize)], pointer: &str) -> Option<usize> {
    let mut candidate = pointer;
    loop {
        if let Some((_, line)) = found.iter().find(|(p, _)| p == candidate) {
            return Some(*line);
        }
        if candidate.is_empty() {
            return Some(0);
        }
        candidate = candidate.rsplit_once('/').map_or("", |(parent, _)| parent);
    }
}

/// `"key": rest` → the unescaped key and `rest`.
fn member_key(line: &str) -> Option<(String, &str)> {
    let bytes = line.as_bytes();
    if bytes.first() != Some(&b'"') {
        return None;
    }
    let mut at = 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => break,
            _ => at += 1,
        }
    }
    let quoted = line.get(..=at)?;
    let key: String = serde_json::from_str(quoted).ok()?;
    let rest = line[at + 1..].strip_prefix(": ")?;
    Some((key, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRETTY: &str = r#"{
  "a": 1,
  "b": {
    "c/d": "x",
    "e": []
  },
  "list": [
    {
      "id": 7
    },
    "two",
    {
      "id": 8
    }
  ]
}"#;

    #[test]
    fn finds_members_elements_and_escaped_keys() {
        let pointers = [
            "",
            "/a",
            "/b/c~1d",
            "/b/e",
            "/list/1",
            "/list/2/id",
            "/list",
        ];
        assert_eq!(
            lines_of_pointers(PRETTY, &pointers),
            [
                Some(0),
                Some(1),
                Some(3),
                Some(4),
                Some(10),
                Some(12),
                Some(6)
            ]
        );
    }

    #[test]
    fn a_missing_field_points_at_its_parent() {
        assert_eq!(
            lines_of_pointers(PRETTY, &["/b/missing", "/list/2/gone/deeper", "/nothing"]),
            [Some(2), Some(11), Some(0)]
        );
    }

    #[test]
    fn agrees_with_the_pretty_printer() {
        let raw = r#"{"x":{"y":[1,{"z":"q\"uote"}]},"w\u0041":null}"#;
        let pretty = crate::body::pretty_json_for_tests(raw);
        let lines: Vec<&str> = pretty.lines().collect();
        let found = lines_of_pointers(&pretty, &["/x/y/1/z", "/wA"]);
        assert!(lines[found[0].unwrap()].contains(r#""z": "q\"uote""#));
        assert!(lines[found[1].unwrap()].contains(r#""w\u0041": null"#));
    }
}
