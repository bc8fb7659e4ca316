//! Free text that reads as JSON, found however the sender spaced it: `"status":"failed"` finds
//! `{"status": "failed"}` and `"status" :\n "failed"`. The text is cut into pieces at the places
//! JSON allows whitespace (between tokens, never inside a string), and a body matches when it
//! holds the pieces in order with nothing but JSON whitespace between them. No body is parsed,
//! so a body that is not JSON, or too deep to read, is searched all the same.

use super::needle::commonness;

#[derive(Debug, Clone)]
pub struct JsonNeedle {
    /// Lowercased, in order; whitespace may come between two pieces and nowhere else.
    pieces: Vec<Vec<u8>>,
    /// The piece and the byte in it that is searched for first: the rarest.
    anchor: (usize, usize),
}

impl JsonNeedle {
    /// `text` (lowercased) as JSON pieces, when it is a run of JSON tokens with at least one
    /// `{}[]:,` outside strings. A phrase usually lacks its first and last quote (`status":
    /// "failed`, its own quotes are the phrase's), so the text may start inside a string.
    /// `None` for anything else, which is searched as typed.
    pub fn new(text: &str) -> Option<Self> {
        let pieces = split(text.as_bytes(), false).or_else(|| split(text.as_bytes(), true))?;
        let anchor = pieces
            .iter()
            .enumerate()
            .flat_map(|(p, piece)| piece.iter().enumerate().map(move |(b, &byte)| (p, b, byte)))
            .min_by_key(|&(_, _, byte)| commonness(byte))
            .map(|(p, b, _)| (p, b))?;
        Some(Self { pieces, anchor })
    }

    /// Whether `haystack` holds the pieces in order, JSON whitespace allowed between them,
    /// ASCII case ignored.
    pub fn is_in(&self, haystack: &[u8]) -> bool {
        let (piece, offset) = self.anchor;
        let lower = self.pieces[piece][offset];
        let upper = lower.to_ascii_uppercase();
        let hit = |at: usize| at >= offset && self.matches_around(haystack, at - offset);
        if lower == upper {
            memchr::memchr_iter(lower, haystack).any(hit)
        } else {
            memchr::memchr2_iter(lower, upper, haystack).any(hit)
        }
    }

    /// Whether the anchor's piece starts at `start` and the other pieces sit around it.
    fn matches_around(&self, haystack: &[u8], start: usize) -> bool {
        let anchor = self.anchor.0;
        let Some(mut end) = piece_at(haystack, start, &self.pieces[anchor]) else {
            return false;
        };
        for piece in &self.pieces[anchor + 1..] {
            let from = end + haystack[end..].iter().take_while(|b| is_space(**b)).count();
            match piece_at(haystack, from, piece) {
                Some(after) => end = after,
                None => return false,
            }
        }
        let mut begin = start;
        for piece in self.pieces[..anchor].iter().rev() {
            let to = begin
                - haystack[..begin]
                    .iter()
                    .rev()
                    .take_while(|b| is_space(**b))
                    .count();
            match to.checked_sub(piece.len()) {
                Some(from) if piece_at(haystack, from, piece).is_some() => begin = from,
                _ => return false,
            }
        }
        true
    }
}

/// The end of `piece` when it is in `haystack` at `start`.
fn piece_at(haystack: &[u8], start: usize, piece: &[u8]) -> Option<usize> {
    let end = start.checked_add(piece.len())?;
    haystack
        .get(start..end)
        .is_some_and(|window| window.eq_ignore_ascii_case(piece))
        .then_some(end)
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// What is being read outside strings.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outside {
    /// Punctuation, a string or the start: the next token may follow directly.
    Between,
    /// A number or literal, still going.
    Word,
    /// Whitespace after a number or literal: another one may not follow (`1 2` is not `12`).
    AfterWord,
}

