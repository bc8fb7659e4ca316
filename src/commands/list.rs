//! `hookscope list`: the newest captures, oldest first.

use std::io::Write;

use chrono::{DateTime, Local};

use super::{CommandError, open_existing};
use crate::capture::CaptureSummary;
use crate::cli::ListArgs;
use crate::escape::{json_line, visible_line};
use crate::units::format_bytes;

/// The widest a PAYLOAD cell gets: the longest vendor kind fits (`octopus
/// ManualInterventionInterruptionRaised`), a multipart boundary is cut rather than widening
/// every row.
const PAYLOAD_COLUMNS: usize = 44;

pub fn run(args: ListArgs) -> Result<(), CommandError> {
    let (db, path) = open_existing(&args.store)?;
    // `--limit 0` is every capture (SQLite reads the all-ones limit as none).
    let limit = if args.limit == 0 {
        usize::MAX
    } else {
        args.limit
    };
    let mut summaries = db.latest_summaries(limit)?;
    super::complete_verdicts(&db, &mut summaries)?;
    if !args.show_secrets {
        summaries.iter_mut().for_each(crate::secrets::summary);
    }
    // Counted after reading, so a capture that arrived in between is not shown as missing.
    let total = db.count()?;
    if args.limit != 0 && (summaries.len() as u64) < total {
        // On stderr, so `--json` output stays pure JSON lines.
        eprintln!(
            "showing the newest {} of {total} captures (--limit 0 for all)",
            summaries.len()
        );
    }
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

/// `octopus DeploymentSucceeded`, or the content type for anything that is no vendor's, cut
/// to `PAYLOAD_COLUMNS` characters; a repeat's ` (repeat of N)` is kept whole.
fn payload(s: &CaptureSummary) -> String {
    let text = match (&s.vendor, &s.kind) {
        (Some(vendor), Some(kind)) => format!("{vendor} {}", visible_line(kind.as_bytes())),
        (Some(vendor), None) => vendor.to_string(),
        (None, _) => visible_line(s.content_type.as_deref().unwrap_or("-").as_bytes()).into_owned(),
    };
    let repeat = s
        .duplicate_of
        .map(|first| format!(" (repeat of {first})"))
        .unwrap_or_default();
    let room = PAYLOAD_COLUMNS.saturating_sub(repeat.chars().count());
    cut_to(text, room) + &repeat
}

/// `text` in at most `room` characters, ending in `…` when cut.
fn cut_to(text: String, room: usize) -> String {
    if text.chars().count() <= room {
        return text;
    }
    let mut cut: String = text.chars().take(room.saturating_sub(1)).collect();
    cut.push('…');
    cut
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

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(content_type: &str, duplicate_of: Option<i64>) -> CaptureSummary {
        CaptureSummary {
            id: 1,
            received_at: "2026-01-02T03:04:05Z".to_owned(),
            method: "POST".to_owned(),
            path: "/".to_owned(),
            query: None,
            size: 0,
            content_type: Some(content_type.to_owned()),
            peer: "127.0.0.1:1".to_owned(),
            vendor: None,
            kind: None,
            valid: None,
            errors: 0,
            warnings: 0,
            duplicate_of,
            unauthenticated: false,
            analysed: true,
            forward: None,
        }
    }

    #[test]
    fn a_long_payload_is_cut_to_the_column_with_an_ellipsis() {
        let boundary = "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW";
        let cut = payload(&summary(boundary, None));
        assert_eq!(cut.chars().count(), PAYLOAD_COLUMNS);
        assert!(cut.ends_with('…') && boundary.starts_with(cut.trim_end_matches('…')));
        assert_eq!(
            payload(&summary("application/json", None)),
            "application/json"
        );
    }

    #[test]
    fn a_cut_payload_keeps_its_repeat_note() {
        let cut = payload(&summary(&"x".repeat(60), Some(12)));
        assert_eq!(cut.chars().count(), PAYLOAD_COLUMNS);
        assert!(cut.ends_with("… (repeat of 12)"), "{cut}");
    }
}
