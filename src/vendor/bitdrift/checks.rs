//! bitdrift rules a JSON Schema cannot state well: exactly one notification member in either
//! key spelling, one alert scope, one key style, nulls, the timestamp's output form and the
//! limits of the alert configuration.

use serde_json::{Map, Value};

use crate::capture::Header;
use crate::validate::{Finding, has_error_at, push_token};

/// The `notification_type` oneof members, proto spelling first.
const MEMBERS: [(&str, &str); 7] = [
    ("test", "test"),
    ("session_capture", "sessionCapture"),
    ("entity_recording_completed", "entityRecordingCompleted"),
    ("alert", "alert"),
    ("issue_alert", "issueAlert"),
    ("issue_report_notification", "issueReportNotification"),
    ("issue_notification", "issueNotification"),
];

const SCOPES: [&str; 3] = ["global", "per_issue", "perIssue"];

/// Documented names whose spelling differs between proto (snake_case) and ProtoJSON's
/// default lowerCamelCase; single-word names are the same in both and tell nothing.
const TWO_STYLE_NAMES: [&str; 20] = [
    "session_capture",
    "entity_recording_completed",
    "issue_alert",
    "issue_report_notification",
    "issue_notification",
    "timeline_url",
    "workflow_url",
    "session_id",
    "exploration_name",
    "workflow_name",
    "rule_title",
    "entity_id",
    "alert_name",
    "alert_url",
    "custom_notification_text",
    "issue_url",
    "view_url",
    "view_name",
    "per_issue",
    "report_url",
];

const MAX_LABELS: usize = 20;
const MAX_CUSTOM_TEXT_CHARS: usize = 2048;

pub fn check(value: &Value, _headers: Option<&[Header]>, findings: &mut Vec<Finding>) {
    let Some(root) = value.as_object() else {
        return;
    };
    check_members(root, findings);
    check_key_style(value, findings);
    check_nulls(value, "", findings);
    check_timestamp(root, findings);
}

/// The snake_case name of a oneof member key, in either spelling.
pub(super) fn member_name(key: &str) -> Option<&'static str> {
    MEMBERS
        .iter()
        .find(|(snake, camel)| key == *snake || key == *camel)
        .map(|(snake, _)| *snake)
}

fn check_members(root: &Map<String, Value>, findings: &mut Vec<Finding>) {
    let members: Vec<(&String, &Value)> = root
        .iter()
        .filter(|(key, value)| member_name(key).is_some() && !value.is_null())
        .collect();
    let Some((first, _)) = members.first() else {
        let names: Vec<&str> = MEMBERS.iter().map(|(snake, _)| *snake).collect();
        findings.push(Finding::error(
            "",
            format!(
                "no notification: bitdrift sends exactly one of {} (snake_case or lowerCamelCase)",
                names.join(", ")
            ),
        ));
        return;
    };
    for (key, _) in members.iter().skip(1) {
        findings.push(Finding::error(
            push_token("", key),
            format!(
                "a second notification (`{key}` after `{first}`); bitdrift sends exactly one per request"
            ),
        ));
    }
    for (key, member) in &members {
        if member_name(key) == Some("issue_alert") {
            check_scopes(&push_token("", key), member, findings);
        }
    }
    for (key, member) in &members {
        check_limits(&push_token("", key), member, findings);
    }
}

fn check_scopes(pointer: &str, issue_alert: &Value, findings: &mut Vec<Finding>) {
    let Some(object) = issue_alert.as_object() else {
        return;
    };
    let scopes: Vec<&String> = object
        .iter()
        .filter(|(key, value)| SCOPES.contains(&key.as_str()) && !value.is_null())
        .map(|(key, _)| key)
        .collect();
    for key in scopes.iter().skip(1) {
        findings.push(Finding::error(
            push_token(pointer, key),
            format!(
                "a second alert scope (`{key}` after `{}`); an issue alert is either global or per issue",
                scopes[0]
            ),
        ));
    }
}

fn check_limits(pointer: &str, member: &Value, findings: &mut Vec<Finding>) {
    let Some(object) = member.as_object() else {
        return;
    };
    if let Some(labels) = object.get("labels").and_then(Value::as_object)
        && labels.len() > MAX_LABELS
    {
        findings.push(Finding::warning(
            push_token(pointer, "labels"),
            format!(
                "{} labels; bitdrift's alert configuration allows at most {MAX_LABELS}",
                labels.len()
            ),
        ));
    }
    for key in ["custom_notification_text", "customNotificationText"] {
        if let Some(text) = object.get(key).and_then(Value::as_str) {
            let chars = text.chars().count();
            if chars > MAX_CUSTOM_TEXT_CHARS {
                findings.push(Finding::warning(
                    push_token(pointer, key),
                    format!(
                        "{chars} characters; bitdrift's alert configuration allows at most {MAX_CUSTOM_TEXT_CHARS}"
                    ),
                ));
            }
        }
    }
}

