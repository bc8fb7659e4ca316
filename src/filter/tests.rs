//! Matching: what each term looks at, case, negation, and bodies as a person would read them.

use std::io::Write;

use bytes::Bytes;
use chrono::DateTime;

use super::*;
use crate::body::{BodyLimits, without_content_codings};
use crate::capture::Verdict;

fn capture(method: &str, uri: &str, headers: &[(&str, &[u8])], body: &[u8]) -> Capture {
    Capture {
        id: 1,
        received_at: DateTime::from_timestamp_micros(1_790_000_000_000_000).unwrap(),
        peer: "127.0.0.1:5000".into(),
        method: method.into(),
        uri: uri.into(),
        version: "HTTP/1.1".into(),
        headers: headers
            .iter()
            .map(|(name, value)| Header::new(*name, *value))
            .collect(),
        body: Bytes::copy_from_slice(body),
        response_status: 200,
        unauthenticated: false,
        verdict: None,
    }
}

fn octopus(capture: Capture, kind: &str, errors: u32) -> Capture {
    Capture {
        verdict: Some(Verdict {
            vendor: Some(Vendor::Octopus),
            kind: Some(kind.into()),
            errors,
            ..Verdict::default()
        }),
        ..capture
    }
}

/// Whether `filter` matches `capture`, its body decoded as the scan decodes it.
fn matches(filter: &str, capture: &Capture) -> bool {
    let filter = parse(filter).unwrap_or_else(|e| panic!("{filter:?}: {e}"));
    let body = without_content_codings(&capture.headers, &capture.body, BodyLimits::default());
    filter.matches(&Candidate::new(capture, &body))
}

fn json_post() -> Capture {
    capture(
        "POST",
        "/hooks/orders?source=Shop",
        &[
            ("Content-Type", b"application/json"),
            ("X-Request-Id", b"Req-42"),
        ],
        br#"{"status":"FAILED","order":{"id":1234}}"#,
    )
}

#[test]
fn the_empty_filter_matches_everything() {
    assert!(matches("", &json_post()));
    assert!(matches("  ", &capture("GET", "/", &[], b"")));
}

#[test]
fn free_text_looks_at_path_query_headers_and_body_in_any_case() {
    let c = json_post();
    assert!(matches("HOOKS/ORD", &c), "path");
    assert!(matches("source=shop", &c), "query");
    assert!(matches("x-request", &c), "header name");
    assert!(matches("req-42", &c), "header value");
    assert!(matches("failed", &c), "body");
    assert!(matches("\"status\":\"failed\"", &c), "JSON typed as it is");
    assert!(!matches("succeeded", &c));
    assert!(!matches("post", &c), "the method is not free text");
}

fn json_body(body: &str) -> Capture {
    capture(
        "POST",
        "/hooks",
        &[("Content-Type", b"application/json")],
        body.as_bytes(),
    )
}

