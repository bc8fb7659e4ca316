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

use crate::capture::Header;
use crate::vendor::{self, Vendor};

/// Every finding for `value` read as `vendor`'s payload. `headers` are the request's when
/// known (a capture), `None` for a bare file; some checks need them.
pub fn validate(vendor: Vendor, value: &Value, headers: Option<&[Header]>) -> Vec<Finding> {
    let schema = if vendor == Vendor::Firefly && is_firefly_probe(value) {
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
    }
    dedupe(findings)
}

/// Firefly's set-up probe: an object with `text` and none of a notification's own keys.
pub fn is_firefly_probe(value: &Value) -> bool {
    value.as_object().is_some_and(|object| {
        object.contains_key("text")
            && !["accountId", "notificationType", "samples"]
                .iter()
                .any(|key| object.contains_key(*key))
    })
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

#[cfg(test)]
mod scratch_manifest {
    use super::*;

    #[test]
    fn scratch() {
        let mut bad = 0;
        for vendor in Vendor::ALL {
            let dir = format!("{}/assets/samples/{}", env!("CARGO_MANIFEST_DIR"), vendor.id());
            let manifest: Value =
                serde_json::from_str(&std::fs::read_to_string(format!("{dir}/manifest.json")).unwrap()).unwrap();
            let mut base: Vec<Header> = manifest["headers"].as_array().unwrap().iter().map(|h| Header::new(h[0].as_str().unwrap(), h[1].as_str().unwrap())).collect();
            for sample in manifest["samples"].as_array().unwrap() {
                let file = sample["file"].as_str().unwrap();
                let value: Value = serde_json::from_str(&std::fs::read_to_string(format!("{dir}/{file}")).unwrap()).unwrap();
                let mut headers = base.clone();
                if let Some(extra) = sample["headers"].as_array() { for h in extra { headers.push(Header::new(h[0].as_str().unwrap(), h[1].as_str().unwrap()));}}
                let findings = validate(vendor, &value, Some(&headers));
                let mut got: Vec<(String, String)> = findings.iter().map(|f| (f.pointer.clone(), f.severity.to_string())).collect();
                got.sort();
                let mut want: Vec<(String, String)> = sample["expect"]["findings"].as_array().unwrap().iter().map(|f| (f["pointer"].as_str().unwrap().to_owned(), f["severity"].as_str().unwrap().to_owned())).collect();
                want.sort();
                let ok = got == want;
                if !ok { bad += 1; }
                println!("{} {vendor}/{file}", if ok {"ok  "} else {"FAIL"});
                for f in &findings { println!("      {} {} {}", f.severity, f.pointer, f.message); }
                if !ok { println!("      want {want:?}"); }
            }
            base.clear();
        }
        assert_eq!(bad, 0);
    }
}
