//! Text from a request made safe to draw: every control character, escape sequence and
//! bidi override is shown as a visible escape, never sent to the terminal.

use std::borrow::Cow;

use crate::escape::visible_line;

/// For one-line fields: paths, header names and values, messages.
pub fn line(text: &str) -> Cow<'_, str> {
    visible_line(text.as_bytes())
}

/// For a line of a body: tabs become spaces (a tab's width is up to the terminal, which
/// would misalign the pane), everything else as `line`.
pub fn body_line(text: &str) -> Cow<'_, str> {
    if text.contains('\t') {
        Cow::Owned(line(&text.replace('\t', "    ")).into_owned())
    } else {
        line(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_a_terminal_acts_on_survives() {
        let hostile = "a\u{1b}[31mred\u{7}\u{9b}2J\u{202e}x\u{85}\r";
        let shown = line(hostile);
        assert!(
            !shown.chars().any(crate::escape::is_hidden_control),
            "{shown}"
        );
        assert!(shown.contains("\\x1b[31m"));
        assert_eq!(body_line("\tx"), "    x");
    }
}
