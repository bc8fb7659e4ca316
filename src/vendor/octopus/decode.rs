//! Octopus Deploy subscription webhook: a PascalCase envelope (`Timestamp`, `EventType:
//! "SubscriptionPayload"`, `Payload`) carrying one audit event per POST, numbered within the
//! batch of the "Process Subscriptions" run that sent it.

use serde_json::{Map, Value};

use crate::validate::json::at;
use crate::vendor::text::{collapse, headline, is_http, line, push, scalar};
use crate::vendor::{Decoded, Link, Table};

/// `EventType` is always `"SubscriptionPayload"` and `Payload` an object: that exact
/// PascalCase pair does not occur in other webhook formats, so nothing else is needed.
pub fn detect(value: &Value) -> bool {
    value.get("EventType").and_then(Value::as_str) == Some("SubscriptionPayload")
        && value.get("Payload").is_some_and(Value::is_object)
}

/// `Payload.Event.Category`.
pub fn kind(value: &Value) -> String {
    line(at(value, "/Payload/Event/Category")).unwrap_or_else(|| "unknown".into())
}

/// `Payload.Event.Id`: Octopus may deliver an event more than once.
pub fn dedupe_key(value: &Value) -> Option<String> {
    line(at(value, "/Payload/Event/Id"))
}

pub fn decode(value: &Value) -> Decoded {
    let empty = Map::new();
    let payload = object(value.get("Payload")).unwrap_or(&empty);
    let event = object(payload.get("Event")).unwrap_or(&empty);
    let subscription = object(payload.get("Subscription")).unwrap_or(&empty);
    let text = |map: &Map<String, Value>, key: &str| line(map.get(key));

    let kind = kind(value);
    let position = batch_position(payload);

    let mut fields = Vec::new();
    push(&mut fields, "Message", text(event, "Message"));
    push(&mut fields, "Batch position", position.clone());
    push(&mut fields, "Batch id", text(payload, "BatchId"));
    push(&mut fields, "Event id", text(event, "Id"));
    push(&mut fields, "Occurred", text(event, "Occurred"));
    push(&mut fields, "User", user(event));
    push(&mut fields, "Space", space(event, subscription));
    push(&mut fields, "Subscription", text(subscription, "Name"));
    push(&mut fields, "Comments", text(event, "Comments"));
    // The 3.9-era digest draft carried `Events` instead of `Event`.
    if let Some(events) = payload.get("Events").and_then(Value::as_array) {
        push(&mut fields, "Digest events", Some(events.len().to_string()));
    }

    // "1 of 1" says nothing in a list; a real batch position does.
    let position_part = position.filter(|p| p != "1 of 1");
    let headline = headline(
        &kind,
        &[
            text(event, "Message").or_else(|| text(event, "Id")),
            position_part,
        ],
    );

    Decoded {
        headline,
        fields,
        links: links(payload, event, subscription),
        tables: tables(event),
        dedupe_key: dedupe_key(value),
        kind,
    }
}

/// `EventNumberInBatch of TotalEventsInBatch`; either may be a number or a numeric string
/// (the docs' skeleton uses strings). `?` stands in for a missing half.
fn batch_position(payload: &Map<String, Value>) -> Option<String> {
    let number = scalar(payload.get("EventNumberInBatch"));
    let total = scalar(payload.get("TotalEventsInBatch"));
    if number.is_none() && total.is_none() {
        return None;
    }
    let or_unknown = |part: Option<String>| part.unwrap_or_else(|| "?".into());
    Some(format!("{} of {}", or_unknown(number), or_unknown(total)))
}

/// `Username (UserId)`, either alone when the other is missing.
fn user(event: &Map<String, Value>) -> Option<String> {
    match (line(event.get("Username")), line(event.get("UserId"))) {
        (Some(name), Some(id)) if name != id => Some(format!("{name} ({id})")),
        (Some(name), _) => Some(name),
        (None, id) => id,
    }
}

/// The event's space; Octopus sends `SpaceId: null` for system-level events, which is worth
/// saying rather than falling back to the subscription's space.
fn space(event: &Map<String, Value>, subscription: &Map<String, Value>) -> Option<String> {
    match event.get("SpaceId") {
        Some(Value::Null) => Some("none (system event)".into()),
        Some(space) => line(Some(space)),
        None => line(subscription.get("SpaceId")),
    }
}

