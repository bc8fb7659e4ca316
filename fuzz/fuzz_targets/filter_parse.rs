//! The filter language: any text parses or gives an error, and the printed form of a filter
//! parses to the same printed form.

#![no_main]

use hookscope::filter::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(filter) = parse(text) else {
        return;
    };
    let printed = filter.to_string();
    let again = parse(&printed).expect("the printed form parses");
    assert_eq!(again.to_string(), printed);
});
