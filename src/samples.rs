//! The sample catalogue: realistic vendor payloads (valid and deliberately broken) with the
//! request headers a vendor sends and the findings validation should produce. The files live
//! in `assets/samples/<vendor>/` and are embedded, so `hookscope send` works from anywhere.

use std::sync::OnceLock;

use include_dir::{Dir, include_dir};
use serde::Deserialize;

use crate::capture::Header;
use crate::validate::Severity;
use crate::vendor::Vendor;

static SAMPLE_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/samples");

/// One sample payload and how to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub vendor: Vendor,
    /// The file stem, e.g. `broken-two-members`; unique within a vendor.
    pub name: &'static str,
    /// The file name, e.g. `broken-two-members.json`.
    pub file: &'static str,
    /// The event kind, e.g. `alert`; `unknown` when the payload carries no discriminator.
    pub kind: String,
    /// Deliberately wrong (it may still be valid when it only produces warnings).
    pub broken: bool,
    /// One line saying what the sample is, or for a broken one what is wrong with it.
    pub description: String,
    /// The manifest's top-level headers, then the sample's own, in order.
    pub headers: Vec<(String, String)>,
    /// The body, byte for byte.
    pub body: &'static [u8],
    pub expect: Expectation,
}

impl Sample {
    /// The sample's headers as hookscope would capture them.
    pub fn capture_headers(&self) -> Vec<Header> {
        self.headers
            .iter()
            .map(|(name, value)| Header::new(name.as_str(), value.as_bytes()))
            .collect()
    }
}

/// What validating a sample must produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// `None` when the payload must not be recognised as any vendor's.
    pub vendor: Option<Vendor>,
    pub kind: String,
    pub valid: bool,
    /// The exact set of (JSON Pointer, severity) pairs, in manifest order.
    pub findings: Vec<(String, Severity)>,
}

/// A `find` that matched nothing, with what is available instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    #[error(
        "{vendor} has no sample kind or name {wanted:?}; kinds: {kinds}; names: {names} \
         (see `hookscope send --list`)",
        kinds = .kinds.join(", "),
        names = .names.join(", ")
    )]
    Unknown {
        vendor: Vendor,
        wanted: String,
        kinds: Vec<String>,
        names: Vec<&'static str>,
    },
    #[error(
        "{vendor} has no broken {kind}sample; its broken samples are {listed} \
         (name one of them, or leave out --broken)",
        kind = quoted_kind(.kind.as_deref()),
        listed = names_with_kinds(.broken)
    )]
    NoBroken {
        vendor: Vendor,
        /// The kind asked for; `None` when none was.
        kind: Option<String>,
        /// Every broken sample of the vendor: (name, kind).
        broken: Vec<(&'static str, &'static str)>,
    },
    #[error(
        "{vendor} has no valid {kind}sample; there is only {others} (add --broken)",
        kind = quoted_kind(.kind.as_deref()),
        others = .others.join(", ")
    )]
    NoValid {
        vendor: Vendor,
        /// The kind asked for; `None` when none was.
        kind: Option<String>,
        /// The names of that kind's broken samples.
        others: Vec<&'static str>,
    },
}

/// `"alert" `, or nothing when no kind was asked for.
fn quoted_kind(kind: Option<&str>) -> String {
    kind.map_or(String::new(), |k| format!("{k:?} "))
}

/// `broken-url (issue_notification), broken-two-members (alert)`.
fn names_with_kinds(samples: &[(&str, &str)]) -> String {
    let listed: Vec<String> = samples
        .iter()
        .map(|(name, kind)| format!("{name} ({kind})"))
        .collect();
    listed.join(", ")
}

/// Every vendor's samples, vendor by vendor (in `Vendor::ALL` order), each in manifest order.
pub fn all() -> &'static [Sample] {
    static ALL: OnceLock<Vec<Sample>> = OnceLock::new();
    // The manifests are compiled in, so a bad one is a bug the unit tests catch.
    ALL.get_or_init(|| load().unwrap_or_else(|message| panic!("embedded samples: {message}")))
}

pub fn for_vendor(vendor: Vendor) -> impl Iterator<Item = &'static Sample> {
    all().iter().filter(move |s| s.vendor == vendor)
}

