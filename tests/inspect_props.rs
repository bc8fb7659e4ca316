//! Decoding and validation never panic, whatever arrives: arbitrary bytes under arbitrary
//! headers, and arbitrary JSON forced through every vendor's rules.

use bytes::Bytes;
use hookscope::capture::Header;
use hookscope::inspect::{inspect, inspect_file};
use hookscope::validate::{Severity, is_valid};
use hookscope::vendor::Vendor;
use proptest::prelude::*;
use serde_json::{Map, Value};

fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"application/json".to_vec()),
        Just(b"application/json; charset=latin1".to_vec()),
        Just(b"multipart/form-data; boundary=x".to_vec()),
        Just(b"gzip".to_vec()),
        Just(b"br, zstd".to_vec()),
        Just(b"deflate".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..40),
    ]
}

fn headers() -> impl Strategy<Value = Vec<Header>> {
    proptest::collection::vec(
        (
            prop_oneof![
                Just("Content-Type"),
                Just("Content-Encoding"),
                Just("X-Northwind-Hook-Token")
            ],
            header_value(),
        ),
        0..4,
    )
    .prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(name, value)| Header::new(name, value))
            .collect()
    })
}

/// JSON built from the keys the vendor rules look at, so the checks run deep, not just
/// bail out at the top.
fn json() -> impl Strategy<Value = Value> {
    let keys = prop_oneof![
        Just("timestamp".to_owned()),
        Just("alert".to_owned()),
        Just("issue_alert".to_owned()),
        Just("issueAlert".to_owned()),
        Just("global".to_owned()),
        Just("per_issue".to_owned()),
        Just("labels".to_owned()),
        Just("Payload".to_owned()),
        Just("Event".to_owned()),
        Just("Message".to_owned()),
        Just("MessageReferences".to_owned()),
        Just("StartIndex".to_owned()),
        Just("Length".to_owned()),
        Just("EventNumberInBatch".to_owned()),
        Just("TotalEventsInBatch".to_owned()),
        Just("samples".to_owned()),
        Just("drifts".to_owned()),
        Just("notificationType".to_owned()),
        Just("received".to_owned()),
        Just("text".to_owned()),
        "[a-zA-Z_~/]{0,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        Just(Value::String("2026-10-22T10:09:12+02:00".into())),
        Just(Value::String("🚀 x".into())),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::vec((keys.clone(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_requests_are_inspected_without_panicking(
        headers in headers(),
        body in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let inspection = inspect(&headers, &Bytes::from(body));
        let verdict = inspection.verdict();
        prop_assert_eq!(verdict.vendor, inspection.vendor);
        prop_assert_eq!(verdict.errors == 0, is_valid(&inspection.findings));
    }

    #[test]
    fn arbitrary_json_is_validated_as_every_vendor_without_panicking(value in json()) {
        let body = Bytes::from(serde_json::to_vec(&value).unwrap());
        for vendor in Vendor::ALL {
            let inspection = inspect_file(&body, Some(vendor));
            for finding in &inspection.findings {
                prop_assert!(finding.pointer.is_empty() || finding.pointer.starts_with('/'));
                prop_assert!(!finding.message.is_empty());
            }
            let errors = inspection.findings.iter().filter(|f| f.severity == Severity::Error).count();
            prop_assert_eq!(inspection.valid(), Some(errors == 0));
        }
    }
}
