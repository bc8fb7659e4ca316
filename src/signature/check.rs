//! The verdict of one signature check, and the finding it becomes.

use chrono::{DateTime, Utc};

use super::config::SchemeName;
use crate::units::format_seconds;
use crate::validate::{Finding, Severity};

/// Said when the signature does not match: a changed body and a wrong secret look the same.
pub const CHANGED_OR_WRONG_SECRET: &str = "the body was changed or the secret is wrong";

/// What a signature check concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The signature matches (and its timestamp is within the tolerance).
    Valid { scheme: SchemeName },
    /// Nothing was checked; `reason` says what to set (a warning).
    NoSecret { reason: String },
    /// The header that carries the signature (or its id or timestamp) is absent.
    Missing { header: String },
    /// The header is there but cannot be read; `why` names it and says what is wrong.
    Malformed { why: String },
    /// The signature does not match; `why` in plain words.
    Mismatch { why: String },
    /// The signature matches but its timestamp is outside the tolerance. `age_seconds` is
    /// negative for a timestamp in the future.
    Expired {
        age_seconds: i64,
        tolerance_seconds: u64,
    },
}

impl Check {
    /// `None` for a valid signature; a warning when nothing could be checked; else an error.
    pub fn severity(&self) -> Option<Severity> {
        match self {
            Check::Valid { .. } => None,
            Check::NoSecret { .. } => Some(Severity::Warning),
            _ => Some(Severity::Error),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Some(Severity::Error)
    }

    pub fn is_valid(&self) -> bool {
        matches!(self, Check::Valid { .. })
    }

    /// The verdict in plain words, naming no vendor.
    pub fn message(&self) -> String {
        self.describe(None)
    }

    /// The verdict as a finding about the whole payload (pointer `""`), `None` when valid.
    /// `vendor` is the display name ("GitHub").
    pub fn finding(&self, vendor: &str) -> Option<Finding> {
        let message = self.describe(Some(vendor));
        match self.severity()? {
            Severity::Error => Some(Finding::error("", message)),
            Severity::Warning => Some(Finding::warning("", message)),
        }
    }

    fn describe(&self, vendor: Option<&str>) -> String {
        let signature = match vendor {
            Some(vendor) => format!("the {vendor} signature"),
            None => "the signature".to_owned(),
        };
        match self {
            Check::Valid { scheme } => {
                format!("{signature} matches ({})", scheme.display_name())
            }
            Check::NoSecret { reason } => match vendor {
                Some(vendor) => format!("no secret configured for {vendor}: {reason}"),
                None => format!("no secret configured: {reason}"),
            },
            Check::Missing { header } => match vendor {
                Some(vendor) => format!(
                    "the {header} header is missing: the request is not signed the way \
                     {vendor} signs its webhooks"
                ),
                None => format!("the {header} header is missing: the request is not signed"),
            },
            Check::Malformed { why } => format!("{signature} cannot be checked: {why}"),
            Check::Mismatch { why } => format!("{signature} does not match: {why}"),
            Check::Expired {
                age_seconds,
                tolerance_seconds,
            } => {
                let tolerance = format_seconds(*tolerance_seconds);
                let age = format_seconds(age_seconds.unsigned_abs());
                if *age_seconds >= 0 {
                    format!(
                        "{signature} matches but its timestamp is {age} old, outside the \
                         {tolerance} tolerance: a late or replayed delivery (replay with \
                         --resign to send it freshly signed)"
                    )
                } else {
                    format!(
                        "{signature} matches but its timestamp is {age} in the future, outside \
                         the {tolerance} tolerance: the sender's clock is ahead"
                    )
                }
            }
        }
    }
}

/// How far `timestamp` (Unix seconds) is from `now`, when further than the tolerance; a
/// tolerance of 0 accepts any timestamp.
pub(super) fn outside_tolerance(
    timestamp: i64,
    now: DateTime<Utc>,
    tolerance_seconds: u64,
) -> Option<i64> {
    let age = now.timestamp().saturating_sub(timestamp);
    (tolerance_seconds > 0 && age.unsigned_abs() > tolerance_seconds).then_some(age)
}

/// The verdict on a timestamped signature: whether any candidate matches, then whether its
/// timestamp is within the tolerance (Stripe and Standard Webhooks judge both alike).
pub(super) fn timestamped_verdict(
    matched: bool,
    timestamp: i64,
    now: DateTime<Utc>,
    tolerance_seconds: u64,
    scheme: SchemeName,
) -> Check {
    if !matched {
        return Check::Mismatch {
            why: mismatch_why(timestamp, now, tolerance_seconds),
        };
    }
    match outside_tolerance(timestamp, now, tolerance_seconds) {
        Some(age_seconds) => Check::Expired {
            age_seconds,
            tolerance_seconds,
        },
        None => Check::Valid { scheme },
    }
}

/// After a mismatch, whether the timestamp was also outside the tolerance, as a clause.
pub(super) fn mismatch_why(timestamp: i64, now: DateTime<Utc>, tolerance_seconds: u64) -> String {
    match outside_tolerance(timestamp, now, tolerance_seconds) {
        None => CHANGED_OR_WRONG_SECRET.to_owned(),
        Some(age) => {
            let when = if age >= 0 { "old" } else { "in the future" };
            format!(
                "{CHANGED_OR_WRONG_SECRET} (its timestamp is also {} {when}, outside the {} \
                 tolerance)",
                format_seconds(age.unsigned_abs()),
                format_seconds(tolerance_seconds)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_carry_the_vendor_and_the_severity() {
        let no_secret = Check::NoSecret {
            reason: "set GITHUB_WEBHOOK_SECRET to check signatures".into(),
        };
        let finding = no_secret.finding("GitHub").unwrap();
        assert_eq!(finding.severity, Severity::Warning);
        assert_eq!(finding.pointer, "");
        assert_eq!(
            finding.message,
            "no secret configured for GitHub: set GITHUB_WEBHOOK_SECRET to check signatures"
        );
        assert!(!no_secret.is_error());

        let expired = Check::Expired {
            age_seconds: 2 * 3600 + 13 * 60,
            tolerance_seconds: 300,
        };
        assert!(expired.is_error());
        let message = expired.finding("Stripe").unwrap().message;
        assert!(
            message.contains("timestamp is 2 h 13 min old, outside the 5 min tolerance"),
            "{message}"
        );
        let future = Check::Expired {
            age_seconds: -600,
            tolerance_seconds: 300,
        };
        assert!(future.message().contains("10 min in the future"));

        let valid = Check::Valid {
            scheme: SchemeName::Stripe,
        };
        assert!(valid.finding("Stripe").is_none());
        assert_eq!(valid.severity(), None);
        assert_eq!(valid.message(), "the signature matches (Stripe)");
    }

    #[test]
    fn a_zero_tolerance_accepts_any_timestamp() {
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        assert_eq!(outside_tolerance(0, now, 0), None);
        assert_eq!(outside_tolerance(1_000_000 - 300, now, 300), None);
        assert_eq!(outside_tolerance(1_000_000 - 301, now, 300), Some(301));
        assert_eq!(outside_tolerance(1_000_000 + 301, now, 300), Some(-301));
    }
}