/// The vendor's kinds in order of first appearance.
pub fn kinds(vendor: Vendor) -> Vec<&'static str> {
    let mut kinds: Vec<&'static str> = Vec::new();
    for sample in for_vendor(vendor) {
        if !kinds.contains(&sample.kind.as_str()) {
            kinds.push(&sample.kind);
        }
    }
    kinds
}

/// Picks one sample. `kind_or_name` is first matched exactly against the names (then `broken`
/// is ignored: the name says which), else against the kinds, ignoring case, taking the first
/// sample of that kind in the `broken` state. A word that is both a name and a kind (`alert`)
/// means the kind when the named sample is not in the `broken` state. `None` takes the
/// vendor's first sample in that state.
pub fn find(
    vendor: Vendor,
    kind_or_name: Option<&str>,
    broken: bool,
) -> Result<&'static Sample, LookupError> {
    let Some(wanted) = kind_or_name else {
        return first_in_state(vendor, None, broken);
    };
    let named = for_vendor(vendor).find(|s| s.name == wanted);
    let kind = for_vendor(vendor)
        .find(|s| s.kind.eq_ignore_ascii_case(wanted))
        .map(|s| s.kind.as_str());
    if let Some(sample) = named
        && (sample.broken == broken || kind.is_none())
    {
        return Ok(sample);
    }
    match kind {
        Some(kind) => first_in_state(vendor, Some(kind), broken),
        None => Err(LookupError::Unknown {
            vendor,
            wanted: wanted.to_owned(),
            kinds: kinds(vendor).into_iter().map(str::to_owned).collect(),
            names: for_vendor(vendor).map(|s| s.name).collect(),
        }),
    }
}

fn first_in_state(
    vendor: Vendor,
    kind: Option<&str>,
    broken: bool,
) -> Result<&'static Sample, LookupError> {
    let of_kind = || for_vendor(vendor).filter(move |s| kind.is_none_or(|k| s.kind == k));
    if let Some(sample) = of_kind().find(|s| s.broken == broken) {
        return Ok(sample);
    }
    let kind = kind.map(str::to_owned);
    // Broken samples are few and each has its own name, so all of them are worth offering;
    // a kind with only broken samples is offered those.
    Err(if broken {
        LookupError::NoBroken {
            vendor,
            kind,
            broken: for_vendor(vendor)
                .filter(|s| s.broken)
                .map(|s| (s.name, s.kind.as_str()))
                .collect(),
        }
    } else {
        LookupError::NoValid {
            vendor,
            kind,
            others: of_kind().map(|s| s.name).collect(),
        }
    })
}

