//! Making request bytes safe to print. Nothing a sender controls may reach a terminal as a
//! control character: C0 controls, ESC, DEL, C1 codes and bidi overrides are written out as
//! visible escapes (`\x1b`, `\u{9b}`, `\u{202e}`), bytes that are not UTF-8 as `\xNN`.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;

use serde::Serialize;

/// Characters a terminal would act on (or that reorder text) rather than draw.
pub fn is_hidden_control(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{61c}' | '\u{200e}' | '\u{200f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// For one-line fields (paths, header names and values): every control is escaped,
/// newlines and tabs included.
pub fn visible_line(bytes: &[u8]) -> Cow<'_, str> {
    escape(bytes, false)
}

/// For text shown over several lines (bodies): newlines and tabs stay, CR before LF is
/// dropped, every other control is escaped.
pub fn visible_text(bytes: &[u8]) -> Cow<'_, str> {
    escape(bytes, true)
}

fn escape(bytes: &[u8], multiline: bool) -> Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(bytes)
        && !text.chars().any(is_hidden_control)
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(bytes.len() + 16);
    for chunk in bytes.utf8_chunks() {
        let mut chars = chunk.valid().chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\n' | '\t' if multiline => out.push(c),
                '\r' if multiline && chars.peek() == Some(&'\n') => {}
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x80 && is_hidden_control(c) => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c if is_hidden_control(c) => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
                c => out.push(c),
            }
        }
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
    Cow::Owned(out)
}

/// One JSON object on one line, with every hidden control written as a `\uXXXX` escape
/// (serde_json already escapes C0; this adds DEL, C1 and bidi controls), so a JSON line is
/// safe on a terminal and still decodes to the exact same strings.
pub fn json_line(value: &impl Serialize) -> String {
    let mut out = Vec::with_capacity(256);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, TerminalSafe);
    // Serializing our own plain data types into a Vec cannot fail.
    if value.serialize(&mut serializer).is_err() {
        return String::from("{}");
    }
    String::from_utf8(out).unwrap_or_default()
}

struct TerminalSafe;

impl serde_json::ser::Formatter for TerminalSafe {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (index, c) in fragment.char_indices() {
            if is_hidden_control(c) {
                writer.write_all(&fragment.as_bytes()[start..index])?;
                write!(writer, "\\u{:04x}", c as u32)?;
                start = index + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(visible_line(b"/hooks/a?b=c"), Cow::Borrowed(_)));
    }

    #[test]
    fn escapes_terminal_controls_in_a_line() {
        assert_eq!(
            visible_line(b"/a\x1b[2Jb\x07\r\n\t\x7f"),
            "/a\\x1b[2Jb\\x07\\r\\n\\t\\x7f"
        );
    }

    #[test]
    fn escapes_c1_and_bidi_and_invalid_utf8() {
        let input = "x\u{9b}31m\u{202e}y".as_bytes();
        assert_eq!(visible_line(input), "x\\u{9b}31m\\u{202e}y");
        assert_eq!(visible_line(b"ok\xff\xfe"), "ok\\xff\\xfe");
    }

    #[test]
    fn multiline_keeps_layout_but_not_controls() {
        assert_eq!(
            visible_text(b"a\r\nb\tc\rd\x1b]0;title\x07"),
            "a\nb\tc\\rd\\x1b]0;title\\x07"
        );
    }

    #[test]
    fn json_lines_escape_what_serde_json_leaves_raw() {
        let line = json_line(&serde_json::json!({ "p": "a\u{1b}b\u{9b}c\u{202e}d\u{7f}" }));
        assert_eq!(line, r#"{"p":"a\u001bb\u009bc\u202ed\u007f"}"#);
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["p"], "a\u{1b}b\u{9b}c\u{202e}d\u{7f}");
    }
}
