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
    let summaries = db.latest_summaries(args.limit)?;
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
    let type_width = width(
        &|s| {
            s.content_type
                .as_deref()
                .map_or(1, |t| visible_line(t.as_bytes()).chars().count())
        },
        "CONTENT-TYPE",
    );
    writeln!(
        out,
        "{:>id_width$}  {:<19}  {:<method_width$}  {:>9}  {:<type_width$}  PATH",
        "ID", "RECEIVED", "METHOD", "SIZE", "CONTENT-TYPE"
    )?;
    for s in summaries {
        let target = match &s.query {
            Some(query) => format!("{}?{query}", s.path),
            None => s.path.clone(),
        };
        writeln!(
            out,
            "{:>id_width$}  {:<19}  {:<method_width$}  {:>9}  {:<type_width$}  {}",
            s.id,
            local_time(&s.received_at),
            visible_line(s.method.as_bytes()),
            format_bytes(s.size),
            visible_line(s.content_type.as_deref().unwrap_or("-").as_bytes()),
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
