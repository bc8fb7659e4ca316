//! Every `listen` option as a setting: its name (the long flag, which is also the config
//! file's key), its `HOOKSCOPE_*` variable, how a value is read into [`ListenArgs`] with the
//! same parsers as the command line, and how the effective value is shown.

use std::time::Duration;

use clap::ValueEnum;
use serde_json::{Value, json};

use super::input::Input;
use crate::cli::{ListenArgs, ResponseHeader, parse_duration, parse_forward, parse_header};
use crate::cli::{MOST_HEADERS, ThemeChoice, parse_header_bytes, parse_listen_addr};
use crate::copy::ClipboardMode;
use crate::replay::forward::ForwardRoute;
use crate::units::parse_size;

/// One listen option.
pub struct Setting {
    /// The long flag without `--`, and the config file's key: `max-body`.
    pub name: &'static str,
    /// The clap id of the [`ListenArgs`] field (for `ArgMatches::value_source`).
    pub field: &'static str,
    /// What a value looks like, for messages: `a whole number, e.g. 100000`.
    pub expects: &'static str,
    /// Reads a value into the arguments.
    set: fn(&mut ListenArgs, Input<'_>, &str) -> Result<(), String>,
    /// The effective value, as JSON (in a form the config file accepts).
    show: fn(&ListenArgs) -> Value,
}

impl std::fmt::Debug for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl Setting {
    /// `HOOKSCOPE_MAX_BODY`.
    pub fn env_var(&self) -> String {
        format!(
            "HOOKSCOPE_{}",
            self.name.to_ascii_uppercase().replace('-', "_")
        )
    }

    pub fn set(&self, args: &mut ListenArgs, input: Input<'_>) -> Result<(), String> {
        (self.set)(args, input, self.expects)
    }

    pub fn value(&self, args: &ListenArgs) -> Value {
        (self.show)(args)
    }

    pub fn find(name: &str) -> Option<&'static Setting> {
        SETTINGS.iter().find(|s| s.name == name)
    }
}

