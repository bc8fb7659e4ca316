//! `hookscope clear`: deletes every capture, after asking when someone is at the terminal.
//! Ids keep counting from where they were, so an id never names two different captures.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use super::{CommandError, exit, open_existing, open_writer};
use crate::cli::ClearArgs;

pub fn run(args: ClearArgs) -> Result<(), CommandError> {
    // Opened once to check it is there and a store; the delete goes through a writer.
    let (db, path) = open_existing(&args.store)?;
    if !args.yes {
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            return Err(CommandError::new(
                exit::USAGE,
                format!(
                    "clear deletes every capture in {} and stdin is not a terminal to ask on; \
                     pass --yes to go ahead",
                    path.display()
                ),
            ));
        }
        let count = db.count()?;
        // Nothing to lose, nothing to ask.
        if count > 0 {
            let confirmed = confirm(&mut stdin.lock(), &mut std::io::stderr(), count, &path)
                .map_err(|e| CommandError::new(exit::FAILURE, format!("cannot ask: {e}")))?;
            if !confirmed {
                return Err(CommandError::new(exit::FAILURE, "nothing deleted"));
            }
        }
    }
    drop(db);
    let store = open_writer(&path)?;
    let deleted = store.writer().clear_blocking();
    store.close();
    eprintln!("deleted {} captures from {}", deleted?, path.display());
    Ok(())
}

/// Asks on `prompt` and reads one line of `answers`: only `y` or `yes` (any case) says yes,
/// so a stray Enter keeps the captures.
fn confirm(
    answers: &mut impl BufRead,
    prompt: &mut impl Write,
    count: u64,
    path: &Path,
) -> std::io::Result<bool> {
    write!(
        prompt,
        "Delete all {count} captures from {}? [y/N] ",
        path.display()
    )?;
    prompt.flush()?;
    let mut answer = String::new();
    answers.read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(typed: &str) -> (bool, String) {
        let mut prompt = Vec::new();
        let yes = confirm(
            &mut typed.as_bytes(),
            &mut prompt,
            118,
            Path::new("/tmp/c.sqlite3"),
        )
        .unwrap();
        (yes, String::from_utf8(prompt).unwrap())
    }

    #[test]
    fn asks_with_the_count_and_the_path() {
        let (_, prompt) = answer("n\n");
        assert_eq!(
            prompt,
            "Delete all 118 captures from /tmp/c.sqlite3? [y/N] "
        );
    }

    #[test]
    fn only_y_or_yes_deletes() {
        for typed in ["y\n", "Y\n", "yes\n", " YES \n"] {
            assert!(answer(typed).0, "{typed:?}");
        }
        for typed in ["\n", "n\n", "no\n", "yep\n", ""] {
            assert!(!answer(typed).0, "{typed:?}");
        }
    }
}