#[test]
fn json_typed_as_is_matches_however_the_sender_spaced_it() {
    let pretty =
        json_body("{\n  \"status\": \"FAILED\",\n  \"order\": {\n    \"id\": 1234\n  }\n}");
    assert!(matches("\"status\":\"failed\"", &pretty));
    assert!(matches(
        "\"status\":\"failed\",\"order\":{\"id\":1234}",
        &pretty
    ));
    assert!(
        matches("\"\\\"id\\\": 1234}\"", &pretty),
        "quotes typed as \\\""
    );
    // Compact bodies still match a needle typed with spaces.
    assert!(matches("\"\\\"status\\\": \\\"failed\\\"\"", &json_post()));
    // Spaces inside strings still count, and so do the tokens themselves.
    let spaced = json_body(r#"{"event": "Shipment Delayed"}"#);
    assert!(matches("\"event\":\"shipment delayed\"", &spaced));
    assert!(!matches("\"event\":\"shipmentdelayed\"", &spaced));
    assert!(!matches(
        "\"status\":\"failed\"",
        &json_body(r#"{"state": "failed"}"#)
    ));
    assert!(!matches("\"id\":12", &json_body(r#"{"id": 1 2}"#)));
}

#[test]
fn json_needles_find_fields_in_json_too_deep_to_read() {
    let depth = 10_000;
    let deep = format!("{}1{}", "{\"a\": ".repeat(depth), "}".repeat(depth));
    assert!(matches("\"a\":{\"a\":1}", &json_body(&deep)));
}

#[test]
fn text_that_is_not_json_is_still_searched_as_typed() {
    let c = json_body(r#"{"note": "call me: now"}"#);
    assert!(matches("\"me: now\"", &c));
    assert!(!matches("\"me:now\"", &c), "no JSON outside strings here");
    assert!(matches("\"call me\"", &c));
}

#[test]
fn all_terms_must_match_and_a_minus_turns_one_around() {
    let c = json_post();
    assert!(matches("failed 1234 method:post", &c));
    assert!(!matches("failed 9999", &c));
    assert!(matches("-succeeded", &c));
    assert!(!matches("-failed", &c));
    assert!(!matches("-method:post", &c));
    assert!(matches("-method:get failed", &c));
    assert!(!matches("-x-request-id", &c), "nor in a header name");
}

#[test]
fn method_and_path_globs_match_the_whole_value() {
    let c = json_post();
    assert!(matches("method:post", &c));
    assert!(matches("method:P*", &c));
    assert!(!matches("method:get", &c));
    assert!(matches("path:/hooks/*", &c));
    assert!(matches("path:*ORDERS", &c));
    assert!(!matches("path:/hooks", &c), "whole path, not a prefix");
    assert!(!matches("path:*source*", &c), "the query is not the path");
}

#[test]
fn verdict_terms_look_at_vendor_kind_and_errors() {
    let valid = octopus(json_post(), "DeploymentSucceeded", 0);
    let broken = octopus(json_post(), "DeploymentFailed", 2);
    let generic = json_post();
    assert!(matches("vendor:octopus kind:deployment*", &valid));
    assert!(matches("vendor:\"octopus deploy\"", &valid));
    assert!(!matches("vendor:bitdrift", &valid));
    assert!(matches("vendor:none", &generic) && !matches("vendor:none", &valid));
    assert!(matches("-vendor:none", &broken));
    assert!(!matches("kind:*", &generic), "no kind, no match");

    assert!(matches("valid:no", &broken));
    assert!(!matches("valid:no", &valid));
    assert!(!matches("valid:no", &generic), "nothing was validated");
    assert!(matches("valid:yes", &valid));
    assert!(!matches("valid:yes", &generic));
    assert!(matches("-valid:no", &generic));
}

#[test]
fn a_gzip_body_is_searched_decompressed() {
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(b"{\"event\":\"Shipment Delayed\"}").unwrap();
    let compressed = gzip.finish().unwrap();
    let announced = capture("POST", "/", &[("Content-Encoding", b"gzip")], &compressed);
    assert!(matches("\"shipment delayed\"", &announced));
    let unannounced = capture("POST", "/", &[], &compressed);
    assert!(
        matches("delayed", &unannounced),
        "gzip sent without saying so"
    );
    assert!(!matches("elephant", &announced));
}

#[test]
fn bytes_that_are_not_utf8_do_not_matter() {
    let c = capture(
        "POST",
        "/",
        &[("X-Latin1", b"caf\xe9 Cr\xe8me")],
        b"\xff\xfe\x00binary\x80 then TEXT",
    );
    assert!(matches("then text", &c));
    assert!(matches("binary", &c));
    assert!(!matches("cr\u{e8}me", &c), "Latin-1 is not UTF-8");
    assert!(matches("caf", &c));
}

#[test]
fn what_a_filter_needs_is_split_so_a_scan_reads_less() {
    let filter = parse("method:post failed").unwrap();
    let c = json_post();
    let without_content = Candidate {
        headers: &[],
        body: b"",
        ..Candidate::new(&c, &c.body)
    };
    assert!(filter.matches_fields(&without_content));
    assert!(!filter.matches_content(&without_content));
    assert!(filter.matches(&Candidate::new(&c, &c.body)));
}
