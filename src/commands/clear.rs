//! `hookscope clear`: deletes every capture. Ids keep counting from where they were, so an
//! id never names two different captures.

use super::{CommandError, open_existing, open_writer};
use crate::cli::StoreArgs;

pub fn run(args: StoreArgs) -> Result<(), CommandError> {
    // Opened once to check it is there and a store; the delete goes through a writer.
    let (_, path) = open_existing(&args)?;
    let store = open_writer(&path)?;
    let deleted = store.writer().clear_blocking();
    store.close();
    eprintln!("deleted {} captures from {}", deleted?, path.display());
    Ok(())
}
