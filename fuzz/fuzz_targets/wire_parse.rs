//! The edited-request parser: any bytes parse or give an error; what parses, written out as
//! replay writes it, parses to the same request (up to the version, which replay writes as
//! HTTP/1.1 unless it is 1.0).

#![no_main]

use hookscope::capture::Capture;
use hookscope::wire::{parse_request, request_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(parsed) = parse_request(data) else {
        return;
    };
    if parsed
        .headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("transfer-encoding"))
    {
        return;
    }
    let mut capture = Capture::new(
        parsed.method.clone(),
        parsed.target.clone(),
        parsed.headers.clone(),
        parsed.body.clone(),
    );
    capture.version = parsed.version.clone();
    let again = parse_request(&request_bytes(&capture)).expect("the printed form parses");
    assert_eq!(again.method, parsed.method);
    assert_eq!(again.target, parsed.target);
    assert_eq!(again.headers, parsed.headers);
    assert_eq!(again.body, parsed.body);
});
