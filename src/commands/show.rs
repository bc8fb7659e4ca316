//! `hookscope show ID`: one capture, for people (default), as wire bytes (`--raw`), or just
//! its body (`--body`). On a terminal, control characters are always shown escaped; piped or
//! redirected, `--raw` and `--body` are byte-exact.

use std::fmt::{self, Write as _};
use std::io::{IsTerminal, Write};

use chrono::Local;

use super::{CommandError, exit, ignore_broken_pipe, open_existing};
use crate::capture::Capture;
use crate::cli::ShowArgs;
use crate::escape::{is_hidden_control, visible_line, visible_text};
use crate::inspect::Inspection;
use crate::units::format_bytes;
use crate::units::plural;
use crate::validate::counts;
use crate::wire::{checked_request_bytes, request_bytes};

pub fn run(args: ShowArgs) -> Result<(), CommandError> {
    let (db, path) = open_existing(&args.store)?;
    let capture = db.get(args.id)?.ok_or_else(|| {
        CommandError::new(
            exit::FAILURE,
            format!("no capture with id {} in {}", args.id, path.display()),
        )
    })?;
    let stdout = std::io::stdout();
    let on_terminal = stdout.is_terminal();
    let mut out = stdout.lock();
    // Piped or redirected, --raw, --body and --curl are the exact request for a script;
    // everything a person reads has its secrets masked unless asked.
    let mask = !args.show_secrets && (on_terminal || !(args.raw || args.body || args.curl));
    let shown = if mask {
        crate::secrets::capture(&capture)
    } else {
        capture.clone()
    };
    if args.curl {
        let command = crate::copy::curl_for_capture(&shown, args.to.as_ref())
            .map_err(|e| CommandError::new(exit::FAILURE, e.to_string()))?;
        // Bodies with control characters go through printf escapes; only a header value
        // could still hold one, and a terminal must not act on it.
        let hidden = command.chars().any(|c| c != '\n' && is_hidden_control(c));
        let written = if on_terminal && hidden {
            eprintln!(
                "hookscope: a header holds control characters, shown escaped here; redirect \
                 or pipe the output for the exact command"
            );
            writeln!(out, "{}", visible_text(command.as_bytes()))
        } else {
            writeln!(out, "{command}")
        };
        return ignore_broken_pipe(written.and_then(|()| out.flush()));
    }
    let exact = if args.raw {
        Some(raw_request(&shown, on_terminal)?)
    } else if args.body {
        Some(shown.body.to_vec())
    } else {
        None
    };
    let written = match exact {
        Some(bytes) if on_terminal => {
            eprintln!(
                "hookscope: stdout is a terminal, so control characters are shown escaped; \
                 redirect or pipe the output for the exact bytes"
            );
            out.write_all(visible_text(&bytes).as_bytes())
        }
        Some(bytes) => out.write_all(&bytes),
        None => write_readable(&mut out, &capture, mask),
    };
    ignore_broken_pipe(written.and_then(|()| out.flush()))
}

/// `--raw`: on a terminal every capture is shown (escaped below), with a note when its head
/// could not be sent as it is; piped or redirected, the bytes are a request someone will
/// send, so a head that would add lines of its own is refused.
fn raw_request(capture: &Capture, on_terminal: bool) -> Result<Vec<u8>, CommandError> {
    match checked_request_bytes(capture) {
        Ok(bytes) => Ok(bytes),
        Err(reason) if on_terminal => {
            eprintln!(
                "hookscope: capture #{} cannot be sent as it is: {reason}",
                capture.id
            );
            Ok(request_bytes(capture))
        }
        Err(reason) => Err(CommandError::new(
            exit::FAILURE,
            format!(
                "capture #{} cannot be written as an HTTP request: {reason}; `hookscope show {}` \
                 shows it escaped",
                capture.id, capture.id
            ),
        )),
    }
}

/// The readable form. Every field goes through `visible_line`, which keeps it on its line;
/// then the whole text goes through `visible_text`, so a field added later without it still
/// cannot reach the terminal as a control character (it changes nothing on escaped text).
fn write_readable(out: &mut impl Write, capture: &Capture, mask: bool) -> std::io::Result<()> {
    let mut text = String::new();
    // Writing into a String cannot fail.
    let _ = readable(&mut text, capture, mask);
    out.write_all(visible_text(text.as_bytes()).as_bytes())
}

