//! Checking a vendor payload against the vendor's documented schema
//! (`assets/schemas/<vendor>.json`, JSON Schema 2020-12) plus the rules a schema cannot
//! state, which live beside each vendor's decoder (`src/vendor/<vendor>/checks.rs`).

mod finding;
pub mod json;
mod messages;
mod schema;

use std::collections::HashSet;

use serde_json::Value;

pub use finding::{Finding, Severity, push_token};
pub use messages::{closest, did_you_mean};
pub use schema::Schema as UserSchema;

use crate::capture::Header;
use crate::vendor::{self, Vendor};

/// Every finding for `value` read as `vendor`'s payload. `headers` are the request's when
/// known (a capture), `None` for a bare file; some checks need them.
pub fn validate(vendor: Vendor, value: &Value, headers: Option<&[Header]>) -> Vec<Finding> {
    if let Vendor::User(id) = vendor {
        // A user vendor is what its schema says (signatures are checked with the raw body).
        let findings = vendor::user::get(id)
            .schema()
            .map(|schema| schema.check(value))
            .unwrap_or_default();
        return dedupe(findings);
    }
    let is_probe = value.as_object().is_some_and(vendor::firefly::is_probe);
    let schema = if vendor == Vendor::Firefly && is_probe {
        schema::firefly_probe()
    } else {
        schema::for_vendor(vendor)
    };
    let mut findings = schema.check(value);
    match vendor {
        Vendor::Bitdrift => vendor::bitdrift::check(value, headers, &mut findings),
        Vendor::Octopus => vendor::octopus::check(value, headers, &mut findings),
        Vendor::Bugsplat => vendor::bugsplat::check(value, headers, &mut findings),
        Vendor::Firefly => vendor::firefly::check(value, headers, &mut findings),
        Vendor::User(_) => {}
    }
    dedupe(findings)
}

/// A payload is valid when nothing is an error; warnings never make it invalid.
pub fn is_valid(findings: &[Finding]) -> bool {
    findings.iter().all(|f| f.severity == Severity::Warning)
}

/// (errors, warnings).
pub fn counts(findings: &[Finding]) -> (usize, usize) {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    (errors, findings.len() - errors)
}

/// A schema rule and a code check may both report the same field with the same severity
/// (e.g. `minimum` and the batch position check): one message is enough.
fn dedupe(findings: Vec<Finding>) -> Vec<Finding> {
    let mut seen = HashSet::new();
    findings
        .into_iter()
        .filter(|f| seen.insert((f.pointer.clone(), f.severity)))
        .collect()
}

/// Whether an earlier rule already reported an error at `pointer` (so a check that reads
/// the same field can stay quiet instead of piling on).
pub fn has_error_at(findings: &[Finding], pointer: &str) -> bool {
    findings
        .iter()
        .any(|f| f.severity == Severity::Error && f.pointer == pointer)
}
