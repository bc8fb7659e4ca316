//! `hookscope show ID`: one capture, for people (default), as wire bytes (`--raw`), or just
//! its body (`--body`). On a terminal, control characters are always shown escaped; piped or
//! redirected, `--raw` and `--body` are byte-exact.

use std::io::{IsTerminal, Write};

use chrono::Local;

use super::{CommandError, exit, ignore_broken_pipe, open_existing};
use crate::capture::Capture;
use crate::cli::ShowArgs;
use crate::escape::{visible_line, visible_text};
use crate::units::format_bytes;
use crate::wire::request_bytes;

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
    let exact = if args.raw {
        Some(request_bytes(&capture))
    } else if args.body {
        Some(capture.body.to_vec())
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
        None => write_readable(&mut out, &capture),
    };
    ignore_broken_pipe(written.and_then(|()| out.flush()))
}

fn write_readable(out: &mut impl Write, capture: &Capture) -> std::io::Result<()> {
    writeln!(
        out,
        "#{}  {} {}  {}",
        capture.id,
        visible_line(capture.method.as_bytes()),
        visible_line(capture.uri.as_bytes()),
        capture.version
    )?;
    writeln!(
        out,
        "received {} from {} · answered {}",
        capture
            .received_at
            .with_timezone(&Local)
            .format("%Y-%m-%d %H:%M:%S%.6f %:z"),
        capture.peer,
        capture.response_status
    )?;
    writeln!(out, "body     {}", describe_body(capture))?;
    writeln!(out)?;
    for header in &capture.headers {
        writeln!(
            out,
            "{}: {}",
            visible_line(header.name.as_bytes()),
            visible_line(&header.value)
        )?;
    }
    if capture.body.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    if std::str::from_utf8(&capture.body).is_ok() {
        let text = visible_text(&capture.body);
        write!(out, "{text}")?;
        if !text.ends_with('\n') {
            writeln!(out)?;
        }
        Ok(())
    } else {
        out.write_all(crate::body::hex_dump(&capture.body).as_bytes())
    }
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
