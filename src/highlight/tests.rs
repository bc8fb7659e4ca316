use std::cell::Cell;

use proptest::prelude::*;

use super::*;

const ALL_LANGUAGES: [Language; 4] = [
    Language::Json,
    Language::Xml,
    Language::Html,
    Language::Form,
];

fn run(text: &str, language: Language, theme: Theme) -> Highlighted {
    let highlighted = highlight(text, language, theme, &|| false).expect("highlighted");
    assert_covers(text, &highlighted);
    highlighted
}

/// The runs of every line cover it exactly, on char boundaries, with no two neighbours alike.
fn assert_covers(text: &str, highlighted: &Highlighted) {
    let lines: Vec<&str> = text.split('\n').collect();
    assert_eq!(highlighted.line_count(), lines.len());
    for (index, line) in lines.iter().enumerate() {
        let mut at = 0;
        let mut previous: Option<Style> = None;
        for (range, style) in highlighted.spans(index) {
            assert_eq!(range.start, at, "gap or overlap in line {index}: {line:?}");
            assert!(
                range.end > range.start,
                "empty run in line {index}: {line:?}"
            );
            assert!(
                line.is_char_boundary(range.end),
                "line {index}: {line:?} {range:?}"
            );
            assert_ne!(
                previous,
                Some(style),
                "unmerged runs in line {index}: {line:?}"
            );
            previous = Some(style);
            at = range.end;
        }
        assert_eq!(at, line.len(), "line {index} not covered: {line:?}");
    }
    assert_eq!(highlighted.spans(lines.len()).count(), 0);
}

/// The style of the first occurrence of `needle`, which must be drawn in one style.
fn style_of(text: &str, highlighted: &Highlighted, needle: &str) -> Style {
    for (index, line) in text.split('\n').enumerate() {
        if let Some(start) = line.find(needle) {
            let end = start + needle.len();
            let run = highlighted
                .spans(index)
                .find(|(range, _)| range.start <= start && start < range.end)
                .expect("a run");
            assert!(run.0.end >= end, "{needle:?} is split: {:?}", run.0);
            return run.1;
        }
    }
    panic!("{needle:?} not in the text");
}

const JSON: &str = r#"{
  "id": "evt_1",
  "amount": -1.5e3,
  "count": 42,
  "live": true,
  "gone": false,
  "parent": null,
  "esc": "a\"b\u00e9",
  "tags": [
    "x",
    {},
    []
  ]
}"#;

#[test]
fn json_keys_string_values_numbers_and_literals_differ() {
    for theme in [Theme::Dark, Theme::Light] {
        let out = run(JSON, Language::Json, theme);
        let key = style_of(JSON, &out, "amount");
        let value = style_of(JSON, &out, "evt_1");
        let number = style_of(JSON, &out, "-1.5e3");
        let literal = style_of(JSON, &out, "true");
        let brace = style_of(JSON, &out, "{");
        assert_ne!(key, value, "{theme:?}");
        assert_ne!(key, number, "{theme:?}");
        assert!(number.fg.is_some(), "{theme:?}");
        assert!(literal.fg.is_some(), "{theme:?}");
        assert_eq!(number, style_of(JSON, &out, "42"));
        assert_eq!(literal, style_of(JSON, &out, "null"));
        assert_eq!(
            brace,
            Style::default(),
            "punctuation keeps the terminal colour"
        );
        assert_eq!(key, style_of(JSON, &out, "tags"));
        assert_eq!(value, style_of(JSON, &out, "x"));
        assert_ne!(style_of(JSON, &out, "\\u00e9"), value, "escapes stand out");
    }
}

#[test]
fn themes_differ() {
    let dark = run(JSON, Language::Json, Theme::Dark);
    let light = run(JSON, Language::Json, Theme::Light);
    assert_ne!(dark, light);
    assert_ne!(style_of(JSON, &dark, "id"), style_of(JSON, &light, "id"));
}

