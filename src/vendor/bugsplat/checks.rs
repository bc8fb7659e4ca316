//! BugSplat rules a JSON Schema cannot state: its date format is undocumented, so the
//! schema accepts loose ISO 8601 and this warns when the time zone is left ambiguous.

use serde_json::Value;

use crate::capture::Header;
use crate::validate::{Finding, has_error_at};

pub fn check(value: &Value, _headers: Option<&[Header]>, findings: &mut Vec<Finding>) {
    for (pointer, key) in [("/received", "received"), ("/crashTime", "crashTime")] {
        let Some(text) = value.get(key).and_then(Value::as_str) else {
            continue;
        };
        if has_error_at(findings, pointer) || chrono::DateTime::parse_from_rfc3339(text).is_ok() {
            continue;
        }
        findings.push(Finding::warning(
            pointer,
            "not an RFC 3339 date-time (no time zone, or a space instead of `T`), so the \
             time zone is ambiguous",
        ));
    }
}
