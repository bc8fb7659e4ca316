//! `config.toml` and the `HOOKSCOPE_*` variables (`config::file::parse`, `Config::load_with`):
//! any text is read or reported with a line and column in the file, never a panic; every bad
//! key is reported, each at its own line; and the effective value a setting shows is one the
//! config file accepts and means the same.

use std::path::Path;

use clap::{Args, FromArgMatches};
use hookscope::cli::{ConfigFileArgs, ListenArgs};
use hookscope::config::file::parse;
use hookscope::config::{Config, SETTINGS, Setting, listen_defaults};
use proptest::prelude::*;
use serde_json::Value;

const DIR: &str = "/etc/hookscope";

/// One `name = value` line of a config file.
fn line(name: &str, value: toml::Value) -> String {
    let mut table = toml::Table::new();
    table.insert(name.to_owned(), value);
    toml::to_string(&table).unwrap()
}

/// The listen options a config file's text gives, or its problems.
fn read_file(text: &str) -> Result<ListenArgs, Vec<String>> {
    let mut scratch = listen_defaults().unwrap();
    parse(text, Path::new(DIR), &mut scratch)
        .map(|_| scratch)
        .map_err(|problems| problems.into_iter().map(|p| p.message).collect())
}

/// The listen options with one `HOOKSCOPE_*` variable set, as `listen` would run with them.
fn from_env(setting: &Setting, text: &str) -> Result<ListenArgs, Vec<String>> {
    let name = setting.env_var();
    let no_file = ConfigFileArgs {
        config: None,
        no_config: true,
    };
    let config = Config::load_with(&no_file, &|var| (var == name).then(|| text.to_owned()))
        .map_err(|e| e.problems)?;
    let matches = ListenArgs::augment_args(clap::Command::new("listen"))
        .try_get_matches_from(["listen"])
        .unwrap();
    let mut args = ListenArgs::from_arg_matches(&matches).unwrap();
    config
        .apply_listen(&mut args, &matches)
        .map_err(|e| e.problems)?;
    Ok(args)
}

/// Text a setting might be given, by setting: valid values, near misses and junk. Nothing
/// for `listen` holds a colon unless it is an IP literal, so no case resolves a host name.
fn text_for(name: &str) -> BoxedStrategy<String> {
    let junk = prop_oneof![
        Just(String::new()),
        Just(" ".to_owned()),
        "[a-z]{1,6}",
        "\\PC{0,8}"
    ];
    let whole = prop_oneof![
        (0..=i64::MAX).prop_map(|n| n.to_string()),
        (0..700u64).prop_map(|n| n.to_string()),
        Just(" 12 ".to_owned()),
        Just("-1".to_owned()),
        Just("1e3".to_owned()),
        Just("18446744073709551616".to_owned()),
    ];
    let size = "[0-9]{1,7} ?(b|B|k|kb|KiB|m|MB|MiB|g|GiB|TiB)?";
    let flag = prop_oneof![
        Just("true"),
        Just("false"),
        Just("1"),
        Just("0"),
        Just("Yes"),
        Just("off"),
        Just("maybe")
    ]
    .prop_map(str::to_owned);
    match name {
        "listen" => prop_oneof![
            "127\\.0\\.0\\.1:[0-9]{1,5}",
            "[0-9]{1,6}",
            ":[0-9]{1,5}",
            Just("[::1]:9876".to_owned()),
            Just("0.0.0.0:0".to_owned()),
            "[a-z]{1,8}",
        ]
        .boxed(),
        "db" => prop_oneof!["/[a-z/]{1,10}", Just("~/x.db".to_owned()), "[a-z]{1,5}/[a-z]{1,5}", Just(String::new())].boxed(),
        "in-memory" | "fsync" | "headless" | "forward-reply" | "insecure" | "resign" => flag.boxed(),
        "keep" | "delay" | "status" | "max-headers" => whole.boxed(),
        "max-body" | "max-header-bytes" => prop_oneof![size, whole].boxed(),
        "response-body" => "\\PC{0,20}".boxed(),
        "response-header" => proptest::collection::vec(
            prop_oneof!["X-[a-zA-Z]{1,5}: [ -~]{0,10}", "[a-z ]{0,6}:[a-z]{0,3}", junk.clone()],
            0..3,
        )
        .prop_map(|lines| lines.join("\n"))
        .boxed(),
        "theme" => prop_oneof![Just("auto"), Just("dark"), Just("LIGHT"), Just("blue")].prop_map(str::to_owned).boxed(),
        "clipboard" => prop_oneof![Just("auto"), Just("system"), Just("osc52"), Just("Off"), Just("x")]
            .prop_map(str::to_owned)
            .boxed(),
        "forward-to" => proptest::collection::vec(
            prop_oneof![
                "https?://localhost:[0-9]{1,4}(/[a-z]{0,4})?( vendor:octopus| method:post| kind:x\\*| vendor:nope)?",
                Just("https://example.com/x?y=1".to_owned()),
                Just("localhost:3000".to_owned()),
                Just("ftp://x".to_owned()),
                junk.clone(),
            ],
            0..3,
        )
        .prop_map(|lines| lines.join("\n"))
        .boxed(),
        "forward-timeout" => prop_oneof![
            "[0-9]{1,3}(\\.[0-9]{1,10})?(ms|s|m|min| s)?",
            Just("0".to_owned()),
            Just("90000".to_owned()),
            junk.clone(),
        ]
        .boxed(),
        // A setting added since these tests were written: text of every kind.
        _ => prop_oneof![whole, size.prop_map(|s| s), flag, "[a-z]{1,6}:[a-zA-Z0-9:]{0,12}", junk].boxed(),
    }
}

