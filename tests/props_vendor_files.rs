//! Vendor definition files (`vendor::user::load_file`): any text is loaded or reported with
//! the file and a line it has, never a panic; a definition built with known mistakes is
//! refused with a problem at each mistake's line, one without loads; and a vendor that loads
//! handles any payload.

use std::path::Path;

use hookscope::capture::Header;
use hookscope::vendor::Request;
use hookscope::vendor::user::{Problem, UserVendor, load_file};
use proptest::prelude::*;
use serde_json::Value;

fn load(dir: &Path, text: &str) -> Result<UserVendor, Vec<Problem>> {
    let file = dir.join("vendor.toml");
    std::fs::write(&file, text).unwrap();
    let result = load_file(&file);
    if let Err(problems) = &result {
        for problem in problems {
            // The definition, or the schema beside it.
            assert!(problem.file.starts_with(dir), "{problem}");
        }
    }
    result
}

fn check_problems(text: &str, problems: &[Problem]) -> Result<(), TestCaseError> {
    prop_assert!(!problems.is_empty());
    let lines = text.split('\n').count();
    for problem in problems {
        prop_assert!(!problem.message.trim().is_empty());
        if let Some(line) = problem.line {
            prop_assert!(
                (1..=lines).contains(&line),
                "line {} of {}: {}",
                line,
                lines,
                problem
            );
        }
    }
    Ok(())
}

/// A TOML string literal.
fn lit(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// One part of a definition: its lines, and the mistakes in them, each with the line (from 1,
/// within these lines) its problem must name, or `None` when the problem names none.
#[derive(Debug, Clone, Default)]
struct Part {
    lines: Vec<String>,
    mistakes: Vec<Option<usize>>,
    /// A mistake that stops the file from being read at all (a TOML or type error).
    unreadable: bool,
}

impl Part {
    fn good(lines: &[String]) -> Self {
        Part {
            lines: lines.to_vec(),
            ..Part::default()
        }
    }

    fn bad(lines: &[String], at: Option<usize>) -> Self {
        Part {
            lines: lines.to_vec(),
            mistakes: vec![at],
            unreadable: false,
        }
    }
}

fn choose(good: Vec<BoxedStrategy<Part>>, bad: Vec<BoxedStrategy<Part>>) -> BoxedStrategy<Part> {
    let good = proptest::strategy::Union::new(good);
    let bad = proptest::strategy::Union::new(bad);
    prop_oneof![4 => good, 1 => bad].boxed()
}

fn id() -> BoxedStrategy<Part> {
    choose(
        vec![
            "u-[a-z0-9_-]{0,8}"
                .prop_map(|id| Part::good(&[format!("id = {}", lit(&id))]))
                .boxed(),
        ],
        vec![
            prop_oneof![
                Just("Acme"),
                Just(""),
                Just("a b"),
                Just("café"),
                Just("octopus"),
                Just("bitdrift")
            ]
            .prop_map(|id| Part::bad(&[format!("id = {}", lit(id))], Some(1)))
            .boxed(),
        ],
    )
}

fn top() -> BoxedStrategy<Part> {
    let name = "\\PC{0,12}".prop_map(|name| format!("name = {}", lit(&name)));
    let headline = prop_oneof![
        Just(None),
        Just(Some(("{kind} · {/order/id} {header:X-E}", false))),
        Just(Some(("plain {unclosed", false))),
        Just(Some(("{kind} {nope}", true))),
        Just(Some(("{} x", true))),
    ];
    let unknown = prop_oneof![6 => Just(false), 1 => Just(true)];
    (name, any::<Option<bool>>(), headline, unknown)
        .prop_map(|(name, before, headline, unknown)| {
            let mut part = Part::good(&[name]);
            if let Some(before) = before {
                part.lines.push(format!("before_built_in = {before}"));
            }
            if let Some((template, bad)) = headline {
                part.lines.push(format!("headline = {}", lit(template)));
                if bad {
                    part.mistakes.push(Some(part.lines.len()));
                }
            }
            if unknown {
                part.lines.push("hedline = 1".into());
                part.mistakes.push(Some(part.lines.len()));
                part.unreadable = true;
            }
            part
        })
        .boxed()
}

fn glob(
    good: &'static [&'static str],
    bad: &'static [&'static str],
) -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        4 => proptest::sample::select(good).prop_map(|g| (g.to_owned(), false)),
        1 => proptest::sample::select(bad).prop_map(|g| (g.to_owned(), true)),
    ]
}

fn pointer() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        4 => "(/[a-z~01]{1,5}){1,3}".prop_map(|p| (p, false)),
        1 => "[a-z]{1,5}".prop_map(|p| (p, true)),
    ]
}

