//! Fields of a capture that a request on the wire can never fill with control characters.
//! hookscope stores them as received, so a control character in one of them came from a
//! file made or changed by hand; importing it would hand it to every terminal that shows the
//! capture, and to the request line of every replay.

use crate::escape::{is_hidden_control, visible_line};

/// The most of a rejected value a message quotes: enough to find it, not a screenful.
const QUOTED_CHARS: usize = 60;

/// Peer, method and version are a socket address and two tokens: no control of any kind.
pub fn no_controls(field: &str, value: &str) -> Result<(), String> {
    reject_first(field, value, is_hidden_control)
}

/// A request target may carry UTF-8, C1 and bidi codes included (they are escaped when
/// shown), but never an ASCII control: the wire refuses them, and in a replay's request line
/// CR LF would start a header of the file's choosing.
pub fn no_ascii_controls(field: &str, value: &str) -> Result<(), String> {
    reject_first(field, value, |c| c.is_ascii_control())
}

fn reject_first(field: &str, value: &str, forbidden: impl Fn(char) -> bool) -> Result<(), String> {
    let Some((position, c)) = value.chars().enumerate().find(|&(_, c)| forbidden(c)) else {
        return Ok(());
    };
    Err(format!(
        "{field} {} holds the control character {} (character {}), which a capture never \
         holds there",
        quoted(value),
        visible_line(c.encode_utf8(&mut [0; 4]).as_bytes()),
        position + 1
    ))
}

/// `"value"` with its controls escaped, cut to [`QUOTED_CHARS`].
fn quoted(value: &str) -> String {
    let shown = visible_line(value.as_bytes());
    let mut chars = shown.chars();
    let mut cut: String = chars.by_ref().take(QUOTED_CHARS).collect();
    if chars.next().is_some() {
        cut.push('…');
    }
    format!("\"{cut}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_pass() {
        assert_eq!(no_controls("peer", "10.0.0.1:5"), Ok(()));
        assert_eq!(no_ascii_controls("uri", "/caf\u{e9}/\u{202e}"), Ok(()));
    }

    #[test]
    fn a_control_is_named_with_its_field_and_position_and_shown_escaped() {
        let error = no_controls("peer", "1.2.3.4:5\u{1b}]0;x\u{7}").unwrap_err();
        assert_eq!(
            error,
            "peer \"1.2.3.4:5\\x1b]0;x\\x07\" holds the control character \\x1b (character 10), \
             which a capture never holds there"
        );
        for hidden in ['\u{9b}', '\u{202e}', '\t'] {
            let value = format!("HTTP/1.1{hidden}");
            assert!(no_controls("version", &value).is_err(), "{hidden:?}");
        }
    }

    #[test]
    fn a_request_target_refuses_only_ascii_controls() {
        let error = no_ascii_controls("uri", "/x HTTP/1.1\r\nEvil: 1").unwrap_err();
        assert!(error.contains("\\r (character 12)"), "{error}");
        assert!(no_ascii_controls("uri", "/\u{7f}").is_err());
    }

    #[test]
    fn a_long_value_is_quoted_in_part() {
        let error = no_controls("method", &format!("{}\u{1b}", "A".repeat(200))).unwrap_err();
        assert!(
            error.contains(&format!("\"{}…\"", "A".repeat(60))),
            "{error}"
        );
        assert!(error.contains("(character 201)"), "{error}");
    }
}
