//! Firefly rules a JSON Schema cannot state: timestamps are documented in UTC with `Z`,
//! and `drifts` belongs to Drift notifications only (where Firefly's own consumer needs it).

use serde_json::Value;

use crate::capture::Header;
use crate::validate::json::at;
use crate::validate::{Finding, has_error_at};

const TIMESTAMPS: [&str; 4] = [
    "/firstSeen",
    "/inventoryUpdateTime",
    "/lastResourceStateChange",
    "/ownerData/eventTime",
];

pub fn check(value: &Value, _headers: Option<&[Header]>, findings: &mut Vec<Finding>) {
    let Some(samples) = value.get("samples").and_then(Value::as_array) else {
        return;
    };
    let notification_type = value.get("notificationType").and_then(Value::as_str);
    for (i, sample) in samples.iter().enumerate() {
        let base = || format!("/samples/{i}");
        for field in TIMESTAMPS {
            // Pointers are built only for a suspect value: this runs for every capture.
            if let Some(text) = at(sample, field).and_then(Value::as_str)
                && ends_with_numeric_offset(text)
            {
                let pointer = format!("{}{field}", base());
                if !has_error_at(findings, &pointer) {
                    findings.push(Finding::warning(
                        pointer,
                        "ends in a numeric offset; Firefly documents UTC timestamps ending in `Z`",
                    ));
                }
            }
        }
        let Some(sample) = sample.as_object() else {
            continue;
        };
        let drifts = || format!("{}/drifts", base());
        match notification_type {
            Some("Drift") if !sample.contains_key("drifts") => {
                findings.push(Finding::warning(
                    drifts(),
                    "a Drift notification without `drifts`: nothing says what drifted \
                     (Firefly's own consumer relies on it)",
                ));
            }
            Some(other) if other != "Drift" && sample.contains_key("drifts") => {
                findings.push(Finding::warning(
                    drifts(),
                    format!("`drifts` is documented only on Drift notifications, not on {other}"),
                ));
            }
            _ => {}
        }
    }
}

/// `…+02:00` or `…-05:30` rather than `…Z`.
fn ends_with_numeric_offset(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 6 && {
        let tail = &bytes[bytes.len() - 6..];
        matches!(tail[0], b'+' | b'-')
            && tail[1].is_ascii_digit()
            && tail[2].is_ascii_digit()
            && tail[3] == b':'
            && tail[4].is_ascii_digit()
            && tail[5].is_ascii_digit()
    }
}
