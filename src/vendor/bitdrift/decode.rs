//! bitdrift `WebhookNotification` in ProtoJSON: a `timestamp` plus one member of the
//! `notification_type` oneof. Keys may come in proto spelling (snake_case, as the docs show)
//! or ProtoJSON's default lowerCamelCase, so every lookup tries both.

use serde_json::{Map, Value};

use crate::vendor::text::{collapse, headline, is_http, line, push, scalar};
use crate::vendor::{Decoded, Link, Table};

/// The oneof members as (proto name, lowerCamelCase name), with the keys each member's
/// message documents (snake spelling; the camel twin is derived by `key_matches`).
const MEMBERS: [(&str, &str, &[&str]); 7] = [
    ("test", "test", &[]),
    (
        "session_capture",
        "sessionCapture",
        &[
            "timeline_url",
            "workflow_url",
            "session_id",
            "exploration_name",
            "workflow_name",
            "rule_title",
        ],
    ),
    (
        "entity_recording_completed",
        "entityRecordingCompleted",
        &["entity_id"],
    ),
    (
        "alert",
        "alert",
        &[
            "alert_name",
            "alert_url",
            "workflow_name",
            "workflow_url",
            "exploration_name",
            "custom_notification_text",
            "labels",
        ],
    ),
    (
        "issue_alert",
        "issueAlert",
        &[
            "alert_url",
            "view_url",
            "view_name",
            "global",
            "per_issue",
            "custom_notification_text",
            "labels",
        ],
    ),
    (
        "issue_report_notification",
        "issueReportNotification",
        &["report_url", "view_url", "view_name"],
    ),
    (
        "issue_notification",
        "issueNotification",
        &["issue_url", "view_url", "view_name", "reason"],
    ),
];

/// The oneof's own name: not a key ProtoJSON emits, but hand-built payloads wrap the member
/// in it; such a body is still bitdrift (kind `unknown`).
const WRAPPERS: [&str; 2] = ["notification_type", "notificationType"];

/// A bitdrift body is an object with `timestamp`, no top-level key outside the oneof, and at
/// least one member object that is empty or carries one of its documented keys. Generic
/// `{"timestamp", "event"}` bodies fail the key set; `{"timestamp", "alert": {"message"}}`
/// fails the member check.
pub fn detect(value: &Value) -> bool {
    let Some(root) = value.as_object() else {
        return false;
    };
    if !root.contains_key("timestamp") {
        return false;
    }
    let mut has_member = false;
    for (key, value) in root {
        if key == "timestamp" {
            continue;
        }
        if let Some(index) = member_index(key) {
            has_member |= looks_like_member(index, value);
        } else if WRAPPERS.contains(&key.as_str()) {
            has_member |= value
                .as_object()
                .is_some_and(|inner| inner.keys().any(|k| member_index(k).is_some()));
        } else {
            return false;
        }
    }
    has_member
}

/// The first non-null notification member, by its snake_case name.
pub fn kind(value: &Value) -> String {
    value
        .as_object()
        .and_then(first_member)
        .map_or("unknown", |(kind, _)| kind)
        .to_owned()
}

fn first_member(root: &Map<String, Value>) -> Option<(&'static str, &Value)> {
    root.iter()
        .filter(|(_, v)| !v.is_null())
        .find_map(|(k, v)| member_index(k).map(|i| (MEMBERS[i].0, v)))
}

