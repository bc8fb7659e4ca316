//! Octopus Deploy rules a JSON Schema cannot state: the batch position, message reference
//! ranges (in .NET's UTF-16 units) and their link text, and the custom header the
//! subscription says it sends.

use serde_json::Value;

use crate::capture::Header;
use crate::validate::json::{at, integer_like};
use crate::validate::{Finding, has_error_at};

const NUMBER: &str = "/Payload/EventNumberInBatch";
const TOTAL: &str = "/Payload/TotalEventsInBatch";
const HEADER_KEY: &str = "/Payload/Subscription/EventNotificationSubscription/WebhookHeaderKey";
const HEADER_VALUE: &str = "/Payload/Subscription/EventNotificationSubscription/WebhookHeaderValue";

pub fn check(value: &Value, headers: Option<&[Header]>, findings: &mut Vec<Finding>) {
    check_batch_position(value, findings);
    check_message_references(value, findings);
    if let Some(headers) = headers {
        check_custom_header(value, headers, findings);
    }
}

fn check_batch_position(value: &Value, findings: &mut Vec<Finding>) {
    let number = at(value, NUMBER).and_then(integer_like);
    let total = at(value, TOTAL).and_then(integer_like);
    for (pointer, position) in [(NUMBER, number), (TOTAL, total)] {
        if let Some(position) = position.filter(|p| *p < 1) {
            findings.push(Finding::error(
                pointer,
                format!("must be at least 1 (positions in a batch count from 1); found {position}"),
            ));
        }
    }
    if let (Some(number), Some(total)) = (number, total)
        && number > total
        && total >= 1
    {
        findings.push(Finding::error(
            NUMBER,
            format!("event {number} of a batch of {total}: the position cannot exceed the total"),
        ));
    }
}

fn check_message_references(value: &Value, findings: &mut Vec<Finding>) {
    let Some(event) = at(value, "/Payload/Event") else {
        return;
    };
    let (Some(message), Some(references)) = (
        event.get("Message").and_then(Value::as_str),
        event.get("MessageReferences").and_then(Value::as_array),
    ) else {
        return;
    };
    // .NET strings index UTF-16 code units: a character outside the BMP counts twice.
    let units: Vec<u16> = message.encode_utf16().collect();
    let html = event.get("MessageHtml").and_then(Value::as_str);
    for (i, reference) in references.iter().enumerate() {
        let pointer = format!("/Payload/Event/MessageReferences/{i}");
        let (Some(start), Some(length)) = (
            reference.get("StartIndex").and_then(integer_like),
            reference.get("Length").and_then(integer_like),
        ) else {
            continue;
        };
        if start < 0 || length < 0 {
            continue;
        }
        let end = start.saturating_add(length);
        if end > units.len() as i64 {
            findings.push(Finding::error(
                pointer,
                format!(
                    "characters {start} to {end} are past the end of Message, which is {} long \
                     (counted in UTF-16 units, as .NET does)",
                    units.len()
                ),
            ));
            continue;
        }
        let text = String::from_utf16_lossy(&units[start as usize..end as usize]);
        if let Some(html) = html
            && !is_link_text(html, &text)
        {
            findings.push(Finding::warning(
                pointer,
                format!(
                    "refers to {} in Message, but MessageHtml has no link with that text",
                    crate::validate::json::quote(&text)
                ),
            ));
        }
    }
}

fn is_link_text(html: &str, text: &str) -> bool {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    html.contains(&format!(">{text}</a>")) || html.contains(&format!(">{escaped}</a>"))
}

/// The subscription names the one custom header Octopus adds to its requests; a capture
/// without it (or with another value) means the receiver's check would reject it.
fn check_custom_header(value: &Value, headers: &[Header], findings: &mut Vec<Finding>) {
    let Some(name) = value
        .pointer(HEADER_KEY)
        .and_then(Value::as_str)
        .filter(|name| !name.is_empty())
    else {
        return;
    };
    if has_error_at(findings, HEADER_KEY) {
        return;
    }
    let sent: Vec<&[u8]> = headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_slice())
        .collect();
    if sent.is_empty() {
        findings.push(Finding::warning(
            HEADER_KEY,
            format!("the subscription adds the header `{name}` to its requests, but this request has none"),
        ));
        return;
    }
    // A sensitive value arrives as an object and cannot be compared.
    if let Some(expected) = at(value, HEADER_VALUE).and_then(Value::as_str)
        && !sent.contains(&expected.as_bytes())
    {
        findings.push(Finding::warning(
            HEADER_VALUE,
            format!("the request's `{name}` header has a different value than the subscription's"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn findings_for(value: Value, headers: Option<&[Header]>) -> Vec<(String, String)> {
        let mut findings = Vec::new();
        check(&value, headers, &mut findings);
        findings
            .into_iter()
            .map(|f| (f.pointer, f.severity.to_string()))
            .collect()
    }

    #[test]
    fn references_count_utf16_units() {
        // "🚀 Deploy" is 9 UTF-16 units: the rocket counts 2.
        let event = |start: i64, length: i64| {
            json!({"Payload": {"Event": {
                "Message": "🚀 Deploy",
                "MessageHtml": "🚀 <a href='#/d'>Deploy</a>",
                "MessageReferences": [{"ReferencedDocumentId": "Deployments-1", "StartIndex": start, "Length": length}]
            }}})
        };
        assert!(findings_for(event(3, 6), None).is_empty());
        assert_eq!(
            findings_for(event(4, 6), None),
            [(
                "/Payload/Event/MessageReferences/0".to_owned(),
                "error".to_owned()
            )]
        );
        assert_eq!(
            findings_for(event(2, 6), None),
            [(
                "/Payload/Event/MessageReferences/0".to_owned(),
                "warning".to_owned()
            )]
        );
    }

    #[test]
    fn custom_header_compared_only_when_headers_are_known() {
        let value = json!({"Payload": {"Subscription": {"EventNotificationSubscription": {
            "WebhookHeaderKey": "X-Token", "WebhookHeaderValue": "s3cret"}}}});
        assert!(findings_for(value.clone(), None).is_empty());
        let right = [Header::new("x-token", "s3cret")];
        assert!(findings_for(value.clone(), Some(&right)).is_empty());
        let wrong = [Header::new("X-Token", "old")];
        assert_eq!(findings_for(value.clone(), Some(&wrong))[0].0, HEADER_VALUE);
        assert_eq!(findings_for(value, Some(&[]))[0].0, HEADER_KEY);
    }
}
