//! Every bundled sample goes through the same analysis as a captured request, and what it
//! produces must be exactly what the sample's manifest records: the vendor, the kind,
//! validity and the set of (pointer, severity) findings.

use bytes::Bytes;
use hookscope::capture::Header;
use hookscope::inspect::{inspect, inspect_file};
use hookscope::samples;
use hookscope::validate::Severity;

fn findings_of(inspection: &hookscope::inspect::Inspection) -> Vec<(String, Severity)> {
    let mut findings: Vec<(String, Severity)> = inspection
        .findings
        .iter()
        .map(|f| (f.pointer.clone(), f.severity))
        .collect();
    findings.sort();
    findings
}

#[test]
fn every_sample_produces_its_recorded_outcome() {
    let mut mismatches = Vec::new();
    for sample in samples::all() {
        let headers = sample.capture_headers();
        let inspection = inspect(&headers, &Bytes::from_static(sample.body));
        let mut expected = sample.expect.findings.clone();
        expected.sort();
        let got = (
            inspection.vendor,
            inspection.kind().map(str::to_owned),
            inspection.valid(),
            findings_of(&inspection),
        );
        let want = (
            sample.expect.vendor,
            Some(sample.expect.kind.clone()),
            Some(sample.expect.valid),
            expected,
        );
        if got != want {
            mismatches.push(format!(
                "{}/{}:\n  got  {got:?}\n  want {want:?}",
                sample.vendor, sample.file
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// Every finding has a message a person can act on, and its pointer resolves in the payload
/// (or names a missing member of an object that does).
#[test]
fn findings_point_into_the_payload_and_say_something() {
    for sample in samples::all() {
        let inspection = inspect_file(&Bytes::from_static(sample.body), Some(sample.vendor));
        let value = inspection.value().expect("samples are JSON");
        for finding in &inspection.findings {
            assert!(
                finding.message.len() > 15,
                "{}: terse message {:?}",
                sample.file,
                finding.message
            );
            let parent = finding.pointer.rsplit_once('/').map_or("", |(p, _)| p);
            assert!(
                value.pointer(&finding.pointer).is_some() || value.pointer(parent).is_some(),
                "{}: {} points nowhere",
                sample.file,
                finding.pointer
            );
        }
    }
}

/// A bare file has no request headers, so the Octopus header checks are skipped there and
/// only there.
#[test]
fn header_checks_need_the_request() {
    let sample = samples::find(
        hookscope::vendor::Vendor::Octopus,
        Some("warning-header-missing"),
        true,
    )
    .unwrap();
    let body = Bytes::from_static(sample.body);
    let pointer = "/Payload/Subscription/EventNotificationSubscription/WebhookHeaderKey";
    let with_request = inspect(&[Header::new("Content-Type", "application/json")], &body);
    assert!(with_request.findings.iter().any(|f| f.pointer == pointer));
    let bare = inspect_file(&body, None);
    assert!(bare.findings.iter().all(|f| f.pointer != pointer));
}

/// The store's verdict takes a shorter path than the full inspection; both must agree.
#[test]
fn the_stored_verdict_agrees_with_the_full_inspection() {
    for sample in samples::all() {
        let headers = sample.capture_headers();
        let body = Bytes::from_static(sample.body);
        let verdict = hookscope::inspect::verdict(None, &headers, &body, chrono::Utc::now());
        let inspection = inspect(&headers, &body);
        assert_eq!(verdict, inspection.verdict(), "{}", sample.file);
        // The verdict reads kind and event id from the payload, the summary decodes them:
        // both must say the same.
        let decoded = inspection.decoded.as_ref().unwrap();
        assert_eq!(
            verdict.kind.as_deref(),
            Some(decoded.kind.as_str()),
            "{}",
            sample.file
        );
        assert_eq!(verdict.dedupe_key, decoded.dedupe_key, "{}", sample.file);
    }
}

/// Firefly's set-up probe is one definition for kind and validation; detection alone also
/// wants `text` by itself (a Slack message has `text` and more).
#[test]
fn the_firefly_probe_means_the_same_to_kind_and_validation() {
    let body = Bytes::from_static(br#"{"text": "check", "note": "extra keys are undocumented"}"#);
    assert_eq!(inspect_file(&body, None).vendor, None, "not detected");
    let forced = inspect_file(&body, Some(hookscope::vendor::Vendor::Firefly));
    assert_eq!(forced.kind(), Some("integration-test"));
    assert!(forced.findings.is_empty(), "{:?}", forced.findings);
}
