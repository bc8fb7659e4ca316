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
    // `drift` is already an error with a did-you-mean; judged as the Drift it was meant to be,
    // it gets no second, contradictory finding about `drifts`.
    let is_drift = notification_type.map(|t| t.eq_ignore_ascii_case("Drift"));
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
        match (notification_type, is_drift) {
            (Some(_), Some(true)) if !sample.contains_key("drifts") => {
                findings.push(Finding::warning(
                    drifts(),
                    "a Drift notification without `drifts`: nothing says what drifted \
                     (Firefly's own consumer relies on it)",
                ));
            }
            (Some(other), Some(false)) if sample.contains_key("drifts") => {
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

#[cfg(test)]
mod tests {
    use crate::validate::{Severity, validate};
    use crate::vendor::Vendor;

    fn findings_for(notification_type: &str, with_drifts: bool) -> Vec<(String, Severity)> {
        let mut value: serde_json::Value =
            serde_json::from_str(include_str!("../../../assets/samples/firefly/Drift.json"))
                .unwrap();
        value["notificationType"] = notification_type.into();
        if !with_drifts {
            value["samples"][0]
                .as_object_mut()
                .unwrap()
                .remove("drifts");
        }
        validate(Vendor::Firefly, &value, None)
            .into_iter()
            .map(|f| (f.pointer, f.severity))
            .collect()
    }

    #[test]
    fn drift_in_the_wrong_case_is_one_error_not_a_contradiction_about_drifts() {
        assert_eq!(findings_for("Drift", true), []);
        assert_eq!(
            findings_for("drift", true),
            [("/notificationType".to_owned(), Severity::Error)]
        );
        // Without `drifts`, the Drift it was meant to be still misses them.
        assert_eq!(
            findings_for("drift", false),
            [
                ("/notificationType".to_owned(), Severity::Error),
                ("/samples/0/drifts".to_owned(), Severity::Warning)
            ]
        );
        let on_ghost = findings_for("GhostResource", true);
        assert!(!on_ghost.is_empty());
        assert!(
            on_ghost
                .iter()
                .all(|(pointer, severity)| pointer.ends_with("/drifts")
                    && *severity == Severity::Warning)
        );
    }
}
