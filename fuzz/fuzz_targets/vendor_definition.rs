//! A vendor definition file: any text loads or is reported with a line the file has.

#![no_main]

use hookscope::vendor::user::load_file;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let file = dir.path().join("vendor.toml");
    if std::fs::write(&file, text).is_err() {
        return;
    }
    if let Err(problems) = load_file(&file) {
        let lines = text.split('\n').count();
        for problem in problems {
            if let Some(line) = problem.line {
                assert!((1..=lines).contains(&line), "{problem}");
            }
        }
    }
});
