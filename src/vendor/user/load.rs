//! Reading vendor definitions from disk, with every problem named by file, line and what to
//! change. One broken file never stops the others from loading.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::Glob;
use serde_json::Value;
use toml::Spanned;

use super::definition::{Definition, KindRule};
use super::template::unknown_placeholders;
use super::{DetectRules, KindSource, UserVendor};
use crate::validate::UserSchema;
use crate::vendor::Vendor;

/// What is wrong with a definition, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// Every definition in a folder: the ones that loaded, and the problems of the others.
#[derive(Debug, Default)]
pub struct Loaded {
    pub vendors: Vec<UserVendor>,
    pub problems: Vec<Problem>,
}

/// Loads every `*.toml` in `dir`, in file name order. A folder that does not exist holds
/// no vendors; that is not a problem.
pub fn load_dir(dir: &Path) -> Loaded {
    let mut loaded = Loaded::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return loaded,
        Err(error) => {
            loaded.problems.push(Problem {
                file: dir.to_owned(),
                line: None,
                message: format!("cannot read the folder: {error}"),
            });
            return loaded;
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for file in files {
        match load_file(&file) {
            Ok(vendor) => {
                if let Some(first) = loaded.vendors.iter().find(|v| v.id == vendor.id) {
                    loaded.problems.push(Problem {
                        file: file.clone(),
                        line: None,
                        message: format!(
                            "the id `{}` is already defined in {}; ids must be unique",
                            vendor.id,
                            first.source.display()
                        ),
                    });
                } else {
                    loaded.vendors.push(vendor);
                }
            }
            Err(problems) => loaded.problems.extend(problems),
        }
    }
    loaded
}

/// Reads and checks one definition.
pub fn load_file(file: &Path) -> Result<UserVendor, Vec<Problem>> {
    let text = std::fs::read_to_string(file).map_err(|error| {
        vec![Problem {
            file: file.to_owned(),
            line: None,
            message: format!("cannot read it: {error}"),
        }]
    })?;
    let at = |span: Option<Range<usize>>, message: String| Problem {
        file: file.to_owned(),
        line: span.map(|s| line_of(&text, s.start)),
        message,
    };
    let definition: Definition =
        toml::from_str(&text).map_err(|error| vec![at(error.span(), toml_message(&error))])?;
    let mut problems = Vec::new();
    let mut check = |ok: bool, span: Range<usize>, message: String| {
        if !ok {
            problems.push(at(Some(span), message));
        }
    };

    let id = definition.id.get_ref().clone();
    check(
        !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'),
        definition.id.span(),
        format!(
            "`id = \"{id}\"`: use lower-case letters, digits, `-` and `_` (it is typed in `vendor:{id}`)"
        ),
    );
    check(
        !Vendor::ALL.iter().any(|v| v.id() == id),
        definition.id.span(),
        format!("`{id}` is a built-in vendor; give your definition an id of its own"),
    );

    let detect = &definition.detect;
    let mut rules = DetectRules::default();
    let glob = |pattern: &Spanned<String>, what: &str, problems: &mut Vec<Problem>| match Glob::new(
        pattern.get_ref(),
    ) {
        Ok(glob) => Some(glob.compile_matcher()),
        Err(error) => {
            problems.push(at(
                Some(pattern.span()),
                format!(
                    "{what} `{}` is not a valid glob: {}",
                    pattern.get_ref(),
                    glob_reason(&error)
                ),
            ));
            None
        }
    };
    if let Some(path) = &detect.path {
        rules.path = glob(path, "the path glob", &mut problems);
    }
    for (name, pattern) in &detect.header_matches {
        if let Some(matcher) = glob(
            pattern,
            &format!("the glob for header {name}"),
            &mut problems,
        ) {
            rules.header_matches.push((name.clone(), matcher));
        }
    }
    rules.headers = detect.headers.iter().map(|h| h.get_ref().clone()).collect();
    for pointer in &detect.pointers {
        pointer_problem(pointer, &at, &mut problems);
        rules.pointers.push(pointer.get_ref().clone());
    }
    for (pointer, value) in &detect.pointer_equals {
        if !pointer.starts_with('/') {
            problems.push(at(
                Some(value.span()),
                format!("`{pointer}` is not a JSON Pointer: it starts with `/`, like `/type`"),
            ));
        }
        match serde_json::to_value(value.get_ref()) {
            Ok(json) => rules.pointer_equals.push((pointer.clone(), json)),
            Err(error) => problems.push(at(
                Some(value.span()),
                format!("cannot compare with this value: {error}"),
            )),
        }
    }
    if rules.path.is_none()
        && detect.path.is_none()
        && rules.headers.is_empty()
        && detect.header_matches.is_empty()
        && rules.pointers.is_empty()
        && detect.pointer_equals.is_empty()
    {
        problems.push(at(
            None,
            "[detect] has no rule, so it would claim every payload: add a header, path or pointer rule".into(),
        ));
    }

    let kind = definition
        .kind
        .as_ref()
        .and_then(|rule| kind_source(rule, &at, &mut problems));
    if let Some(headline) = &definition.headline {
        for name in unknown_placeholders(headline.get_ref()) {
            problems.push(at(
                Some(headline.span()),
                format!("`{{{name}}}` in the headline is not a placeholder: use {{kind}}, {{/json/pointer}} or {{header:Name}}"),
            ));
        }
    }
    for field in &definition.fields {
        let value = field.value.get_ref();
        if !value.starts_with('/') && !value.contains('{') {
            problems.push(at(
                Some(field.value.span()),
                format!("the field `{}` shows `{value}` as it is: give a JSON Pointer (`/a/b`) or a template with {{/pointers}}", field.label),
            ));
        }
        for name in unknown_placeholders(value) {
            problems.push(at(
                Some(field.value.span()),
                format!("`{{{name}}}` is not a placeholder"),
            ));
        }
    }
    for link in &definition.links {
        pointer_problem(&link.pointer, &at, &mut problems);
    }
    let signature =
        definition
            .signature
            .as_ref()
            .and_then(|table| match table.get_ref().validate() {
                Ok(config) => Some(config),
                Err(error) => {
                    for message in error.problems {
                        problems.push(at(Some(table.span()), format!("[signature]: {message}")));
                    }
                    None
                }
            });

    let mut schema_text = String::new();
    let schema_source = definition.schema.as_ref().and_then(|schema| {
        let path = file
            .parent()
            .unwrap_or(Path::new("."))
            .join(schema.get_ref());
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) => {
                problems.push(at(
                    Some(schema.span()),
                    format!("cannot read the schema {}: {error}", path.display()),
                ));
                return None;
            }
        };
        let source: Value = match serde_json::from_str(&text) {
            Ok(source) => source,
            Err(error) => {
                problems.push(Problem {
                    file: path.clone(),
                    line: Some(error.line()),
                    message: format!("not JSON: {error}"),
                });
                return None;
            }
        };
        if let Err(error) = UserSchema::compile(Vendor::Bitdrift, source.clone()) {
            problems.push(Problem {
                file: path.clone(),
                line: None,
                message: format!("the schema does not compile: {error}"),
            });
            return None;
        }
        schema_text = text;
        Some(source)
    });

    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(UserVendor {
        id,
        name: definition.name.clone(),
        before_built_in: definition.before_built_in,
        source: file.to_owned(),
        detect: rules,
        kind,
        headline: definition.headline.as_ref().map(|h| h.get_ref().clone()),
        fields: definition
            .fields
            .iter()
            .map(|f| (f.label.clone(), f.value.get_ref().clone()))
            .collect(),
        links: definition
            .links
            .iter()
            .map(|l| (l.label.clone(), l.pointer.get_ref().clone()))
            .collect(),
        schema_source,
        schema: None,
        signature,
        fingerprint_text: format!("{text}\0{schema_text}"),
    })
}

