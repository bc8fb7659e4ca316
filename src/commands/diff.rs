//! `hookscope diff A B`: two captures compared by structure, for people (the lines of
//! `RequestDiff`, already escaped) or as one JSON object (`--json`).
//!
//! Exit status as `diff(1)`: 0 the same, 1 different, 2 trouble (a capture that cannot be
//! found or read, output that cannot be written).

use std::io::Write;

use super::{CommandError, exit, ignore_broken_pipe, open_existing};
use crate::capture::{Capture, CaptureId};
use crate::cli::DiffArgs;
use crate::diff::{Side, diff};
use crate::escape::json_line;
use crate::store::Database;

/// The requests differ: not a failure, but scripts need to tell.
const DIFFERENT: u8 = exit::FAILURE;
/// 1 already means "different", so every failure gets 2.
const TROUBLE: u8 = exit::USAGE;

pub fn run(args: DiffArgs) -> Result<(), CommandError> {
    let (db, path) = open_existing(&args.store).map_err(as_trouble)?;
    let a = load(&db, args.a, &path)?;
    let b = load(&db, args.b, &path)?;
    let result = diff(&Side::of_capture(&a), &Side::of_capture(&b));

    let mut out = std::io::stdout().lock();
    let written = if args.json {
        writeln!(out, "{}", json_line(&result))
    } else {
        result
            .lines()
            .iter()
            .try_for_each(|line| writeln!(out, "{}", line.text))
    };
    ignore_broken_pipe(written.and_then(|()| out.flush())).map_err(as_trouble)?;
    if result.is_same() {
        Ok(())
    } else {
        Err(CommandError::silent(DIFFERENT))
    }
}

fn load(db: &Database, id: CaptureId, path: &std::path::Path) -> Result<Capture, CommandError> {
    db.get(id)
        .map_err(|e| CommandError::new(TROUBLE, e.to_string()))?
        .ok_or_else(|| {
            CommandError::new(
                TROUBLE,
                format!("no capture with id {id} in {}", path.display()),
            )
        })
}

fn as_trouble(error: CommandError) -> CommandError {
    CommandError::new(TROUBLE, error.message)
}
