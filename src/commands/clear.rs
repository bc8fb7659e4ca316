//! `hookscope clear`: deletes every capture. Ids keep counting from where they were, so an
//! id never names two different captures.

use super::{CommandError, open_existing};
use crate::cli::StoreArgs;

pub fn run(args: StoreArgs) -> Result<(), CommandError> {
    let (mut db, path) = open_existing(&args)?;
    let deleted = db.clear()?;
    eprintln!("deleted {deleted} captures from {}", path.display());
    Ok(())
}
