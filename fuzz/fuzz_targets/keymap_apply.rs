//! `keymap.toml`: any text is applied or reported, and no key ends up with two actions.

#![no_main]

use hookscope::tui::action::Action;
use hookscope::tui::keymap::{Key, Keymap};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut keymap = Keymap::default();
    let _problems = keymap.apply(text);
    let mut seen: Vec<Key> = Vec::new();
    for action in Action::ALL {
        for key in keymap.keys(action) {
            assert!(!seen.contains(key), "{key} is bound twice");
            seen.push(*key);
        }
    }
    for line in text.lines() {
        let _ = Key::parse(line.trim());
    }
});
