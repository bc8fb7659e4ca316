//! Reading `config.toml`: one key per listen option, each checked with its line and column,
//! so every problem in the file is reported at once and none is silently ignored.

use std::collections::BTreeMap;
use std::path::Path;

use toml::Spanned;

use super::input::Input;
use super::settings::{SETTINGS, Setting};
use crate::cli::ListenArgs;

/// One setting given in the file.
#[derive(Debug, Clone)]
pub struct Entry {
    pub setting: &'static Setting,
    pub value: toml::Value,
    pub line: usize,
}

/// A problem at a place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses the file's text and checks every key and value (by reading each into `scratch`);
/// `dir` is the file's folder, for relative paths.
pub fn parse(text: &str, dir: &Path, scratch: &mut ListenArgs) -> Result<Vec<Entry>, Vec<Problem>> {
    let table: BTreeMap<Spanned<String>, Spanned<toml::Value>> = match toml::from_str(text) {
        Ok(table) => table,
        Err(error) => {
            let (line, column) = error
                .span()
                .map_or((1, 1), |span| position(text, span.start));
            let message = format!("not valid TOML: {}", error.message().trim_end());
            return Err(vec![Problem {
                line,
                column,
                message,
            }]);
        }
    };
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for (key, value) in table {
        let (line, column) = position(text, key.span().start);
        let name = key.get_ref();
        let Some(setting) = Setting::find(name) else {
            let message = match suggestion(name) {
                Some(known) => format!("unknown key `{name}`; did you mean `{known}`?"),
                None => format!(
                    "unknown key `{name}`; the keys are the listen options' names: {}",
                    SETTINGS
                        .iter()
                        .map(|s| s.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            problems.push(Problem {
                line,
                column,
                message,
            });
            continue;
        };
        let (value_line, value_column) = position(text, value.span().start);
        let value = value.into_inner();
        let input = Input::File { value: &value, dir };
        match setting.set(scratch, input) {
            Ok(()) => entries.push(Entry {
                setting,
                value,
                line,
            }),
            Err(problem) => problems.push(Problem {
                line: value_line,
                column: value_column,
                message: format!("`{name}`: {problem}"),
            }),
        }
    }
    problems.sort_by_key(|p| (p.line, p.column));
    entries.sort_by_key(|e| e.line);
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(problems)
    }
}

/// Line and column (both from 1) of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Words people reach for that are spelt differently here.
const ALIASES: &[(&str, &str)] = &[
    ("address", "listen"),
    ("addr", "listen"),
    ("bind", "listen"),
    ("port", "listen"),
    ("store", "db"),
    ("database", "db"),
    ("db-path", "db"),
    ("response-headers", "response-header"),
    ("headers", "response-header"),
    ("forward", "forward-to"),
    ("forward-targets", "forward-to"),
    ("max-body-size", "max-body"),
    ("timeout", "forward-timeout"),
];

/// The setting a mistyped key most likely meant: the same words with `_` (or a different
/// case), a known alias, or a name one or two edits away.
pub fn suggestion(key: &str) -> Option<&'static str> {
    let normal = key.trim().to_ascii_lowercase().replace(['_', ' '], "-");
    if let Some(setting) = Setting::find(&normal) {
        return Some(setting.name);
    }
    if let Some((_, name)) = ALIASES.iter().find(|(alias, _)| *alias == normal) {
        return Some(name);
    }
    let allowed = (normal.chars().count() / 3).clamp(1, 3);
    SETTINGS
        .iter()
        .map(|s| (s.name, strsim::levenshtein(&normal, s.name)))
        .filter(|(_, distance)| *distance <= allowed)
        .min_by_key(|(_, distance)| *distance)
        .map(|(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<Vec<Entry>, Vec<Problem>> {
        let mut scratch = super::super::listen_defaults().unwrap();
        parse(text, Path::new("/etc/hookscope"), &mut scratch)
    }

    fn messages(text: &str) -> Vec<String> {
        check(text)
            .unwrap_err()
            .into_iter()
            .map(|p| format!("{}:{}: {}", p.line, p.column, p.message))
            .collect()
    }

    #[test]
    fn a_good_file_gives_its_entries_with_their_lines() {
        let entries = check("# defaults\nlisten = 9000\n\nkeep = 5\ntheme = \"light\"\n").unwrap();
        let found: Vec<(&str, usize)> = entries.iter().map(|e| (e.setting.name, e.line)).collect();
        assert_eq!(found, [("listen", 2), ("keep", 4), ("theme", 5)]);
    }

    #[test]
    fn unknown_keys_are_errors_with_a_suggestion_when_one_is_close() {
        assert_eq!(
            messages("keep = 1\nkep = 5\n"),
            ["2:1: unknown key `kep`; did you mean `keep`?"]
        );
        assert_eq!(
            messages("max_body = \"1MiB\""),
            ["1:1: unknown key `max_body`; did you mean `max-body`?"]
        );
        assert_eq!(
            messages("port = 9000"),
            ["1:1: unknown key `port`; did you mean `listen`?"]
        );
        let far = messages("colour-scheme = \"dark\"");
        assert!(
            far[0].starts_with("1:1: unknown key `colour-scheme`; the keys are"),
            "{far:?}"
        );
        assert!(far[0].contains("forward-timeout"), "{far:?}");
    }

    #[test]
    fn wrong_types_and_bad_values_name_the_key_and_the_line() {
        assert_eq!(
            messages("\nkeep = \"lots\"\n"),
            ["2:8: `keep`: expected a whole number, e.g. 100000, not a string (\"lots\")"]
        );
        assert_eq!(
            messages("theme = \"blue\"\nstatus = 700\n"),
            [
                "1:9: `theme`: \"blue\" is not one of auto, dark, light",
                "2:10: `status`: 700 is not a status code from 200 to 599",
            ]
        );
        assert_eq!(
            messages("forward-to = [\"http://a\", 3]"),
            [
                "1:14: `forward-to`: item 2 must be a URL, or a URL and a filter such as \
              \"http://localhost:3001 vendor:octopus\", not a number (3)"
            ]
        );
    }

    #[test]
    fn broken_toml_is_reported_at_its_line() {
        let problems = messages("keep = 5\nlisten = \n");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("2:"), "{problems:?}");
        assert!(problems[0].contains("not valid TOML"), "{problems:?}");
        let twice = messages("keep = 5\nkeep = 6\n");
        assert!(twice[0].starts_with("2:"), "{twice:?}");
    }

    #[test]
    fn suggestions_stay_quiet_for_unrelated_words() {
        assert_eq!(suggestion("thme"), Some("theme"));
        assert_eq!(suggestion("Forward_Timeout"), Some("forward-timeout"));
        assert_eq!(suggestion("x"), None);
        assert_eq!(suggestion("vendors"), None);
    }
}
