//! Firefly notification webhook: account and integration facts at the top level and the
//! affected cloud resources in `samples` (with `drifts` on Drift notifications), plus the
//! `{"text": …}` check message Firefly sends when the integration is set up.

use serde_json::{Map, Value};

use crate::vendor::text::{collapse, headline, is_http, line, push};
use crate::vendor::{Decoded, Link, Table};

/// Firefly is either the set-up probe (an object whose only key is a string `text`; Slack
/// and chat bodies always carry more keys) or a notification: string `accountId`, a
/// `samples` array, and one of the integration keys. `accountId` plus `samples` is not a
/// combination other webhooks use.
pub fn detect(value: &Value) -> bool {
    let Some(root) = value.as_object() else {
        return false;
    };
    // Recognised only alone: other webhooks (Slack's) also send `text`, with more beside it.
    (root.len() == 1 && root.get("text").is_some_and(Value::is_string))
        || (root.get("accountId").is_some_and(Value::is_string)
            && root.get("samples").is_some_and(Value::is_array)
            && ["integrationId", "providerType", "notificationType"]
                .iter()
                .any(|key| root.contains_key(*key)))
}

/// `integration-test` for the set-up probe, else `notificationType`.
pub fn kind(value: &Value) -> String {
    match value.as_object() {
        Some(root) if is_probe(root) => "integration-test".into(),
        _ => line(value.get("notificationType")).unwrap_or_else(|| "unknown".into()),
    }
}

pub fn decode(value: &Value) -> Decoded {
    let empty = Map::new();
    let root = value.as_object().unwrap_or(&empty);
    if is_probe(root) {
        let mut fields = Vec::new();
        push(&mut fields, "Message", line(root.get("text")));
        return Decoded {
            kind: "integration-test".into(),
            headline: "integration-test · Firefly webhook set-up check".into(),
            fields,
            ..Decoded::default()
        };
    }
    let text = |key: &str| line(root.get(key));
    let kind = kind(value);
    let samples: Vec<&Map<String, Value>> = root
        .get("samples")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect();
    let drifts = drift_rows(&samples);

    let resources = count(samples.len(), "resource");
    // A drift count of 0 is news on a Drift notification, noise on the others.
    let drift_count = (kind == "Drift" || !drifts.is_empty()).then(|| count(drifts.len(), "drift"));
    let mut fields = Vec::new();
    push(
        &mut fields,
        "Account",
        named(text("accountName"), text("accountId")),
    );
    push(
        &mut fields,
        "Integration",
        named(text("integrationName"), text("integrationIdentifier")),
    );
    push(&mut fields, "Integration id", text("integrationId"));
    push(&mut fields, "Provider", text("providerType"));
    push(&mut fields, "Region", text("region"));
    push(&mut fields, "Asset type", text("assetType"));
    push(&mut fields, "Resources", Some(samples.len().to_string()));
    if drift_count.is_some() {
        push(&mut fields, "Drifts", Some(drifts.len().to_string()));
    }
    push(&mut fields, "Workflow id", text("workflowId"));

    let summary = match drift_count {
        Some(drifts) => format!("{resources}, {drifts}"),
        None => resources,
    };
    let mut tables = Vec::new();
    if !samples.is_empty() {
        tables.push(sample_table(&samples));
    }
    if !drifts.is_empty() {
        tables.push(Table {
            title: "Drifts".into(),
            columns: ["Resource", "Key", "IaC value", "Provider value"]
                .map(String::from)
                .into(),
            rows: drifts,
        });
    }

    Decoded {
        headline: headline(&kind, &[text("assetType"), Some(summary)]),
        kind,
        fields,
        links: links(root, &samples),
        tables,
        dedupe_key: None,
    }
}