#[test]
fn json_outside_the_grammar_still_covers_every_line() {
    let text =
        "{\r\n  \"a\" : tru, // note\r\n  'b': /* one\r\n two */ 1.2.3,\r\n  \"open\r\n}\r\n";
    let out = run(text, Language::Json, Theme::Dark);
    let key = style_of(text, &out, "a");
    assert_eq!(
        key,
        style_of(JSON, &run(JSON, Language::Json, Theme::Dark), "id")
    );
    let comment = style_of(text, &out, "// note");
    assert!(comment.italic || comment.fg.is_some());
    assert_eq!(
        style_of(text, &out, " two */"),
        comment,
        "block comments span lines"
    );
    assert!(
        style_of(text, &out, "tru").underline,
        "invalid words are marked"
    );
}

#[test]
fn lines_split_like_the_tui() {
    for text in ["", "\n", "{}\n", "a\n\nb", "\r\n"] {
        for language in ALL_LANGUAGES {
            run(text, language, Theme::Light);
        }
    }
}

#[test]
fn form_names_values_and_separator() {
    let text = "event = deploy\nmessage = a = b\nempty = \nnote = line one\nline two\n";
    for theme in [Theme::Dark, Theme::Light] {
        let out = run(text, Language::Form, theme);
        let name = style_of(text, &out, "event");
        let value = style_of(text, &out, "deploy");
        assert_ne!(name, value);
        assert_eq!(style_of(text, &out, "message"), name);
        assert_eq!(
            style_of(text, &out, "a = b"),
            value,
            "only the first ` = ` splits"
        );
        assert_eq!(
            style_of(text, &out, "line two"),
            value,
            "a value's second line"
        );
        assert_eq!(style_of(text, &out, "empty"), name);
    }
}

#[test]
fn xml_tags_attributes_and_text() {
    let text = "<?xml version=\"1.0\"?>\n<event id=\"1\">\n  <name>Ship &amp; co</name>\n  <!-- c -->\n</event>";
    let out = run(text, Language::Xml, Theme::Dark);
    let tag = style_of(text, &out, "event");
    let attribute = style_of(text, &out, "id");
    let value = style_of(text, &out, "1.0");
    let comment = style_of(text, &out, "-- c --");
    assert!(tag.fg.is_some());
    assert_ne!(tag, attribute);
    assert_ne!(attribute, value);
    assert_ne!(comment, Style::default());
    assert_eq!(
        style_of(text, &out, "Ship"),
        Style::default(),
        "text keeps the terminal colour"
    );
    assert_ne!(style_of(text, &out, "&amp;"), Style::default());
}

#[test]
fn html_with_embedded_script() {
    let text =
        "<html>\n  <body class=\"x\">\n    <script>var a = \"b\";</script>\n  </body>\n</html>";
    let out = run(text, Language::Html, Theme::Light);
    assert_ne!(style_of(text, &out, "body"), Style::default());
    assert_ne!(style_of(text, &out, "var"), style_of(text, &out, "b\""));
}

#[test]
fn cancelling_returns_none() {
    assert!(highlight(JSON, Language::Json, Theme::Dark, &|| true).is_none());
    let big = JSON.repeat(200);
    for language in ALL_LANGUAGES {
        let asked = Cell::new(0);
        let cancel_on_second_ask = || {
            asked.set(asked.get() + 1);
            asked.get() > 1
        };
        assert!(highlight(&big, language, Theme::Dark, &cancel_on_second_ask).is_none());
        assert_eq!(asked.get(), 2, "{language:?}");
    }
}

#[test]
fn over_the_limits_is_refused() {
    let huge = " ".repeat(MAX_HIGHLIGHT_BYTES + 1);
    assert!(matches!(
        check_size(&huge, Language::Json),
        Err(TooLarge::Text { .. })
    ));
    assert!(highlight(&huge, Language::Json, Theme::Dark, &|| false).is_none());

    let markup = "<a/>\n".repeat(MAX_MARKUP_BYTES / 5 + 1);
    assert!(matches!(
        check_size(&markup, Language::Xml),
        Err(TooLarge::Text { .. })
    ));
    assert!(check_size(&markup, Language::Json).is_ok());

    let long_line = format!("<a>{}</a>", "x".repeat(MAX_MARKUP_LINE_BYTES));
    let refused = check_size(&long_line, Language::Html).unwrap_err();
    assert!(matches!(refused, TooLarge::Line { .. }));
    assert!(refused.to_string().contains("128 KiB"), "{refused}");
    assert!(highlight(&long_line, Language::Html, Theme::Dark, &|| false).is_none());
    assert!(
        check_size(&long_line, Language::Json).is_ok(),
        "JSON lines cost nothing extra"
    );
}

