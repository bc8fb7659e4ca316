//! HAR and JSONL import (`archive::read_archive`, `read_jsonl`, `read_har`): arbitrary text and
//! mutated exports never panic; what imports holds nothing a terminal or a replay's request
//! line would act on; a bad record fails the import at its own line or entry; and export then
//! import gives back the captures exactly.

use bytes::Bytes;
use chrono::DateTime;
use hookscope::archive::{
    ArchiveError, HarWriter, read_archive, read_har, read_jsonl, write_jsonl,
};
use hookscope::capture::{Capture, Header};
use hookscope::escape::is_hidden_control;
use hookscope::store::check_header;
use proptest::prelude::*;
use serde_json::Value;

const TOKEN: &str = "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}";

/// A capture as the listener stores one: token method and names, no CR, LF or NUL in header
/// values (other bytes, not UTF-8 included, allowed), any body.
fn capture() -> impl Strategy<Value = Capture> {
    let header_value = proptest::collection::vec(any::<u8>(), 0..24).prop_map(|v| {
        v.into_iter()
            .filter(|b| !b"\r\n\0".contains(b))
            .collect::<Vec<u8>>()
    });
    (
        1..1_000_000i64,
        0..4_000_000_000_000_000i64,
        prop_oneof![
            "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}:[0-9]{1,5}",
            Just("[::1]:9876".to_owned()),
        ],
        TOKEN,
        prop_oneof![
            "/[!-~]{0,24}",
            "/[a-z]{0,4}\\?[a-z=&%é\u{9b}\u{202e}]{0,12}",
            Just("http://example.com/abs?x=1".to_owned()),
        ],
        prop_oneof![Just("HTTP/1.1"), Just("HTTP/1.0")],
        proptest::collection::vec((TOKEN, header_value), 0..5),
        proptest::collection::vec(any::<u8>(), 0..300),
        100..=599u16,
    )
        .prop_map(
            |(id, micros, peer, method, uri, version, headers, body, status)| {
                let mut capture = Capture::new(
                    method,
                    uri,
                    headers
                        .into_iter()
                        .map(|(n, v)| Header::new(n, v))
                        .collect(),
                    Bytes::from(body),
                );
                capture.id = id;
                capture.received_at = DateTime::from_timestamp_micros(micros).unwrap();
                capture.peer = peer;
                capture.version = version.to_owned();
                capture.response_status = status;
                capture
            },
        )
}

fn jsonl_of(captures: &[Capture]) -> String {
    let mut out = Vec::new();
    for capture in captures {
        write_jsonl(&mut out, capture).unwrap();
    }
    String::from_utf8(out).unwrap()
}

fn har_of(captures: &[Capture]) -> String {
    let mut writer = HarWriter::start(Vec::new()).unwrap();
    for capture in captures {
        writer.entry(capture).unwrap();
    }
    String::from_utf8(writer.finish().unwrap()).unwrap()
}

/// Nothing imported may hold what a terminal acts on where a capture never holds it, nor a
/// header HTTP/1 cannot carry.
fn check_imported(captures: &[Capture]) -> Result<(), TestCaseError> {
    for capture in captures {
        for (field, value) in [
            ("peer", &capture.peer),
            ("method", &capture.method),
            ("version", &capture.version),
        ] {
            prop_assert!(
                !value.chars().any(is_hidden_control),
                "{} {:?} imported with a control character",
                field,
                value
            );
        }
        prop_assert!(
            !capture.uri.chars().any(|c| c.is_ascii_control()),
            "uri {:?} imported with an ASCII control",
            capture.uri
        );
        for header in &capture.headers {
            prop_assert!(check_header(header).is_ok(), "header {:?} imported", header);
        }
        prop_assert!(capture.verdict.is_none());
    }
    Ok(())
}

fn check_error(text: &str, error: &ArchiveError) -> Result<(), TestCaseError> {
    let message = error.to_string();
    prop_assert!(!message.is_empty());
    match error {
        ArchiveError::Line { line, left_out, .. } => {
            let lines = text.lines().count();
            prop_assert!((1..=lines).contains(line), "line {} of {}", line, lines);
            let nonblank = text.lines().filter(|l| !l.trim().is_empty()).count();
            prop_assert_eq!(left_out.good_before + 1 + left_out.after, nonblank);
            prop_assert!(
                message.starts_with(&format!("line {line}: ")),
                "{}",
                message
            );
        }
        ArchiveError::Entry {
            entry, left_out, ..
        } => {
            prop_assert_eq!(left_out.good_before + 1, *entry);
            prop_assert!(
                message.starts_with(&format!("entry {entry}: ")),
                "{}",
                message
            );
        }
        ArchiveError::TruncatedHar { line, bytes, .. } => {
            prop_assert_eq!(*bytes, text.len());
            prop_assert!(*line >= 1 && *line <= text.lines().count().max(1));
        }
        _ => {}
    }
    Ok(())
}