/// In the order `listen --help` lists them.
pub static SETTINGS: &[Setting] = &[
    Setting {
        name: "listen",
        field: "listen",
        expects: "an address such as \"127.0.0.1:9876\", or a port number",
        set: |args, input, expects| {
            args.listen = parse_listen_addr(&input.text_or_number(expects)?)?;
            Ok(())
        },
        show: |args| json!(args.listen.to_string()),
    },
    Setting {
        name: "require-auth",
        field: "require_auth",
        expects: "basic:USER:PASSWORD, bearer:TOKEN or header:NAME:VALUE",
        set: |args, input, expects| {
            args.require_auth = Some(crate::cli::parse_auth_rule(&input.text(expects)?)?);
            Ok(())
        },
        // What it asks for, never the password or token.
        show: |args| {
            json!(
                args.require_auth
                    .as_ref()
                    .map(crate::auth::AuthRule::describe)
            )
        },
    },
    Setting {
        name: "db",
        field: "db",
        expects: "a file path",
        set: |args, input, expects| {
            args.db = Some(input.path(expects)?);
            Ok(())
        },
        show: |args| match (&args.db, args.in_memory) {
            (_, true) => Value::Null,
            (Some(path), false) => json!(path.display().to_string()),
            (None, false) => crate::paths::default_store()
                .map_or(Value::Null, |path| json!(path.display().to_string())),
        },
    },
    Setting {
        name: "in-memory",
        field: "in_memory",
        expects: "true or false",
        set: |args, input, _| {
            args.in_memory = input.flag()?;
            Ok(())
        },
        show: |args| json!(args.in_memory),
    },
    Setting {
        name: "fsync",
        field: "fsync",
        expects: "true or false",
        set: |args, input, _| {
            args.fsync = input.flag()?;
            Ok(())
        },
        show: |args| json!(args.fsync),
    },
    Setting {
        name: "keep",
        field: "keep",
        expects: "a whole number, e.g. 100000",
        set: |args, input, expects| {
            args.keep = input.whole(expects)?;
            Ok(())
        },
        show: |args| json!(args.keep),
    },
    Setting {
        name: "max-body",
        field: "max_body",
        expects: "a size such as \"32MiB\" or \"512KiB\", or a number of bytes",
        set: |args, input, expects| {
            args.max_body = parse_size(&input.text_or_number(expects)?)?;
            Ok(())
        },
        show: |args| json!(exact_size(args.max_body)),
    },
    Setting {
        name: "max-headers",
        field: "max_headers",
        expects: "a whole number from 1 to 10000, e.g. 100",
        set: |args, input, expects| {
            let count = input.whole(expects)?;
            args.max_headers = u32::try_from(count)
                .ok()
                .filter(|count| (1..=MOST_HEADERS).contains(&i64::from(*count)))
                .ok_or_else(|| format!("{count} is not {expects}"))?;
            Ok(())
        },
        show: |args| json!(args.max_headers),
    },
    Setting {
        name: "max-header-bytes",
        field: "max_header_bytes",
        expects: "a size from 1KiB to 64MiB such as \"408KiB\", or a number of bytes",
        set: |args, input, expects| {
            args.max_header_bytes = parse_header_bytes(&input.text_or_number(expects)?)?;
            Ok(())
        },
        show: |args| json!(exact_size(args.max_header_bytes)),
    },
    Setting {
        name: "status",
        field: "status",
        expects: "a status code from 200 to 599",
        set: |args, input, expects| {
            let code = input.whole(expects)?;
            args.status = u16::try_from(code)
                .ok()
                .filter(|code| (200..=599).contains(code))
                .ok_or_else(|| format!("{code} is not {expects}"))?;
            Ok(())
        },
        show: |args| json!(args.status),
    },
    Setting {
        name: "response-body",
        field: "response_body",
        expects: "a string",
        set: |args, input, expects| {
            args.response_body = Some(input.text(expects)?.into_owned());
            Ok(())
        },
        show: |args| json!(args.response_body),
    },
    Setting {
        name: "response-header",
        field: "response_headers",
        expects: "a header such as \"X-Name: value\"",
        set: |args, input, expects| {
            args.response_headers = input
                .list(expects)?
                .iter()
                .map(|text| parse_header(text))
                .collect::<Result<_, _>>()?;
            Ok(())
        },
        show: |args| {
            json!(
                args.response_headers
                    .iter()
                    .map(header_text)
                    .collect::<Vec<_>>()
            )
        },
    },
    Setting {
        name: "delay",
        field: "delay",
        expects: "a number of milliseconds",
        set: |args, input, expects| {
            args.delay = input.whole(expects)?;
            Ok(())
        },
        show: |args| json!(args.delay),
    },
    Setting {
        name: "headless",
        field: "headless",
        expects: "true or false",
        set: |args, input, _| {
            args.headless = input.flag()?;
            Ok(())
        },
        show: |args| json!(args.headless),
    },
    Setting {
        name: "theme",
        field: "theme",
        expects: "one of auto, dark, light",
        set: |args, input, expects| {
            args.theme = choice::<ThemeChoice>(&input.text(expects)?, expects)?;
            Ok(())
        },
        show: |args| json!(choice_name(args.theme)),
    },
    Setting {
        name: "forward-to",
        field: "forward_to",
        expects: "a URL, or a URL and a filter such as \"http://localhost:3001 vendor:octopus\"",
        set: |args, input, expects| {
            args.forward_to = input
                .list(expects)?
                .iter()
                .map(|text| parse_forward(text))
                .collect::<Result<_, _>>()?;
            Ok(())
        },
        show: |args| json!(args.forward_to.iter().map(route_text).collect::<Vec<_>>()),
    },
    Setting {
        name: "forward-timeout",
        field: "forward_timeout",
        expects: "a duration such as \"10s\" or \"500ms\", or a number of seconds",
        set: |args, input, expects| {
            args.forward_timeout = parse_duration(&input.text_or_number(expects)?)?;
            Ok(())
        },
        show: |args| json!(exact_duration(args.forward_timeout)),
    },
    Setting {
        name: "forward-reply",
        field: "forward_reply",
        expects: "true or false",
        set: |args, input, _| {
            args.forward_reply = input.flag()?;
            Ok(())
        },
        show: |args| json!(args.forward_reply),
    },
    Setting {
        name: "insecure",
        field: "insecure",
        expects: "true or false",
        set: |args, input, _| {
            args.insecure = input.flag()?;
            Ok(())
        },
        show: |args| json!(args.insecure),
    },
    Setting {
        name: "resign",
        field: "resign",
        expects: "true or false",
        set: |args, input, _| {
            args.resign = input.flag()?;
            Ok(())
        },
        show: |args| json!(args.resign),
    },
    Setting {
        name: "show-secrets",
        field: "show_secrets",
        expects: "true or false",
        set: |args, input, _| {
            args.show_secrets = input.flag()?;
            Ok(())
        },
        show: |args| json!(args.show_secrets),
    },
    Setting {
        name: "clipboard",
        field: "clipboard",
        expects: "one of auto, system, osc52, off",
        set: |args, input, expects| {
            args.clipboard = choice::<ClipboardMode>(&input.text(expects)?, expects)?;
            Ok(())
        },
        show: |args| json!(choice_name(args.clipboard)),
    },
];

