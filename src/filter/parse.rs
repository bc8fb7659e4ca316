//! Reading what was typed at the `/` prompt into a [`Filter`]. Lenient where typing is still
//! under way (an unclosed quote runs to the end), strict where a mistake would silently match
//! nothing (an unknown field, a vendor that does not exist), with errors in plain words the
//! prompt can show as they happen.

use super::glob::Glob;
use super::needle::Needle;
use super::{Field, Filter, Term, Test};
use crate::vendor::Vendor;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error(
        "unknown filter field \"{0}\"; use vendor:, kind:, method:, path: or valid: \
         (put text in quotes to search for it as it is)"
    )]
    UnknownField(String),
    #[error("{}: needs a value, e.g. {}", .0.name(), .0.example())]
    MissingValue(Field),
    #[error("valid: takes yes or no, not \"{0}\"")]
    NotYesOrNo(String),
    #[error(
        "no vendor matches \"{0}\"; use {known} or none (payloads of no known vendor)",
        known = known_vendors()
    )]
    UnknownVendor(String),
    #[error("a \"-\" must be followed by what to leave out, e.g. -method:get")]
    LoneMinus,
}

/// Parses a filter: whitespace-separated terms that must all match. See the module
/// documentation of [`crate::filter`] for the syntax. Blank input is the empty filter.
pub fn parse(input: &str) -> Result<Filter, FilterError> {
    let mut terms = Vec::new();
    let mut rest = input.trim_start();
    while !rest.is_empty() {
        let (term, after) = read_term(rest)?;
        terms.extend(term);
        rest = after.trim_start();
    }
    Ok(Filter { terms })
}

/// Reads one term from the start of `input` (which starts with no whitespace); `None` for an
/// empty phrase, which asks for nothing.
fn read_term(input: &str) -> Result<(Option<Term>, &str), FilterError> {
    let (negated, input) = match input.strip_prefix('-') {
        Some(after) if after.is_empty() || after.starts_with(char::is_whitespace) => {
            return Err(FilterError::LoneMinus);
        }
        Some(after) => (true, after),
        None => (false, input),
    };
    let term = |test| Some(Term { negated, test });
    if let Some(after) = input.strip_prefix('"') {
        let (phrase, rest) = read_quoted(after);
        let test = (!phrase.is_empty()).then(|| Test::Text(Needle::new(&phrase)));
        return Ok((test.and_then(term), rest));
    }
    let end = input.find(char::is_whitespace).unwrap_or(input.len());
    let (word, rest) = input.split_at(end);
    match classify(word) {
        Bare::Text => Ok((term(Test::Text(Needle::new(word))), rest)),
        Bare::Field(field, value) if value.starts_with('"') => {
            // `kind:"two words"`: the value runs to its closing quote, past whitespace.
            let (value, rest) = read_quoted(&input[field.name().len() + 2..]);
            Ok((term(field_test(field, &value)?), rest))
        }
        Bare::Field(field, value) => Ok((term(field_test(field, value)?), rest)),
        Bare::UnknownField(name) => Err(FilterError::UnknownField(name.to_owned())),
    }
}

/// What a word without quotes stands for.
enum Bare<'a> {
    Text,
    Field(Field, &'a str),
    UnknownField(&'a str),
}

/// `name:value` is a field term when `name` is a word of letters. An unknown name is an error
/// only when the value looks like a word too (`vendr:octopus` is a typo to point out), so
/// `localhost:8080` and `https://…` stay searchable without quotes.
fn classify(word: &str) -> Bare<'_> {
    let Some((name, value)) = word.split_once(':') else {
        return Bare::Text;
    };
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Bare::Text;
    }
    if let Some(field) = Field::from_name(name) {
        return Bare::Field(field, value);
    }
    if value.starts_with(|c: char| c.is_alphabetic() || matches!(c, '*' | '?' | '"')) {
        Bare::UnknownField(name)
    } else {
        Bare::Text
    }
}

/// Whether `text` reads back as the same free text when written without quotes.
pub(super) fn reads_as_bare_text(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with(['"', '-'])
        && !text.contains(char::is_whitespace)
        && matches!(classify(text), Bare::Text)
}

