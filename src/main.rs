use std::process::ExitCode;

use clap::Parser;
use hookscope::cli::Cli;
use hookscope::commands;

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