// The manifest format, as documented in assets/schemas/README.md ("Samples").

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    vendor: Vendor,
    #[serde(default)]
    headers: Vec<(String, String)>,
    samples: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    file: String,
    kind: String,
    broken: bool,
    description: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
    expect: ExpectEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectEntry {
    vendor: Option<Vendor>,
    kind: String,
    valid: bool,
    findings: Vec<FindingEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FindingEntry {
    pointer: String,
    severity: Severity,
}

/// Parses every vendor's manifest; the error names the file and what is wrong with it.
fn load() -> Result<Vec<Sample>, String> {
    let mut samples = Vec::new();
    for vendor in Vendor::ALL {
        let path = format!("{}/manifest.json", vendor.id());
        let file = SAMPLE_DIR
            .get_file(&path)
            .ok_or_else(|| format!("{path} is missing"))?;
        let manifest: Manifest =
            serde_json::from_slice(file.contents()).map_err(|e| format!("{path}: {e}"))?;
        if manifest.vendor != vendor {
            return Err(format!("{path} says vendor {}", manifest.vendor));
        }
        for entry in manifest.samples {
            samples.push(sample(vendor, &manifest.headers, entry)?);
        }
    }
    Ok(samples)
}

fn sample(
    vendor: Vendor,
    common_headers: &[(String, String)],
    entry: Entry,
) -> Result<Sample, String> {
    let path = format!("{}/{}", vendor.id(), entry.file);
    let file = SAMPLE_DIR
        .get_file(&path)
        .ok_or_else(|| format!("{path} is listed in the manifest but missing"))?;
    // Take the names from the embedded path so they live as long as the program.
    let (Some(file_name), Some(name)) = (
        file.path().file_name().and_then(|n| n.to_str()),
        file.path().file_stem().and_then(|n| n.to_str()),
    ) else {
        return Err(format!("{path} has no usable file name"));
    };
    let mut headers = common_headers.to_vec();
    headers.extend(entry.headers);
    Ok(Sample {
        vendor,
        name,
        file: file_name,
        kind: entry.kind,
        broken: entry.broken,
        description: entry.description,
        headers,
        body: file.contents(),
        expect: Expectation {
            vendor: entry.expect.vendor,
            kind: entry.expect.kind,
            valid: entry.expect.valid,
            findings: entry
                .expect
                .findings
                .into_iter()
                .map(|f| (f.pointer, f.severity))
                .collect(),
        },
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_manifest_parses_and_every_body_is_json() {
        let samples = load().unwrap();
        assert_eq!(samples.len(), all().len());
        for sample in all() {
            let what = format!("{}/{}", sample.vendor, sample.file);
            let body: Result<serde_json::Value, _> = serde_json::from_slice(sample.body);
            assert!(body.is_ok(), "{what} is not JSON: {body:?}");
            assert_eq!(format!("{}.json", sample.name), sample.file);
            assert!(
                !sample.kind.is_empty() && !sample.description.is_empty(),
                "{what}"
            );
            assert!(sample.description.lines().count() == 1, "{what}: one line");
            assert_eq!(sample.expect.kind, sample.kind, "{what}");
            let has_error = sample
                .expect
                .findings
                .iter()
                .any(|(_, s)| *s == Severity::Error);
            assert_eq!(sample.expect.valid, !has_error, "{what}");
            assert!(
                sample.broken || sample.expect.valid,
                "{what}: valid sample invalid"
            );
            for (name, value) in &sample.headers {
                assert!(http::HeaderName::try_from(name.as_str()).is_ok(), "{what}");
                assert!(
                    http::HeaderValue::try_from(value.as_str()).is_ok(),
                    "{what}"
                );
            }
        }
    }

    /// Nothing on disk is left out of a manifest, and no folder is not a vendor's.
    #[test]
    fn every_embedded_file_is_listed() {
        for dir in SAMPLE_DIR.dirs() {
            let id = dir.path().to_str().unwrap();
            let vendor = Vendor::from_id(id).unwrap_or_else(|| panic!("{id} is not a vendor"));
            let listed: BTreeSet<&str> = for_vendor(vendor).map(|s| s.file).collect();
            for file in dir.files() {
                let name = file.path().file_name().unwrap().to_str().unwrap();
                assert!(
                    name == "manifest.json" || listed.contains(name),
                    "{id}/{name} is not in the manifest"
                );
            }
            assert_eq!(
                listed.len(),
                for_vendor(vendor).count(),
                "{id}: file listed twice"
            );
        }
    }

    #[test]
    fn every_vendor_has_valid_and_broken_samples() {
        for vendor in Vendor::ALL {
            assert!(for_vendor(vendor).any(|s| !s.broken), "{vendor}");
            assert!(for_vendor(vendor).any(|s| s.broken), "{vendor}");
            assert!(for_vendor(vendor).all(|s| s.vendor == vendor));
        }
    }

    #[test]
    fn headers_put_the_manifest_ones_first() {
        let sample = find(Vendor::Octopus, Some("DeploymentSucceeded"), false).unwrap();
        assert_eq!(
            sample.headers,
            [
                ("Content-Type".to_owned(), "application/json".to_owned()),
                (
                    "X-Northwind-Hook-Token".to_owned(),
                    "nw-oct-5b9e21c7d04a4f8e".to_owned()
                ),
            ]
        );
        let plain = find(Vendor::Octopus, Some("MachineUnhealthy"), false).unwrap();
        assert_eq!(plain.headers.len(), 1);
    }

    #[test]
    fn finds_by_exact_name_whatever_the_broken_flag() {
        let sample = find(Vendor::Bitdrift, Some("broken-two-members"), false).unwrap();
        assert_eq!((sample.name, sample.broken), ("broken-two-members", true));
        let sample = find(Vendor::Bitdrift, Some("alert-camel-case"), true).unwrap();
        assert_eq!(sample.file, "alert-camel-case.json");
        assert_eq!(sample.expect.findings, []);
        let legacy = find(Vendor::Bitdrift, Some("session_capture-legacy"), false).unwrap();
        assert_eq!(
            legacy.expect.findings,
            [(
                "/session_capture/exploration_name".to_owned(),
                Severity::Warning
            )]
        );
    }

    #[test]
    fn finds_by_kind_ignoring_case_in_the_broken_state() {
        let valid = find(Vendor::Bitdrift, Some("ALERT"), false).unwrap();
        assert_eq!(valid.name, "alert");
        let broken = find(Vendor::Bitdrift, Some("Alert"), true).unwrap();
        assert_eq!(broken.name, "broken-two-members", "the first broken alert");
        let octopus = find(Vendor::Octopus, Some("deploymentfailed"), true).unwrap();
        assert_eq!(octopus.name, "broken-batch-position");
        assert_eq!(octopus.kind, "DeploymentFailed");
    }

    #[test]
    fn without_a_kind_takes_the_first_in_that_state() {
        assert_eq!(find(Vendor::Bitdrift, None, false).unwrap().name, "test");
        assert_eq!(
            find(Vendor::Bitdrift, None, true).unwrap().name,
            "broken-two-members"
        );
        assert_eq!(
            find(Vendor::Bugsplat, None, false).unwrap().name,
            "report-v1"
        );
    }

    #[test]
    fn an_unknown_kind_lists_the_kinds_and_names() {
        let error = find(Vendor::Firefly, Some("nope"), false).unwrap_err();
        let LookupError::Unknown { kinds, names, .. } = &error else {
            panic!("{error:?}");
        };
        assert_eq!(kinds.len(), 6, "{kinds:?}");
        assert_eq!(names.len(), for_vendor(Vendor::Firefly).count());
        let message = error.to_string();
        assert!(message.starts_with("firefly has no sample kind or name \"nope\""));
        for expected in [
            "Drift",
            "GhostResource",
            "integration-test",
            "broken-timestamps",
        ] {
            assert!(message.contains(expected), "{message}");
        }
        assert!(!message.contains('\n'));
    }

    /// `alert` is a kind and also the name of the valid alert sample: with --broken the
    /// word means the kind, as `send bitdrift alert --broken` in the help promises.
    #[test]
    fn a_kind_that_is_also_a_name_follows_the_broken_flag() {
        let broken = find(Vendor::Bitdrift, Some("alert"), true).unwrap();
        assert_eq!(broken.name, "broken-two-members");
        let octopus = find(Vendor::Octopus, Some("DeploymentFailed"), true).unwrap();
        assert_eq!(octopus.name, "broken-batch-position");
        let firefly = find(Vendor::Firefly, Some("Drift"), true).unwrap();
        assert_eq!((firefly.kind.as_str(), firefly.broken), ("Drift", true));
        assert_eq!(
            find(Vendor::Bitdrift, Some("alert"), false).unwrap().name,
            "alert"
        );
    }

    #[test]
    fn a_kind_without_a_broken_sample_lists_the_broken_ones_with_their_kinds() {
        let error = find(Vendor::Bitdrift, Some("TEST"), true).unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("bitdrift has no broken \"test\" sample; its broken samples are "),
            "{message}"
        );
        for sample in for_vendor(Vendor::Bitdrift).filter(|s| s.broken) {
            let listed = format!("{} ({})", sample.name, sample.kind);
            assert!(message.contains(&listed), "{listed} missing: {message}");
        }
        assert!(
            !message.contains("test ("),
            "no valid sample is offered: {message}"
        );
        assert!(!message.contains('\n'));
        // Also for a kind whose name is a valid sample's.
        let error = find(Vendor::Bitdrift, Some("test"), true).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("broken-url (issue_notification)")
        );
    }

    #[test]
    fn a_kind_without_a_valid_sample_says_which_exist() {
        let error = find(Vendor::Firefly, Some("unknown"), false).unwrap_err();
        assert!(
            error
                .to_string()
                .ends_with("there is only broken-missing-notification-type (add --broken)"),
            "{error}"
        );
    }

    #[test]
    fn kinds_keep_first_appearance_order() {
        assert_eq!(
            kinds(Vendor::Bugsplat),
            ["report", "NewReport", "NewGroup", "NewCrash"]
        );
    }
}
