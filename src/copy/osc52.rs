//! OSC 52: the escape sequence that asks the terminal itself to put text on its clipboard.
//! It travels with the terminal's output, so it works over SSH where no system clipboard
//! can be reached.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

const ESC: char = '\x1b';
const BEL: char = '\x07';

/// Many terminals drop an OSC 52 sequence whose payload is larger than about this many
/// bytes of base64 (xterm, tmux and others cap it near 100 KB).
pub const TERMINAL_LIMIT: usize = 100_000;

/// `ESC ] 52 ; c ; BASE64 BEL`, the form every terminal that knows OSC 52 reads.
///
/// Inside tmux the sequence is wrapped in a DCS passthrough (`ESC P tmux; ... ESC \`, every
/// ESC inside doubled) so tmux hands it to the outer terminal. tmux only does that with
/// `set -g allow-passthrough on` (or, for its own handling, `set -g set-clipboard on`).
pub fn sequence(text: &[u8], tmux: bool) -> String {
    let plain = format!("{ESC}]52;c;{}{BEL}", STANDARD.encode(text));
    if !tmux {
        return plain;
    }
    let doubled = plain.replace(ESC, "\x1b\x1b");
    format!("{ESC}Ptmux;{doubled}{ESC}\\")
}

/// How many bytes of base64 `len` bytes of text become.
pub fn encoded_len(len: usize) -> usize {
    len.div_ceil(3).saturating_mul(4)
}

/// Whether the terminal may drop a sequence carrying `len` bytes of text.
pub fn may_be_too_large(len: usize) -> bool {
    encoded_len(len) > TERMINAL_LIMIT
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(sequence: &str) -> Vec<u8> {
        let inner = sequence
            .strip_prefix("\x1b]52;c;")
            .and_then(|s| s.strip_suffix('\x07'))
            .expect("an OSC 52 sequence");
        STANDARD.decode(inner).expect("base64")
    }

    #[test]
    fn the_sequence_decodes_back_to_the_text_and_ends_with_bel() {
        let text = "curl --request POST 'http://h/x' ünïcödé\n\x1b[31m";
        let sequence = sequence(text.as_bytes(), false);
        assert!(sequence.starts_with("\x1b]52;c;"));
        assert!(sequence.ends_with('\x07'));
        assert_eq!(payload(&sequence), text.as_bytes());
        assert_eq!(payload(&super::sequence(b"", false)), b"");
    }

    #[test]
    fn the_payload_holds_no_escape_or_bel_whatever_the_text() {
        let every_byte: Vec<u8> = (0..=255).collect();
        let sequence = sequence(&every_byte, false);
        assert_eq!(sequence.matches('\x1b').count(), 1);
        assert_eq!(sequence.matches('\x07').count(), 1);
        assert_eq!(payload(&sequence), every_byte);
    }

    #[test]
    fn inside_tmux_it_is_wrapped_with_every_escape_doubled() {
        let wrapped = sequence(b"hello", true);
        assert!(wrapped.starts_with("\x1bPtmux;\x1b\x1b]52;c;"));
        assert!(wrapped.ends_with("\x07\x1b\\"));
        let inner = wrapped
            .strip_prefix("\x1bPtmux;")
            .and_then(|s| s.strip_suffix("\x1b\\"))
            .unwrap();
        assert!(!inner.replace("\x1b\x1b", "").contains('\x1b'));
        assert_eq!(payload(&inner.replace("\x1b\x1b", "\x1b")), b"hello");
    }

    #[test]
    fn sizes_past_the_terminal_limit_are_flagged() {
        assert_eq!(encoded_len(0), 0);
        assert_eq!(encoded_len(1), 4);
        assert_eq!(encoded_len(3), 4);
        assert_eq!(encoded_len(4), 8);
        assert!(!may_be_too_large(75_000));
        assert!(may_be_too_large(75_001));
        assert_eq!(sequence(&[0; 75_000], false).len(), 7 + TERMINAL_LIMIT + 1);
    }
}