fn choice<T: ValueEnum>(text: &str, expects: &str) -> Result<T, String> {
    T::from_str(text.trim(), true).map_err(|_| format!("{text:?} is not {expects}"))
}

fn choice_name<T: ValueEnum>(value: T) -> String {
    value
        .to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_owned())
}

/// `Name: value`, with the name as written.
fn header_text(header: &ResponseHeader) -> String {
    format!(
        "{}: {}",
        header.written,
        String::from_utf8_lossy(header.value.as_bytes())
    )
}

/// `URL FILTER`, as `--forward-to` takes it.
fn route_text(route: &ForwardRoute) -> String {
    format!("{} {}", route.target, route.filter_text)
        .trim_end()
        .to_owned()
}

/// `32MiB`, `1500KiB`, `1000`: the largest unit that divides the size exactly.
pub fn exact_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    UNITS
        .iter()
        .find(|(unit, _)| bytes >= *unit && bytes.is_multiple_of(*unit))
        .map_or_else(
            || bytes.to_string(),
            |(unit, name)| format!("{}{name}", bytes / unit),
        )
}

/// `10s`, `500ms`, `1.25s`, `2m`.
pub fn exact_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if !duration.subsec_nanos().is_multiple_of(1_000_000) {
        format!("{}s", duration.as_secs_f64())
    } else if millis.is_multiple_of(60_000) {
        format!("{}m", millis / 60_000)
    } else if millis.is_multiple_of(1000) {
        format!("{}s", millis / 1000)
    } else {
        format!("{millis}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// A listen option added to the command line without a setting here would be silently
    /// missing from the config file: every one must be listed, under its flag's name.
    #[test]
    fn every_listen_option_is_a_setting_named_after_its_flag() {
        let cli = crate::cli::Cli::command();
        let listen = cli.find_subcommand("listen").unwrap();
        let options: Vec<(String, String)> = listen
            .get_arguments()
            .filter_map(|a| Some((a.get_long()?.to_owned(), a.get_id().to_string())))
            .filter(|(long, _)| long != "help")
            .collect();
        let settings: Vec<(String, String)> = SETTINGS
            .iter()
            .map(|s| (s.name.to_owned(), s.field.to_owned()))
            .collect();
        assert_eq!(options, settings);
    }

    #[test]
    fn choice_settings_list_every_value() {
        for (name, values) in [
            (
                "theme",
                ThemeChoice::value_variants()
                    .iter()
                    .map(|v| choice_name(*v))
                    .collect::<Vec<_>>(),
            ),
            (
                "clipboard",
                ClipboardMode::value_variants()
                    .iter()
                    .map(|v| choice_name(*v))
                    .collect(),
            ),
        ] {
            let expects = Setting::find(name).unwrap().expects;
            assert_eq!(expects, format!("one of {}", values.join(", ")));
        }
    }

    #[test]
    fn sizes_and_durations_are_shown_in_a_form_they_parse_back_from() {
        for bytes in [32 << 20, 512 << 10, 1000, 1 << 30, 1536 << 10] {
            assert_eq!(parse_size(&exact_size(bytes)), Ok(bytes));
        }
        assert_eq!(exact_size(32 << 20), "32MiB");
        for millis in [500, 10_000, 60_000, 1250] {
            let duration = Duration::from_millis(millis);
            assert_eq!(parse_duration(&exact_duration(duration)), Ok(duration));
        }
        assert_eq!(exact_duration(Duration::from_secs(10)), "10s");
    }

    #[test]
    fn env_var_names_are_the_flag_in_capitals() {
        let names: Vec<String> = SETTINGS.iter().map(Setting::env_var).collect();
        assert!(names.contains(&"HOOKSCOPE_MAX_BODY".to_owned()));
        assert!(names.contains(&"HOOKSCOPE_RESPONSE_HEADER".to_owned()));
        assert!(names.contains(&"HOOKSCOPE_LISTEN".to_owned()));
    }
}
