//! Vendor detection, decoding and validation (`inspect`, `vendor`, `validate`) on the bundled
//! samples changed field by field, and on a user vendor's payloads: never a panic; every
//! finding names a valid JSON Pointer to a field that is there (or to a missing member of one
//! that is), in words; the kind stored for the list is the kind the summary shows; and the
//! store's verdict is the one the detail view computes.

use std::sync::OnceLock;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use hookscope::body::lines_of_pointers;
use hookscope::capture::Header;
use hookscope::inspect::{Inspection, inspect_file, inspect_request, verdict};
use hookscope::samples;
use hookscope::validate::{self, Finding};
use hookscope::vendor::user::template::{Context, render};
use hookscope::vendor::{self, Request, Vendor};
use proptest::prelude::*;
use serde_json::{Value, json};

/// RFC 6901: empty, or `/`-separated tokens where `~` only starts `~0` or `~1`.
fn is_pointer(pointer: &str) -> bool {
    if pointer.is_empty() {
        return true;
    }
    if !pointer.starts_with('/') {
        return false;
    }
    let bytes = pointer.as_bytes();
    bytes
        .iter()
        .enumerate()
        .all(|(i, &b)| b != b'~' || matches!(bytes.get(i + 1), Some(b'0' | b'1')))
}

fn check_findings(findings: &[Finding], value: Option<&Value>) -> Result<(), TestCaseError> {
    for finding in findings {
        let pointer = &finding.pointer;
        prop_assert!(is_pointer(pointer), "{:?} is not a JSON Pointer", pointer);
        prop_assert!(
            !finding.message.trim().is_empty(),
            "no message at {:?}",
            pointer
        );
        if let Some(value) = value {
            let parent = pointer.rsplit_once('/').map_or("", |(parent, _)| parent);
            prop_assert!(
                value.pointer(pointer).is_some() || value.pointer(parent).is_some(),
                "{:?} ({}) points at nothing in the payload",
                pointer,
                finding.message
            );
        }
    }
    Ok(())
}

/// The Validation tab's `Enter` goes to a line of the Body tab for every finding.
fn check_lines(inspection: &Inspection) -> Result<(), TestCaseError> {
    let pretty = inspection.body.pretty();
    let pointers: Vec<&str> = inspection
        .findings
        .iter()
        .map(|f| f.pointer.as_str())
        .collect();
    let lines = lines_of_pointers(&pretty, &pointers);
    prop_assert_eq!(lines.len(), pointers.len());
    let count = pretty.lines().count().max(1);
    for line in lines {
        let line = line.expect("a finding with no line at all");
        prop_assert!(line < count);
    }
    Ok(())
}

/// Detection, decoding and validation of one payload agree with each other.
fn check_inspection(
    path: Option<&str>,
    headers: &[Header],
    body: &Bytes,
    received_at: DateTime<Utc>,
) -> Result<Inspection, TestCaseError> {
    let inspection = inspect_request(path, headers, body, received_at);
    check_findings(&inspection.findings, inspection.value())?;
    check_lines(&inspection)?;
    prop_assert_eq!(
        inspection.verdict(),
        verdict(path, headers, body, received_at)
    );
    prop_assert_eq!(
        inspection.valid(),
        inspection
            .vendor
            .map(|_| validate::is_valid(&inspection.findings))
    );
    if let (Some(vendor), Some(value)) = (inspection.vendor, inspection.value()) {
        let request = Request { headers, path };
        let decoded = vendor::decode(vendor, value, request);
        prop_assert!(!decoded.kind.is_empty());
        prop_assert_eq!(Some(decoded.kind.as_str()), inspection.kind());
        prop_assert_eq!(&vendor::kind(vendor, value, request), &decoded.kind);
        prop_assert_eq!(inspection.decoded.as_ref(), Some(&decoded));
        for table in &decoded.tables {
            for row in &table.rows {
                prop_assert_eq!(
                    row.len(),
                    table.columns.len(),
                    "a row of {} is not as wide as its columns",
                    table.title
                );
            }
        }
    }
    Ok(inspection)
}

/// Values the vendor rules have opinions about: wrong types, edge numbers, strings that look
/// like numbers or dates, astral characters (UTF-16 offsets), deep and empty containers.
fn replacement() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop_oneof![
            Just(0i64),
            Just(-1),
            Just(1),
            Just(2),
            Just(i64::MAX),
            Just(i64::MIN)
        ]
        .prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        Just(json!(1.5)),
        Just(json!("12")),
        Just(json!("-3")),
        Just(json!("")),
        Just(json!("2026-10-22T10:09:12+02:00")),
        Just(json!("2026-10-22T10:09:12")),
        Just(json!("not a date")),
        // Near misses of RFC 3339, multi-byte characters where digits go included.
        "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9é]{2}:[0-9]{1,2}[.,0-9é]{0,10}(Z|[+-][0-9]{2}:?[0-9]{2}|é)?"
            .prop_map(Value::from),
        Just(json!("https://example.com/x")),
        Just(json!("🚀🚀 x")),
        Just(json!("<a href=\"x\">🚀</a>")),
        "\\PC{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            proptest::collection::vec(("[A-Za-z_]{1,10}", inner), 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[derive(Debug, Clone)]