fn setting() -> impl Strategy<Value = &'static Setting> {
    proptest::sample::select(SETTINGS.iter().collect::<Vec<_>>())
}

fn setting_and_text() -> impl Strategy<Value = (&'static Setting, String)> {
    setting().prop_flat_map(|s| (Just(s), text_for(s.name)))
}

/// The value a setting shows, as the config file would hold it; `None` for `null` (nothing
/// to write) and for what TOML cannot hold.
fn to_toml(value: &Value) -> Option<toml::Value> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => toml::Value::Integer(n.as_i64()?),
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Array(items) => {
            toml::Value::Array(items.iter().map(to_toml).collect::<Option<_>>()?)
        }
        Value::Object(_) => return None,
    })
}

/// A TOML literal for a value given as text: a whole number as an integer, the rest as a
/// string (or a list of strings, one per line, for list settings).
fn literal(setting: &Setting, text: &str) -> toml::Value {
    match setting.name {
        "response-header" | "forward-to" => toml::Value::Array(
            text.lines()
                .map(|l| toml::Value::String(l.to_owned()))
                .collect(),
        ),
        _ => match text.parse::<i64>() {
            Ok(n) => toml::Value::Integer(n),
            Err(_) => match text {
                "true" => toml::Value::Boolean(true),
                "false" => toml::Value::Boolean(false),
                _ => toml::Value::String(text.to_owned()),
            },
        },
    }
}