/// Firefly's set-up probe: an object with `text` and none of a notification's own keys.
/// Kind, summary and validation agree on this; detection also wants `text` alone.
pub fn is_probe(root: &Map<String, Value>) -> bool {
    root.contains_key("text")
        && !["accountId", "notificationType", "samples"]
            .iter()
            .any(|key| root.contains_key(*key))
}

/// How a sample is named in tables: its name, else its ARN/FRN, else its position.
fn resource(sample: &Map<String, Value>, index: usize) -> String {
    ["name", "ARN", "FRN"]
        .iter()
        .find_map(|key| line(sample.get(*key)))
        .unwrap_or_else(|| format!("#{}", index + 1))
}

fn sample_table(samples: &[&Map<String, Value>]) -> Table {
    let rows = samples
        .iter()
        .enumerate()
        .map(|(index, sample)| {
            let owner = sample.get("ownerData");
            let action = match (
                line(owner.and_then(|o| o.get("ActionType"))),
                line(owner.and_then(|o| o.get("eventName"))),
            ) {
                (Some(action), Some(event)) => format!("{action} ({event})"),
                (action, event) => action.or(event).unwrap_or_default(),
            };
            let by = owner
                .and_then(|o| o.get("userIdentity"))
                .and_then(|u| u.get("displayName"));
            vec![
                resource(sample, index),
                line(sample.get("ARN"))
                    .or_else(|| line(sample.get("FRN")))
                    .unwrap_or_default(),
                line(sample.get("firstSeen")).unwrap_or_default(),
                line(sample.get("lastResourceStateChange")).unwrap_or_default(),
                action,
                line(by).unwrap_or_default(),
            ]
        })
        .collect();
    Table {
        title: "Samples".into(),
        columns: [
            "Resource",
            "ARN",
            "First seen",
            "Last change",
            "Owner action",
            "By",
        ]
        .map(String::from)
        .into(),
        rows,
    }
}

/// One row per drift: (resource, key, IaC value, provider value).
fn drift_rows(samples: &[&Map<String, Value>]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for (index, sample) in samples.iter().enumerate() {
        let drifts = sample.get("drifts").and_then(Value::as_array);
        for drift in drifts.into_iter().flatten().filter_map(Value::as_object) {
            rows.push(vec![
                resource(sample, index),
                line(drift.get("keyName")).unwrap_or_default(),
                cell(drift.get("iacValue")),
                cell(drift.get("providerValue")),
            ]);
        }
    }
    rows
}

/// A drift value: an empty string is a real value ("not set on this side"), so it is shown;
/// a missing one stays blank; a non-string (undocumented) is shown as JSON.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) if s.trim().is_empty() => "(empty)".into(),
        Some(Value::String(s)) => collapse(s),
        Some(other) => other.to_string(),
    }
}

/// Firefly documents no URL fields; any http(s) string at the top level or directly in a
/// sample is still offered as a link.
fn links(root: &Map<String, Value>, samples: &[&Map<String, Value>]) -> Vec<Link> {
    let mut links = Vec::new();
    let mut add = |label: String, value: &Value| {
        if let Some(url) = value.as_str().filter(|url| is_http(url)) {
            links.push(Link {
                label,
                url: url.to_owned(),
            });
        }
    };
    for (key, value) in root {
        add(key.clone(), value);
    }
    for (index, sample) in samples.iter().enumerate() {
        for (key, value) in sample.iter() {
            add(format!("{} {key}", resource(sample, index)), value);
        }
    }
    links
}

