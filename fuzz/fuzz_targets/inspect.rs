//! The whole analysis of a payload, detected and forced through every vendor: no panic, and
//! every finding names a JSON Pointer and says something.

#![no_main]

use bytes::Bytes;
use hookscope::capture::Header;
use hookscope::inspect::{inspect, inspect_file};
use hookscope::validate::Finding;
use hookscope::vendor::Vendor;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let headers = [Header::new("Content-Type", "application/json")];
    let body = Bytes::copy_from_slice(data);
    check(&inspect(&headers, &body).findings);
    for vendor in Vendor::ALL {
        check(&inspect_file(&body, Some(vendor)).findings);
    }
});

fn check(findings: &[Finding]) {
    for finding in findings {
        assert!(finding.pointer.is_empty() || finding.pointer.starts_with('/'));
        assert!(!finding.message.is_empty());
    }
}
