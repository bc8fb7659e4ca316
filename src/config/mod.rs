//! Defaults for every `listen` option from a config file and `HOOKSCOPE_*` environment
//! variables, under the command line: a flag beats the environment, which beats the file,
//! which beats hookscope's own default. clap stays the parser; after parsing, every option
//! that was not on the command line is filled from the environment, else from the file.

pub mod file;
mod input;
pub mod settings;

use std::fmt;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, FromArgMatches};

use crate::cli::{ConfigFileArgs, ListenArgs};
use file::Entry;
use input::Input;
pub use settings::{SETTINGS, Setting};

/// Points at another config file (like `--config FILE`).
pub const CONFIG_VAR: &str = "HOOKSCOPE_CONFIG";

/// What chose the config file's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChosenBy {
    /// hookscope's own place: `$XDG_CONFIG_HOME/hookscope/config.toml`.
    Default,
    /// `--config FILE`.
    Flag,
    /// `HOOKSCOPE_CONFIG`.
    Env,
}

/// Where the config file is looked for.
#[derive(Debug, Clone)]
pub struct Location {
    /// `None` only when there is no home folder to find the default place from.
    pub path: Option<PathBuf>,
    pub chosen_by: ChosenBy,
    /// `--no-config`: the file is not read.
    pub ignored: bool,
}

impl Location {
    /// Where this process looks, given its flags and environment.
    pub fn current(args: &ConfigFileArgs) -> Self {
        Self::find(args, &process_env)
    }

    pub fn find(args: &ConfigFileArgs, env: &dyn Fn(&str) -> Option<String>) -> Self {
        let (path, chosen_by) = match (&args.config, env(CONFIG_VAR)) {
            (Some(path), _) => (Some(path.clone()), ChosenBy::Flag),
            (None, Some(path)) => (Some(PathBuf::from(path)), ChosenBy::Env),
            (None, None) => (crate::paths::config_file(), ChosenBy::Default),
        };
        Self {
            path,
            chosen_by,
            ignored: args.no_config,
        }
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File {
        path: PathBuf,
        line: usize,
    },
    /// The variable's name.
    Env(String),
    /// The flag, as `--keep`.
    Flag(String),
}

impl Source {
    fn rank(&self) -> u8 {
        match self {
            Source::Default => 0,
            Source::File { .. } => 1,
            Source::Env(_) => 2,
            Source::Flag(_) => 3,
        }
    }

    /// `default`, `file`, `env`, `flag`: the kind, for `config --json`.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Default => "default",
            Source::File { .. } => "file",
            Source::Env(_) => "env",
            Source::Flag(_) => "flag",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File { path, line } => write!(f, "file {}:{line}", path.display()),
            Source::Env(name) => write!(f, "env {name}"),
            Source::Flag(flag) => write!(f, "flag {flag}"),
        }
    }
}

/// A setting's effective value came from here.
#[derive(Debug, Clone)]
pub struct Effective {
    pub setting: &'static Setting,
    pub source: Source,
}

/// Why the configuration cannot be used: every problem, one line each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub problems: Vec<String>,
    /// Whether the config file is at fault (so `--no-config` is a way out).
    pub in_file: bool,
}

impl ConfigError {
    fn one(problem: String, in_file: bool) -> Self {
        Self {
            problems: vec![problem],
            in_file,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for problem in &self.problems {
            writeln!(f, "{problem}")?;
        }
        if self.in_file {
            f.write_str("not started: fix the config file, or run with --no-config to ignore it")
        } else {
            f.write_str("not started: fix the settings above")
        }
    }
}

impl std::error::Error for ConfigError {}

/// The config file and the environment, read and checked; apply them to parsed arguments.
#[derive(Debug, Clone)]
pub struct Config {
    pub location: Location,
    /// Whether a file was found and read.
    pub loaded: bool,
    entries: Vec<Entry>,
    dir: PathBuf,
    env: Vec<(&'static Setting, String, String)>,
}

impl Config {
    /// Reads the file (unless `--no-config`) and the `HOOKSCOPE_*` variables.
    pub fn load(args: &ConfigFileArgs) -> Result<Self, ConfigError> {
        Self::load_with(args, &process_env)
    }