/// Reads a quoted phrase whose opening quote is already consumed. It ends at a quote followed
/// by whitespace or the end, so JSON like `"status":"failed"` can be typed as it is; `\"` and
/// `\\` stand for a quote and a backslash. An unclosed phrase runs to the end of the input.
fn read_quoted(input: &str) -> (String, &str) {
    let mut phrase = String::new();
    let mut chars = input.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some((_, '"' | '\\'))) => {
                phrase.extend(chars.next().map(|(_, escaped)| escaped));
            }
            '"' if chars.peek().is_none_or(|(_, next)| next.is_whitespace()) => {
                return (phrase, &input[at + 1..]);
            }
            _ => phrase.push(c),
        }
    }
    (phrase, "")
}

fn field_test(field: Field, value: &str) -> Result<Test, FilterError> {
    if value.is_empty() {
        return Err(FilterError::MissingValue(field));
    }
    Ok(match field {
        Field::Method => Test::Method(Glob::new(value)),
        Field::Path => Test::Path(Glob::new(value)),
        Field::Kind => Test::Kind(Glob::new(value)),
        Field::Vendor => {
            let glob = Glob::new(value);
            let vendors = vendors_matching(&glob);
            if vendors.is_empty() {
                return Err(FilterError::UnknownVendor(value.to_owned()));
            }
            Test::Vendor { glob, vendors }
        }
        Field::Valid => match value.to_ascii_lowercase().as_str() {
            "yes" | "true" => Test::Valid(true),
            "no" | "false" => Test::Valid(false),
            _ => return Err(FilterError::NotYesOrNo(value.to_owned())),
        },
    })
}

/// The vendors whose id or name the glob matches (`octopus`, `Octopus Deploy`,
/// `octopusdeploy`); `None` stands for payloads of no known vendor, named `none`.
fn vendors_matching(glob: &Glob) -> Vec<Option<Vendor>> {
    let known = Vendor::known().into_iter().filter(|vendor| {
        let name = vendor.display_name();
        glob.matches(vendor.id()) || glob.matches(name) || glob.matches(&name.replace(' ', ""))
    });
    known
        .map(Some)
        .chain(glob.matches("none").then_some(None))
        .collect()
}

