//! `hookscope import FILE`: adds captures from a HAR or JSONL file. They get new ids in the
//! store; everything else is kept as it was.

use std::io::Read;

use super::{CommandError, exit, open_writer, store_path};
use crate::archive::read_archive;
use crate::cli::ImportArgs;

pub fn run(args: ImportArgs) -> Result<(), CommandError> {
    let name = args.file.display().to_string();
    let text = read_input(&args.file)
        .map_err(|e| CommandError::new(exit::USAGE, format!("cannot read {name}: {e}")))?;
    let mut imported = read_archive(&text)
        .map_err(|e| CommandError::new(exit::FAILURE, format!("cannot import {name}: {e}")))?;
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

fn read_input(path: &std::path::Path) -> std::io::Result<String> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes)?;
    } else {
        bytes = std::fs::read(path)?;
    }
    String::from_utf8(bytes).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the file is not UTF-8 text, so it is neither HAR nor JSONL",
        )
    })
}