    /// As [`Config::load`], with the environment given (an empty variable counts as unset).
    pub fn load_with(
        args: &ConfigFileArgs,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let location = Location::find(args, env);
        let mut scratch = listen_defaults().map_err(|e| ConfigError::one(e, false))?;
        let (loaded, entries, dir) = read_file(&location, &mut scratch)?;
        let mut env_values = Vec::new();
        let mut problems = Vec::new();
        for setting in SETTINGS {
            let name = setting.env_var();
            let Some(value) = env(&name) else { continue };
            match setting.set(&mut scratch, Input::Env(&value)) {
                Ok(()) => env_values.push((setting, name, value)),
                Err(problem) => problems.push(format!("{name}: {problem}")),
            }
        }
        if !problems.is_empty() {
            return Err(ConfigError {
                problems,
                in_file: false,
            });
        }
        Ok(Self {
            location,
            loaded,
            entries,
            dir,
            env: env_values,
        })
    }

    /// Fills every listen option not given on the command line (per `matches`, the
    /// matches the options were parsed from) from the environment, else the file; returns
    /// where each effective value came from, in the order of [`SETTINGS`].
    pub fn apply_listen(
        &self,
        args: &mut ListenArgs,
        matches: &ArgMatches,
    ) -> Result<Vec<Effective>, ConfigError> {
        let mut effective = Vec::with_capacity(SETTINGS.len());
        for setting in SETTINGS {
            let source = self.apply_one(setting, args, matches)?;
            effective.push(Effective { setting, source });
        }
        resolve_conflicts(args, &mut effective)?;
        Ok(effective)
    }

    fn apply_one(
        &self,
        setting: &'static Setting,
        args: &mut ListenArgs,
        matches: &ArgMatches,
    ) -> Result<Source, ConfigError> {
        if matches.value_source(setting.field) == Some(ValueSource::CommandLine) {
            return Ok(Source::Flag(format!("--{}", setting.name)));
        }
        // Values were checked when loading, so these only fail if that check was skipped.
        if let Some((_, name, value)) = self.env.iter().find(|(s, ..)| s.name == setting.name) {
            setting
                .set(args, Input::Env(value))
                .map_err(|p| ConfigError::one(format!("{name}: {p}"), false))?;
            return Ok(Source::Env(name.clone()));
        }
        if let Some(entry) = self.entries.iter().find(|e| e.setting.name == setting.name) {
            let input = Input::File {
                value: &entry.value,
                dir: &self.dir,
            };
            let source = self.file_source(entry.line);
            setting
                .set(args, input)
                .map_err(|p| ConfigError::one(format!("{source}: {p}"), true))?;
            return Ok(source);
        }
        Ok(Source::Default)
    }

    /// The store for a command that reads one (`list`, `show`, ...) when `--db` is not
    /// given: `db` from the environment, else from the file.
    pub fn store(&self) -> Option<PathBuf> {
        self.without_flags("db")?.db
    }

    /// Where `listen` would listen without `--listen`: from the environment, else the
    /// file, else the default (for `send`, which posts to the running hookscope).
    pub fn listen_address(&self) -> Option<std::net::SocketAddr> {
        Some(self.without_flags("listen")?.listen)
    }

    /// The listen options at their defaults with one setting taken from the environment,
    /// else from the file.
    fn without_flags(&self, name: &str) -> Option<ListenArgs> {
        let mut args = listen_defaults().ok()?;
        if let Some((setting, _, value)) = self.env.iter().find(|(s, ..)| s.name == name) {
            setting.set(&mut args, Input::Env(value)).ok()?;
        } else if let Some(entry) = self.entries.iter().find(|e| e.setting.name == name) {
            let input = Input::File {
                value: &entry.value,
                dir: &self.dir,
            };
            entry.setting.set(&mut args, input).ok()?;
        }
        Some(args)
    }

