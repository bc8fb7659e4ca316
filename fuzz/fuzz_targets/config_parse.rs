//! `config.toml`: any text gives settings or problems at lines the text has. (A `listen`
//! value naming a host is looked up, so a long run may touch the resolver.)

#![no_main]

use std::path::Path;

use hookscope::config::file::parse;
use hookscope::config::listen_defaults;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut scratch) = listen_defaults() else {
        return;
    };
    let lines = text.split('\n').count();
    if let Err(problems) = parse(text, Path::new("/etc/hookscope"), &mut scratch) {
        for problem in problems {
            assert!((1..=lines).contains(&problem.line), "{problem:?}");
            assert!(problem.column >= 1);
        }
    }
});