#[test]
fn one_long_json_line_is_quick() {
    let line = format!(
        "[{}1]",
        "{\"k\": \"v\", \"n\": [1, true, null]},".repeat(30_000)
    );
    let started = std::time::Instant::now();
    let out = run(&line, Language::Json, Theme::Dark);
    assert_eq!(out.line_count(), 1);
    // Linear work: a fraction of a second even unoptimised; syntect needed seconds here.
    assert!(started.elapsed().as_secs() < 5);
}

#[test]
fn control_characters_and_multibyte_text() {
    let nasty = "\u{1b}[31m \u{9b}2J \u{202e}evil\u{202c} \u{0} é 😀 \u{7f}";
    let texts = [
        format!("{{\n  \"{nasty}\": \"{nasty}\",\n  {nasty}: \\{nasty}\n}}"),
        format!("\"\\{nasty}\n\"\\"),
        format!("<a b=\"{nasty}\">{nasty}<!-- {nasty} --></a>\n<{nasty}>"),
        format!("{nasty} = {nasty}\r\n{nasty}"),
    ];
    for text in &texts {
        for language in ALL_LANGUAGES {
            run(text, language, Theme::Dark);
        }
    }
}

#[test]
fn language_from_body_format() {
    assert_eq!(Language::for_format(Format::Json), Some(Language::Json));
    assert_eq!(Language::for_format(Format::Form), Some(Language::Form));
    assert_eq!(Language::for_format(Format::Html), Some(Language::Html));
    assert_eq!(Language::for_format(Format::Multipart), None);
    assert_eq!(Language::for_format(Format::Binary), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_text_is_covered(text in "[ -~\n\r\t\u{1b}\u{9b}\u{202e}é😀]{0,120}") {
        for language in ALL_LANGUAGES {
            run(&text, language, Theme::Dark);
        }
    }

    #[test]
    fn json_like_text_is_covered(text in r#"[{}\[\]",:\\/* \n0-9eE.+truefalsn-]{0,120}"#) {
        run(&text, Language::Json, Theme::Light);
    }
}

/// The hand-written JSON highlighter draws every byte as syntect's JSON grammar would with the
/// same theme, except keys where the theme would draw them like string values, and string
/// values where it leaves them in the text colour.
#[test]
fn json_looks_as_syntect_draws_it() {
    for theme in [Theme::Dark, Theme::Light] {
        let mut out = Builder::new(JSON.len());
        markup::highlight(JSON, "JSON", theme, &mut out, &|| false).unwrap();
        let syntect = out.finish();
        let hand = run(JSON, Language::Json, theme);
        let tokens = palette::tokens(theme);
        let (mut overridden, mut recoloured) = (0, 0);
        for (index, line) in JSON.split('\n').enumerate() {
            let expected = byte_styles(&syntect, index, line.len());
            let actual = byte_styles(&hand, index, line.len());
            for (at, (want, got)) in expected.iter().zip(&actual).enumerate() {
                // Strings the theme leaves uncoloured get a colour of their own.
                let coloured_string = want.fg.is_none()
                    && (*got == tokens.get(palette::Token::String)
                        || *got == tokens.get(palette::Token::StringQuote));
                if want != got && coloured_string {
                    recoloured += 1;
                } else if want != got {
                    assert_eq!(
                        *got,
                        tokens.get(palette::Token::Key),
                        "{theme:?} {line:?} at {at}"
                    );
                    assert_eq!(
                        *want,
                        tokens.get(palette::Token::String),
                        "{theme:?} {line:?}"
                    );
                    overridden += 1;
                }
            }
        }
        assert_eq!(overridden > 0, theme == Theme::Dark, "{theme:?}");
        assert_eq!(recoloured > 0, theme == Theme::Light, "{theme:?}");
    }
}

fn byte_styles(highlighted: &Highlighted, line: usize, len: usize) -> Vec<Style> {
    let mut styles = vec![Style::default(); len];
    for (range, style) in highlighted.spans(line) {
        styles[range].fill(style);
    }
    styles
}
