//! JSON highlighted by hand, in one pass over the bytes: syntect's regex-driven JSON syntax
//! takes about 1.1 s for a 1 MB body pretty-printed (and 23 s for the same body on one line,
//! its matching is quadratic in the line length), this takes a few milliseconds. Tokens get
//! the scopes syntect's JSON syntax gives them, so the colours are the theme's (see
//! `palette::Token`). Works on any text, valid JSON or not: bodies that do not parse are
//! shown as received.

use super::lines::Builder;
use super::palette::{Token, TokenIds};

/// What carries over from one line to the next.
#[derive(Default)]
pub(super) struct State {
    in_block_comment: bool,
}

/// Styles one line (without its '\n'). Every run ends before an ASCII byte or at the end of
/// the line, so on a char boundary.
pub(super) fn line(line: &str, state: &mut State, out: &mut Builder, ids: &TokenIds) {
    let bytes = line.as_bytes();
    let mut at = 0;
    if state.in_block_comment {
        at = block_comment_end(bytes, 0, state);
        out.push(at, ids.get(Token::Comment));
    }
    while at < bytes.len() {
        let (end, token) = match bytes[at] {
            b' ' | b'\t' | b'\r' => (skip_blanks(bytes, at), Token::Plain),
            b'{' | b'}' | b'[' | b']' => (at + 1, Token::Bracket),
            b',' | b':' => (at + 1, Token::Separator),
            b'"' => {
                at = string(line, at, out, ids);
                continue;
            }
            b'-' | b'0'..=b'9' => (number_end(bytes, at), Token::Number),
            b'/' if bytes.get(at + 1) == Some(&b'/') => (bytes.len(), Token::Comment),
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                state.in_block_comment = true;
                (block_comment_end(bytes, at + 2, state), Token::Comment)
            }
            _ => {
                let end = word_end(bytes, at);
                match &bytes[at..end] {
                    b"true" | b"false" | b"null" => (end, Token::Literal),
                    _ => (end, Token::Invalid),
                }
            }
        };
        out.push(end, ids.get(token));
        at = end;
    }
}

/// Styles the string starting with the quote at `start`; returns where it ends. A string
/// followed by `:` is a key. An unterminated string runs to the end of the line.
fn string(line: &str, start: usize, out: &mut Builder, ids: &TokenIds) -> usize {
    let bytes = line.as_bytes();
    let close = string_close(bytes, start + 1);
    let is_key = close.is_some_and(|close| bytes.get(skip_blanks(bytes, close + 1)) == Some(&b':'));
    let (quote, text, escape) = if is_key {
        (Token::KeyQuote, Token::Key, Token::KeyEscape)
    } else {
        (Token::StringQuote, Token::String, Token::Escape)
    };
    out.push(start + 1, ids.get(quote));
    let content_end = close.unwrap_or(bytes.len());
    let mut at = start + 1;
    while at < content_end {
        if bytes[at] == b'\\' {
            at = escape_end(line, at).min(content_end);
            out.push(at, ids.get(escape));
        } else {
            at = memchr_either(bytes, at, content_end);
            out.push(at, ids.get(text));
        }
    }
    match close {
        Some(close) => {
            out.push(close + 1, ids.get(quote));
            close + 1
        }
        None => content_end,
    }
}

/// The index of the closing quote of a string whose content starts at `at`.
fn string_close(bytes: &[u8], mut at: usize) -> Option<usize> {
    while at < bytes.len() {
        match bytes[at] {
            b'"' => return Some(at),
            b'\\' => at += 2,
            _ => at += 1,
        }
    }
    None
}

/// Where the escape starting with the backslash at `at` ends: `\n`, `\"`, `\u00e9`; a
/// backslash before a non-ASCII character takes the whole character.
fn escape_end(line: &str, at: usize) -> usize {
    let bytes = line.as_bytes();
    match bytes.get(at + 1) {
        None => at + 1,
        Some(b'u') => {
            let hex = bytes[at + 2..]
                .iter()
                .take(4)
                .take_while(|b| b.is_ascii_hexdigit())
                .count();
            at + 2 + hex
        }
        Some(b) if b.is_ascii() => at + 2,
        Some(_) => at + 1 + line[at + 1..].chars().next().map_or(1, char::len_utf8),
    }
}

/// The next `"` or `\` from `at`, or `end`.
fn memchr_either(bytes: &[u8], at: usize, end: usize) -> usize {
    bytes[at..end]
        .iter()
        .position(|&b| b == b'"' || b == b'\\')
        .map_or(end, |offset| at + offset)
}

fn skip_blanks(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\r') {
        at += 1;
    }
    at
}

fn number_end(bytes: &[u8], mut at: usize) -> usize {
    at += 1;
    while at < bytes.len() && matches!(bytes[at], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
        at += 1;
    }
    at
}

/// A bare word (`true`, or something that is not JSON) runs to the next ASCII delimiter, so
/// it never ends inside a multi-byte character.
fn word_end(bytes: &[u8], mut at: usize) -> usize {
    at += 1;
    while at < bytes.len()
        && !matches!(
            bytes[at],
            b' ' | b'\t' | b'\r' | b'{' | b'}' | b'[' | b']' | b',' | b':' | b'"' | b'/'
        )
    {
        at += 1;
    }
    at
}

/// Where a block comment whose text starts at `at` ends on this line (after `*/`), or the
/// end of the line if it goes on.
fn block_comment_end(bytes: &[u8], at: usize, state: &mut State) -> usize {
    match bytes[at.min(bytes.len())..]
        .windows(2)
        .position(|w| w == b"*/")
    {
        Some(offset) => {
            state.in_block_comment = false;
            at + offset + 2
        }
        None => bytes.len(),
    }
}