/// Cuts `text` into pieces, reading it as starting inside a string or not; `None` when that
/// reading is not a run of JSON tokens with some structure outside strings.
fn split(text: &[u8], starts_in_string: bool) -> Option<Vec<Vec<u8>>> {
    let mut pieces: Vec<Vec<u8>> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut in_string = starts_in_string;
    let mut escaped = false;
    let mut outside = Outside::Between;
    let mut structure = false;
    for &byte in text {
        if in_string {
            current.push(byte);
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => {
                    in_string = false;
                    pieces.push(std::mem::take(&mut current));
                }
                _ => {}
            }
            continue;
        }
        let word_byte = byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'+' | b'-');
        if outside == Outside::Word && !word_byte {
            end_word(&mut pieces, &mut current)?;
            outside = Outside::Between;
        }
        match byte {
            _ if is_space(byte) => {
                if current.is_empty() && pieces.last().is_some_and(|p| is_word(p)) {
                    outside = Outside::AfterWord;
                }
            }
            b'"' => {
                current.push(byte);
                in_string = true;
                outside = Outside::Between;
            }
            b'{' | b'}' | b'[' | b']' | b':' | b',' => {
                pieces.push(vec![byte]);
                structure = true;
                outside = Outside::Between;
            }
            _ if word_byte => {
                if outside == Outside::AfterWord {
                    return None;
                }
                current.push(byte);
                outside = Outside::Word;
            }
            _ => return None,
        }
    }
    if in_string {
        // The text ends inside a string: a prefix of it.
        pieces.push(current);
    } else if !current.is_empty() {
        end_word(&mut pieces, &mut current)?;
    }
    pieces.retain(|piece| !piece.is_empty());
    (structure && !pieces.is_empty()).then_some(pieces)
}

/// Ends a number or literal: it must be one.
fn end_word(pieces: &mut Vec<Vec<u8>>, current: &mut Vec<u8>) -> Option<()> {
    let word = std::mem::take(current);
    let literal = matches!(&word[..], b"true" | b"false" | b"null");
    let number = word
        .iter()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'+' | b'-' | b'e'));
    (literal || number).then(|| pieces.push(word))
}

fn is_word(piece: &[u8]) -> bool {
    piece
        .first()
        .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Option<Vec<String>> {
        JsonNeedle::new(text).map(|needle| {
            needle
                .pieces
                .iter()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect()
        })
    }

    #[test]
    fn cuts_json_at_the_places_whitespace_may_go() {
        assert_eq!(
            pieces(r#"status":"failed"#).unwrap(),
            [r#"status""#, ":", r#""failed"#]
        );
        assert_eq!(
            pieces(r#"{"id": 12, "ok":true}"#).unwrap(),
            ["{", r#""id""#, ":", "12", ",", r#""ok""#, ":", "true", "}"]
        );
        assert_eq!(
            pieces(r#""say \"a, b\"": [1]"#).unwrap(),
            [r#""say \"a, b\"""#, ":", "[", "1", "]"]
        );
    }

    #[test]
    fn text_that_is_not_json_tokens_is_left_alone() {
        for text in [
            "failed",
            "two words",
            "me: now",
            "https://example.com/a",
            "1 2,",
            r#"status": failed"#,
            r#""a""b""#,
        ] {
            assert_eq!(pieces(text), None, "{text}");
        }
    }

    #[test]
    fn matches_with_any_whitespace_between_pieces() {
        let needle = JsonNeedle::new(r#"status":"failed"#).unwrap();
        assert!(needle.is_in(br#"{"status":"failed"}"#));
        assert!(needle.is_in(b"{\n  \"Status\" :\r\n\t\"FAILED\"\n}"));
        assert!(!needle.is_in(br#"{"status": "fai led"}"#));
        assert!(!needle.is_in(br#"{"status": x "failed"}"#));
        assert!(!needle.is_in(br#"status""#));
        assert!(!needle.is_in(b""));
    }

    #[test]
    fn the_anchor_may_be_in_any_piece() {
        // `z` is rarest: the pieces before it are matched backwards.
        let needle = JsonNeedle::new(r#"[1, 2, "zed"]"#).unwrap();
        assert_eq!(needle.anchor, (5, 1));
        assert!(needle.is_in(b"x [ 1 ,2,\n\"zed\" ] y"));
        assert!(!needle.is_in(b"x [ 1 ,3,\n\"zed\" ] y"));
        assert!(!needle.is_in(b"\"zed\"]"));
    }
}