pub fn decode(value: &Value) -> Decoded {
    let empty = Map::new();
    let root = value.as_object().unwrap_or(&empty);
    // The first non-null member in document order decides the kind; later ones are errors
    // reported by the checks, not shown here.
    let Some((kind, body)) = first_member(root) else {
        let mut decoded = Decoded {
            kind: "unknown".into(),
            headline: "unknown · no notification member".into(),
            ..Decoded::default()
        };
        push(
            &mut decoded.fields,
            "Timestamp",
            scalar(root.get("timestamp")),
        );
        return decoded;
    };
    let body = body.as_object().unwrap_or(&empty);
    let text = |snake: &str| line(get(body, snake));

    let mut fields = Vec::new();
    let mut tables = Vec::new();
    let detail = match kind {
        "test" => vec![Some("delivery test".to_owned())],
        "session_capture" => {
            push(&mut fields, "Workflow", text("workflow_name"));
            push(&mut fields, "Rule", text("rule_title"));
            push(&mut fields, "Session id", text("session_id"));
            push(
                &mut fields,
                "Exploration (legacy)",
                text("exploration_name"),
            );
            vec![
                text("rule_title").or_else(|| text("session_id")),
                text("workflow_name").map(|w| format!("workflow {w}")),
            ]
        }
        "entity_recording_completed" => {
            push(&mut fields, "Entity id", text("entity_id"));
            vec![text("entity_id").map(|e| format!("entity {e}"))]
        }
        "alert" => {
            push(&mut fields, "Alert", text("alert_name"));
            push(&mut fields, "Workflow", text("workflow_name"));
            push(&mut fields, "Custom text", text("custom_notification_text"));
            push(&mut fields, "Labels", labels(get(body, "labels")));
            push(
                &mut fields,
                "Exploration (legacy)",
                text("exploration_name"),
            );
            vec![
                text("alert_name"),
                text("workflow_name").map(|w| format!("workflow {w}")),
            ]
        }
        "issue_alert" => {
            let (scope, issues) = scope(body);
            push(&mut fields, "View", text("view_name"));
            push(&mut fields, "Scope", scope.map(str::to_owned));
            push(&mut fields, "Custom text", text("custom_notification_text"));
            push(&mut fields, "Labels", labels(get(body, "labels")));
            let summary = match (scope, issues.len()) {
                (Some("per issue"), 1) => Some("1 issue".to_owned()),
                (Some("per issue"), n) => Some(format!("{n} issues")),
                (scope, _) => scope.map(str::to_owned),
            };
            if !issues.is_empty() {
                tables.push(issue_table(&issues));
            }
            vec![text("view_name"), summary]
        }
        "issue_report_notification" => {
            push(&mut fields, "View", text("view_name"));
            vec![text("view_name")]
        }
        "issue_notification" => {
            push(&mut fields, "Reason", text("reason"));
            push(&mut fields, "View", text("view_name"));
            vec![
                text("reason"),
                text("view_name").map(|v| format!("view {v}")),
            ]
        }
        _ => Vec::new(),
    };
    push(&mut fields, "Timestamp", scalar(root.get("timestamp")));

    Decoded {
        kind: kind.to_owned(),
        headline: headline(kind, &detail),
        fields,
        links: links(body),
        tables,
        dedupe_key: None,
    }
}

/// Index into `MEMBERS` of a top-level key in either spelling.
fn member_index(key: &str) -> Option<usize> {
    MEMBERS
        .iter()
        .position(|(snake, camel, _)| key == *snake || key == *camel)
}

/// A member value is trusted only when it is an object that is empty (proto3 drops empty
/// fields, and `test` has none) or has at least one documented key of that message.
fn looks_like_member(index: usize, value: &Value) -> bool {
    value.as_object().is_some_and(|body| {
        body.is_empty()
            || body
                .keys()
                .any(|k| MEMBERS[index].2.iter().any(|snake| key_matches(k, snake)))
    })
}

/// Whether `key` is `snake` in proto or lowerCamelCase spelling.
fn key_matches(key: &str, snake: &str) -> bool {
    if key == snake {
        return true;
    }
    // Walk both strings: an `_x` in the proto name must be `X` in the key.
    let mut expected = snake.chars();
    let mut actual = key.chars();
    loop {
        match (expected.next(), actual.next()) {
            (None, None) => return true,
            (Some('_'), Some(a)) => match expected.next() {
                Some(e) if e.is_ascii_lowercase() && a == e.to_ascii_uppercase() => {}
                _ => return false,
            },
            (Some(e), Some(a)) if e == a => {}
            _ => return false,
        }
    }
}

/// A field of a member message in either spelling; `null` counts as unset.
fn get<'a>(body: &'a Map<String, Value>, snake: &str) -> Option<&'a Value> {
    body.iter()
        .find(|(k, v)| !v.is_null() && key_matches(k, snake))
        .map(|(_, v)| v)
}

/// The alert's scope (first non-null scope key in document order) and its issues.
fn scope(body: &Map<String, Value>) -> (Option<&'static str>, Vec<&Map<String, Value>>) {
    for (key, value) in body {
        if value.is_null() {
            continue;
        }
        if key == "global" {
            return (Some("global"), Vec::new());
        }
        if key_matches(key, "per_issue") {
            let issues = value
                .get("issues")
                .and_then(Value::as_array)
                .map(|list| list.iter().filter_map(Value::as_object).collect())
                .unwrap_or_default();
            return (Some("per issue"), issues);
        }
    }
    (None, Vec::new())
}