fn kind_source(
    rule: &KindRule,
    at: &impl Fn(Option<Range<usize>>, String) -> Problem,
    problems: &mut Vec<Problem>,
) -> Option<KindSource> {
    let detail = rule.detail.as_ref().map(|d| {
        pointer_problem(d, at, problems);
        d.get_ref().clone()
    });
    match (&rule.header, &rule.pointer) {
        (Some(header), None) => Some(KindSource::Header(header.clone(), detail)),
        (None, Some(pointer)) => {
            pointer_problem(pointer, at, problems);
            Some(KindSource::Pointer(pointer.get_ref().clone(), detail))
        }
        (Some(_), Some(pointer)) => {
            problems.push(at(
                Some(pointer.span()),
                "[kind] takes a header or a pointer, not both".into(),
            ));
            None
        }
        (None, None) => {
            problems.push(at(
                None,
                "[kind] needs `header = \"X-Event\"` or `pointer = \"/type\"`".into(),
            ));
            None
        }
    }
}

fn pointer_problem(
    pointer: &Spanned<String>,
    at: &impl Fn(Option<Range<usize>>, String) -> Problem,
    problems: &mut Vec<Problem>,
) {
    if !pointer.get_ref().starts_with('/') {
        problems.push(at(
            Some(pointer.span()),
            format!(
                "`{}` is not a JSON Pointer: it starts with `/`, like `/repository/full_name`",
                pointer.get_ref()
            ),
        ));
    }
}

fn glob_reason(error: &globset::Error) -> String {
    error.kind().to_string()
}

/// toml's message without its own rendering of the file (we name the line ourselves).
fn toml_message(error: &toml::de::Error) -> String {
    let message = error.message().trim_end_matches('\n').replace('\n', " ");
    match message.strip_prefix("unknown field ") {
        Some(rest) => format!("unknown key {rest}"),
        None => message,
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}
