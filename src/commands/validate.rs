//! `hookscope validate FILE...`: checks payload fixtures against their vendor's documented
//! schema, for people who test their own webhook payloads in CI.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use bytes::Bytes;
use serde::Serialize;

use super::{CommandError, exit, ignore_broken_pipe};
use crate::cli::ValidateArgs;
use crate::escape::{json_line, visible_line};
use crate::inspect::{Inspection, Json, inspect_file};
use crate::units::plural;
use crate::validate::{Finding, Severity, closest, counts, did_you_mean, is_valid};
use crate::vendor::Vendor;

/// One file's result; with `--json`, exactly this object is printed per file.
#[derive(Debug, Serialize)]
struct FileReport {
    file: String,
    vendor: Option<Vendor>,
    kind: Option<String>,
    valid: bool,
    findings: Vec<Finding>,
}

pub fn run(args: ValidateArgs) -> Result<(), CommandError> {
    let forced = args.vendor.as_deref().map(known_vendor).transpose()?;
    let style = Style::for_stdout();
    let mut out = std::io::stdout().lock();
    let mut read_failures = 0;
    let mut reports = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
        let bytes = match read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                eprintln!(
                    "hookscope: cannot read {}: {error}",
                    visible_line(name.as_bytes())
                );
                read_failures += 1;
                continue;
            }
        };
        let report = report(name, &inspect_file(&bytes, forced));
        let written = if args.json {
            writeln!(out, "{}", json_line(&report))
        } else {
            write_human(&mut out, &report, style)
        };
        ignore_broken_pipe(written)?;
        reports.push(report);
    }
    if !args.json && reports.len() > 1 {
        let invalid = reports.iter().filter(|r| !r.valid).count();
        ignore_broken_pipe(writeln!(
            out,
            "{} files: {} valid, {invalid} invalid",
            reports.len(),
            reports.len() - invalid
        ))?;
    }
    ignore_broken_pipe(out.flush())?;
    if read_failures > 0 {
        return Err(CommandError::silent(exit::USAGE));
    }
    if reports.iter().any(|r| !r.valid) {
        return Err(CommandError::silent(exit::FAILURE));
    }
    Ok(())
}

fn read(path: &Path) -> std::io::Result<Bytes> {
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin().lock().read_to_end(&mut bytes)?;
    } else {
        bytes = std::fs::read(path)?;
    }
    Ok(Bytes::from(bytes))
}

/// A `--vendor` id: a built-in vendor or one of the user's (loaded by now).
fn known_vendor(id: &str) -> Result<Vendor, CommandError> {
    if let Some(vendor) = Vendor::from_id(id) {
        return Ok(vendor);
    }
    let known: Vec<&str> = Vendor::known().into_iter().map(|v| v.id()).collect();
    let suggestion = closest(id, &known)
        .map(|k| format!(" {}", did_you_mean(k)))
        .unwrap_or_default();
    Err(CommandError::new(
        exit::USAGE,
        format!(
            "--vendor: there is no vendor `{}`{suggestion}; known vendors: {}",
            visible_line(id.as_bytes()),
            known.join(", ")
        ),
    ))
}

/// A file that is no vendor's payload cannot pass: it is a fixture for something else.
fn report(file: String, inspection: &Inspection) -> FileReport {
    let mut findings = inspection.findings.clone();
    if inspection.vendor.is_none() {
        let message = match &inspection.json {
            Json::Malformed(message) => message.clone(),
            _ => "not recognised as a bitdrift, Octopus Deploy, BugSplat or Firefly payload; \
                  pass --vendor to validate it as one"
                .to_owned(),
        };
        findings.push(Finding::error("", message));
    }
    FileReport {
        file,
        vendor: inspection.vendor,
        kind: inspection.kind().map(str::to_owned),
        valid: is_valid(&findings),
        findings,
    }
}

fn write_human(out: &mut impl Write, report: &FileReport, style: Style) -> std::io::Result<()> {
    let (errors, warnings) = counts(&report.findings);
    let what = match (report.vendor, &report.kind) {
        (Some(vendor), Some(kind)) => format!("{} {kind}", vendor.display_name()),
        (Some(vendor), None) => vendor.display_name().to_owned(),
        (None, _) => "unknown payload".to_owned(),
    };
    let verdict = if report.valid {
        style.paint(Paint::Good, "valid")
    } else {
        style.paint(
            Paint::Bad,
            &format!("invalid ({})", plural(errors, "error")),
        )
    };
    let warned = if warnings > 0 {
        format!(", {}", plural(warnings, "warning"))
    } else {
        String::new()
    };
    writeln!(
        out,
        "{}: {} · {verdict}{warned}",
        visible_line(report.file.as_bytes()),
        visible_line(what.as_bytes())
    )?;
    let width = report
        .findings
        .iter()
        .map(|f| display_pointer(&f.pointer).chars().count())
        .max()
        .unwrap_or(0);
    for finding in &report.findings {
        let severity = match finding.severity {
            Severity::Error => style.paint(Paint::Bad, "error  "),
            Severity::Warning => style.paint(Paint::Warn, "warning"),
        };
        let pointer = display_pointer(&finding.pointer);
        let padding = " ".repeat(width - pointer.chars().count());
        writeln!(
            out,
            "  {severity}  {}{padding}  {}",
            style.paint(Paint::Pointer, &visible_line(pointer.as_bytes())),
            visible_line(finding.message.as_bytes())
        )?;
    }
    Ok(())
}

/// The empty pointer is the whole document; say so instead of printing nothing.
fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() {
        "(root)"
    } else {
        pointer
    }
}

#[derive(Debug, Clone, Copy)]
enum Paint {
    Good,
    Bad,
    Warn,
    Pointer,
}

/// Colour on a terminal unless `NO_COLOR` is set (https://no-color.org).
#[derive(Debug, Clone, Copy)]
struct Style {
    colour: bool,
}

impl Style {
    fn for_stdout() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            colour: std::io::stdout().is_terminal() && !no_color,
        }
    }

    fn paint(self, paint: Paint, text: &str) -> String {
        if !self.colour {
            return text.to_owned();
        }
        let code = match paint {
            Paint::Good => "32",
            Paint::Bad => "31",
            Paint::Warn => "33",
            Paint::Pointer => "36",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}
