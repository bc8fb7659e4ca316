//! Free-text search: a substring search in bytes that ignores ASCII case, without a lowercase
//! copy of the haystack. It looks for the needle's rarest byte (in both cases) with `memchr`,
//! which runs at memory speed, and compares the window around each hit. Text that reads as
//! JSON is searched the same way, but with any whitespace allowed between its tokens
//! (`json_needle`).

use memchr::memmem;

use super::json_needle::JsonNeedle;

#[derive(Debug, Clone)]
pub struct Needle {
    /// The text as typed, ASCII-lowercased.
    text: String,
    /// The position in `text` of the byte searched for first.
    anchor: usize,
    /// For needles with no ASCII letters, case does not matter: an exact search is faster.
    /// Boxed: a finder is a few hundred bytes, most needles have none.
    exact: Option<Box<memmem::Finder<'static>>>,
    /// For text that reads as JSON: how it is found instead, whatever the sender's spacing.
    json: Option<Box<JsonNeedle>>,
}

impl Needle {
    pub fn new(text: &str) -> Self {
        let text = text.to_ascii_lowercase();
        let bytes = text.as_bytes();
        let anchor = (0..bytes.len())
            .min_by_key(|&i| commonness(bytes[i]))
            .unwrap_or(0);
        let exact = (!bytes.iter().any(u8::is_ascii_alphabetic))
            .then(|| Box::new(memmem::Finder::new(bytes).into_owned()));
        let json = JsonNeedle::new(&text).map(Box::new);
        Self {
            text,
            anchor,
            exact,
            json,
        }
    }

    /// The text searched for (ASCII-lowercased).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `haystack` contains the text, ignoring ASCII case. Other bytes compare exactly,
    /// so a haystack that is not UTF-8 is searched all the same. Text that reads as JSON also
    /// matches with other whitespace between its tokens.
    pub fn is_in(&self, haystack: &[u8]) -> bool {
        if let Some(json) = &self.json {
            return json.is_in(haystack);
        }
        let needle = self.text.as_bytes();
        if let Some(exact) = &self.exact {
            return exact.find(haystack).is_some();
        }
        let Some(last_start) = haystack.len().checked_sub(needle.len()) else {
            return false;
        };
        // Position i of `anchors` is the anchor byte of the window that starts at i.
        let anchors = &haystack[self.anchor..=self.anchor + last_start];
        let lower = needle[self.anchor];
        let upper = lower.to_ascii_uppercase();
        let window_matches =
            |start: usize| haystack[start..start + needle.len()].eq_ignore_ascii_case(needle);
        if lower == upper {
            memchr::memchr_iter(lower, anchors).any(window_matches)
        } else {
            memchr::memchr2_iter(lower, upper, anchors).any(window_matches)
        }
    }
}

/// How common a byte is in webhook traffic (JSON, header values, English words); the needle's
/// least common byte gives `memchr` the fewest false starts. Letters count both cases, since
/// both are searched for.
pub(super) fn commonness(byte: u8) -> u32 {
    const LETTERS_BY_FREQUENCY: &[u8] = b"etaoinsrhldcumfpgwybvkxjqz";
    match byte.to_ascii_lowercase() {
        b' ' | b'"' | b',' | b':' => 300,
        letter @ b'a'..=b'z' => {
            let rank = LETTERS_BY_FREQUENCY.iter().position(|&l| l == letter);
            250 - 8 * rank.unwrap_or(0) as u32
        }
        b'0'..=b'9' => 180,
        b'{' | b'}' | b'[' | b']' | b'.' | b'-' | b'_' | b'/' | b'\n' | b'\r' | b'\t' => 150,
        0x80.. => 60,
        _ => 40,
    }
}

#[cfg(test)]
mod tests {
    use super::Needle;

    fn found(needle: &str, haystack: &[u8]) -> bool {
        Needle::new(needle).is_in(haystack)
    }

    #[test]
    fn ignores_ascii_case_on_both_sides() {
        assert!(found(
            "Deployment",
            b"{\"Category\":\"DEPLOYMENTSUCCEEDED\"}"
        ));
        assert!(found("deployment", b"a Deployment"));
        assert!(!found("deployments", b"a Deployment"));
    }

    #[test]
    fn finds_at_the_edges_and_handles_short_haystacks() {
        assert!(found("abc", b"abc"));
        assert!(found("abc", b"xxABC"));
        assert!(found("abc", b"ABCxx"));
        assert!(!found("abc", b"ab"));
        assert!(!found("abc", b""));
        assert!(found("", b""));
    }

    #[test]
    fn checks_every_candidate_around_the_anchor() {
        // "z" is the anchor; the first z's window does not match, the second does.
        assert!(found("quiz", b"xxquaz quiZ"));
        assert!(!found("quiz", b"xxquaz quoz"));
    }

    #[test]
    fn bytes_that_are_not_utf8_do_not_get_in_the_way() {
        assert!(found("ok", b"\xff\xfe OK \xc3"));
        assert!(found("caf\u{e9}", "un CAF\u{e9}".as_bytes()));
        // Only ASCII letters fold: É is not é.
        assert!(!found("caf\u{e9}", "CAF\u{c9}".as_bytes()));
    }

    #[test]
    fn needles_without_letters_search_exactly() {
        assert!(found("404", b"status 404"));
        assert!(found("\"id\":", b"{\"id\": 1}"));
        assert!(!found("405", b"status 404"));
    }
}