fn detect() -> BoxedStrategy<Part> {
    (
        proptest::option::of(glob(
            &["/hooks/shop*", "/x/**", "/a?c"],
            &["/hooks/[shop", "/{a,b", "/a\\"],
        )),
        proptest::collection::vec("X-[A-Za-z]{1,6}", 0..3),
        proptest::option::of(glob(&["GitHub-Hookshot/*", "*"], &["[", "{x"])),
        proptest::collection::vec(pointer(), 0..3),
        proptest::option::of((
            pointer(),
            prop_oneof![
                Just("\"event\"".to_owned()),
                Just("2".to_owned()),
                Just("true".to_owned()),
                Just("[1, \"a\"]".to_owned())
            ],
        )),
    )
        .prop_map(|(path, headers, user_agent, pointers, equals)| {
            let mut part = Part::good(&["[detect]".to_owned()]);
            let mut rules = 0;
            if let Some((glob, bad)) = path {
                part.lines.push(format!("path = {}", lit(&glob)));
                rules += 1;
                if bad {
                    part.mistakes.push(Some(part.lines.len()));
                }
            }
            if !headers.is_empty() {
                let list: Vec<String> = headers.iter().map(|h| lit(h)).collect();
                part.lines.push(format!("headers = [{}]", list.join(", ")));
                rules += 1;
            }
            if !pointers.is_empty() {
                let list: Vec<String> = pointers.iter().map(|(p, _)| lit(p)).collect();
                part.lines.push(format!("pointers = [{}]", list.join(", ")));
                rules += 1;
                for (_, bad) in &pointers {
                    if *bad {
                        part.mistakes.push(Some(part.lines.len()));
                    }
                }
            }
            if let Some((glob, bad)) = user_agent {
                part.lines.push("[detect.header_matches]".into());
                part.lines.push(format!("\"User-Agent\" = {}", lit(&glob)));
                rules += 1;
                if bad {
                    part.mistakes.push(Some(part.lines.len()));
                }
            }
            if let Some(((pointer, bad), value)) = equals {
                part.lines.push("[detect.pointer_equals]".into());
                part.lines.push(format!("{} = {value}", lit(&pointer)));
                rules += 1;
                if bad {
                    part.mistakes.push(Some(part.lines.len()));
                }
            }
            if rules == 0 {
                part.mistakes.push(None);
            }
            part
        })
        .boxed()
}

fn kind() -> BoxedStrategy<Part> {
    let source = prop_oneof![
        Just((None, None)),
        Just((Some("X-Event"), None)),
        pointer().prop_map(|p| (None, Some(p))),
        pointer().prop_map(|p| (Some("X-Event"), Some(p))),
    ];
    (proptest::option::of((source, proptest::option::of(pointer()))))
        .prop_map(|kind| {
            let Some(((header, pointer), detail)) = kind else {
                return Part::default();
            };
            let mut part = Part::good(&["[kind]".to_owned()]);
            if let Some(header) = header {
                part.lines.push(format!("header = {}", lit(header)));
            }
            if let Some((pointer, bad)) = &pointer {
                part.lines.push(format!("pointer = {}", lit(pointer)));
                if *bad || header.is_some() {
                    part.mistakes.push(Some(part.lines.len()));
                }
            }
            if header.is_none() && pointer.is_none() {
                part.mistakes.push(None);
            }
            if let Some((detail, bad)) = detail {
                part.lines.push(format!("detail = {}", lit(&detail)));
                if bad {
                    part.mistakes.push(Some(part.lines.len()));
                }
            }
            part
        })
        .boxed()
}

fn fields_and_links() -> BoxedStrategy<Part> {
    let field = prop_oneof![
        4 => prop_oneof![Just("/order/id"), Just("{/a} and {/b}"), Just("{header:X-E} {kind}"), Just("x {unclosed")]
            .prop_map(|v| (v, false)),
        1 => prop_oneof![Just("plain text"), Just("{nope}")].prop_map(|v| (v, true)),
    ];
    (
        proptest::collection::vec(("\\PC{0,8}", field), 0..3),
        proptest::collection::vec(("\\PC{0,8}", pointer()), 0..2),
        prop_oneof![
            6 => Just(None),
            2 => Just(Some(("scheme = \"hmac-sha256\"\nheader = \"X-Sig\"\nsecret_env = \"PROPS_SECRET\"", false, false))),
            1 => Just(Some(("scheme = \"stripe\"\nheader = \"X-Sig\"", true, false))),
            1 => Just(Some(("scheme = \"hmac-sha256\"\nheader = \"X Sig\"", true, false))),
            1 => Just(Some(("scheme = \"md5\"", true, true))),
        ],
    )
        .prop_map(|(fields, links, signature)| {
            let mut part = Part::default();
            for (label, (value, bad)) in fields {
                part.lines.push("[[field]]".into());
                part.lines.push(format!("label = {}", lit(&label)));
                part.lines.push(format!("value = {}", lit(value)));
                if bad {
                    part.mistakes.push(Some(part.lines.len()));
                }
            }
            for (label, (pointer, bad)) in links {
                part.lines.push("[[link]]".into());
                part.lines.push(format!("label = {}", lit(&label)));
                part.lines.push(format!("pointer = {}", lit(&pointer)));
                if bad {
                    part.mistakes.push(Some(part.lines.len()));
                }
            }
            if let Some((table, bad, unreadable)) = signature {
                part.lines.push("[signature]".into());
                part.lines.extend(table.lines().map(str::to_owned));
                if bad {
                    // Named at the table, wherever its span starts.
                    part.mistakes.push(None);
                    part.unreadable |= unreadable;
                }
            }
            part
        })
        .boxed()
}

