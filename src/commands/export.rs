//! `hookscope export`: every capture, oldest first, as HAR or JSONL.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::{CommandError, exit, ignore_broken_pipe, open_existing};
use crate::archive::{HarWriter, write_jsonl};
use crate::capture::Capture;
use crate::cli::{ArchiveFormat, ExportArgs};
use crate::inspect;
use crate::store::Database;

pub fn run(args: ExportArgs) -> Result<(), CommandError> {
    let (db, _) = open_existing(&args.store)?;
    let keep_secrets = args.keep_secrets;
    let format = args
        .format
        .unwrap_or_else(|| format_from_extension(args.output.as_deref()));
    match &args.output {
        Some(path) => {
            let file = File::create(path).map_err(|e| {
                CommandError::new(
                    exit::FAILURE,
                    format!("cannot write {}: {e}", path.display()),
                )
            })?;
            let count = export(&db, format, keep_secrets, BufWriter::new(file)).map_err(|e| {
                CommandError::new(
                    exit::FAILURE,
                    format!("cannot write {}: {e:#}", path.display()),
                )
            })?;
            eprintln!("exported {count} captures to {}", path.display());
            Ok(())
        }
        None => {
            let result = export(
                &db,
                format,
                keep_secrets,
                BufWriter::new(std::io::stdout().lock()),
            );
            match result {
                Ok(_) => Ok(()),
                Err(e) => match e.downcast::<std::io::Error>() {
                    Ok(io) => ignore_broken_pipe(Err(io)),
                    Err(other) => Err(other.into()),
                },
            }
        }
    }
}

fn format_from_extension(output: Option<&Path>) -> ArchiveFormat {
    match output.and_then(|p| p.extension()).and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("har") => ArchiveFormat::Har,
        _ => ArchiveFormat::Jsonl,
    }
}

/// HAR files get shared (attached to tickets, sent to vendors), and a leaked session token
/// in one is a known way in: secrets are masked unless `keep_secrets`. Verdicts are worked
/// out before masking, so a signature still counts as checked.
fn export(
    db: &Database,
    format: ArchiveFormat,
    keep_secrets: bool,
    mut out: impl Write,
) -> anyhow::Result<usize> {
    let shared = |capture: Capture| match keep_secrets {
        true => capture,
        false => crate::secrets::capture(&capture),
    };
    let mut count = 0;
    match format {
        ArchiveFormat::Jsonl => {
            // Records carry the vendor fields even where the analyser had not got to, as
            // this process's rules judge them.
            let stale = !db.verdicts_current()?;
            db.for_each_capture(|mut capture| {
                count += 1;
                if stale || capture.verdict.is_none() {
                    capture.verdict = Some(inspect::capture_verdict(&capture));
                }
                Ok(write_jsonl(&mut out, &shared(capture))?)
            })?;
            out.flush()?;
        }
        ArchiveFormat::Har => {
            let mut har = HarWriter::start(out)?;
            db.for_each_capture(|capture| {
                count += 1;
                Ok(har.entry(&shared(capture))?)
            })?;
            har.finish()?;
        }
    }
    Ok(count)
}