/// The capture for people. Its vendor, signature and findings are judged on what was
/// received; with `mask`, the headers, target and body it prints have their secrets masked.
fn readable(out: &mut String, capture: &Capture, mask: bool) -> fmt::Result {
    let uri = match mask {
        true => crate::secrets::target(&capture.uri),
        false => std::borrow::Cow::Borrowed(capture.uri.as_str()),
    };
    writeln!(
        out,
        "#{}  {} {}  {}",
        capture.id,
        visible_line(capture.method.as_bytes()),
        visible_line(uri.as_bytes()),
        visible_line(capture.version.as_bytes())
    )?;
    writeln!(
        out,
        "received {} from {} · answered {}",
        capture
            .received_at
            .with_timezone(&Local)
            .format("%Y-%m-%d %H:%M:%S%.6f %:z"),
        visible_line(capture.peer.as_bytes()),
        capture.response_status
    )?;
    writeln!(out, "body     {}", describe_body(capture))?;
    let inspection = crate::inspect::inspect_capture(capture);
    write_vendor(out, capture, &inspection)?;
    writeln!(out)?;
    for header in &capture.headers {
        let value = match mask {
            true => crate::secrets::header_value(&header.name, &header.value),
            false => std::borrow::Cow::Borrowed(header.value.as_slice()),
        };
        writeln!(
            out,
            "{}: {}",
            visible_line(header.name.as_bytes()),
            visible_line(&value)
        )?;
    }
    if capture.body.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let pretty = inspection.body.render();
    let body = match mask {
        true => crate::secrets::body(pretty.text.as_bytes()),
        false => std::borrow::Cow::Borrowed(pretty.text.as_bytes()),
    };
    let text = visible_text(&body);
    write!(out, "{text}")?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    for note in inspection.body.notes.iter().chain(&pretty.note) {
        writeln!(out, "note: {}", visible_line(note.as_bytes()))?;
    }
    write_findings(out, &inspection)
}

/// `vendor   Octopus Deploy · DeploymentSucceeded · valid, 1 warning`, then the headline.
fn write_vendor(out: &mut String, capture: &Capture, inspection: &Inspection) -> fmt::Result {
    let (Some(vendor), Some(decoded)) = (inspection.vendor, &inspection.decoded) else {
        return Ok(());
    };
    let (errors, warnings) = counts(&inspection.findings);
    let mut verdict = if errors == 0 {
        "valid".to_owned()
    } else {
        format!("invalid ({})", plural(errors, "error"))
    };
    if warnings > 0 {
        verdict.push_str(&format!(", {}", plural(warnings, "warning")));
    }
    writeln!(
        out,
        "vendor   {} · {} · {verdict}",
        // A vendor of your own is named by its definition file.
        visible_line(vendor.display_name().as_bytes()),
        visible_line(decoded.kind.as_bytes())
    )?;
    writeln!(
        out,
        "         {}",
        visible_line(decoded.headline.as_bytes())
    )?;
    if let Some(first) = capture.verdict.as_ref().and_then(|v| v.duplicate_of) {
        writeln!(
            out,
            "         repeat of capture {first} (same event id: the sender delivered it again)"
        )?;
    }
    Ok(())
}

fn write_findings(out: &mut String, inspection: &Inspection) -> fmt::Result {
    if inspection.findings.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "findings")?;
    for finding in &inspection.findings {
        let pointer = if finding.pointer.is_empty() {
            "(root)"
        } else {
            finding.pointer.as_str()
        };
        writeln!(
            out,
            "  {:<7}  {}  {}",
            finding.severity.as_str(),
            visible_line(pointer.as_bytes()),
            visible_line(finding.message.as_bytes())
        )?;
    }
    Ok(())
}

fn describe_body(capture: &Capture) -> String {
    let mut parts = vec![format_bytes(capture.size() as u64)];
    if let Some(content_type) = capture.content_type() {
        parts.push(visible_line(content_type.as_bytes()).into_owned());
    }
    if let Some(encoding) = capture.header_values("content-encoding").next() {
        parts.push(format!("encoded {}", visible_line(encoding)));
    }
    parts.join(" · ")
}