/// A payload from one serializer uses one key style; a mix suggests hand-edited JSON.
fn check_key_style(value: &Value, findings: &mut Vec<Finding>) {
    let mut snake = Vec::new();
    let mut camel = Vec::new();
    collect_styled_keys(value, "", &mut snake, &mut camel);
    if snake.is_empty() || camel.is_empty() {
        return;
    }
    let (minority, minority_style, majority_count, majority_style) = if camel.len() <= snake.len() {
        (&camel, "lowerCamelCase", snake.len(), "snake_case")
    } else {
        (&snake, "snake_case", camel.len(), "lowerCamelCase")
    };
    let (pointer, key) = &minority[0];
    findings.push(Finding::warning(
        pointer.clone(),
        format!(
            "mixed key styles: `{key}` is {minority_style} while {majority_count} other key(s) are \
             {majority_style}; one serializer writes one style"
        ),
    ));
}

fn collect_styled_keys(
    value: &Value,
    pointer: &str,
    snake: &mut Vec<(String, String)>,
    camel: &mut Vec<(String, String)>,
) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                let child_pointer = push_token(pointer, key);
                if TWO_STYLE_NAMES.contains(&key.as_str()) {
                    snake.push((child_pointer.clone(), key.clone()));
                } else if TWO_STYLE_NAMES.iter().any(|name| camel_case(name) == *key) {
                    camel.push((child_pointer.clone(), key.clone()));
                }
                // Label keys are the user's own words, not field names.
                if key != "labels" {
                    collect_styled_keys(child, &child_pointer, snake, camel);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_styled_keys(item, &push_token(pointer, &i.to_string()), snake, camel);
            }
        }
        _ => {}
    }
}

fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// ProtoJSON reads `null` as "not set", but bitdrift itself omits unset fields, and a
/// receiver that is not ProtoJSON-aware may trip over it.
fn check_nulls(value: &Value, pointer: &str, findings: &mut Vec<Finding>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                let child_pointer = push_token(pointer, key);
                if child.is_null() {
                    // A null timestamp is a type error, and null label values too.
                    if child_pointer != "/timestamp" && !pointer.ends_with("/labels") {
                        findings.push(Finding::warning(
                            child_pointer,
                            "null: ProtoJSON reads it as unset, but bitdrift leaves unset fields out, \
                             and receivers that are not ProtoJSON-aware may fail on it",
                        ));
                    }
                } else if key != "labels" {
                    check_nulls(child, &child_pointer, findings);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_nulls(item, &push_token(pointer, &i.to_string()), findings);
            }
        }
        _ => {}
    }
}

/// bitdrift writes `YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]Z`; any other valid
/// RFC 3339 form means the payload was re-serialised on the way.
fn check_timestamp(root: &Map<String, Value>, findings: &mut Vec<Finding>) {
    let Some(timestamp) = root.get("timestamp").and_then(Value::as_str) else {
        return;
    };
    if has_error_at(findings, "/timestamp")
        || chrono::DateTime::parse_from_rfc3339(timestamp).is_err()
        || is_bitdrift_output_form(timestamp)
    {
        return;
    }
    findings.push(Finding::warning(
        "/timestamp",
        "valid RFC 3339, but not in bitdrift's own form (UTC `Z`, fraction of 0, 3, 6 or 9 digits): \
         the payload was probably re-serialised",
    ));
}

fn is_bitdrift_output_form(timestamp: &str) -> bool {
    let bytes = timestamp.as_bytes();
    let Some(rest) = timestamp.get(19..) else {
        return false;
    };
    let shape_ok = bytes.len() >= 20
        && bytes[10] == b'T'
        && bytes[..19]
            .iter()
            .enumerate()
            .all(|(i, b)| matches!(i, 4 | 7 | 10 | 13 | 16) || b.is_ascii_digit());
    let Some(fraction) = rest.strip_suffix('Z') else {
        return false;
    };
    let fraction_ok = match fraction.strip_prefix('.') {
        None => fraction.is_empty(),
        Some(digits) => {
            matches!(digits.len(), 3 | 6 | 9) && digits.bytes().all(|b| b.is_ascii_digit())
        }
    };
    shape_ok && fraction_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitdrift_output_form() {
        for yes in [
            "2026-10-22T10:09:12Z",
            "2026-10-22T10:09:12.123Z",
            "2026-10-22T10:09:12.123456Z",
            "2026-10-22T10:09:12.123456789Z",
        ] {
            assert!(is_bitdrift_output_form(yes), "{yes}");
        }
        for no in [
            "2026-10-22T10:09:12+00:00",
            "2026-10-22T10:09:12.1Z",
            "2026-10-22T10:09:12.1234Z",
            "2026-10-22t10:09:12Z",
            "2026-10-22T10:09:12",
        ] {
            assert!(!is_bitdrift_output_form(no), "{no}");
        }
    }

    #[test]
    fn camel_twins() {
        assert_eq!(
            camel_case("issue_report_notification"),
            "issueReportNotification"
        );
        assert_eq!(camel_case("per_issue"), "perIssue");
    }
}
