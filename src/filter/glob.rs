//! The patterns of `field:value` terms: `*` is any run of characters (`/` included, so
//! `path:*octopus*` needs no thought about slashes), `?` is exactly one character, everything
//! else stands for itself, ASCII letters in either case. A glob matches the whole value.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    /// ASCII-lowercased, so matching lowercases only the text.
    pattern: String,
    /// No `*` or `?`: a plain comparison will do.
    literal: bool,
}

impl Glob {
    pub fn new(pattern: &str) -> Self {
        Self {
            pattern: pattern.to_ascii_lowercase(),
            literal: !pattern.contains(['*', '?']),
        }
    }

    /// The pattern as matched (lowercased).
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    pub fn matches(&self, text: &str) -> bool {
        if self.literal {
            return text.eq_ignore_ascii_case(&self.pattern);
        }
        let pattern = self.pattern.as_bytes();
        let text = text.as_bytes();
        let (mut p, mut t) = (0, 0);
        // The last `*` seen, and where in the text the run it stands for currently ends.
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match pattern.get(p) {
                Some(b'*') => {
                    star = Some((p, t));
                    p += 1;
                    continue;
                }
                Some(b'?') => {
                    p += 1;
                    t += char_len(text[t]);
                    continue;
                }
                Some(&byte) if byte == text[t].to_ascii_lowercase() => {
                    p += 1;
                    t += 1;
                    continue;
                }
                _ => {}
            }
            // A mismatch: let the last `*` take one more character and try again from there.
            let Some((star_at, run_end)) = star else {
                return false;
            };
            let run_end = run_end + char_len(text[run_end]);
            star = Some((star_at, run_end));
            p = star_at + 1;
            t = run_end;
        }
        pattern[p..].iter().all(|&b| b == b'*')
    }
}

/// The length of the UTF-8 character that starts with `lead`, so `?` and `*` step over whole
/// characters, never into the middle of one.
fn char_len(lead: u8) -> usize {
    match lead {
        0xf0.. => 4,
        0xe0.. => 3,
        0xc0.. => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::Glob;

    fn matches(pattern: &str, text: &str) -> bool {
        Glob::new(pattern).matches(text)
    }

    #[test]
    fn a_glob_without_wildcards_is_the_whole_value_in_any_case() {
        assert!(matches("post", "POST"));
        assert!(matches("/Hooks/A", "/hooks/a"));
        assert!(!matches("post", "POSTS"));
        assert!(!matches("/hooks", "/hooks/a"));
    }

    #[test]
    fn star_is_any_run_including_slashes_and_nothing() {
        assert!(matches("/hooks/*", "/hooks/a/b"));
        assert!(matches("/hooks/*", "/hooks/"));
        assert!(matches("*octopus*", "/in/Octopus/deploy"));
        assert!(matches("*", ""));
        assert!(matches("a*b*c", "aXXbYYbZc"));
        assert!(!matches("a*b*c", "aXXbYYbZ"));
        assert!(matches("**x", "x"));
    }

    #[test]
    fn question_mark_is_one_character_not_one_byte() {
        assert!(matches("p?t", "put"));
        assert!(!matches("p?t", "pt"));
        assert!(matches("caf?", "café"));
        assert!(matches("?", "é"));
        assert!(!matches("??", "é"));
        assert!(matches("*é?", "xxéa"));
    }

    #[test]
    fn backtracking_finds_the_later_match() {
        assert!(matches("*ab", "aab"));
        assert!(matches("*a?c", "abcabc"));
        assert!(matches("Deployment*", "DeploymentSucceeded"));
        assert!(!matches("*deploy", "DeploymentSucceeded"));
    }
}