enum Change {
    Replace(Value),
    Remove,
    /// The key in another case or style (`EventNumberInBatch` as `eventNumberInBatch`).
    Restyle,
    /// An array element repeated.
    Duplicate,
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        5 => replacement().prop_map(Change::Replace),
        2 => Just(Change::Remove),
        1 => Just(Change::Restyle),
        1 => Just(Change::Duplicate),
    ]
}

fn all_pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                all_pointers(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(members) => {
            for (key, item) in members {
                let token = key.replace('~', "~0").replace('/', "~1");
                all_pointers(item, format!("{at}/{token}"), out);
            }
        }
        _ => {}
    }
}

fn restyle(key: &str) -> String {
    let mut chars = key.chars();
    match chars.next() {
        Some(first) if first.is_uppercase() => first.to_lowercase().chain(chars).collect(),
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "x".to_owned(),
    }
}

fn apply(value: &mut Value, pick: prop::sample::Index, change: &Change) {
    let mut pointers = Vec::new();
    all_pointers(value, String::new(), &mut pointers);
    let target = &pointers[pick.index(pointers.len())];
    if let Change::Replace(new) = change {
        if let Some(slot) = value.pointer_mut(target) {
            *slot = new.clone();
        }
        return;
    }
    let Some((parent, token)) = target.rsplit_once('/') else {
        return;
    };
    let key = token.replace("~1", "/").replace("~0", "~");
    match (value.pointer_mut(parent), change) {
        (Some(Value::Object(members)), Change::Remove) => {
            members.shift_remove(&key);
        }
        (Some(Value::Object(members)), Change::Restyle) => {
            if let Some(item) = members.shift_remove(&key) {
                members.insert(restyle(&key), item);
            }
        }
        (Some(Value::Array(items)), Change::Remove | Change::Duplicate) => {
            if let Ok(i) = key.parse::<usize>()
                && i < items.len()
            {
                if matches!(change, Change::Remove) {
                    items.remove(i);
                } else {
                    let copy = items[i].clone();
                    items.insert(i, copy);
                }
            }
        }
        _ => {}
    }
}

fn sample() -> impl Strategy<Value = &'static samples::Sample> {
    proptest::sample::select(samples::all().iter().collect::<Vec<_>>())
}

fn header_change() -> impl Strategy<Value = Option<(prop::sample::Index, Vec<u8>)>> {
    proptest::option::of((
        any::<prop::sample::Index>(),
        prop_oneof![
            Just(Vec::new()),
            Just(b"application/json; charset=utf-16".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..16),
        ],
    ))
}

fn received_at() -> impl Strategy<Value = DateTime<Utc>> {
    (0..4_000_000_000i64).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A bundled sample with a few fields replaced, removed, restyled or repeated, and maybe a
    /// header changed: analysed as a capture, it holds together.
    #[test]
    fn changed_samples_are_analysed_consistently(
        sample in sample(),
        changes in proptest::collection::vec((any::<prop::sample::Index>(), change()), 1..4),
        header in header_change(),
        received_at in received_at(),
        pretty in any::<bool>(),
    ) {
        let mut value: Value = serde_json::from_slice(sample.body).unwrap();
        for (pick, change) in &changes {
            apply(&mut value, *pick, change);
        }
        let body = if pretty {
            serde_json::to_vec_pretty(&value).unwrap()
        } else {
            serde_json::to_vec(&value).unwrap()
        };
        let mut headers = sample.capture_headers();
        if let Some((at, new)) = header
            && !headers.is_empty()
        {
            let at = at.index(headers.len());
            headers[at].value = new;
        }
        let path = format!("/hooks/{}", sample.vendor.id());
        check_inspection(Some(&path), &headers, &Bytes::from(body), received_at)?;
    }

    /// The same changed payloads forced through every vendor's rules (`validate --vendor`),
    /// whichever vendor they came from.
    #[test]
    fn changed_samples_forced_through_every_vendor(
        sample in sample(),
        changes in proptest::collection::vec((any::<prop::sample::Index>(), change()), 0..3),
    ) {
        let mut value: Value = serde_json::from_slice(sample.body).unwrap();
        for (pick, change) in &changes {
            apply(&mut value, *pick, change);
        }
        let body = Bytes::from(serde_json::to_vec(&value).unwrap());
        for vendor in Vendor::ALL {
            let inspection = inspect_file(&body, Some(vendor));
            prop_assert_eq!(inspection.vendor, Some(vendor));
            check_findings(&inspection.findings, inspection.value())?;
            check_lines(&inspection)?;
            let findings = validate::validate(vendor, &value, Some(&sample.capture_headers()));
            check_findings(&findings, Some(&value))?;
        }
    }

    /// A sample's body damaged as bytes (cut, or a byte changed): a finding that says why it
    /// is not JSON, at the root, when the vendor is forced.
    #[test]
    fn damaged_sample_bytes_give_a_finding_not_a_panic(
        sample in sample(),
        cut in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        truncate in any::<bool>(),
    ) {
        let mut body = sample.body.to_vec();
        let at = cut.index(body.len());
        if truncate {
            body.truncate(at);
        } else {
            body[at] = byte;
        }
        let body = Bytes::from(body);
        let inspection = check_inspection(Some("/hooks/x"), &sample.capture_headers(), &body, Utc::now())?;
        if inspection.value().is_none() {
            prop_assert_eq!(inspection.vendor, None);
        }
        let forced = inspect_file(&body, Some(sample.vendor));
        check_findings(&forced.findings, forced.value())?;
        if forced.value().is_none() {
            prop_assert!(forced.findings.iter().any(|f| f.pointer.is_empty()));
            prop_assert_eq!(forced.valid(), Some(false));
        }
    }
}

