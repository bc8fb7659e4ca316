//! `keymap.toml` (`tui::keymap`): any text is applied or reported, line by line, never a
//! panic; whatever a file says, no key ends up with two actions, actions the file does not
//! list keep their defaults, ctrl-c still quits; key names read back from how they are shown.

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyModifiers};
use hookscope::tui::action::Action;
use hookscope::tui::keymap::{Key, Keymap};
use proptest::prelude::*;

/// What can be checked of any keymap: one action per key, ctrl-c quits, and `action` finds
/// each key's owner.
fn check_keymap(keymap: &Keymap) -> Result<(), TestCaseError> {
    let mut owners: HashMap<Key, Action> = HashMap::new();
    for action in Action::ALL {
        for key in keymap.keys(action) {
            if let Some(other) = owners.insert(*key, action) {
                return Err(TestCaseError::fail(format!(
                    "{key} is bound to both {} and {}",
                    other.name(),
                    action.name()
                )));
            }
            if *key != Key::ctrl('c') {
                prop_assert_eq!(keymap.action(*key), Some(action));
            }
        }
        prop_assert_eq!(
            keymap.first_key(action),
            keymap.keys(action).first().copied()
        );
    }
    prop_assert_eq!(keymap.action(Key::ctrl('c')), Some(Action::Quit));
    Ok(())
}

fn check_problems(text: &str, problems: &[String]) -> Result<(), TestCaseError> {
    let lines = text.lines().count().max(1);
    for problem in problems {
        let number = problem
            .strip_prefix("line ")
            .and_then(|rest| rest.split_once(':'))
            .and_then(|(n, _)| n.parse::<usize>().ok());
        let Some(number) = number else {
            return Err(TestCaseError::fail(format!("no line in {problem:?}")));
        };
        prop_assert!(
            (1..=lines + 1).contains(&number),
            "line {} of {}: {}",
            number,
            lines,
            problem
        );
    }
    Ok(())
}

/// Text that is TOML-ish: keys, strings, arrays, tables, the odd multi-byte character.
fn tomlish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("down".to_owned()),
        Just("quit".to_owned()),
        Just("tab_body".to_owned()),
        Just(" = ".to_owned()),
        Just("\"".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(", ".to_owned()),
        Just("\n".to_owned()),
        Just("ctrl-".to_owned()),
        Just("j".to_owned()),
        Just("é".to_owned()),
        Just("→".to_owned()),
        Just("#".to_owned()),
        Just("1".to_owned()),
        "[ -~]{0,4}",
        "\\PC{0,2}",
    ];
    proptest::collection::vec(piece, 0..30).prop_map(|pieces| pieces.concat())
}

fn key_name() -> impl Strategy<Value = String> {
    let base = prop_oneof![
        "[a-zA-Z0-9?/=\\-+.,;']".prop_map(|s: String| s),
        Just("space".to_owned()),
        Just("enter".to_owned()),
        Just("Return".to_owned()),
        Just("esc".to_owned()),
        Just("tab".to_owned()),
        Just("backtab".to_owned()),
        Just("backspace".to_owned()),
        Just("delete".to_owned()),
        Just("insert".to_owned()),
        Just("up".to_owned()),
        Just("PageDown".to_owned()),
        Just("home".to_owned()),
        Just("end".to_owned()),
        (0..30u8).prop_map(|n| format!("f{n}")),
        Just("é".to_owned()),
        Just("hyper".to_owned()),
        Just("".to_owned()),
    ];
    (
        proptest::collection::vec(
            prop_oneof![
                Just("ctrl-"),
                Just("alt-"),
                Just("shift-"),
                Just("Ctrl-"),
                Just("SHIFT-")
            ],
            0..3,
        ),
        base,
    )
        .prop_map(|(modifiers, base)| format!("{}{base}", modifiers.concat()))
}

#[derive(Debug, Clone)]
enum Binding {
    One(String),
    List(Vec<String>),
    /// Neither a key nor a list of keys.
    Other(toml::Value),
}

fn binding() -> impl Strategy<Value = Binding> {
    prop_oneof![
        3 => key_name().prop_map(Binding::One),
        4 => proptest::collection::vec(key_name(), 0..4).prop_map(Binding::List),
        1 => prop_oneof![
            any::<i64>().prop_map(toml::Value::Integer),
            any::<bool>().prop_map(toml::Value::Boolean),
            Just(toml::Value::Table(toml::Table::new())),
        ]
        .prop_map(Binding::Other),
    ]
}

fn action_name() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => proptest::sample::select(Action::ALL.to_vec()).prop_map(|a| a.name().to_owned()),
        1 => "[a-z_]{1,10}",
    ]
}