fn links(
    payload: &Map<String, Value>,
    event: &Map<String, Value>,
    subscription: &Map<String, Value>,
) -> Vec<Link> {
    let server = payload.get("ServerUri").and_then(Value::as_str);
    let self_link = |map: &Map<String, Value>| {
        let path = map.get("Links")?.get("Self")?.as_str()?;
        resolve(server, path)
    };
    let candidates = [
        ("Server", server.map(str::to_owned)),
        (
            "Audit log",
            payload
                .get("ServerAuditUri")
                .and_then(Value::as_str)
                .map(str::to_owned),
        ),
        ("Event (API)", self_link(event)),
        ("Subscription (API)", self_link(subscription)),
    ];
    candidates
        .into_iter()
        .filter_map(|(label, url)| {
            let url = url.filter(|u| is_http(u))?;
            Some(Link {
                label: label.into(),
                url,
            })
        })
        .collect()
}

/// `Links.Self` is a server-relative path such as `/api/events/Events-1`; joined onto
/// `ServerUri` (which may carry a virtual directory) it becomes a link a person can open.
fn resolve(server: Option<&str>, path: &str) -> Option<String> {
    if is_http(path) {
        return Some(path.to_owned());
    }
    let server = server?;
    let path = path.strip_prefix('/').unwrap_or(path);
    Some(format!("{}/{path}", server.trim_end_matches('/')))
}

fn tables(event: &Map<String, Value>) -> Vec<Table> {
    let mut tables = Vec::new();
    let documents: Vec<Vec<String>> = event
        .get("RelatedDocumentIds")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|id| {
            let kind = id.split_once('-').map_or("", |(prefix, _)| prefix);
            vec![collapse(id), collapse(kind)]
        })
        .collect();
    if !documents.is_empty() {
        tables.push(Table {
            title: "Related documents".into(),
            columns: vec!["Document".into(), "Type".into()],
            rows: documents,
        });
    }

    // References index the message in UTF-16 units (.NET string indices).
    let message: Vec<u16> = event
        .get("Message")
        .and_then(Value::as_str)
        .unwrap_or("")
        .encode_utf16()
        .collect();
    let references: Vec<Vec<String>> = event
        .get("MessageReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|reference| {
            vec![
                line(reference.get("ReferencedDocumentId")).unwrap_or_default(),
                referenced_text(&message, reference)
                    .unwrap_or_else(|| "(outside the message)".into()),
            ]
        })
        .collect();
    if !references.is_empty() {
        tables.push(Table {
            title: "Message references".into(),
            columns: vec!["Document".into(), "Text".into()],
            rows: references,
        });
    }
    tables
}

