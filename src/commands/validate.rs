//! Placeholder until `validate` lands.

use super::{CommandError, exit};
use crate::cli::ValidateArgs;

pub fn run(_args: ValidateArgs) -> Result<(), CommandError> {
    Err(CommandError::new(exit::FAILURE, "not built yet"))
}
