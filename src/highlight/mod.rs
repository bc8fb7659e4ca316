//! Syntax colours for the Body tab, computed off the UI thread and drawn by the TUI, which
//! turns our `Style` into its own (this module knows nothing of ratatui).
//!
//! The text is what `body::DecodedBody::render` shows, split on '\n'. JSON and form bodies are
//! coloured by small hand-written highlighters that take the theme's colours for the scopes
//! syntect's grammars use: for a 1 MB JSON body syntect (fancy-regex) needs over a second,
//! the hand-written one a few milliseconds (numbers in `benches/highlight.rs`). XML and HTML go
//! through syntect, with size limits that keep them to a few seconds at worst.

mod form;
mod json;
mod lines;
mod markup;
mod palette;

#[cfg(test)]
mod tests;

use crate::body::Format;
use crate::units::format_bytes;

pub use lines::Highlighted;

use lines::Builder;
use palette::TokenIds;

/// No text above this is highlighted: 16 MiB of JSON takes about 0.1 s, and the Body tab of
/// such a body is for scrolling, not reading.
pub const MAX_HIGHLIGHT_BYTES: usize = 16 << 20;

/// syntect takes about 0.4 ms per KiB of indented XML and 1.6 ms per KiB of HTML (2-core
/// machine, release build): at this size about 1 s resp. 3 s, past it colours come too late.
pub const MAX_MARKUP_BYTES: usize = 2 << 20;

/// syntect does a line in one go, and a cancelled job only stops between lines, so one
/// enormous line (markup that was not well-formed, shown as received) would hold the
/// background thread for a long while; a line this long takes up to about 0.6 s.
pub const MAX_MARKUP_LINE_BYTES: usize = 128 << 10;

/// Cancellation is checked after this many lines or bytes, whichever comes first.
const CHECK_EVERY_LINES: usize = 256;
const CHECK_EVERY_BYTES: usize = 64 << 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Json,
    Xml,
    Html,
    Form,
}

impl Language {
    /// The language a body of this format is shown in; `None` for text without structure
    /// (plain text, hex dumps, multipart bodies that mix parts).
    pub fn for_format(format: Format) -> Option<Language> {
        match format {
            Format::Json => Some(Language::Json),
            Format::Xml => Some(Language::Xml),
            Format::Html => Some(Language::Html),
            Format::Form => Some(Language::Form),
            Format::Empty | Format::Multipart | Format::Text | Format::Binary => None,
        }
    }
}

/// For a dark or a light terminal background; the background itself is never painted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Dark,
    Light,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// How a run of text is drawn. `fg: None` is the terminal's own foreground colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Style {
    pub fg: Option<Rgb>,
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
}

/// Why a text is shown without colours; `Display` says it in words for the status line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TooLarge {
    #[error("too large to highlight ({}, the limit is {})", bytes(*size), bytes(*limit))]
    Text { size: usize, limit: usize },
    #[error("a line is too long to highlight ({}, the limit is {})", bytes(*size), bytes(*limit))]
    Line { size: usize, limit: usize },
}

fn bytes(count: usize) -> String {
    format_bytes(count as u64)
}

/// Whether `highlight` would take on this text, without doing the work.
pub fn check_size(text: &str, language: Language) -> Result<(), TooLarge> {
    let limit = match language {
        Language::Json | Language::Form => MAX_HIGHLIGHT_BYTES,
        Language::Xml | Language::Html => MAX_MARKUP_BYTES,
    };
    if text.len() > limit {
        return Err(TooLarge::Text {
            size: text.len(),
            limit,
        });
    }
    if matches!(language, Language::Xml | Language::Html) {
        let longest = text.split('\n').map(str::len).max().unwrap_or(0);
        if longest > MAX_MARKUP_LINE_BYTES {
            return Err(TooLarge::Line {
                size: longest,
                limit: MAX_MARKUP_LINE_BYTES,
            });
        }
    }
    Ok(())
}

/// Colours `text` (lines split on '\n'), or `None` when `cancelled` says so (it is asked
/// every few hundred lines) or the text fails `check_size`.
pub fn highlight(
    text: &str,
    language: Language,
    theme: Theme,
    cancelled: &dyn Fn() -> bool,
) -> Option<Highlighted> {
    check_size(text, language).ok()?;
    let mut out = Builder::new(text.len());
    match language {
        Language::Json => {
            let ids = TokenIds::new(theme, &mut out);
            let mut state = json::State::default();
            for_each_line(text, cancelled, |line, _| {
                json::line(line, &mut state, &mut out, &ids);
                out.end_line(line.len(), ids.get(palette::Token::Plain));
            })?;
        }
        Language::Form => {
            let ids = TokenIds::new(theme, &mut out);
            for_each_line(text, cancelled, |line, _| {
                form::line(line, &mut out, &ids);
                out.end_line(line.len(), ids.get(palette::Token::Plain));
            })?;
        }
        Language::Xml => markup::highlight(text, "XML", theme, &mut out, cancelled)?,
        Language::Html => markup::highlight(text, "HTML", theme, &mut out, cancelled)?,
    }
    Some(out.finish())
}

/// Calls `each` with every line (without its '\n') and, when the line has one, the line with
/// its '\n'. `None` once `cancelled` says so.
fn for_each_line<'t>(
    text: &'t str,
    cancelled: &dyn Fn() -> bool,
    mut each: impl FnMut(&'t str, Option<&'t str>),
) -> Option<()> {
    let (mut lines_since_check, mut bytes_since_check) = (CHECK_EVERY_LINES, 0);
    let mut start = 0;
    for line in text.split('\n') {
        if lines_since_check >= CHECK_EVERY_LINES || bytes_since_check >= CHECK_EVERY_BYTES {
            if cancelled() {
                return None;
            }
            (lines_since_check, bytes_since_check) = (0, 0);
        }
        lines_since_check += 1;
        bytes_since_check += line.len();
        let end = start + line.len();
        each(line, text.get(start..end + 1));
        start = end + 1;
    }
    Some(())
}