/// The part of the message (as UTF-16 units, so an emoji takes two) a reference points at;
/// None when the range is missing, negative or runs past the end.
fn referenced_text(message: &[u16], reference: &Map<String, Value>) -> Option<String> {
    let index = |key: &str| -> Option<usize> {
        match reference.get(key)? {
            Value::Number(n) => usize::try_from(n.as_u64()?).ok(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    };
    let start = index("StartIndex")?;
    let end = start.checked_add(index("Length")?)?;
    let text = String::from_utf16_lossy(message.get(start..end)?);
    Some(collapse(&text))
}

fn object(value: Option<&Value>) -> Option<&Map<String, Value>> {
    value?.as_object()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    fn sample(file: &str) -> Value {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/samples/octopus")
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
    fn deployment_failed_shows_message_batch_and_links() {
        let decoded = decode(&sample("DeploymentFailed.json"));
        assert_eq!(decoded.kind, "DeploymentFailed");
        assert_eq!(
            decoded.headline,
            "DeploymentFailed · Deploy to Production 🚀 failed for Storefront Web release 2026.10.5 to… · 2 of 3"
        );
        assert_eq!(field(&decoded, "Batch position"), Some("2 of 3"));
        assert_eq!(
            field(&decoded, "Batch id"),
            Some("5c2d8e71-94a0-4b3f-a6e8-1f07b9d4c2a6")
        );
        assert_eq!(field(&decoded, "Event id"), Some("Events-886004"));
        assert_eq!(
            field(&decoded, "Occurred"),
            Some("2026-10-16T17:44:52.6170251+00:00")
        );
        assert_eq!(field(&decoded, "User"), Some("system (users-system)"));
        assert_eq!(field(&decoded, "Space"), Some("Spaces-1"));
        assert_eq!(decoded.dedupe_key.as_deref(), Some("Events-886004"));

        let links: Vec<_> = decoded
            .links
            .iter()
            .map(|l| (l.label.as_str(), l.url.as_str()))
            .collect();
        assert_eq!(links[0], ("Server", "https://northwind.octopus.app"));
        assert_eq!(links[1].0, "Audit log");
        assert_eq!(
            links[2],
            (
                "Event (API)",
                "https://northwind.octopus.app/api/events/Events-886004"
            )
        );
        assert_eq!(
            links[3],
            (
                "Subscription (API)",
                "https://northwind.octopus.app/api/Spaces-1/subscriptions/Subscriptions-12"
            )
        );
    }

    #[test]
    fn related_documents_and_references_are_tables() {
        let decoded = decode(&sample("DeploymentFailed.json"));
        let documents = &decoded.tables[0];
        assert_eq!(documents.title, "Related documents");
        assert_eq!(documents.columns, ["Document", "Type"]);
        assert_eq!(documents.rows[0], ["Deployments-20533", "Deployments"]);
        assert_eq!(documents.rows.len(), 6);
        // Offsets count UTF-16 units: the emoji-bearing environment name comes out whole.
        let references = &decoded.tables[1];
        assert_eq!(references.title, "Message references");
        let texts: Vec<_> = references.rows.iter().map(|r| r[1].as_str()).collect();
        assert_eq!(texts.last(), Some(&"Production 🚀"));
        assert_eq!(texts[0], "Deploy to Production 🚀");
    }

    #[test]
    fn single_event_batches_and_system_events() {
        let decoded = decode(&sample("Created.json"));
        assert_eq!(
            decoded.headline,
            "Created · User Release Bot has been created"
        );
        assert_eq!(field(&decoded, "Batch position"), Some("1 of 1"));
        assert_eq!(field(&decoded, "Space"), Some("none (system event)"));
        assert_eq!(field(&decoded, "User"), Some("maria.jensen (Users-27)"));
        // ServerUri is null: no server, audit or resolved API links.
        assert!(decoded.links.is_empty());
        assert_eq!(decoded.dedupe_key.as_deref(), Some("Events-894019"));
    }

    #[test]
    fn numbers_as_strings_and_missing_parts() {
        let decoded = decode(&sample("warning-numeric-strings.json"));
        assert_eq!(field(&decoded, "Batch position"), Some("2 of 3"));
        let decoded = decode(&sample("broken-batch-id.json"));
        assert_eq!(field(&decoded, "Batch position"), Some("1 of ?"));

        let bare = json!({"EventType": "SubscriptionPayload", "Payload": {"Event": {"Category": 7, "Id": 3}}});
        assert!(detect(&bare));
        let decoded = decode(&bare);
        assert_eq!(decoded.kind, "unknown");
        assert_eq!(decoded.dedupe_key, None);
        assert_eq!(decoded.headline, "unknown");
    }

    #[test]
    fn reference_ranges_outside_the_message_stay_empty() {
        let event = json!({"Message": "a😀b", "MessageReferences": [
            {"ReferencedDocumentId": "X-1", "StartIndex": 1, "Length": 2},
            {"ReferencedDocumentId": "X-2", "StartIndex": 3, "Length": 9},
            {"ReferencedDocumentId": "X-3", "StartIndex": -1, "Length": 1},
            {"ReferencedDocumentId": "X-4", "StartIndex": u64::MAX, "Length": u64::MAX},
        ]});
        let tables = tables(event.as_object().unwrap());
        let texts: Vec<_> = tables[0].rows.iter().map(|r| r[1].as_str()).collect();
        assert_eq!(
            texts,
            [
                "😀",
                "(outside the message)",
                "(outside the message)",
                "(outside the message)"
            ]
        );
    }
}