fn check_read(text: &str) -> Result<(), TestCaseError> {
    match read_archive(text) {
        Ok(imported) => check_imported(&imported.captures),
        Err(error) => check_error(text, &error),
    }
}

/// Every JSON Pointer in a document, the root included.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(members) => {
            for (key, item) in members {
                let token = key.replace('~', "~0").replace('/', "~1");
                pointers(item, format!("{at}/{token}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// Values an edited file might hold: control characters (C0 escaped by JSON, C1 and bidi as
/// they are), other types, encodings and timestamps, numbers out of range.
fn hostile_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        Just(Value::from("base64")),
        Just(Value::from("utf8")),
        Just(Value::from("!!not base64!!")),
        Just(Value::from("2026-01-02T03:04:05.123456Z")),
        Just(Value::from("2026-13-45T99:99:99Z")),
        Just(Value::from("POST\u{1b}]0;x\u{7}")),
        Just(Value::from("10.0.0.1:1\u{9b}31m")),
        Just(Value::from("HTTP/1.1\u{202e}")),
        Just(Value::from("/x HTTP/1.1\r\nEvil: 1")),
        Just(Value::from("http://[::1")),
        Just(Value::from(":authority")),
        "\\PC{0,10}".prop_map(Value::from),
        proptest::collection::vec(any::<char>(), 0..6)
            .prop_map(|c| Value::from(c.into_iter().collect::<String>())),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            proptest::collection::vec(("[a-z_]{1,6}", inner), 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    Remove,
    Rename(String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => hostile_value().prop_map(Mutation::Replace),
        2 => Just(Mutation::Remove),
        1 => prop_oneof![
            Just("log".to_owned()),
            Just("_encoding".to_owned()),
            Just("encoding".to_owned()),
            "[a-zA-Z_]{1,8}",
        ]
        .prop_map(Mutation::Rename),
    ]
}

/// Applies `mutation` at the pointer `pick` chooses among those under `under`.
fn mutate(doc: &mut Value, under: &str, pick: prop::sample::Index, mutation: &Mutation) {
    let mut all = Vec::new();
    if let Some(sub) = doc.pointer(under) {
        pointers(sub, under.to_owned(), &mut all);
    }
    if all.is_empty() {
        return;
    }
    let target = all[pick.index(all.len())].clone();
    if target == under && !matches!(mutation, Mutation::Replace(_)) {
        // Removing the record itself is not a change to it.
        return;
    }
    match mutation {
        Mutation::Replace(value) => {
            if let Some(slot) = doc.pointer_mut(&target) {
                *slot = value.clone();
            }
        }
        Mutation::Remove | Mutation::Rename(_) => {
            let Some((parent, token)) = target.rsplit_once('/') else {
                return;
            };
            let key = token.replace("~1", "/").replace("~0", "~");
            match doc.pointer_mut(parent) {
                Some(Value::Object(members)) => {
                    if let Some(value) = members.remove(&key)
                        && let Mutation::Rename(name) = mutation
                    {
                        members.insert(name.clone(), value);
                    }
                }
                Some(Value::Array(items)) if matches!(mutation, Mutation::Remove) => {
                    if let Ok(i) = key.parse::<usize>()
                        && i < items.len()
                    {
                        items.remove(i);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Byte-level damage to a text: a range deleted, a snippet put in, or the end cut off.
fn damage(text: &str, kind: u8, at: prop::sample::Index, len: usize, snippet: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let start = at.index(bytes.len() + 1);
    match kind {
        0 => {
            let end = (start + len).min(bytes.len());
            bytes.drain(start..end);
        }
        1 => {
            bytes.splice(start..start, snippet.bytes());
        }
        _ => bytes.truncate(start),
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn snippet() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\"".to_owned()),
        Just("}".to_owned()),
        Just("{\"log\":".to_owned()),
        Just("\n".to_owned()),
        Just("\\u001b".to_owned()),
        Just("\u{9b}".to_owned()),
        Just(",\"entries\":[".to_owned()),
        "[ -~\n]{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Export as JSONL, import: the same captures, exactly, and not one control character on
    /// any line (JSON escapes even what it need not, so a JSONL file is safe to `cat`).
    #[test]
    fn jsonl_export_then_import_gives_back_the_captures(captures in proptest::collection::vec(capture(), 0..4)) {
        let text = jsonl_of(&captures);
        prop_assert!(!text.chars().any(|c| c != '\n' && is_hidden_control(c)));
        prop_assert_eq!(text.lines().count(), captures.len());
        for imported in [read_jsonl(&text), read_archive(&text)] {
            let imported = imported.map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(imported.skipped_headers, 0);
            prop_assert_eq!(&imported.captures, &captures);
        }
    }

    /// Export as HAR, import: the same captures, exactly (hookscope's own fields ride along
    /// in `_hookscope`), with no control character anywhere in the file.
    #[test]
    fn har_export_then_import_gives_back_the_captures(captures in proptest::collection::vec(capture(), 0..4)) {
        let text = har_of(&captures);
        prop_assert!(!text.chars().any(|c| c != '\n' && is_hidden_control(c)));
        let imported = read_archive(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(imported.skipped_headers, 0);
        prop_assert_eq!(&imported.captures, &captures);
    }

    #[test]
    fn arbitrary_text_imports_or_fails_with_a_message(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check_read(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn json_shaped_text_imports_or_fails_with_a_message(
        text in "[{}\\[\\]\":,a-z0-9 \n\\\\]{0,300}",
        har in any::<bool>(),
    ) {
        let text = if har { format!("{{\"log\":{text}") } else { text };
        check_read(&text)?;
    }

    /// A JSONL export with one record changed (a field replaced by a hostile value, removed or
    /// renamed): all of it imports, or the import fails at that record's line, counting the
    /// good lines before it and the lines after it.
    #[test]
    fn a_changed_jsonl_record_fails_at_its_own_line_or_imports_clean(
        captures in proptest::collection::vec(capture(), 1..4),
        which in any::<prop::sample::Index>(),
        pick in any::<prop::sample::Index>(),
        mutation in mutation(),
    ) {
        let mut lines: Vec<String> = jsonl_of(&captures).lines().map(str::to_owned).collect();
        let k = which.index(lines.len());
        let mut record: Value = serde_json::from_str(&lines[k]).unwrap();
        mutate(&mut record, "", pick, &mutation);
        lines[k] = serde_json::to_string(&record).unwrap();
        let text = lines.join("\n");
        match read_jsonl(&text) {
            Ok(imported) => {
                prop_assert_eq!(imported.captures.len(), captures.len());
                check_imported(&imported.captures)?;
            }
            Err(error) => {
                check_error(&text, &error)?;
                let ArchiveError::Line { line, left_out, .. } = &error else {
                    return Err(TestCaseError::fail(format!("not a line error: {error}")));
                };
                prop_assert_eq!(*line, k + 1, "{}", error);
                prop_assert_eq!(left_out.good_before, k);
                prop_assert_eq!(left_out.after, captures.len() - k - 1);
            }
        }
        check_read(&text)?;
    }

    /// The same for a HAR entry: everything imports, or the import fails at that entry.
    #[test]
    fn a_changed_har_entry_fails_at_its_own_entry_or_imports_clean(
        captures in proptest::collection::vec(capture(), 1..4),
        which in any::<prop::sample::Index>(),
        pick in any::<prop::sample::Index>(),
        mutation in mutation(),
    ) {
        let mut doc: Value = serde_json::from_str(&har_of(&captures)).unwrap();
        let k = which.index(captures.len());
        mutate(&mut doc, &format!("/log/entries/{k}"), pick, &mutation);
        match read_har(doc.clone()) {
            Ok(imported) => {
                prop_assert_eq!(imported.captures.len(), captures.len());
                check_imported(&imported.captures)?;
            }
            Err(error) => {
                let text = serde_json::to_string(&doc).unwrap();
                check_error(&text, &error)?;
                let ArchiveError::Entry { entry, left_out, .. } = &error else {
                    return Err(TestCaseError::fail(format!("not an entry error: {error}")));
                };
                prop_assert_eq!(*entry, k + 1, "{}", error);
                prop_assert_eq!(left_out.after, captures.len() - k - 1);
            }
        }
    }

    /// Anywhere in a HAR document (the log, its entries list, the creator), any change.
    #[test]
    fn a_changed_har_document_imports_or_fails_with_a_message(
        captures in proptest::collection::vec(capture(), 0..3),
        changes in proptest::collection::vec((any::<prop::sample::Index>(), mutation()), 1..4),
    ) {
        let mut doc: Value = serde_json::from_str(&har_of(&captures)).unwrap();
        for (pick, mutation) in &changes {
            mutate(&mut doc, "", *pick, mutation);
        }
        let text = serde_json::to_string_pretty(&doc).unwrap();
        check_read(&text)?;
    }

    /// Exports damaged as a bad download or a careless edit would: cut, spliced, shortened.
    #[test]
    fn damaged_exports_import_or_fail_with_a_message(
        captures in proptest::collection::vec(capture(), 1..4),
        har in any::<bool>(),
        kind in 0..3u8,
        at in any::<prop::sample::Index>(),
        len in 0..40usize,
        snippet in snippet(),
    ) {
        let text = if har { har_of(&captures) } else { jsonl_of(&captures) };
        check_read(&damage(&text, kind, at, len, &snippet))?;
    }
}