/// A user vendor, registered once for this test binary: detected by a header, kind from a
/// pointer and a detail, a headline template, fields, a link and a schema.
fn user_vendor() -> Vendor {
    static VENDOR: OnceLock<Vendor> = OnceLock::new();
    *VENDOR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("schema.json"),
            r#"{"type": "object", "required": ["order"], "properties": {
                "order": {"type": "object", "required": ["id", "total"],
                          "properties": {"total": {"type": "number", "minimum": 0},
                                         "items": {"type": "array", "maxItems": 3,
                                                   "items": {"type": "string"}}},
                          "additionalProperties": false}}}"#,
        )
        .unwrap();
        let file = dir.path().join("props-shop.toml");
        std::fs::write(
            &file,
            r#"
id = "props-shop"
name = "Props Shop"
schema = "schema.json"
headline = "{kind} · {/order/id} for {header:X-Props-Shop} {unknown"
[detect]
headers = ["X-Props-Shop"]
path = "/hooks/shop*"
[kind]
pointer = "/topic"
detail = "/order/state"
[[field]]
label = "Order"
value = "/order/id"
[[field]]
label = "Who"
value = "{/customer/name} <{/customer/email}>"
[[link]]
label = "Admin"
pointer = "/order/url"
"#,
        )
        .unwrap();
        let loaded = vendor::user::load_file(&file).unwrap();
        vendor::user::install(vec![loaded])[0]
    })
}

fn shop_payload() -> impl Strategy<Value = Value> {
    (
        proptest::option::of(prop_oneof![Just(json!("orders")), replacement()]),
        proptest::option::of(replacement()),
        proptest::option::of(replacement()),
        proptest::option::of(replacement()),
        proptest::option::of(proptest::collection::vec(replacement(), 0..5)),
        proptest::option::of(replacement()),
    )
        .prop_map(|(topic, id, total, state, items, customer)| {
            let mut order = serde_json::Map::new();
            for (key, value) in [("id", id), ("total", total), ("state", state)] {
                if let Some(value) = value {
                    order.insert(key.into(), value);
                }
            }
            if let Some(items) = items {
                order.insert("items".into(), Value::Array(items));
            }
            let mut payload = serde_json::Map::new();
            if let Some(topic) = topic {
                payload.insert("topic".into(), topic);
            }
            payload.insert("order".into(), Value::Object(order));
            if let Some(customer) = customer {
                payload.insert("customer".into(), customer);
            }
            Value::Object(payload)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    /// A user vendor's payloads, whatever their fields hold, are detected by its rules and
    /// validated against its schema like a built-in vendor's.
    #[test]
    fn user_vendor_payloads_are_analysed_consistently(
        payload in shop_payload(),
        marker in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..12)),
        path in prop_oneof![Just("/hooks/shop"), Just("/hooks/shop/x?y=1"), Just("/elsewhere")],
    ) {
        let shop = user_vendor();
        let mut headers = vec![Header::new("Content-Type", "application/json")];
        if let Some(marker) = &marker {
            headers.push(Header::new("x-props-shop", marker.clone()));
        }
        let body = Bytes::from(serde_json::to_vec(&payload).unwrap());
        let inspection = check_inspection(Some(path), &headers, &body, Utc::now())?;
        let claimed = marker.is_some() && path.starts_with("/hooks/shop");
        prop_assert_eq!(inspection.vendor == Some(shop), claimed);
        if claimed {
            let decoded = inspection.decoded.as_ref().unwrap();
            prop_assert!(decoded.headline.ends_with(" {unknown"), "{}", decoded.headline);
        }
    }

    /// Templates fill in what they can and keep everything else as written.
    #[test]
    fn templates_fill_in_placeholders_and_keep_the_rest(
        template in "[a-z {}/:~0-9]{0,30}|\\{kind\\}|\\{/a\\}|\\{header:X\\}",
        value in replacement(),
        kind in "[a-z.]{0,8}",
    ) {
        let headers = [Header::new("X", "h")];
        let context = Context { value: &value, kind: &kind, headers: &headers };
        let text = render(&template, &context);
        if !template.contains('{') {
            prop_assert_eq!(&text, &template);
        }
        if template == "{kind}" {
            prop_assert_eq!(&text, &kind);
        }
        if template == "{header:X}" {
            prop_assert_eq!(text.as_str(), "h");
        }
    }
}
