//! The escaping everything a sender controls goes through on its way to a terminal
//! (`escape::visible_line`, `visible_text`, `json_line`): nothing a terminal acts on is left,
//! text without controls is untouched, and JSON lines still decode to the same values.

use hookscope::escape::{is_hidden_control, json_line, visible_line, visible_text};
use proptest::prelude::*;
use serde_json::Value;

/// Bytes rich in what terminals act on: C0, ESC sequences, DEL, C1 (as UTF-8), bidi controls,
/// CR LF pairs, and bytes that are not UTF-8.
fn hostile_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        3 => "[ -~]{0,6}".prop_map(String::into_bytes),
        1 => Just(b"\x1b]0;title\x07".to_vec()),
        1 => Just(b"\x1b[2J".to_vec()),
        1 => Just(b"\r\n".to_vec()),
        1 => Just(b"\r".to_vec()),
        1 => Just(b"\n\t".to_vec()),
        1 => Just(b"\x7f\x00".to_vec()),
        1 => Just("\u{9b}31m\u{85}".as_bytes().to_vec()),
        1 => Just("\u{202e}\u{2066}\u{200f}\u{61c}".as_bytes().to_vec()),
        1 => Just("é🚀".as_bytes().to_vec()),
        1 => Just(vec![0xff, 0xc3, 0x28, 0xe2, 0x82]),
        1 => proptest::collection::vec(any::<u8>(), 0..8),
    ];
    proptest::collection::vec(piece, 0..20).prop_map(|pieces| pieces.concat())
}

/// How the documentation says one character of a one-line field is shown.
fn shown_in_a_line(c: char) -> String {
    match c {
        '\n' => "\\n".into(),
        '\r' => "\\r".into(),
        '\t' => "\\t".into(),
        c if is_hidden_control(c) && (c as u32) < 0x80 => format!("\\x{:02x}", c as u32),
        c if is_hidden_control(c) => format!("\\u{{{:x}}}", c as u32),
        c => c.to_string(),
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let text = proptest::collection::vec(
        prop_oneof![
            any::<char>(),
            Just('\u{1b}'),
            Just('\u{9b}'),
            Just('\u{202e}'),
            Just('\u{7f}')
        ],
        0..8,
    )
    .prop_map(|chars| chars.into_iter().collect::<String>());
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<i64>().prop_map(Value::from),
        text.clone().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((text.clone(), inner), 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    /// A one-line field: no control of any kind is left, newlines and tabs included; each
    /// character is shown as documented; text without controls comes back as it was.
    #[test]
    fn a_line_keeps_no_control(bytes in hostile_bytes()) {
        let shown = visible_line(&bytes);
        prop_assert!(!shown.chars().any(is_hidden_control), "{:?}", shown);
        let mut expected = String::new();
        for chunk in bytes.utf8_chunks() {
            expected.extend(chunk.valid().chars().map(shown_in_a_line));
            for byte in chunk.invalid() {
                expected.push_str(&format!("\\x{byte:02x}"));
            }
        }
        prop_assert_eq!(shown.as_ref(), expected.as_str());
    }

    /// Text over several lines: only newlines and tabs are left as they are.
    #[test]
    fn a_text_keeps_only_newlines_and_tabs(bytes in hostile_bytes()) {
        let shown = visible_text(&bytes);
        prop_assert!(!shown.chars().any(|c| is_hidden_control(c) && c != '\n' && c != '\t'), "{:?}", shown);
        // Line breaks stay line breaks: one per LF sent (a CR before it is dropped).
        prop_assert_eq!(shown.matches('\n').count(), bytes.iter().filter(|&&b| b == b'\n').count());
    }

    #[test]
    fn text_without_controls_is_shown_as_it_is(text in "\\PC{0,40}") {
        prop_assume!(!text.chars().any(is_hidden_control));
        let (line, multiline) = (visible_line(text.as_bytes()), visible_text(text.as_bytes()));
        prop_assert_eq!(line.as_ref(), text.as_str());
        prop_assert_eq!(multiline.as_ref(), text.as_str());
    }

    /// A JSON line holds no control, not even the C1 and bidi ones JSON allows raw, and reads
    /// back as the same value.
    #[test]
    fn json_lines_hold_no_control_and_read_back(value in json_value()) {
        let line = json_line(&value);
        prop_assert!(!line.chars().any(is_hidden_control), "{:?}", line);
        let back: Value = serde_json::from_str(&line).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, value);
    }
}
