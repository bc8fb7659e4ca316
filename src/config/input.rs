//! A setting's value before it is parsed: typed, from the config file, or text, from an
//! environment variable. Each reader says what it expected when the type is wrong.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// Where a value was read from, with what the reader needs to interpret it.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// A value in the config file; relative paths are relative to `dir`, the file's folder.
    File {
        value: &'a toml::Value,
        dir: &'a Path,
    },
    /// The text of a `HOOKSCOPE_*` variable.
    Env(&'a str),
}

impl<'a> Input<'a> {
    /// A string (a file value must be a TOML string).
    pub fn text(self, expects: &str) -> Result<Cow<'a, str>, String> {
        match self {
            Input::File {
                value: toml::Value::String(text),
                ..
            } => Ok(Cow::Borrowed(text)),
            Input::File { value, .. } => Err(mismatch(expects, value)),
            Input::Env(text) => Ok(Cow::Borrowed(text)),
        }
    }

    /// A string or a whole number, as text: `"32MiB"` or `1048576`, `"10s"` or `10`.
    pub fn text_or_number(self, expects: &str) -> Result<Cow<'a, str>, String> {
        match self {
            Input::File {
                value: toml::Value::Integer(n),
                ..
            } => Ok(Cow::Owned(n.to_string())),
            other => other.text(expects),
        }
    }

    /// A whole number that is not negative.
    pub fn whole(self, expects: &str) -> Result<u64, String> {
        match self {
            Input::File {
                value: toml::Value::Integer(n),
                ..
            } => u64::try_from(*n).map_err(|_| format!("{n} is not {expects}")),
            Input::File { value, .. } => Err(mismatch(expects, value)),
            Input::Env(text) => text
                .trim()
                .parse()
                .map_err(|_| format!("{text:?} is not {expects}")),
        }
    }

    /// `true` or `false` (from the environment also 1/0, yes/no, on/off).
    pub fn flag(self) -> Result<bool, String> {
        const EXPECTS: &str = "true or false";
        match self {
            Input::File {
                value: toml::Value::Boolean(on),
                ..
            } => Ok(*on),
            Input::File { value, .. } => Err(mismatch(EXPECTS, value)),
            Input::Env(text) => match text.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Ok(true),
                "false" | "0" | "no" | "off" => Ok(false),
                _ => Err(format!(
                    "{text:?} is not {EXPECTS} (1/0, yes/no and on/off work too)"
                )),
            },
        }
    }

    /// A list of strings: a TOML array of strings (or one string); from the environment, one
    /// item per line.
    pub fn list(self, expects: &str) -> Result<Vec<Cow<'a, str>>, String> {
        match self {
            Input::File {
                value: toml::Value::Array(items),
                ..
            } => items
                .iter()
                .enumerate()
                .map(|(n, item)| match item {
                    toml::Value::String(text) => Ok(Cow::Borrowed(text.as_str())),
                    other => Err(format!(
                        "item {} must be {expects}, not {}",
                        n + 1,
                        type_name(other)
                    )),
                })
                .collect(),
            Input::File {
                value: toml::Value::String(text),
                ..
            } => Ok(vec![Cow::Borrowed(text.as_str())]),
            Input::File { value, .. } => Err(format!(
                "expected a list of {expects} (or just one), not {}",
                type_name(value)
            )),
            Input::Env(text) => Ok(text
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(Cow::Borrowed)
                .collect()),
        }
    }

    /// A file path: `~/` is the home folder; a relative path in the config file is relative
    /// to the file's folder, one in the environment to the working directory.
    pub fn path(self, expects: &str) -> Result<PathBuf, String> {
        let text = self.text(expects)?;
        if text.trim().is_empty() {
            return Err(format!("an empty path is not {expects}"));
        }
        let path = match text.strip_prefix("~/") {
            Some(rest) => match directories::BaseDirs::new() {
                Some(dirs) => dirs.home_dir().join(rest),
                None => return Err("cannot find your home folder to expand ~".to_owned()),
            },
            None => PathBuf::from(text.as_ref()),
        };
        Ok(match self {
            Input::File { dir, .. } if path.is_relative() => dir.join(path),
            _ => path,
        })
    }
}

fn mismatch(expects: &str, found: &toml::Value) -> String {
    format!("expected {expects}, not {}", type_name(found))
}

/// `a string ("lots")`, `a table`: what was found, for messages.
fn type_name(value: &toml::Value) -> String {
    match value {
        toml::Value::String(text) => format!("a string ({text:?})"),
        toml::Value::Integer(n) => format!("a number ({n})"),
        toml::Value::Float(n) => format!("a decimal number ({n})"),
        toml::Value::Boolean(on) => format!("a boolean ({on})"),
        toml::Value::Datetime(_) => "a date".to_owned(),
        toml::Value::Array(_) => "a list".to_owned(),
        toml::Value::Table(_) => "a table".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(value: toml::Value) -> (toml::Value, PathBuf) {
        (value, PathBuf::from("/etc/hookscope"))
    }

    #[test]
    fn a_wrong_type_says_what_was_expected_and_what_was_found() {
        let (value, dir) = file(toml::Value::String("lots".into()));
        let input = Input::File {
            value: &value,
            dir: &dir,
        };
        assert_eq!(
            input.whole("a whole number").unwrap_err(),
            "expected a whole number, not a string (\"lots\")"
        );
        assert_eq!(
            input.flag().unwrap_err(),
            "expected true or false, not a string (\"lots\")"
        );
    }

    #[test]
    fn environment_text_is_parsed_for_each_type() {
        assert_eq!(Input::Env(" 12 ").whole("n"), Ok(12));
        assert_eq!(Input::Env("yes").flag(), Ok(true));
        assert_eq!(Input::Env("OFF").flag(), Ok(false));
        assert!(Input::Env("maybe").flag().is_err());
        assert_eq!(
            Input::Env("http://a vendor:x\n\nhttp://b\n")
                .list("u")
                .unwrap(),
            vec!["http://a vendor:x", "http://b"]
        );
    }

    #[test]
    fn relative_paths_in_the_file_are_relative_to_its_folder() {
        let (value, dir) = file(toml::Value::String("captures.sqlite3".into()));
        let input = Input::File {
            value: &value,
            dir: &dir,
        };
        assert_eq!(
            input.path("a path").unwrap(),
            PathBuf::from("/etc/hookscope/captures.sqlite3")
        );
        assert_eq!(
            Input::Env("here.sqlite3").path("a path").unwrap(),
            PathBuf::from("here.sqlite3")
        );
    }

    #[test]
    fn negative_numbers_are_refused() {
        let (value, dir) = file(toml::Value::Integer(-1));
        let input = Input::File {
            value: &value,
            dir: &dir,
        };
        assert_eq!(input.whole("a count").unwrap_err(), "-1 is not a count");
    }
}
