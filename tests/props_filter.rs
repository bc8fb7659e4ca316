//! The filter language of the `/` prompt: anything typed parses or gives an error, never a
//! panic; the printed (normalised) form is a fixed point and means the same filter; globs and
//! free text match exactly what simple reference matchers say they match.

use hookscope::capture::Header;
use hookscope::filter::{Candidate, Filter, parse};
use hookscope::vendor::Vendor;
use proptest::prelude::*;

/// Characters that exercise the syntax: quotes, escapes, minus, colon, wildcards, Unicode
/// whitespace (which separates terms too), letters whose case folds only outside ASCII.
fn syntax_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        1 => proptest::char::range('A', 'Z'),
        3 => prop_oneof![
            Just('"'), Just('\\'), Just('-'), Just(':'), Just('*'), Just('?'), Just(' '),
            Just('/'), Just('{'), Just('}'), Just('['), Just(','), Just('é'), Just('É'),
            Just('\t'), Just('\u{a0}'), Just('\u{2028}'), Just('\u{3000}'), Just('ſ'),
            Just('K'), Just('\u{1b}'), Just('0'),
        ],
        1 => any::<char>(),
    ]
}

fn typed() -> impl Strategy<Value = String> {
    proptest::collection::vec(syntax_char(), 0..48).prop_map(|chars| chars.into_iter().collect())
}

/// Filter text built from terms, so most of it parses: words, phrases, fields, negations.
fn filter_text() -> impl Strategy<Value = String> {
    let word = "[a-zA-Z0-9/._é*?:\"\\\\-]{1,8}";
    let phrase = "[a-zA-Z é\"\\\\:{}]{0,10}".prop_map(|inner| {
        let escaped: String = inner
            .chars()
            .flat_map(|c| match c {
                '"' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        format!("\"{escaped}\"")
    });
    let field = (
        prop_oneof![
            Just("method"),
            Just("path"),
            Just("kind"),
            Just("vendor"),
            Just("valid"),
            Just("Method"),
            Just("KIND")
        ],
        prop_oneof![
            "[a-zA-Z/*?é]{1,8}".boxed(),
            Just("yes".to_owned()).boxed(),
            Just("No".to_owned()).boxed(),
            Just("octopus".to_owned()).boxed(),
            Just("b*".to_owned()).boxed(),
            Just("none".to_owned()).boxed(),
            Just("*".to_owned()).boxed(),
            Just("\"Octopus Deploy\"".to_owned()).boxed(),
            "\"[a-z *]{1,8}\"".boxed(),
        ],
    )
        .prop_map(|(name, value)| format!("{name}:{value}"));
    let term = (
        any::<bool>(),
        prop_oneof![3 => word.boxed(), 2 => phrase.boxed(), 3 => field.boxed()],
    )
        .prop_map(|(negated, term)| if negated { format!("-{term}") } else { term });
    (
        proptest::collection::vec(term, 0..5),
        prop_oneof![Just(" "), Just("  "), Just("\t"), Just("\u{3000}")],
    )
        .prop_map(|(terms, gap)| terms.join(gap))
}

/// A capture as a filter sees it, owning its parts.
#[derive(Debug, Clone)]
struct Subject {
    method: String,
    path: String,
    query: Option<String>,
    vendor: Option<Vendor>,
    kind: Option<String>,
    errors: u32,
    headers: Vec<Header>,
    body: Vec<u8>,
}

impl Subject {
    /// A `POST /`-like capture with nothing but this method and body.
    fn plain(method: String, body: Vec<u8>) -> Self {
        Self {
            method,
            path: "/".into(),
            query: None,
            vendor: None,
            kind: None,
            errors: 0,
            headers: Vec::new(),
            body,
        }
    }

    fn candidate(&self) -> Candidate<'_> {
        Candidate {
            method: &self.method,
            path: &self.path,
            query: self.query.as_deref(),
            vendor: self.vendor,
            kind: self.kind.as_deref(),
            errors: self.errors,
            warnings: 0,
            headers: &self.headers,
            body: &self.body,
        }
    }
}

fn subject() -> impl Strategy<Value = Subject> {
    let small = "[a-zA-Z/é*?:\" {}]{0,10}";
    (
        prop_oneof![Just("POST"), Just("get"), Just("PuT"), Just("é")],
        "/[a-zA-Z/é]{0,8}",
        proptest::option::of(small),
        prop_oneof![
            Just(None),
            proptest::sample::select(Vendor::ALL.to_vec()).prop_map(Some)
        ],
        proptest::option::of(prop_oneof![
            Just("DeploymentSucceeded".to_owned()).boxed(),
            Just("two words".to_owned()).boxed(),
            "[a-zA-Z ]{0,8}".boxed(),
        ]),
        0..3u32,
        proptest::collection::vec(("[a-zA-Z-]{1,6}", small), 0..3),
        small,
    )
        .prop_map(
            |(method, path, query, vendor, kind, errors, headers, body)| Subject {
                method: method.to_owned(),
                path,
                query,
                vendor,
                kind,
                errors,
                headers: headers
                    .into_iter()
                    .map(|(n, v)| Header::new(n, v.into_bytes()))
                    .collect(),
                body: body.into_bytes(),
            },
        )
}

/// A glob by the book, on characters: `*` any run, `?` one character, ASCII case ignored.
fn reference_glob(pattern: &[char], text: &[char]) -> bool {
    match (pattern.first(), text.first()) {
        (None, _) => text.is_empty(),
        (Some('*'), _) => {
            reference_glob(&pattern[1..], text)
                || (!text.is_empty() && reference_glob(pattern, &text[1..]))
        }
        (Some(_), None) => false,
        (Some('?'), Some(_)) => reference_glob(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) => {
            p.eq_ignore_ascii_case(t) && reference_glob(&pattern[1..], &text[1..])
        }
    }
}

fn contains_ignoring_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
}

fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn check_printed_form(filter: &Filter) -> Result<Filter, TestCaseError> {
    let printed = filter.to_string();
    let again = parse(&printed)
        .map_err(|e| TestCaseError::fail(format!("{printed:?} does not parse: {e}")))?;
    prop_assert_eq!(again.to_string(), printed);
    prop_assert_eq!(again.needs_content(), filter.needs_content());
    prop_assert_eq!(again.needs_verdict(), filter.needs_verdict());
    prop_assert_eq!(again.is_empty(), filter.is_empty());
    Ok(again)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    /// Whatever is typed: a filter whose printed form parses to itself, or an error in words.
    #[test]
    fn anything_typed_parses_or_is_an_error(input in typed()) {
        match parse(&input) {
            Ok(filter) => {
                check_printed_form(&filter)?;
            }
            Err(error) => prop_assert!(!error.to_string().is_empty()),
        }
    }

    #[test]
    fn arbitrary_unicode_parses_or_is_an_error(input in proptest::collection::vec(any::<char>(), 0..64)) {
        let input: String = input.into_iter().collect();
        if let Ok(filter) = parse(&input) {
            check_printed_form(&filter)?;
        }
    }

    /// The printed form is not only the same text when read again: it is the same filter,
    /// matching exactly the same captures.
    #[test]
    fn the_printed_form_matches_what_the_typed_form_matches(
        text in filter_text(),
        subjects in proptest::collection::vec(subject(), 1..6),
    ) {
        let Ok(filter) = parse(&text) else { return Ok(()) };
        let again = check_printed_form(&filter)?;
        for subject in &subjects {
            let candidate = subject.candidate();
            prop_assert_eq!(
                filter.matches(&candidate),
                again.matches(&candidate),
                "{:?} printed as {:?} on {:?}", text, filter.to_string(), subject
            );
            prop_assert_eq!(
                filter.matches(&candidate),
                filter.matches_fields(&candidate) && filter.matches_content(&candidate)
            );
        }
    }

    /// `method:GLOB` matches exactly what a by-the-book glob matcher says.
    #[test]
    fn globs_match_what_the_reference_matcher_matches(
        pattern in "[a-cA-C*?é/]{1,8}",
        text in "[a-cA-Cé/]{0,10}",
    ) {
        let filter = parse(&format!("method:{pattern}")).unwrap();
        let subject = Subject::plain(text.clone(), Vec::new());
        let pattern_chars: Vec<char> = pattern.chars().collect();
        let text_chars: Vec<char> = text.chars().collect();
        prop_assert_eq!(
            filter.matches(&subject.candidate()),
            reference_glob(&pattern_chars, &text_chars),
            "{:?} against {:?}", pattern, text
        );
    }

    /// Free text that is not JSON-like matches when, and only when, some field holds it,
    /// ASCII case ignored and nothing else folded.
    #[test]
    fn free_text_matches_exactly_where_it_occurs(
        needle in "[a-dA-Dé É/.-]{1,5}",
        subject in subject(),
        planted in proptest::option::of(0..3usize),
    ) {
        prop_assume!(!needle.trim().is_empty());
        let mut subject = subject;
        match planted {
            Some(0) => subject.body.extend_from_slice(needle.to_ascii_uppercase().as_bytes()),
            Some(1) => subject.headers.push(Header::new("X-Planted", needle.clone().into_bytes())),
            Some(_) => subject.path.push_str(&needle),
            None => {}
        }
        let filter = parse(&quoted(&needle)).unwrap();
        let lower = needle.to_ascii_lowercase();
        let wanted = lower.as_bytes();
        let expected = contains_ignoring_ascii_case(subject.path.as_bytes(), wanted)
            || subject.query.as_deref().is_some_and(|q| contains_ignoring_ascii_case(q.as_bytes(), wanted))
            || subject.headers.iter().any(|h| {
                contains_ignoring_ascii_case(h.name.as_bytes(), wanted)
                    || contains_ignoring_ascii_case(&h.value, wanted)
            })
            || contains_ignoring_ascii_case(&subject.body, wanted);
        prop_assert_eq!(filter.matches(&subject.candidate()), expected);
        if planted.is_some() {
            prop_assert!(expected);
        }
    }

    /// JSON typed as a phrase finds the same JSON however the sender spaced it.
    #[test]
    fn json_text_finds_the_same_json_pretty_printed(value in json_value()) {
        let compact = serde_json::to_string(&value).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let filter = parse(&quoted(&compact)).unwrap();
        let subject = Subject::plain("POST".into(), pretty.into_bytes());
        prop_assert!(filter.matches(&subject.candidate()), "{} not found in its pretty form", compact);
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        "[a-zA-Z :,{}\\[\\]\"é]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec(("[a-zA-Z\" ]{0,5}", inner), 0..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}