fn tomlish() -> impl Strategy<Value = String> {
    let names: Vec<String> = SETTINGS.iter().map(|s| s.name.to_owned()).collect();
    let piece = prop_oneof![
        3 => proptest::sample::select(names),
        1 => Just("max_body".to_owned()),
        1 => Just("port".to_owned()),
        2 => Just(" = ".to_owned()),
        2 => Just("\"".to_owned()),
        1 => Just("'".to_owned()),
        1 => Just("[".to_owned()),
        1 => Just("]".to_owned()),
        1 => Just("[[x]]".to_owned()),
        1 => Just(",".to_owned()),
        2 => Just("\n".to_owned()),
        1 => Just("\r\n".to_owned()),
        1 => Just("# é\n".to_owned()),
        1 => Just("é".to_owned()),
        1 => Just("\"\"\"".to_owned()),
        2 => "[0-9]{1,4}",
        1 => Just("true".to_owned()),
        1 => Just("{a = 1}".to_owned()),
        2 => "[a-z ]{0,4}",
        1 => "\\PC{0,3}",
    ];
    proptest::collection::vec(piece, 0..30).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// Any text: the settings it gives, or problems at places the file has, in file order.
    #[test]
    fn any_config_text_is_read_or_reported(text in tomlish()) {
        let mut scratch = listen_defaults().unwrap();
        let lines = text.split('\n').count();
        match parse(&text, Path::new(DIR), &mut scratch) {
            Ok(entries) => {
                for entry in &entries {
                    prop_assert!((1..=lines).contains(&entry.line));
                }
                prop_assert!(entries.windows(2).all(|w| w[0].line <= w[1].line));
            }
            Err(problems) => {
                prop_assert!(!problems.is_empty());
                for problem in &problems {
                    prop_assert!((1..=lines).contains(&problem.line), "line {} of {}: {}", problem.line, lines, problem.message);
                    prop_assert!(problem.column >= 1);
                    prop_assert!(!problem.message.trim().is_empty());
                }
                prop_assert!(problems.windows(2).all(|w| (w[0].line, w[0].column) <= (w[1].line, w[1].column)));
            }
        }
    }

    /// A file of `key = value` lines, some keys unknown, some values wrong: every wrong line is
    /// reported, at its own line and at its value's column, and nothing else is.
    #[test]
    fn every_bad_line_of_a_config_file_is_reported_at_its_place(
        lines in proptest::collection::vec(
            prop_oneof![
                4 => setting_and_text().prop_map(|(s, text)| (s.name.to_owned(), Some((s, text)))),
                1 => prop_oneof![Just("max_body"), Just("port"), Just("bind"), Just("themes"), Just("zzz")]
                    .prop_map(|name| (name.to_owned(), None)),
            ],
            0..6,
        ),
    ) {
        let mut text = String::new();
        let mut expected_bad = Vec::new();
        let mut seen = Vec::new();
        for (name, given) in &lines {
            if seen.contains(name) {
                continue; // a key given twice is a TOML error of its own
            }
            seen.push(name.clone());
            let value = match given {
                Some((setting, value_text)) => literal(setting, value_text),
                None => toml::Value::Integer(1),
            };
            let line_text = line(name, value);
            let line = text.matches('\n').count() + 1;
            let value_column = line_text.find(" = ").unwrap() + 4;
            // Whether the line is refused when it is the whole file.
            let bad = given.is_none() || read_file(&line_text).is_err();
            if bad {
                let column = if given.is_some() { value_column } else { 1 };
                expected_bad.push((line, column));
            }
            text.push_str(&line_text);
        }
        let mut scratch = listen_defaults().unwrap();
        match parse(&text, Path::new(DIR), &mut scratch) {
            Ok(entries) => {
                prop_assert!(expected_bad.is_empty(), "{:?} not reported in\n{}", expected_bad, text);
                prop_assert_eq!(entries.len(), seen.len());
            }
            Err(problems) => {
                let places: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.column)).collect();
                prop_assert_eq!(&places, &expected_bad, "{:?}\n{}", problems, text);
                for problem in &problems {
                    prop_assert!(!problem.message.trim().is_empty());
                }
            }
        }
    }

    /// Whatever a `HOOKSCOPE_*` variable holds: the setting takes it or says why; and what it
    /// then shows as its effective value (`hookscope config`), written in the config file, is
    /// accepted there and shows the same again.
    #[test]
    fn a_shown_value_reads_back_from_the_config_file((setting, text) in setting_and_text()) {
        match from_env(setting, &text) {
            Err(problems) => {
                prop_assert!(!problems.is_empty());
                for problem in &problems {
                    prop_assert!(!problem.trim().is_empty());
                }
            }
            Ok(args) => {
                let shown = setting.value(&args);
                // A relative path means the working directory in a variable and the file's
                // folder in the file (by design): only absolute ones read back the same.
                prop_assume!(setting.name != "db" || shown.as_str().is_none_or(|p| p.starts_with('/')));
                // Credentials are shown by what they ask for, never with their secret.
                prop_assume!(setting.name != "require-auth");
                let Some(value) = to_toml(&shown) else { return Ok(()) };
                let file = line(setting.name, value);
                let again = read_file(&file).map_err(|problems| {
                    TestCaseError::fail(format!("{file:?} (shown for {text:?}) is refused: {problems:?}"))
                })?;
                prop_assert_eq!(setting.value(&again), shown, "{} from {:?}", setting.name, text);
            }
        }
    }
}
