//! User vendors registered in a process of their own (registering changes what every
//! later detection in the process sees): detected, decoded and validated like built-ins.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use hookscope::capture::Header;
use hookscope::vendor::Vendor;
use serde_json::json;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Registers a definition under a test-unique id and returns its vendor.
fn registered_vendor(id: &str, text: &str, schema: Option<&str>) -> Vendor {
    let dir = tempfile::tempdir().unwrap();
    if let Some(schema) = schema {
        write(dir.path(), "schema.json", schema);
    }
    let file = write(dir.path(), &format!("{id}.toml"), &text.replace("ID", id));
    let vendor = hookscope::vendor::user::load_file(&file).unwrap();
    hookscope::vendor::user::install(vec![vendor])[0]
}

#[test]
fn a_user_vendor_is_detected_decoded_and_validated() {
    let vendor = registered_vendor(
        "test-shop",
        r#"
id = "ID"
name = "Test Shop"
schema = "schema.json"
headline = "{kind} · {/order/id} for {header:X-Shop-Domain}"
[detect]
path = "/hooks/shop*"
headers = ["X-Shop-Topic"]
[detect.pointer_equals]
"/api" = 2
[kind]
header = "X-Shop-Topic"
detail = "/order/state"
[[field]]
label = "Order"
value = "/order/id"
[[link]]
label = "Admin"
pointer = "/order/url"
"#,
        Some(
            r#"{"type": "object", "required": ["order"], "properties": {"order": {"type": "object", "required": ["id", "total"]}}}"#,
        ),
    );
    let headers = vec![
        Header::new("Content-Type", "application/json"),
        Header::new("X-Shop-Topic", "orders"),
        Header::new("X-Shop-Domain", "acme.example"),
    ];
    let body = Bytes::from(
        json!({"api": 2, "order": {"id": "o-1", "state": "paid", "url": "https://a.example/o-1"}})
            .to_string(),
    );
    let inspection = hookscope::inspect::inspect_request(
        Some("/hooks/shop"),
        &headers,
        &body,
        chrono::Utc::now(),
    );
    assert_eq!(inspection.vendor, Some(vendor));
    assert_eq!(inspection.kind(), Some("orders.paid"));
    let decoded = inspection.decoded.as_ref().unwrap();
    assert_eq!(decoded.headline, "orders.paid · o-1 for acme.example");
    assert_eq!(decoded.fields[0].value, "o-1");
    assert_eq!(decoded.links[0].url, "https://a.example/o-1");
    let pointers: Vec<&str> = inspection
        .findings
        .iter()
        .map(|f| f.pointer.as_str())
        .collect();
    assert_eq!(pointers, ["/order/total"], "{:?}", inspection.findings);
    assert!(
        inspection.findings[0].message.contains("Test Shop"),
        "{:?}",
        inspection.findings
    );

    // Every rule must hold: another path, a missing header or another value is not it.
    let elsewhere =
        hookscope::inspect::inspect_request(Some("/other"), &headers, &body, chrono::Utc::now());
    assert_eq!(elsewhere.vendor, None);
    let other = Bytes::from(json!({"api": 3, "order": {}}).to_string());
    assert_eq!(
        hookscope::inspect::inspect_request(
            Some("/hooks/shop"),
            &headers,
            &other,
            chrono::Utc::now()
        )
        .vendor,
        None
    );
    assert_eq!(Vendor::from_id("test-shop"), Some(vendor));
}

#[test]
fn built_in_vendors_win_unless_the_definition_goes_first() {
    let octopus = hookscope::samples::find(Vendor::Octopus, None, false).unwrap();
    let body = Bytes::from_static(octopus.body);
    let mut headers = octopus.capture_headers();
    headers.push(Header::new("X-Test-Claim", "1"));
    let rule = r#"
id = "ID"
name = "Claims Octopus"
before_built_in = BEFORE
[detect]
headers = ["X-Test-Claim"]
pointers = ["/Payload"]
"#;
    let after = registered_vendor("test-after", &rule.replace("BEFORE", "false"), None);
    let seen =
        hookscope::inspect::inspect_request(Some("/x"), &headers, &body, chrono::Utc::now()).vendor;
    assert_eq!(seen, Some(Vendor::Octopus), "the built-in one wins");
    assert_ne!(seen, Some(after));
    let before = registered_vendor("test-before", &rule.replace("BEFORE", "true"), None);
    let seen =
        hookscope::inspect::inspect_request(Some("/x"), &headers, &body, chrono::Utc::now()).vendor;
    assert_eq!(
        seen,
        Some(before),
        "unless the definition says it goes first"
    );
}
