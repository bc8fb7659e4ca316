//! The sample catalogue: realistic vendor payloads (valid, valid with warnings, and
//! deliberately broken) with the request headers a vendor sends and the findings validation
//! should produce. The files live in `assets/samples/<vendor>/` and are embedded, so
//! `hookscope send` works from anywhere.
//!
//! Each manifest entry names its sample's group (`valid`, `warnings`, `broken`), and a test
//! holds every sample to it with the real analysis. Names follow the group: `broken-<what>`
//! for the deliberately invalid, `warning-<what>` for the deliberately suspicious, the kind
//! (or kind + topic) for real-world payloads, which may carry warnings (a legacy version).

use std::fmt;
use std::sync::OnceLock;

use bytes::Bytes;
use include_dir::{Dir, include_dir};
use serde::Deserialize;

use crate::capture::Header;
use crate::inspect::{Inspection, inspect};
use crate::validate::{self, Severity};
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
    /// Clean, valid with warnings, or broken; from the manifest.
    pub group: Group,
    /// One line saying what the sample is, or for the others what is wrong with it.
    pub description: String,
    /// The manifest's top-level headers, then the sample's own, in order.
    pub headers: Vec<(String, String)>,
    /// The body, byte for byte.
    pub body: &'static [u8],
    pub expect: Expectation,
}

/// Which of the three sets a sample belongs to: what hookscope must judge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// No findings at all.
    Valid,
    /// Valid, with at least one warning.
    Warnings,
    /// At least one error.
    Broken,
}

impl Group {
    /// `broken`, `warning`, `valid`: the word for one sample of the group in messages.
    pub fn adjective(self) -> &'static str {
        match self {
            Group::Valid => "valid",
            Group::Warnings => "warning",
            Group::Broken => "broken",
        }
    }

    /// The `send` flag that picks the group, if any.
    pub fn flag(self) -> Option<&'static str> {
        match self {
            Group::Valid => None,
            Group::Warnings => Some("--warnings"),
            Group::Broken => Some("--broken"),
        }
    }
}

/// What hookscope's own analysis makes of a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judgement {
    pub errors: usize,
    pub warnings: usize,
}

impl Judgement {
    /// The group the findings put a payload in.
    pub fn group(self) -> Group {
        match (self.errors, self.warnings) {
            (0, 0) => Group::Valid,
            (0, _) => Group::Warnings,
            _ => Group::Broken,
        }
    }

    /// `valid`, `warnings` or `invalid`: the stable word `send --list --json` prints.
    pub fn verdict(self) -> &'static str {
        match self.group() {
            Group::Valid => "valid",
            Group::Warnings => "warnings",
            Group::Broken => "invalid",
        }
    }
}

/// `✓ valid`, `⚠ 2 warnings`, `✗ 1 error`.
impl fmt::Display for Judgement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize, word: &str| {
            if n == 1 {
                format!("1 {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        let text = match self.group() {
            Group::Valid => "✓ valid".to_owned(),
            Group::Warnings => format!("⚠ {}", plural(self.warnings, "warning")),
            Group::Broken => format!("✗ {}", plural(self.errors, "error")),
        };
        // Padding applies to the whole text, so the verdict can be a column.
        f.pad(&text)
    }
}

impl Sample {
    /// Deliberately invalid: `hookscope send --broken` sends one of these.
    pub fn is_broken(&self) -> bool {
        self.group == Group::Broken
    }

    /// The sample analysed exactly as hookscope analyses a captured request.
    pub fn inspect(&self) -> Inspection {
        inspect(&self.capture_headers(), &Bytes::from_static(self.body))
    }