fn issue_table(issues: &[&Map<String, Value>]) -> Table {
    Table {
        title: "Issues".into(),
        columns: vec!["Issue URL".into(), "Reason".into()],
        rows: issues
            .iter()
            .map(|issue| {
                vec![
                    line(get(issue, "issue_url")).unwrap_or_default(),
                    line(get(issue, "reason")).unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

/// `labels` as `k=v, …` in document order; non-string values (a type error the checks
/// report) are shown as JSON so the reader sees what arrived.
fn labels(value: Option<&Value>) -> Option<String> {
    let pairs: Vec<String> = value?
        .as_object()?
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={}", collapse(s)),
            other => format!("{k}={other}"),
        })
        .collect();
    (!pairs.is_empty()).then(|| pairs.join(", "))
}

/// Every `*_url`/`*Url` field of the member with an http(s) value, then the per-issue URLs.
fn links(body: &Map<String, Value>) -> Vec<Link> {
    let mut links = Vec::new();
    for (key, value) in body {
        let stem = key.strip_suffix("_url").or_else(|| key.strip_suffix("Url"));
        if let (Some(stem), Some(url)) = (stem, value.as_str())
            && is_http(url)
        {
            links.push(Link {
                label: words(stem),
                url: url.to_owned(),
            });
        }
    }
    for (n, issue) in scope(body).1.iter().enumerate() {
        if let Some(url) = get(issue, "issue_url").and_then(Value::as_str)
            && is_http(url)
        {
            links.push(Link {
                label: format!("Issue {}", n + 1),
                url: url.to_owned(),
            });
        }
    }
    links
}

/// `timeline` → `Timeline`, `issue_report`/`issueReport` → `Issue report`.
fn words(stem: &str) -> String {
    let mut out = String::with_capacity(stem.len() + 2);
    for c in stem.chars() {
        if c == '_' {
            out.push(' ');
        } else if c.is_ascii_uppercase() {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    let mut chars = out.trim().chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    //! bitdrift tests, plus the cross-vendor ones (every manifest sample, generic bodies,
    //! never panicking), which live here once rather than in all four files.

    use std::path::{Path, PathBuf};

    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;
    use crate::vendor::{self, Vendor};

    fn samples_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/samples")
    }

    /// A sample file parsed, e.g. `sample("bitdrift", "alert.json")`.
    fn sample(vendor: &str, file: &str) -> Value {
        let path = samples_dir().join(vendor).join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
    }

    /// Every (vendor folder, file, expected vendor, expected kind) listed in the manifests.
    fn manifest_samples() -> Vec<(String, String, String, String)> {
        let mut out = Vec::new();
        for vendor in Vendor::ALL {
            let manifest = sample(vendor.id(), "manifest.json");
            for entry in manifest["samples"].as_array().expect("samples list") {
                let field = |v: &Value| v.as_str().expect("string in manifest").to_owned();
                out.push((
                    vendor.id().to_owned(),
                    field(&entry["file"]),
                    field(&entry["expect"]["vendor"]),
                    field(&entry["expect"]["kind"]),
                ));
            }
        }
        out
    }

    #[test]
    fn every_sample_is_detected_as_its_vendor_with_its_kind() {
        let all = manifest_samples();
        assert!(all.len() >= 40, "only {} samples found", all.len());
        for (folder, file, expected_vendor, expected_kind) in all {
            let value = sample(&folder, &file);
            let detected = vendor::detect(&value, vendor::Request::NONE);
            assert_eq!(
                detected.map(Vendor::id),
                Some(expected_vendor.as_str()),
                "{folder}/{file}"
            );
            // No other vendor's rule may claim it either, whatever the dispatch order.
            let claimed: Vec<_> = [
                vendor::bitdrift::detect(&value),
                vendor::octopus::detect(&value),
                vendor::bugsplat::detect(&value),
                vendor::firefly::detect(&value),
            ]
            .into_iter()
            .filter(|hit| *hit)
            .collect();
            assert_eq!(
                claimed.len(),
                1,
                "{folder}/{file} claimed by several vendors"
            );
            let decoded = vendor::decode(detected.unwrap(), &value, vendor::Request::NONE);
            assert_eq!(decoded.kind, expected_kind, "{folder}/{file}");
            assert!(
                decoded.headline.starts_with(&expected_kind) && !decoded.headline.contains('\n'),
                "{folder}/{file}: {}",
                decoded.headline
            );
        }
    }

    #[test]
    fn generic_payloads_are_not_detected() {
        let bodies = [
            json!({"timestamp": "2026-10-03T02:11:09Z", "event": "x"}),
            json!({"id": 1}),
            json!({}),
            json!([]),
            json!([{"timestamp": "2026-10-03T02:11:09Z", "test": {}}]),
            json!("text"),
            json!(42),
            json!(null),
            json!(true),
            // Near misses of each rule.
            json!({"timestamp": "2026-10-03T02:11:09Z", "alert": {"message": "disk full"}}),
            json!({"timestamp": "2026-10-03T02:11:09Z", "test": true}),
            json!({"timestamp": 1, "alert": {"alert_name": "x"}, "severity": "high"}),
            json!({"alert": {"alert_name": "x"}}),
            json!({"EventType": "Push", "Payload": {}}),
            json!({"Timestamp": "2026-10-03", "EventType": "SubscriptionPayload", "Payload": "x"}),
            json!({"application": "shop", "database": "prod", "version": "1.0"}),
            json!({"stackKeyId": 3, "version": "1.0"}),
            json!({"accountId": "a1", "samples": []}),
            json!({"accountId": "a1", "providerType": "aws", "samples": {}}),
            json!({"text": 5}),
            json!({"text": "deploy done", "username": "ci-bot"}),
            // Slack message with blocks.
            json!({
                "text": "Build #42 passed",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*Build #42* passed"}}]
            }),
            // GitHub push event (trimmed).
            json!({
                "ref": "refs/heads/main",
                "before": "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
                "after": "0000000000000000000000000000000000000000",
                "repository": {"id": 1296269, "full_name": "octocat/Hello-World", "private": false},
                "pusher": {"name": "octocat", "email": "octocat@github.com"},
                "sender": {"login": "octocat", "id": 1},
                "commits": [{"id": "6113728f", "message": "Fix", "timestamp": "2026-10-03T02:11:09Z"}],
                "head_commit": null
            }),
            // GitHub issues event.
            json!({
                "action": "opened",
                "issue": {"id": 1, "number": 1347, "title": "Found a bug", "state": "open"},
                "repository": {"id": 1296269, "full_name": "octocat/Hello-World"},
                "sender": {"login": "octocat"}
            }),
            // Stripe event.
            json!({
                "id": "evt_1NG8Du2eZvKYlo2CUI79vXWy",
                "object": "event",
                "api_version": "2022-11-15",
                "created": 1686089970,
                "data": {"object": {"id": "pi_3N", "object": "payment_intent", "amount": 2000}},
                "livemode": false,
                "pending_webhooks": 0,
                "request": {"id": null, "idempotency_key": null},
                "type": "payment_intent.succeeded"
            }),
            // Grafana / Alertmanager notification.
            json!({
                "receiver": "ops",
                "status": "firing",
                "alerts": [{"status": "firing", "labels": {"alertname": "HighCPU"}}],
                "groupLabels": {"alertname": "HighCPU"},
                "title": "[FIRING:1] HighCPU",
                "message": "CPU above 90%"
            }),
            // PagerDuty v3 webhook.
            json!({"event": {
                "id": "01DEN2HNNCHYC7WXFF3LHGZGE5",
                "event_type": "incident.triggered",
                "occurred_at": "2026-10-03T02:11:09Z",
                "data": {"id": "PGR0VU2", "type": "incident", "title": "A little bump in the road"}
            }}),
        ];
        for body in bodies {
            assert_eq!(vendor::detect(&body, vendor::Request::NONE), None, "{body}");
        }
    }

    /// Keys the vendors use, so random objects often hit the decoders' paths.
    const VENDOR_KEYS: &[&str] = &[
        "timestamp",
        "test",
        "alert",
        "alertName",
        "alert_name",
        "alert_url",
        "issue_alert",
        "issueAlert",
        "per_issue",
        "perIssue",
        "global",
        "issues",
        "issue_url",
        "reason",
        "labels",
        "session_capture",
        "view_name",
        "notification_type",
        "Timestamp",
        "EventType",
        "Payload",
        "Event",
        "Category",
        "Message",
        "MessageReferences",
        "StartIndex",
        "Length",
        "ReferencedDocumentId",
        "RelatedDocumentIds",
        "Links",
        "Self",
        "ServerUri",
        "Id",
        "TotalEventsInBatch",
        "EventNumberInBatch",
        "Subscription",
        "notificationType",
        "stackKeyId",
        "database",
        "application",
        "callstack",
        "stackFrameLevel",
        "lineNumber",
        "crashTypeId",
        "crashFileUrl",
        "attributes",
        "accountId",
        "samples",
        "drifts",
        "keyName",
        "iacValue",
        "providerValue",
        "ownerData",
        "userIdentity",
        "providerType",
        "text",
        "name",
    ];

    fn arbitrary_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            prop_oneof![
                Just("SubscriptionPayload".to_owned()),
                Just("https://x.example/a".to_owned()),
                Just("/api/x".to_owned()),
                "-?[0-9]{1,4}",
                "\\PC{0,12}",
                "[ \\t\\n]{0,3}[a-z-]{0,6}[ \\n]{0,3}",
            ]
            .prop_map(Value::String),
        ];
        let key = prop_oneof![
            3 => prop::sample::select(VENDOR_KEYS).prop_map(str::to_owned),
            1 => "[a-zA-Z_]{0,6}",
        ];
        leaf.prop_recursive(5, 64, 8, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((key.clone(), inner), 0..8)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
            ]
        })
    }

    /// Replaces the node reached by following `path` (child picked by index modulo size).
    fn replace_at(value: &mut Value, path: &[usize], new: Value) {
        let child = match (value, path.split_first()) {
            (Value::Object(map), Some((i, _))) if !map.is_empty() => {
                let n = i % map.len();
                map.values_mut().nth(n)
            }
            (Value::Array(list), Some((i, _))) if !list.is_empty() => {
                let n = i % list.len();
                list.get_mut(n)
            }
            (value, _) => {
                *value = new;
                return;
            }
        };
        if let Some(child) = child {
            replace_at(child, &path[1..], new);
        }
    }

    fn decode_everything(value: &Value) {
        let detected = vendor::detect(value, vendor::Request::NONE);
        for vendor in Vendor::ALL {
            let decoded = vendor::decode(vendor, value, vendor::Request::NONE);
            assert!(!decoded.kind.is_empty());
            assert!(!decoded.headline.contains('\n'), "{}", decoded.headline);
            for link in &decoded.links {
                assert!(
                    link.url.to_ascii_lowercase().starts_with("http"),
                    "{}",
                    link.url
                );
            }
        }
        if let Some(vendor) = detected {
            assert!(
                !vendor::decode(vendor, value, vendor::Request::NONE)
                    .headline
                    .is_empty()
            );
        }
    }

    proptest! {
        #[test]
        fn arbitrary_json_never_panics(value in arbitrary_json()) {
            decode_everything(&value);
        }

        #[test]
        fn mutated_samples_never_panic(
            pick in any::<usize>(),
            edits in prop::collection::vec(
                (prop::collection::vec(any::<usize>(), 0..7), arbitrary_json()),
                1..4,
            ),
        ) {
            let all = manifest_samples();
            let (folder, file, _, _) = &all[pick % all.len()];
            let mut value = sample(folder, file);
            for (path, new) in edits {
                replace_at(&mut value, &path, new);
            }
            decode_everything(&value);
        }
    }

    fn field<'a>(decoded: &'a Decoded, label: &str) -> Option<&'a str> {
        decoded
            .fields
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.value.as_str())
    }

    #[test]
    fn alert_shows_name_workflow_labels_and_links() {
        let decoded = decode(&sample("bitdrift", "alert.json"));
        assert_eq!(
            decoded.headline,
            "alert · ANR rate above 0.5% · workflow App not responding (Android)"
        );
        assert_eq!(field(&decoded, "Alert"), Some("ANR rate above 0.5%"));
        assert_eq!(
            field(&decoded, "Labels"),
            Some("team=mobile-platform, severity=high, platform=android")
        );
        assert_eq!(
            field(&decoded, "Timestamp"),
            Some("2026-10-03T02:11:09.274Z")
        );
        let links: Vec<_> = decoded
            .links
            .iter()
            .map(|l| (l.label.as_str(), l.url.as_str()))
            .collect();
        assert_eq!(
            links,
            [
                ("Alert", "https://app.bitdrift.io/alerts/al_7c2e90f4"),
                ("Workflow", "https://app.bitdrift.io/workflows/wf_a81c3d57"),
            ]
        );
        assert_eq!(decoded.dedupe_key, None);
    }

    /// Renames every documented key to lowerCamelCase, leaving label names alone.
    fn camelize(value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let mut key = String::new();
                        let mut upper = false;
                        for c in k.chars() {
                            match c {
                                '_' => upper = true,
                                c if upper => {
                                    key.push(c.to_ascii_uppercase());
                                    upper = false;
                                }
                                c => key.push(c),
                            }
                        }
                        let v = if k == "labels" {
                            v.clone()
                        } else {
                            camelize(v)
                        };
                        (key, v)
                    })
                    .collect(),
            ),
            Value::Array(list) => Value::Array(list.iter().map(camelize).collect()),
            other => other.clone(),
        }
    }

    #[test]
    fn both_spellings_decode_to_the_same_facts() {
        for file in [
            "alert.json",
            "issue_alert.json",
            "session_capture-legacy.json",
            "entity_recording_completed.json",
            "issue_report_notification.json",
            "issue_notification.json",
        ] {
            let snake = sample("bitdrift", file);
            let camel = camelize(&snake);
            assert_ne!(snake, camel, "{file}");
            assert!(detect(&camel), "{file}");
            assert_eq!(decode(&snake), decode(&camel), "{file}");
        }
        let camel = decode(&sample("bitdrift", "alert-camel-case.json"));
        assert_eq!(camel.kind, "alert");
        assert_eq!(field(&camel, "Workflow"), Some("App launch performance"));
        assert_eq!(field(&camel, "Labels"), Some("team=performance"));
        assert_eq!(camel.links.len(), 2);
    }

    #[test]
    fn per_issue_alert_lists_issues() {
        let decoded = decode(&sample("bitdrift", "issue_alert.json"));
        assert_eq!(
            decoded.headline,
            "issue_alert · iOS crashes - release 7.4 · 2 issues"
        );
        assert_eq!(field(&decoded, "Scope"), Some("per issue"));
        assert_eq!(field(&decoded, "Labels"), Some("team=ios, release=7.4"));
        let table = &decoded.tables[0];
        assert_eq!(table.columns, ["Issue URL", "Reason"]);
        assert_eq!(
            table.rows[1],
            [
                "https://app.bitdrift.io/issues/is_93d6a7e5",
                "New issue affecting more than 250 users"
            ]
        );
        let labels: Vec<_> = decoded.links.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["Alert", "View", "Issue 1", "Issue 2"]);

        let global = decode(&sample("bitdrift", "issue_alert-global.json"));
        assert_eq!(global.headline, "issue_alert · All Android issues · global");
        assert!(global.tables.is_empty());
    }

    #[test]
    fn kind_is_the_first_non_null_member() {
        let body = json!({"timestamp": "t", "alert": null, "issueNotification": {"reason": "r"}, "test": {}});
        assert_eq!(decode(&body).kind, "issue_notification");
        assert_eq!(
            decode(&sample("bitdrift", "broken-two-members.json")).kind,
            "alert"
        );
        let none = decode(&json!({"timestamp": "t", "alert": null}));
        assert_eq!(none.kind, "unknown");
        assert!(!detect(&json!({"timestamp": "t", "alert": null})));
    }

    #[test]
    fn text_is_collapsed_and_clipped_and_bad_urls_dropped() {
        let long = "word ".repeat(40);
        let body = json!({"timestamp": "t", "alert": {
            "alert_name": format!("  Crash\n\trate   {long}"),
            "alert_url": "app.bitdrift.io/alerts/1",
            "workflow_url": "https://app.bitdrift.io/workflows/1",
        }});
        let decoded = decode(&body);
        assert!(decoded.headline.starts_with("alert · Crash rate word"));
        assert!(decoded.headline.ends_with('…'));
        assert!(decoded.headline.chars().count() < 90);
        assert_eq!(decoded.links.len(), 1);
        assert_eq!(decoded.links[0].label, "Workflow");
    }

    #[test]
    fn spelling_match() {
        assert!(key_matches("session_id", "session_id"));
        assert!(key_matches("sessionId", "session_id"));
        assert!(!key_matches("session_Id", "session_id"));
        assert!(!key_matches("sessionid", "session_id"));
        assert!(!key_matches("sessionIdx", "session_id"));
        assert_eq!(words("issueReport"), "Issue report");
        assert_eq!(words("timeline"), "Timeline");
    }
}