fn file_text(entries: &[(String, Binding)]) -> String {
    let mut table = toml::Table::new();
    for (name, binding) in entries {
        let value = match binding {
            Binding::One(key) => toml::Value::String(key.clone()),
            Binding::List(keys) => {
                toml::Value::Array(keys.iter().cloned().map(toml::Value::String).collect())
            }
            Binding::Other(value) => value.clone(),
        };
        table.insert(name.clone(), value);
    }
    toml::to_string(&table).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn any_key_name_parses_or_is_an_error(text in prop_oneof![key_name(), "\\PC{0,12}", ".{0,6}"]) {
        match Key::parse(&text) {
            Ok(key) => prop_assert!(!key.to_string().is_empty()),
            Err(message) => prop_assert!(message.contains(&format!("{text:?}")), "{}", message),
        }
    }

    /// A key reads back from its name as the help overlay and messages show it, except the
    /// arrows and page keys, which are shown as glyphs and abbreviations (`↑`, `pgup`).
    #[test]
    fn a_key_reads_back_from_its_shown_name(text in key_name()) {
        let Ok(key) = Key::parse(&text) else { return Ok(()) };
        let glyph = matches!(
            key.code,
            KeyCode::Up | KeyCode::Down | KeyCode::Left | KeyCode::Right | KeyCode::PageUp | KeyCode::PageDown
        );
        prop_assume!(!glyph);
        let shown = key.to_string();
        prop_assert_eq!(Key::parse(&shown), Ok(key), "{:?} shown as {:?}", text, shown);
        prop_assert!(!key.modifiers.contains(KeyModifiers::SHIFT) || !matches!(key.code, KeyCode::Char(_)));
    }

    /// Any text, TOML or not: the problems name lines of the file, and what is left is a
    /// keymap without conflicts.
    ///
    /// Found a panic: the line of a problem was taken from `text[..span.start + 1]`, inside
    /// a multi-byte character when the problem starts with one (minimal input `"é = \n"`).
    #[test]
    fn any_keymap_text_is_applied_or_reported(text in tomlish()) {
        let mut keymap = Keymap::default();
        let problems = keymap.apply(&text);
        check_problems(&text, &problems)?;
        check_keymap(&keymap)?;
    }

    /// The same for ASCII text, which does not reach the bug above, so the rest of the
    /// property keeps running in CI meanwhile.
    #[test]
    fn any_ascii_keymap_text_is_applied_or_reported(text in tomlish()) {
        let text: String = text.chars().filter(char::is_ascii).collect();
        let mut keymap = Keymap::default();
        let problems = keymap.apply(&text);
        check_problems(&text, &problems)?;
        check_keymap(&keymap)?;
    }

    /// A file of actions and keys: listed actions get the keys nobody else has (or keep
    /// their defaults when none is usable), unlisted ones keep exactly their defaults.
    #[test]
    fn a_keymap_file_rebinds_only_what_it_lists(entries in proptest::collection::vec((action_name(), binding()), 0..8)) {
        let text = file_text(&entries);
        let defaults = Keymap::default();
        let mut keymap = Keymap::default();
        let problems = keymap.apply(&text);
        check_problems(&text, &problems)?;
        check_keymap(&keymap)?;
        let listed: HashMap<&str, &Binding> = entries.iter().map(|(n, b)| (n.as_str(), b)).collect();
        for action in Action::ALL {
            let keys = keymap.keys(action);
            match listed.get(action.name()) {
                None => prop_assert_eq!(keys, defaults.keys(action), "{} lost its defaults", action.name()),
                Some(Binding::Other(_)) => prop_assert_eq!(keys, defaults.keys(action)),
                Some(binding) => {
                    let names: Vec<&String> = match binding {
                        Binding::One(name) => vec![name],
                        Binding::List(names) => names.iter().collect(),
                        Binding::Other(_) => unreachable!(),
                    };
                    let asked: Vec<Key> = names.iter().filter_map(|n| Key::parse(n).ok()).collect();
                    for key in keys {
                        prop_assert!(
                            asked.contains(key) || defaults.keys(action).contains(key),
                            "{} got {}, which it neither asked for nor had", action.name(), key
                        );
                    }
                    // A key asked for goes to this action, or stays with the one that has it.
                    for key in &asked {
                        prop_assert!(
                            Action::ALL.iter().any(|a| keymap.keys(*a).contains(key)),
                            "{} asked for {}, and now nothing has it", action.name(), key
                        );
                    }
                }
            }
        }
        let unknown = listed.keys().filter(|n| Action::from_name(n).is_none()).count();
        prop_assert!(problems.len() >= unknown);
    }
}

/// `é = "j"` (an action name typed with an accent) panicked with "end byte index 1 is not a
/// char boundary" instead of being reported as an unknown action on line 1.
#[test]
fn a_key_name_starting_with_a_multibyte_character_is_reported_not_a_panic() {
    for text in ["é = \"j\"\n", "é = \n", "\"\"ᾶ"] {
        let mut keymap = Keymap::default();
        let problems = keymap.apply(text);
        assert!(
            problems[0].starts_with("line 1: "),
            "{text:?}: {problems:?}"
        );
    }
}