fn known_vendors() -> String {
    Vendor::known()
        .into_iter()
        .map(Vendor::id)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalised(input: &str) -> String {
        parse(input)
            .unwrap_or_else(|e| panic!("{input:?}: {e}"))
            .to_string()
    }

    fn error(input: &str) -> String {
        parse(input).unwrap_err().to_string()
    }

    #[test]
    fn blank_input_is_the_empty_filter() {
        for input in ["", "   ", "\t \n", "\"\"", "-\"\""] {
            let filter = parse(input).unwrap();
            assert!(filter.is_empty(), "{input:?}");
            assert_eq!(filter.to_string(), "");
        }
    }

    #[test]
    fn terms_are_split_on_whitespace_and_lowercased() {
        assert_eq!(normalised("  Ping   PONG "), "ping pong");
        assert_eq!(
            normalised("Method:POST Vendor:Octopus KIND:Deployment* path:/Hooks/?"),
            "method:post vendor:octopus kind:deployment* path:/hooks/?"
        );
    }

    #[test]
    fn quotes_make_one_phrase_and_keep_field_syntax_as_text() {
        assert_eq!(normalised("\"hello   world\" x"), "\"hello   world\" x");
        assert_eq!(normalised("\"vendor:octopus\""), "\"vendor:octopus\"");
        assert_eq!(
            normalised("kind:\"Deployment Succeeded\""),
            "kind:\"deployment succeeded\""
        );
        // While typing: an unclosed quote runs to the end.
        assert_eq!(normalised("\"half typed"), "\"half typed\"");
    }

    #[test]
    fn json_can_be_typed_as_it_is() {
        // A quote ends a phrase only before whitespace, so inner quotes are kept.
        assert_eq!(normalised("\"status\":\"failed\""), "status\":\"failed");
        let filter = parse("\"status\":\"failed\"").unwrap();
        let Test::Text(needle) = &filter.terms[0].test else {
            panic!("not text: {filter}");
        };
        assert_eq!(needle.as_str(), "status\":\"failed");
        assert_eq!(normalised("{\"id\":"), "{\"id\":");
        assert_eq!(
            normalised("\"say \\\"hi\\\" \\\\o/\""),
            "\"say \\\"hi\\\" \\\\o/\""
        );
    }

    #[test]
    fn a_minus_negates_any_term() {
        assert_eq!(
            normalised("-method:get -ping -\"two words\" -valid:yes"),
            "-method:get -ping -\"two words\" -valid:yes"
        );
        assert!(parse("-ping").unwrap().terms[0].negated);
        assert!(!parse("a-b").unwrap().terms[0].negated);
        assert_eq!(normalised("--x"), "-\"-x\"");
    }

    #[test]
    fn a_minus_alone_is_an_error() {
        assert_eq!(
            error("ping -"),
            "a \"-\" must be followed by what to leave out, e.g. -method:get"
        );
        assert_eq!(error("- ping"), error("ping -"));
    }

    #[test]
    fn valid_takes_yes_no_true_false() {
        assert_eq!(
            normalised("valid:no valid:FALSE valid:Yes valid:true"),
            "valid:no valid:no valid:yes valid:yes"
        );
        assert_eq!(
            error("valid:maybe"),
            "valid: takes yes or no, not \"maybe\""
        );
    }

    #[test]
    fn a_field_without_a_value_says_what_it_wants() {
        assert_eq!(
            error("vendor:"),
            "vendor: needs a value, e.g. vendor:octopus"
        );
        assert_eq!(
            error("method: x"),
            "method: needs a value, e.g. method:post"
        );
        assert_eq!(
            error("kind:\"\""),
            "kind: needs a value, e.g. kind:deployment*"
        );
    }

    #[test]
    fn an_unknown_field_is_an_error_unless_it_reads_as_text() {
        assert_eq!(
            error("vendr:octopus"),
            "unknown filter field \"vendr\"; use vendor:, kind:, method:, path: or valid: \
             (put text in quotes to search for it as it is)"
        );
        assert!(error("foo:*").starts_with("unknown filter field \"foo\""));
        assert!(parse("foo:\"x y\"").is_err());
        assert_eq!(normalised("localhost:8080"), "localhost:8080");
        assert_eq!(normalised("https://example.com/a"), "https://example.com/a");
        assert_eq!(normalised("content-type:json"), "content-type:json");
        assert_eq!(normalised("Bearer:"), "bearer:");
        assert_eq!(normalised("\"foo:bar\""), "\"foo:bar\"");
    }

    #[test]
    fn vendor_accepts_id_name_globs_and_none() {
        let vendors = |input: &str| match &parse(input).unwrap().terms[0].test {
            Test::Vendor { vendors, .. } => vendors.clone(),
            _ => panic!("not a vendor term"),
        };
        assert_eq!(vendors("vendor:octopus"), [Some(Vendor::Octopus)]);
        assert_eq!(
            vendors("vendor:\"Octopus Deploy\""),
            [Some(Vendor::Octopus)]
        );
        assert_eq!(vendors("vendor:OctopusDeploy"), [Some(Vendor::Octopus)]);
        assert_eq!(vendors("vendor:BugSplat"), [Some(Vendor::Bugsplat)]);
        assert_eq!(
            vendors("vendor:b*"),
            [Some(Vendor::Bitdrift), Some(Vendor::Bugsplat)]
        );
        assert_eq!(vendors("vendor:none"), [None]);
        assert_eq!(vendors("vendor:*").len(), Vendor::ALL.len() + 1);
        assert_eq!(
            error("vendor:octo"),
            "no vendor matches \"octo\"; use bitdrift, octopus, bugsplat, firefly or none \
             (payloads of no known vendor)"
        );
    }

    #[test]
    fn what_needs_reading_follows_from_the_terms() {
        let filter = parse("method:post path:/x").unwrap();
        assert!(!filter.needs_content() && !filter.needs_verdict());
        let filter = parse("-vendor:none").unwrap();
        assert!(!filter.needs_content() && filter.needs_verdict());
        let filter = parse("kind:x ping").unwrap();
        assert!(filter.needs_content() && filter.needs_verdict());
        assert!(parse("valid:no").unwrap().needs_verdict());
    }

    proptest::proptest! {
        /// The normalised form reads back as the same filter.
        #[test]
        fn the_normalised_form_parses_to_itself(input in "[-a-zA-Z:\" \\\\*?/é]{0,24}") {
            if let Ok(filter) = parse(&input) {
                let once = filter.to_string();
                let again = parse(&once).map(|f| f.to_string());
                proptest::prop_assert_eq!(again, Ok(once));
            }
        }
    }
}