    /// The errors and warnings hookscope finds in the sample as it is sent.
    pub fn judge(&self) -> Judgement {
        let (errors, warnings) = validate::counts(&self.inspect().findings);
        Judgement { errors, warnings }
    }

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
    /// No broken (or warning) sample of that kind: every one of the group is offered.
    #[error(
        "{vendor} has no {group} {kind}sample; its {group} samples are {listed} \
         (name one of them, or leave out {flag})",
        group = .group.adjective(),
        kind = quoted_kind(.kind.as_deref()),
        listed = names_with_kinds(.samples),
        flag = .group.flag().unwrap_or_default()
    )]
    NoneInGroup {
        vendor: Vendor,
        /// `Broken` or `Warnings`.
        group: Group,
        /// The kind asked for; `None` when none was.
        kind: Option<String>,
        /// Every sample of the vendor in that group: (name, kind).
        samples: Vec<(&'static str, &'static str)>,
    },
    #[error(
        "{vendor} has no valid {kind}sample; there is only {others} ({hint})",
        kind = quoted_kind(.kind.as_deref()),
        others = names_with_groups(.others),
        hint = add_flags(.others)
    )]
    NoValid {
        vendor: Vendor,
        /// The kind asked for; `None` when none was.
        kind: Option<String>,
        /// That kind's other samples, each with its group.
        others: Vec<(&'static str, Group)>,
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

/// `broken-x`, or `warning-a (--warnings), broken-b (--broken)` when the groups differ.
fn names_with_groups(samples: &[(&str, Group)]) -> String {
    let mixed = samples.windows(2).any(|pair| pair[0].1 != pair[1].1);
    let listed: Vec<String> = samples
        .iter()
        .map(|(name, group)| match group.flag() {
            Some(flag) if mixed => format!("{name} ({flag})"),
            _ => (*name).to_owned(),
        })
        .collect();
    listed.join(", ")
}

/// `add --broken`, `add --warnings`, or `add --warnings or --broken`.
fn add_flags(samples: &[(&str, Group)]) -> String {
    let flags: Vec<&str> = [Group::Warnings, Group::Broken]
        .into_iter()
        .filter(|group| samples.iter().any(|(_, g)| g == group))
        .filter_map(Group::flag)
        .collect();
    format!("add {}", flags.join(" or "))
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

/// [`find_in`] the broken samples, or the clean ones.
pub fn find(
    vendor: Vendor,
    kind_or_name: Option<&str>,
    broken: bool,
) -> Result<&'static Sample, LookupError> {
    let group = if broken { Group::Broken } else { Group::Valid };
    find_in(vendor, kind_or_name, group)
}

/// Picks one sample. `kind_or_name` is first matched exactly against the names (then `group`
/// is ignored: the name says which), else against the kinds, ignoring case, taking the first
/// sample of that kind in `group`. A word that is both a name and a kind (`alert`) means the
/// kind when the named sample is not in `group`. `None` takes the vendor's first sample in
/// `group`.
pub fn find_in(
    vendor: Vendor,
    kind_or_name: Option<&str>,
    group: Group,
) -> Result<&'static Sample, LookupError> {
    let Some(wanted) = kind_or_name else {
        return first_in_group(vendor, None, group);
    };
    let named = for_vendor(vendor).find(|s| s.name == wanted);
    let kind = for_vendor(vendor)
        .find(|s| s.kind.eq_ignore_ascii_case(wanted))
        .map(|s| s.kind.as_str());
    if let Some(sample) = named
        && (sample.group == group || kind.is_none())
    {
        return Ok(sample);
    }
    match kind {
        Some(kind) => first_in_group(vendor, Some(kind), group),
        None => Err(LookupError::Unknown {
            vendor,
            wanted: wanted.to_owned(),
            kinds: kinds(vendor).into_iter().map(str::to_owned).collect(),
            names: for_vendor(vendor).map(|s| s.name).collect(),
        }),
    }
}

fn first_in_group(
    vendor: Vendor,
    kind: Option<&str>,
    group: Group,
) -> Result<&'static Sample, LookupError> {
    let of_kind = || for_vendor(vendor).filter(move |s| kind.is_none_or(|k| s.kind == k));
    if let Some(sample) = of_kind().find(|s| s.group == group) {
        return Ok(sample);
    }
    let kind = kind.map(str::to_owned);
    // Broken and warning samples are few and each has its own name, so all of the group
    // are worth offering; a kind without a clean sample is offered what it has.
    Err(match group {
        Group::Broken | Group::Warnings => LookupError::NoneInGroup {
            vendor,
            group,
            kind,
            samples: for_vendor(vendor)
                .filter(|s| s.group == group)
                .map(|s| (s.name, s.kind.as_str()))
                .collect(),
        },
        Group::Valid => LookupError::NoValid {
            vendor,
            kind,
            others: of_kind().map(|s| (s.name, s.group)).collect(),
        },
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
    group: Group,
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
        group: entry.group,
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
            let count = |severity| {
                let findings = sample.expect.findings.iter();
                findings.filter(|(_, s)| *s == severity).count()
            };
            let expected = Judgement {
                errors: count(Severity::Error),
                warnings: count(Severity::Warning),
            };
            assert_eq!(sample.expect.valid, expected.errors == 0, "{what}");
            assert_eq!(expected.group(), sample.group, "{what}: group and findings");
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
    fn every_vendor_has_samples_of_every_group() {
        for vendor in Vendor::ALL {
            for group in [Group::Valid, Group::Warnings, Group::Broken] {
                assert!(
                    for_vendor(vendor).any(|s| s.group == group),
                    "{vendor} {group:?}"
                );
            }
            assert!(for_vendor(vendor).all(|s| s.vendor == vendor));
        }
    }

    /// The catalogue's promise, checked against the real analysis of each sample as `send`
    /// posts it (its headers included): a valid sample has no findings at all, a warning
    /// sample warnings and no error, a broken one at least one error. A rule change that
    /// breaks this means renaming the sample (and updating its manifest entry).
    #[test]
    fn every_sample_is_judged_as_its_group_promises() {
        let mut wrong = Vec::new();
        for sample in all() {
            let judgement = sample.judge();
            if judgement.group() != sample.group {
                wrong.push(format!(
                    "{}/{} is {:?} but hookscope finds {} error(s), {} warning(s)",
                    sample.vendor, sample.file, sample.group, judgement.errors, judgement.warnings
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// The name a user types says what they get: a `broken-` sample is broken, a
    /// `warning-` one only warns.
    #[test]
    fn names_follow_the_group() {
        for sample in all() {
            let what = format!("{}/{}", sample.vendor, sample.file);
            if sample.group == Group::Broken {
                assert!(sample.name.starts_with("broken-"), "{what}");
            }
            if sample.name.starts_with("warning-") {
                assert_eq!(sample.group, Group::Warnings, "{what}");
            }
        }
    }

    #[test]
    fn judgements_read_as_a_verdict() {
        let judged = |errors, warnings| Judgement { errors, warnings };
        assert_eq!(judged(0, 0).to_string(), "✓ valid");
        assert_eq!(judged(0, 1).to_string(), "⚠ 1 warning");
        assert_eq!(judged(0, 3).to_string(), "⚠ 3 warnings");
        assert_eq!(judged(2, 5).to_string(), "✗ 2 errors");
        assert_eq!(format!("[{:<10}]", judged(1, 0)), "[✗ 1 error ]");
        let verdicts = [judged(0, 0), judged(0, 2), judged(1, 2)].map(Judgement::verdict);
        assert_eq!(verdicts, ["valid", "warnings", "invalid"]);
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
        assert_eq!(
            (sample.name, sample.group),
            ("broken-two-members", Group::Broken)
        );
        let sample = find(Vendor::Bitdrift, Some("alert-camel-case"), true).unwrap();
        assert_eq!(sample.file, "alert-camel-case.json");
        assert_eq!(sample.expect.findings, []);
        let legacy = find(Vendor::Bitdrift, Some("session_capture-legacy"), false).unwrap();
        assert_eq!(legacy.group, Group::Warnings);
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
            "NewReport"
        );
        let first = find_in(Vendor::Bugsplat, None, Group::Warnings).unwrap();
        assert_eq!(first.name, "report-v1");
    }

    #[test]
    fn warnings_finds_a_warning_sample_of_the_kind() {
        let drift = find_in(Vendor::Firefly, Some("drift"), Group::Warnings).unwrap();
        assert_eq!(drift.name, "warning-drift-without-drifts");
        // A kind that is also a valid sample's name means the kind.
        let octopus = find_in(
            Vendor::Octopus,
            Some("DeploymentSucceeded"),
            Group::Warnings,
        );
        assert_eq!(octopus.unwrap().name, "warning-header-missing");
        // A name is taken whatever the group asked for.
        let named = find_in(
            Vendor::Firefly,
            Some("warning-drifts-on-ghost"),
            Group::Valid,
        );
        assert_eq!(named.unwrap().group, Group::Warnings);
    }

    #[test]
    fn a_kind_without_a_warning_sample_lists_the_warning_ones_with_their_kinds() {
        let error = find_in(Vendor::Firefly, Some("InsightDetected"), Group::Warnings).unwrap_err();
        assert_eq!(
            error.to_string(),
            "firefly has no warning \"InsightDetected\" sample; its warning samples are \
             warning-drifts-on-ghost (GhostResource), warning-drift-without-drifts (Drift) \
             (name one of them, or leave out --warnings)"
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
        assert_eq!(
            (firefly.kind.as_str(), firefly.group),
            ("Drift", Group::Broken)
        );
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
        for sample in for_vendor(Vendor::Bitdrift).filter(|s| s.is_broken()) {
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
    fn a_kind_without_a_valid_sample_says_which_exist_and_which_flag_sends_them() {
        let error = find(Vendor::Firefly, Some("unknown"), false).unwrap_err();
        assert!(
            error
                .to_string()
                .ends_with("there is only broken-missing-notification-type (add --broken)"),
            "{error}"
        );
        let error = find(Vendor::Octopus, Some("TaskCanceled"), false).unwrap_err();
        assert_eq!(
            error.to_string(),
            "octopus has no valid \"TaskCanceled\" sample; there is only TaskCanceled \
             (add --warnings)"
        );
        let mixed = [("warning-a", Group::Warnings), ("broken-b", Group::Broken)];
        assert_eq!(
            names_with_groups(&mixed),
            "warning-a (--warnings), broken-b (--broken)"
        );
        assert_eq!(add_flags(&mixed), "add --warnings or --broken");
    }

    #[test]
    fn kinds_keep_first_appearance_order() {
        assert_eq!(
            kinds(Vendor::Bugsplat),
            ["report", "NewReport", "NewGroup", "NewCrash"]
        );
    }
}