fn definition() -> impl Strategy<Value = Part> {
    (id(), top(), detect(), kind(), fields_and_links()).prop_map(|(id, top, detect, kind, rest)| {
        let mut whole = Part::default();
        // Top-level keys first: a table header would take them in.
        for part in [id, top, detect, kind, rest] {
            let offset = whole.lines.len();
            whole
                .mistakes
                .extend(part.mistakes.iter().map(|at| at.map(|line| line + offset)));
            whole.unreadable |= part.unreadable;
            whole.lines.extend(part.lines);
        }
        whole
    })
}

fn tomlish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("id = \"u-x\"\n".to_owned()),
        Just("name = \"X\"\n".to_owned()),
        Just("[detect]\n".to_owned()),
        Just("headers = [\"X-A\"]\n".to_owned()),
        Just("[kind]\n".to_owned()),
        Just("pointer = ".to_owned()),
        Just("[[field]]\n".to_owned()),
        Just("[signature]\n".to_owned()),
        Just("schema = \"missing.json\"\n".to_owned()),
        Just("schema = \"vendor.toml\"\n".to_owned()),
        Just("\"".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("=".to_owned()),
        Just("\n".to_owned()),
        Just("é".to_owned()),
        Just("ᾶ = 1\n".to_owned()),
        "[ -~]{0,5}",
        "\\PC{0,3}",
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|p| p.concat())
}

fn payload() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            proptest::collection::vec(
                (
                    prop_oneof![
                        Just("order".to_owned()),
                        Just("id".to_owned()),
                        Just("a".to_owned()),
                        Just("event".to_owned()),
                        "[a-z~/]{1,4}"
                    ],
                    inner
                ),
                0..4,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_definition_text_loads_or_is_reported(text in tomlish()) {
        let dir = tempfile::tempdir().unwrap();
        if let Err(problems) = load(dir.path(), &text) {
            check_problems(&text, &problems)?;
        }
    }

    /// A definition with no mistake loads; one with mistakes is refused, with a problem at
    /// the line of each mistake that has one (all at once, unless the file cannot be read).
    #[test]
    fn a_definition_loads_unless_it_has_a_mistake_each_reported_at_its_line(
        definition in definition(),
        payloads in proptest::collection::vec((payload(), proptest::option::of("\\PC{0,6}"), prop_oneof![Just("/hooks/shop/1"), Just("/abc")]), 1..4),
    ) {
        let text = definition.lines.join("\n") + "\n";
        let dir = tempfile::tempdir().unwrap();
        match load(dir.path(), &text) {
            Ok(vendor) => {
                prop_assert!(definition.mistakes.is_empty(), "loaded with mistakes {:?}:\n{}", definition.mistakes, text);
                for (value, event, path) in &payloads {
                    let headers: Vec<Header> = event.iter().map(|e| Header::new("X-Event", e.as_bytes())).collect();
                    let request = Request { headers: &headers, path: Some(path) };
                    vendor.matches(value, request);
                    let kind = vendor.kind(value, request);
                    prop_assert!(!kind.is_empty());
                    let decoded = vendor.decode(value, request);
                    prop_assert_eq!(&decoded.kind, &kind);
                }
            }
            Err(problems) => {
                prop_assert!(!definition.mistakes.is_empty(), "refused without a mistake: {:?}\n{}", problems, text);
                check_problems(&text, &problems)?;
                if !definition.unreadable {
                    for line in definition.mistakes.iter().flatten() {
                        prop_assert!(
                            problems.iter().any(|p| p.line == Some(*line)),
                            "no problem at line {}: {:?}\n{}", line, problems, text
                        );
                    }
                }
            }
        }
    }
}