    fn file_source(&self, line: usize) -> Source {
        Source::File {
            path: self.location.path.clone().unwrap_or_default(),
            line,
        }
    }
}

/// Reads and checks the file at `location`: whether one was read, its entries, its folder.
fn read_file(
    location: &Location,
    scratch: &mut ListenArgs,
) -> Result<(bool, Vec<Entry>, PathBuf), ConfigError> {
    let none = || Ok((false, Vec::new(), PathBuf::new()));
    let Some(path) = location.path.as_deref().filter(|_| !location.ignored) else {
        return none();
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match location.chosen_by {
                ChosenBy::Default => none(),
                ChosenBy::Flag => Err(missing(path, "--config")),
                ChosenBy::Env => Err(missing(path, CONFIG_VAR)),
            };
        }
        Err(e) => {
            let problem = format!("cannot read the config file {}: {e}", path.display());
            return Err(ConfigError::one(problem, true));
        }
    };
    let dir = path.parent().map_or_else(PathBuf::new, Path::to_owned);
    match file::parse(&text, &dir, scratch) {
        Ok(entries) => Ok((true, entries, dir)),
        Err(problems) => Err(ConfigError {
            problems: problems
                .into_iter()
                .map(|p| format!("{}:{}:{}: {}", path.display(), p.line, p.column, p.message))
                .collect(),
            in_file: true,
        }),
    }
}

fn missing(path: &Path, by: &str) -> ConfigError {
    ConfigError::one(
        format!(
            "the config file {} (given by {by}) does not exist",
            path.display()
        ),
        false,
    )
}

/// Options the command line keeps apart can meet from different places: the higher place
/// wins (`--db` on the command line beats `in-memory = true` in the file); from the same
/// place they are a mistake to point out.
fn resolve_conflicts(
    args: &mut ListenArgs,
    effective: &mut [Effective],
) -> Result<(), ConfigError> {
    let source_of = |effective: &[Effective], name: &str| {
        effective
            .iter()
            .find(|e| e.setting.name == name)
            .map_or(Source::Default, |e| e.source.clone())
    };
    let set_source = |effective: &mut [Effective], name: &str, source: Source| {
        if let Some(entry) = effective.iter_mut().find(|e| e.setting.name == name) {
            entry.source = source;
        }
    };
    if args.in_memory && args.db.is_some() {
        let (memory, db) = (
            source_of(effective, "in-memory"),
            source_of(effective, "db"),
        );
        match db.rank().cmp(&memory.rank()) {
            std::cmp::Ordering::Greater => {
                args.in_memory = false;
                set_source(effective, "in-memory", db);
            }
            std::cmp::Ordering::Less => {
                args.db = None;
                set_source(effective, "db", memory);
            }
            std::cmp::Ordering::Equal => {
                let in_file = matches!(db, Source::File { .. });
                return Err(ConfigError::one(
                    format!("`db` ({db}) and `in-memory` ({memory}) cannot both be set"),
                    in_file,
                ));
            }
        }
    }
    if args.forward_reply && args.forward_to.is_empty() {
        let reply = source_of(effective, "forward-reply");
        let in_file = matches!(reply, Source::File { .. });
        return Err(ConfigError::one(
            format!("`forward-reply` ({reply}) needs at least one `forward-to` target"),
            in_file,
        ));
    }
    Ok(())
}

/// A variable of this process; an empty one counts as unset.
fn process_env(name: &str) -> Option<String> {
    std::env::var_os(name)
        .map(|value| value.to_string_lossy().into_owned())
        .filter(|value| !value.is_empty())
}

/// Every listen option at hookscope's default, as clap gives it with no arguments.
pub fn listen_defaults() -> Result<ListenArgs, String> {
    let command = ListenArgs::augment_args(clap::Command::new("listen"));
    command
        .try_get_matches_from(["listen"])
        .and_then(|matches| ListenArgs::from_arg_matches(&matches))
        .map_err(|e| format!("cannot compute the listen defaults: {e}"))
}

#[cfg(test)]
mod tests;
