use std::process::ExitCode;

use hookscope::cli::Cli;
use hookscope::commands;

// Captures and their analysis allocate many small objects (header lists, JSON trees);
// mimalloc serves them faster than the system allocator, on every thread at once.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let (cli, matches) =
        Cli::try_parse_with_matches(std::env::args_os()).unwrap_or_else(|error| error.exit());
    match commands::run(cli, &matches) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if !error.message.is_empty() {
                eprintln!("hookscope: {error}");
            }
            ExitCode::from(error.code)
        }
    }
}
