//! `hookscope list`: the newest captures, oldest first.

use std::io::Write;

use chrono::{DateTime, Local};

use super::{CommandError, open_existing};
use crate::capture::CaptureSummary;
use crate::cli::ListArgs;
use crate::escape::{json_line, visible_line};
use crate::units::format_bytes;

pub fn run(args: ListArgs) -> Result<(), CommandError> {
    let (db, path) = open_existing(&args.store)?;
    let mut summaries = db.latest_summaries(args.limit)?;
    super::complete_verdicts(&db, &mut summaries)?;
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        summaries
            .iter()
            .try_for_each(|s| writeln!(out, "{}", json_line(s)))
    } else if summaries.is_empty() {
        eprintln!("no captures in {}", path.display());
        Ok(())
    } else {
        write_table(&mut out, &summaries)
    };
    super::ignore_broken_pipe(written.and_then(|()| out.flush()))
}

fn write_table(out: &mut impl Write, summaries: &[CaptureSummary]) -> std::io::Result<()> {
    let width = |column: &dyn Fn(&CaptureSummary) -> usize, title: &str| {
        summaries
            .iter()
            .map(column)
            .max()
            .unwrap_or(0)
            .max(title.len())
    };
    let id_width = width(&|s| s.id.to_string().len(), "ID");
    let method_width = width(
        &|s| visible_line(s.method.as_bytes()).chars().count(),
        "METHOD",
    );
    let payload_width = width(&|s| payload(s).chars().count(), "PAYLOAD");
    let check_width = width(&|s| check(s).chars().count(), "CHECK");
    writeln!(
        out,
        "{:>id_width$}  {:<19}  {:<method_width$}  {:>9}  {:<payload_width$}  {:<check_width$}  PATH",
        "ID", "RECEIVED", "METHOD", "SIZE", "PAYLOAD", "CHECK"
    )?;
    for s in summaries {
        let target = match &s.query {
            Some(query) => format!("{}?{query}", s.path),
            None => s.path.clone(),
        };
        writeln!(
            out,
            "{:>id_width$}  {:<19}  {:<method_width$}  {:>9}  {:<payload_width$}  {:<check_width$}  {}",
            s.id,
            local_time(&s.received_at),
            visible_line(s.method.as_bytes()),
            format_bytes(s.size),
            payload(s),
            check(s),
            visible_line(target.as_bytes()),
        )?;
    }
    Ok(())
}

fn local_time(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// `octopus DeploymentSucceeded`, or the content type for anything that is no vendor's.
fn payload(s: &CaptureSummary) -> String {
    let mut text = match (&s.vendor, &s.kind) {
        (Some(vendor), Some(kind)) => format!("{vendor} {}", visible_line(kind.as_bytes())),
        (Some(vendor), None) => vendor.to_string(),
        (None, _) => visible_line(s.content_type.as_deref().unwrap_or("-").as_bytes()).into_owned(),
    };
    if let Some(first) = s.duplicate_of {
        text.push_str(&format!(" (repeat of {first})"));
    }
    text
}

/// `✓` valid, `✗ 2` with errors, `! 1` with warnings only, blank when nothing was checked.
fn check(s: &CaptureSummary) -> String {
    match s.valid {
        None => String::new(),
        Some(false) => format!("✗ {}", s.errors),
        Some(true) if s.warnings > 0 => format!("! {}", s.warnings),
        Some(true) => "✓".to_owned(),
    }
}
