//! One module per subcommand. Each returns a [`CommandError`] carrying its exit code.

mod clear;
mod diff;
mod export;
mod import;
mod list;
pub mod listen;
mod replay;
mod send;
mod show;
mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::capture::CaptureSummary;
use crate::cli::{Command, StoreArgs};
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

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
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

pub fn run(command: Command) -> Result<(), CommandError> {
    match command {
        Command::Listen(args) => listen::run(args),
        Command::List(args) => list::run(args),
        Command::Show(args) => show::run(args),
        Command::Export(args) => export::run(args),
        Command::Import(args) => import::run(args),
        Command::Clear(args) => clear::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Send(args) => send::run(args),
        Command::Replay(args) => replay::run(args),
        Command::Diff(args) => diff::run(args),
    }
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
/// prints has its vendor fields.
fn complete_verdicts(db: &Database, summaries: &mut [CaptureSummary]) -> Result<(), CommandError> {
    for summary in summaries.iter_mut().filter(|s| !s.analysed) {
        if let Some(capture) = db.get(summary.id)? {
            summary.apply(&crate::inspect::verdict(&capture.headers, &capture.body));
        }
    }
    Ok(())
}
