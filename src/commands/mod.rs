//! One module per subcommand. Each returns a [`CommandError`] carrying its exit code.

mod clear;
mod config;
mod diff;
mod export;
mod generate;
mod import;
mod list;
pub mod listen;
mod replay;
mod send;
mod show;
mod validate;
mod vendors;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::capture::CaptureSummary;
use clap::ArgMatches;

use crate::cli::{Cli, Command, StoreArgs, VendorsAction};
use crate::config::{Config, ConfigError};
use crate::escape::visible_text;
use crate::store::{
    Database, Durability, OpenMode, Store, StoreError, StoreLocation, StoreOptions,
};

/// Exit codes scripts can rely on.
pub mod exit {
    /// The request failed: unknown id, unreadable store, write error.
    pub const FAILURE: u8 = 1;
    /// Usage or environment: bad arguments, a port in use.
    pub const USAGE: u8 = 2;
}

/// A failure to report in one line, with the exit code it ends the process with.
#[derive(Debug)]
pub struct CommandError {
    pub code: u8,
    pub message: String,
}

impl CommandError {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// Only an exit status: the command has already said what went wrong.
    pub fn silent(code: u8) -> Self {
        Self::new(code, "")
    }
}

/// Messages quote file contents, server answers and paths, so they are escaped like
/// everything else a terminal shows (line breaks kept, for messages of several lines).
impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&visible_text(self.message.as_bytes()))
    }
}

impl From<anyhow::Error> for CommandError {
    fn from(error: anyhow::Error) -> Self {
        Self::new(exit::FAILURE, format!("{error:#}"))
    }
}

impl From<StoreError> for CommandError {
    fn from(error: StoreError) -> Self {
        Self::new(exit::FAILURE, error.to_string())
    }
}

/// Runs the parsed command line; `matches` are what it was parsed from, which tell the
/// options given on the command line from those the config file and environment may fill.
pub fn run(cli: Cli, matches: &ArgMatches) -> Result<(), CommandError> {
    // Every command sees the same vendors, so a store's verdicts are judged by the same
    // definitions whichever command opens it (listen reports the broken ones).
    crate::vendor::user::load_installed();
    let file_args = cli.config.clone();
    let config = || Config::load(&file_args).map_err(config_error);
    // Bare `hookscope` is `hookscope listen`: its options are in the top-level matches.
    let sub_matches = matches.subcommand().map_or(matches, |(_, sub)| sub);
    match cli.into_command() {
        Command::Listen(mut args) => {
            config()?
                .apply_listen(&mut args, sub_matches)
                .map_err(config_error)?;
            listen::run(args)
        }
        Command::List(mut args) => {
            configured_store(&mut args.store, &config()?);
            list::run(args)
        }
        Command::Show(mut args) => {
            configured_store(&mut args.store, &config()?);
            show::run(args)
        }
        Command::Export(mut args) => {
            configured_store(&mut args.store, &config()?);
            export::run(args)
        }
        Command::Import(mut args) => {
            configured_store(&mut args.store, &config()?);
            import::run(args)
        }
        Command::Clear(mut args) => {
            configured_store(&mut args.store, &config()?);
            clear::run(args)
        }
        Command::Replay(mut args) => {
            configured_store(&mut args.store, &config()?);
            replay::run(args)
        }
        Command::Diff(mut args) => {
            configured_store(&mut args.store, &config()?);
            diff::run(args)
        }
        Command::Validate(args) => validate::run(args),
        Command::Send(args) => {
            let listen = config()?.listen_address().unwrap_or_else(|| {
                crate::cli::parse_listen_addr(crate::cli::DEFAULT_LISTEN)
                    .expect("the default listen address parses")
            });
            send::run(args, listen)
        }
        Command::Vendors(args) => match args.action {
            None => vendors::list(args.json),
            Some(VendorsAction::Check { dir }) => vendors::check(dir.as_deref()),
            Some(VendorsAction::Init { name, dir, force }) => {
                vendors::init(&name, dir.as_deref(), force)
            }
        },
        Command::Config(args) => config::run(args, &file_args, sub_matches),
        Command::Completions(args) => generate::completions(args),
        Command::Man(args) => generate::man(args),
    }
}

/// The commands that read the store read the one listen writes to: `--db`, else `db` from
/// the environment or the config file, else the default.
fn configured_store(store: &mut StoreArgs, config: &Config) {
    if store.db.is_none() {
        store.db = config.store();
    }
}

/// A config hookscope cannot use stops it with every problem listed (exit 2).
fn config_error(error: ConfigError) -> CommandError {
    let text = error.to_string();
    CommandError::new(
        exit::USAGE,
        text.lines().collect::<Vec<_>>().join("\nhookscope: "),
    )
}

fn store_path(db: Option<&Path>) -> Result<PathBuf, CommandError> {
    match db {
        Some(path) => Ok(path.to_owned()),
        None => Ok(crate::paths::default_store()?),
    }
}

/// Opens an existing store for a command that reads it; a missing file is an error that says
/// how captures get there.
fn open_existing(args: &StoreArgs) -> Result<(Database, PathBuf), CommandError> {
    let path = store_path(args.db.as_deref())?;
    match Database::open(&path, OpenMode::MustExist, Durability::PowerLoss) {
        Ok(db) => Ok((db, path)),
        Err(StoreError::Missing(path)) => Err(CommandError::new(
            exit::FAILURE,
            format!(
                "no hookscope store at {}: nothing has been captured there yet \
                 (run `hookscope` to capture, or pass --db PATH)",
                path.display()
            ),
        )),
        Err(other) => Err(other.into()),
    }
}

/// A store writer of this process's own, for a command that changes the store (clear,
/// import, replay's attempts): every write goes through a writer, and this one never trims,
/// since retention is the listener's job. Close it when done, to commit what is queued.
fn open_writer(path: &Path) -> Result<Store, CommandError> {
    Ok(Store::open(
        StoreLocation::file(path),
        StoreOptions {
            keep: u64::MAX,
            fsync: true,
            owns_verdicts: false,
        },
    )?)
}

/// A reader that stopped reading (`| head`) is not an error worth reporting.
fn ignore_broken_pipe(result: std::io::Result<()>) -> Result<(), CommandError> {
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CommandError::new(
            exit::FAILURE,
            format!("cannot write the output: {e}"),
        )),
        _ => Ok(()),
    }
}

/// Captures the analyser has not reached yet (hookscope stopped in the middle of a burst, or
/// it is running just behind) get their verdict computed here, so every record a command
/// prints has its vendor fields; so do all of them when the store's verdicts were made under
/// other rules (another build, other vendor definitions or secrets).
fn complete_verdicts(db: &Database, summaries: &mut [CaptureSummary]) -> Result<(), CommandError> {
    let stale = !db.verdicts_current()?;
    for summary in summaries.iter_mut().filter(|s| stale || !s.analysed) {
        if let Some(capture) = db.get(summary.id)? {
            summary.apply(&crate::inspect::capture_verdict(&capture));
        }
    }
    Ok(())
}
