//! `hookscope config`: the settings listen would use and where each came from;
//! `hookscope config path`: where the config file is looked for.

use std::io::Write;

use clap::ArgMatches;
use serde_json::{Value, json};

use super::{CommandError, config_error, exit, ignore_broken_pipe};
use crate::cli::{ConfigAction, ConfigArgs, ConfigFileArgs};
use crate::config::{Config, Effective, Location, Source};

pub fn run(
    args: ConfigArgs,
    file_args: &ConfigFileArgs,
    matches: &ArgMatches,
) -> Result<(), CommandError> {
    if let Some(ConfigAction::Path) = args.action {
        return print_path(&Location::current(file_args));
    }
    let config = Config::load(file_args).map_err(config_error)?;
    let mut listen = args.listen;
    let effective = config
        .apply_listen(&mut listen, matches)
        .map_err(config_error)?;
    let rows: Vec<Row> = effective
        .iter()
        .map(|e| Row {
            effective: e,
            value: e.setting.value(&listen),
        })
        .collect();
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        let report = json!({
            "config_file": file_json(&config),
            "settings": rows.iter().map(Row::json).collect::<Vec<_>>(),
        });
        writeln!(out, "{report}")
    } else {
        write_table(&mut out, &config, &rows)
    };
    ignore_broken_pipe(written)
}

fn print_path(location: &Location) -> Result<(), CommandError> {
    let Some(path) = &location.path else {
        return Err(CommandError::new(
            exit::FAILURE,
            "cannot find your home folder to look for the config file in; \
             point HOOKSCOPE_CONFIG or --config at one",
        ));
    };
    ignore_broken_pipe(writeln!(std::io::stdout().lock(), "{}", path.display()))
}

struct Row<'a> {
    effective: &'a Effective,
    value: Value,
}

impl Row<'_> {
    /// `{"name", "value", "source"}`, and where: `file` and `line`, `env`, or `flag`.
    fn json(&self) -> Value {
        let mut object = json!({
            "name": self.effective.setting.name,
            "value": self.value,
            "source": self.effective.source.kind(),
        });
        match &self.effective.source {
            Source::Default => {}
            Source::File { path, line } => {
                object["file"] = json!(path.display().to_string());
                object["line"] = json!(line);
            }
            Source::Env(name) => object["env"] = json!(name),
            Source::Flag(flag) => object["flag"] = json!(flag),
        }
        object
    }

    fn value_text(&self) -> String {
        match (&self.value, self.effective.setting.name) {
            (Value::Null, "response-body") => "(built in: {\"ok\":true,\"id\":N})".to_owned(),
            (Value::Null, "db") => "(none: in memory)".to_owned(),
            (Value::Null, _) => "(none)".to_owned(),
            (Value::String(text), _) => text.clone(),
            (Value::Array(items), _) if items.is_empty() => "(none)".to_owned(),
            (Value::Array(items), _) => items
                .iter()
                .map(|item| {
                    item.as_str()
                        .map_or_else(|| item.to_string(), str::to_owned)
                })
                .collect::<Vec<_>>()
                .join(", "),
            (other, _) => other.to_string(),
        }
    }
}

fn file_json(config: &Config) -> Value {
    let path = config.location.path.as_ref();
    json!({
        "path": path.map(|p| p.display().to_string()),
        "exists": path.is_some_and(|p| p.is_file()),
        "used": config.loaded,
    })
}

fn file_line(config: &Config) -> String {
    let location = &config.location;
    let Some(path) = &location.path else {
        return "config file: none (no home folder to look in)".to_owned();
    };
    let state = if location.ignored {
        "ignored: --no-config"
    } else if config.loaded {
        "read"
    } else {
        "not found, so nothing comes from a file"
    };
    format!("config file: {} ({state})", path.display())
}

fn write_table(out: &mut impl Write, config: &Config, rows: &[Row]) -> std::io::Result<()> {
    writeln!(out, "{}", file_line(config))?;
    writeln!(out)?;
    let values: Vec<String> = rows.iter().map(Row::value_text).collect();
    let name_width = rows
        .iter()
        .map(|r| r.effective.setting.name.len())
        .max()
        .unwrap_or(0);
    let value_width = values
        .iter()
        .map(|v| v.chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    for (row, value) in rows.iter().zip(&values) {
        writeln!(
            out,
            "{:<name_width$}  {:<value_width$}  {}",
            row.effective.setting.name,
            crate::escape::visible_line(value.as_bytes()),
            row.effective.source,
        )?;
    }
    Ok(())
}
