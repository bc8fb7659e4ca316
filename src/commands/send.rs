//! Placeholder until `send` lands.

use super::{CommandError, exit};
use crate::cli::SendArgs;

pub fn run(_args: SendArgs) -> Result<(), CommandError> {
    Err(CommandError::new(exit::FAILURE, "not built yet"))
}
