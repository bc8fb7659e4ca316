use std::process::ExitCode;

use clap::Parser;
use hookscope::cli::Cli;
use hookscope::commands;

// Captures and their analysis allocate many small objects (header lists, JSON trees);
// mimalloc serves them faster than the system allocator, on every thread at once.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let command = Cli::parse().into_command();
    match commands::run(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if !error.message.is_empty() {
                eprintln!("hookscope: {error}");
            }
            ExitCode::from(error.code)
        }
    }
}
