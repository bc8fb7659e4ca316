//! HAR and JSONL import: any text imports or fails with a message, and nothing imported holds
//! a control character where a capture never holds one.

#![no_main]

use hookscope::archive::read_archive;
use hookscope::escape::is_hidden_control;
use hookscope::store::check_header;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match read_archive(text) {
        Ok(imported) => {
            for capture in &imported.captures {
                for field in [&capture.peer, &capture.method, &capture.version] {
                    assert!(!field.chars().any(is_hidden_control), "{field:?}");
                }
                assert!(!capture.uri.chars().any(|c| c.is_ascii_control()));
                assert!(capture.headers.iter().all(|h| check_header(h).is_ok()));
            }
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
});
