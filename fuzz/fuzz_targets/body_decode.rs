//! Body decoding under a Content-Type and Content-Encoding picked by the first two bytes:
//! no panic, nothing past the cap, a rendering for every body.

#![no_main]

use bytes::Bytes;
use hookscope::body::{BodyLimits, decode_body, without_content_codings};
use hookscope::capture::Header;
use libfuzzer_sys::fuzz_target;

const TYPES: &[&str] = &[
    "application/json",
    "application/json; charset=utf-16",
    "text/xml; charset=shift_jis",
    "text/html",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/gzip",
    "text/plain; charset=latin1",
    "",
];
const CODINGS: &[&str] = &[
    "",
    "gzip",
    "deflate",
    "br",
    "zstd",
    "gzip, br",
    "zstd, gzip",
    "x",
];
const CAP: usize = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let [kind, coding, body @ ..] = data else {
        return;
    };
    let mut headers = Vec::new();
    let content_type = TYPES[usize::from(*kind) % TYPES.len()];
    if !content_type.is_empty() {
        headers.push(Header::new("Content-Type", content_type));
    }
    let coding = CODINGS[usize::from(*coding) % CODINGS.len()];
    if !coding.is_empty() {
        headers.push(Header::new("Content-Encoding", coding));
    }
    let raw = Bytes::copy_from_slice(body);
    let limits = BodyLimits { max_decoded: CAP };
    let decoded = decode_body(&headers, &raw, limits);
    assert!(decoded.bytes.len() <= raw.len().max(CAP));
    assert_eq!(
        &without_content_codings(&headers, body, limits)[..],
        &decoded.bytes[..]
    );
    let _ = decoded.render();
});