/// `name (id)`, or whichever of the two is present.
fn named(name: Option<String>, id: Option<String>) -> Option<String> {
    match (name, id) {
        (Some(name), Some(id)) => Some(format!("{name} ({id})")),
        (name, id) => name.or(id),
    }
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    fn sample(file: &str) -> Value {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/samples/firefly")
            .join(file);
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn field<'a>(decoded: &'a Decoded, label: &str) -> Option<&'a str> {
        decoded
            .fields
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.value.as_str())
    }

    #[test]
    fn drift_lists_account_facts_samples_and_drift_rows() {
        let decoded = decode(&sample("Drift.json"));
        assert_eq!(decoded.kind, "Drift");
        assert_eq!(
            decoded.headline,
            "Drift · aws_s3_bucket · 2 resources, 4 drifts"
        );
        assert_eq!(
            field(&decoded, "Account"),
            Some("Northwind Traders (64f1c2a9e3b7d05a18c4e291)")
        );
        assert_eq!(
            field(&decoded, "Integration"),
            Some("aws-prod (418295730614)")
        );
        assert_eq!(field(&decoded, "Provider"), Some("aws"));
        assert_eq!(field(&decoded, "Region"), Some("us-east-1"));
        assert_eq!(field(&decoded, "Asset type"), Some("aws_s3_bucket"));
        assert_eq!(
            field(&decoded, "Workflow id"),
            None,
            "empty workflowId is left out"
        );
        assert!(decoded.links.is_empty());

        let samples = &decoded.tables[0];
        assert_eq!(samples.title, "Samples");
        assert_eq!(
            samples.rows[0],
            [
                "northwind-prod-invoices",
                "arn:aws:s3:::northwind-prod-invoices",
                "2025-03-18T10:04:55.12Z",
                "2026-11-02T06:38:47Z",
                "Update (PutBucketVersioning)",
                "priya.natarajan",
            ]
        );

        let drifts = &decoded.tables[1];
        assert_eq!(drifts.title, "Drifts");
        assert_eq!(
            drifts.columns,
            ["Resource", "Key", "IaC value", "Provider value"]
        );
        assert_eq!(
            drifts.rows,
            [
                [
                    "northwind-prod-invoices",
                    "versioning.status",
                    "Enabled",
                    "Suspended"
                ],
                [
                    "northwind-prod-invoices",
                    "server_side_encryption_configuration.rule.apply_server_side_encryption_by_default.sse_algorithm",
                    "aws:kms",
                    "AES256",
                ],
                [
                    "northwind-prod-invoices",
                    "tags.CostCenter",
                    "finance",
                    "finance-ops"
                ],
                [
                    "northwind-prod-static",
                    "public_access_block.block_public_policy",
                    "true",
                    "false"
                ],
            ]
        );
    }

    #[test]
    fn other_kinds_and_odd_drifts() {
        let ghost = decode(&sample("GhostResource.json"));
        assert_eq!(
            ghost.headline,
            "GhostResource · google_compute_instance · 1 resource"
        );
        assert_eq!(ghost.tables.len(), 1, "no drifts table");
        assert_eq!(ghost.tables[0].rows[0][4], "", "ownerData is null");

        let on_ghost = decode(&sample("warning-drifts-on-ghost.json"));
        assert_eq!(
            on_ghost.tables[1].rows[0],
            ["etl-worker-2", "machine_type", "e2-standard-4", "(empty)"]
        );

        let missing = decode(&sample("warning-drift-without-drifts.json"));
        assert_eq!(
            missing.headline,
            "Drift · aws_s3_bucket · 2 resources, 3 drifts"
        );

        let untyped = decode(&sample("broken-missing-notification-type.json"));
        assert_eq!(untyped.kind, "unknown");
        assert!(
            untyped
                .headline
                .starts_with("unknown · aws_s3_bucket · 2 resources")
        );
    }

    #[test]
    fn set_up_probe() {
        let probe = sample("integration-test.json");
        assert!(detect(&probe));
        let decoded = decode(&probe);
        assert_eq!(decoded.kind, "integration-test");
        assert_eq!(
            decoded.headline,
            "integration-test · Firefly webhook set-up check"
        );
        assert_eq!(
            field(&decoded, "Message"),
            Some("This is a test message from Firefly to verify your webhook integration.")
        );
        assert!(!detect(&json!({"text": "hi", "blocks": []})));
        assert!(!detect(&json!({"text": null})));
    }
}
