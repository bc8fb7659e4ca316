//! `hookscope import FILE`: adds captures from a HAR or JSONL file. They get new ids in the
//! store; everything else is kept as it was.

use std::io::Read;

use super::{CommandError, exit, open_writer, store_path};
use crate::archive::read_archive;
use crate::cli::ImportArgs;
use crate::escape::visible_line;

pub fn run(args: ImportArgs) -> Result<(), CommandError> {
    // A downloaded file's name is not the user's to vouch for either.
    let name = visible_line(args.file.display().to_string().as_bytes()).into_owned();
    let bytes = read_input(&args.file)
        .map_err(|e| CommandError::new(exit::USAGE, format!("cannot read {name}: {e}")))?;
    // Read but not importable is the request failing (1), like any other bad content.
    let cannot_import =
        |why: String| CommandError::new(exit::FAILURE, format!("cannot import {name}: {why}"));
    let text = String::from_utf8(bytes).map_err(|e| cannot_import(not_text(&e)))?;
    let mut imported = read_archive(&text).map_err(|e| cannot_import(e.to_string()))?;
    for capture in &mut imported.captures {
        capture.verdict = Some(crate::inspect::capture_verdict(capture));
    }
    let path = store_path(args.store.db.as_deref())?;
    let store = open_writer(&path)?;
    // Retention is the listener's job; an import adds everything it was given.
    let stored = store.writer().import_blocking(imported.captures);
    store.close();
    let stored = stored?;
    match (stored.first(), stored.last()) {
        (Some(first), Some(last)) => eprintln!(
            "imported {} captures into {} (ids {} to {})",
            stored.len(),
            path.display(),
            first.id,
            last.id
        ),
        _ => eprintln!("{name} holds no captures; nothing imported"),
    }
    if imported.skipped_headers > 0 {
        eprintln!(
            "note: left out {} headers that HTTP/1 cannot carry (such as HTTP/2 pseudo-headers)",
            imported.skipped_headers
        );
    }
    Ok(())
}

fn read_input(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().lock().read_to_end(&mut bytes)?;
        return Ok(bytes);
    }
    std::fs::read(path)
}

fn not_text(error: &std::string::FromUtf8Error) -> String {
    format!(
        "it is not UTF-8 text (an invalid byte at offset {}), so it is neither HAR nor JSONL",
        error.utf8_error().valid_up_to()
    )
}
