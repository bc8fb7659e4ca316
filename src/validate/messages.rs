//! Turning the schema library's errors into findings: the severity rules of
//! `assets/schemas/README.md` and messages in plain words.

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use super::json::{found, is_integer_literal, is_number_literal, quote_value};
use super::schema::Schema;
use super::{Finding, push_token};

pub(super) fn push_findings(schema: &Schema, error: &ValidationError<'_>, out: &mut Vec<Finding>) {
    let pointer = error.instance_path().as_str();
    let instance = error.instance();
    let rule = keyword_parent(schema, error);
    let vendor = schema.vendor.display_name();
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            out.push(Finding::error(
                push_token(pointer, name),
                format!("`{name}` is missing; {vendor} always sends it"),
            ));
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let documented = documented_names(rule);
            for name in unexpected {
                let mut message = format!("`{name}` is not a documented {vendor} field here");
                if let Some(close) = closest(name, &documented) {
                    message.push(' ');
                    message.push_str(&did_you_mean(close));
                }
                out.push(Finding::warning(push_token(pointer, name), message));
            }
        }
        ValidationErrorKind::Custom { keyword, message } => {
            // An open list accepts new values, but not a known one in another letter case:
            // receivers compare them exactly, so that is a mistake, not news.
            let known = rule
                .filter(|_| keyword == KNOWN_VALUES)
                .and_then(|r| r.get(KNOWN_VALUES));
            match in_another_case(instance, known) {
                Some(documented) => out.push(Finding::error(
                    pointer,
                    format!(
                        "{} is a known {vendor} value in the wrong letter case; values are \
                         compared exactly {}",
                        quote_value(instance),
                        did_you_mean(documented)
                    ),
                )),
                None => out.push(Finding::warning(pointer, message.clone())),
            }
        }
        ValidationErrorKind::Type { kind } => {
            let expected = expected_types(kind);
            if number_sent_as_string(kind, instance) {
                out.push(Finding::warning(
                    pointer,
                    format!(
                        "number sent as a string ({}); {vendor} documents {expected} here",
                        quote_value(instance)
                    ),
                ));
            } else {
                out.push(Finding::error(
                    pointer,
                    format!("expected {expected}; found {}", found(instance)),
                ));
            }
        }
        ValidationErrorKind::Enum { options } => {
            let allowed: Vec<String> = options
                .as_array()
                .map(|values| values.iter().map(quote_value).collect())
                .unwrap_or_default();
            let mut message = format!(
                "expected one of {}; found {}",
                allowed.join(", "),
                found(instance)
            );
            if let Some(documented) = in_another_case(instance, Some(options)) {
                message.push_str("; values are compared exactly ");
                message.push_str(&did_you_mean(documented));
            }
            out.push(Finding::error(pointer, message));
        }
        ValidationErrorKind::Format { format } => {
            out.push(Finding::error(
                pointer,
                format!(
                    "expected {}; found {}",
                    format_phrase(format),
                    found(instance)
                ),
            ));
        }
        ValidationErrorKind::Pattern { .. } | ValidationErrorKind::AnyOf { .. } => {
            let expected = rule
                .and_then(|r| r.get("x-expected"))
                .and_then(Value::as_str)
                .unwrap_or("a value of the documented form");
            let mut message = format!("expected {expected}; found {}", found(instance));
            // The pattern of an open set fails first for a known value in the wrong case.
            if let Some(documented) =
                in_another_case(instance, rule.and_then(|r| r.get(KNOWN_VALUES)))
            {
                message.push_str("; values are compared exactly ");
                message.push_str(&did_you_mean(documented));
            }
            out.push(Finding::error(pointer, message));
        }
        ValidationErrorKind::Minimum { limit } => out.push(Finding::error(
            pointer,
            format!("must be at least {limit}; found {}", found(instance)),
        )),
        ValidationErrorKind::Maximum { limit } => out.push(Finding::error(
            pointer,
            format!("must be at most {limit}; found {}", found(instance)),
        )),
        ValidationErrorKind::MaxItems { limit } => out.push(Finding::error(
            pointer,
            format!(
                "at most {limit} items are documented; found {}",
                found(instance)
            ),
        )),
        _ => out.push(Finding::error(pointer, error.to_string())),
    }
}

/// hookscope's keyword for the known values of an open set (see `schema.rs`).
const KNOWN_VALUES: &str = "x-known-values";

/// The documented string in `values` (an array) that `instance` equals but for letter case.
fn in_another_case<'v>(instance: &Value, values: Option<&'v Value>) -> Option<&'v str> {
    let text = instance.as_str()?;
    let lower = text.to_lowercase();
    values?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .find(|documented| *documented != text && documented.to_lowercase() == lower)
}

/// `(did you mean `Drift`?)`, the form the unknown-field messages use too.
pub fn did_you_mean(documented: &str) -> String {
    format!("(did you mean `{documented}`?)")
}

/// The schema object that holds the failing keyword, found from the error's absolute
/// keyword location (`urn:…#/$defs/TimeSpan/pattern` → `/$defs/TimeSpan`).
fn keyword_parent<'s>(schema: &'s Schema, error: &ValidationError<'_>) -> Option<&'s Value> {
    let location = error.absolute_keyword_location()?.as_str().to_owned();
    let fragment = location.split_once('#')?.1;
    let fragment = fragment.replace("%24", "$");
    let parent = &fragment[..fragment.rfind('/')?];
    schema.source.pointer(parent)
}

fn documented_names(rule: Option<&Value>) -> Vec<&str> {
    rule.and_then(|r| r.get("properties"))
        .and_then(Value::as_object)
        .map(|properties| properties.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// A documented name the unknown one is probably a misspelling of: the same name in another
/// case, or one or two edits away.
pub fn closest<'a>(name: &str, documented: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    documented
        .iter()
        .map(|candidate| {
            (
                candidate,
                strsim::levenshtein(&lower, &candidate.to_lowercase()),
            )
        })
        .filter(|(candidate, distance)| {
            (*distance <= 2 && *distance < name.len() / 2)
                || extends(&lower, &candidate.to_lowercase())
        })
        .min_by_key(|(_, distance)| *distance)
        .map(|(candidate, _)| *candidate)
}

/// `databaseName` for `database`: a documented name with a word added or dropped.
fn extends(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    short.len() >= 4 && (long.starts_with(short) || long.ends_with(short))
}

fn type_names(kind: &TypeKind) -> Vec<String> {
    match kind {
        TypeKind::Single(t) => vec![t.to_string()],
        TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
    }
}

fn expected_types(kind: &TypeKind) -> String {
    let phrases: Vec<&str> = type_names(kind)
        .iter()
        .map(|t| match t.as_str() {
            "integer" => "a whole number",
            "number" => "a number",
            "string" => "a string",
            "boolean" => "a boolean (true or false)",
            "object" => "an object",
            "array" => "an array",
            "null" => "null",
            _ => "a value of another type",
        })
        .collect();
    phrases.join(" or ")
}

/// The one type mismatch that is only a warning: a number the schema documents, sent as a
/// string holding a JSON number literal (`"17"`).
fn number_sent_as_string(kind: &TypeKind, instance: &Value) -> bool {
    let Value::String(text) = instance else {
        return false;
    };
    let names = type_names(kind);
    (names.iter().any(|t| t == "integer") && is_integer_literal(text))
        || (names.iter().any(|t| t == "number") && is_number_literal(text))
}

fn format_phrase(format: &str) -> &'static str {
    match format {
        "date-time" => "an RFC 3339 date-time such as 2026-10-22T10:09:12Z",
        "uri" => "an absolute URL such as https://example.com/path",
        "uuid" => "a GUID such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301",
        "email" => "an email address",
        _ => "a value in the documented format",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{Severity, validate};
    use crate::vendor::Vendor;

    /// A bundled valid sample with one field replaced, and what validating it finds there.
    fn findings_at(vendor: Vendor, name: &str, pointer: &str, value: Value) -> Vec<Finding> {
        let sample = crate::samples::for_vendor(vendor)
            .find(|s| s.name == name)
            .unwrap();
        let mut payload: Value = serde_json::from_slice(sample.body).unwrap();
        *payload.pointer_mut(pointer).unwrap() = value;
        let headers = sample.capture_headers();
        validate(vendor, &payload, Some(&headers))
            .into_iter()
            .filter(|f| f.pointer == pointer)
            .collect()
    }

    #[test]
    fn a_known_value_of_an_open_set_in_another_case_is_an_error() {
        let findings = findings_at(
            Vendor::Firefly,
            "Drift",
            "/notificationType",
            "drift".into(),
        );
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].severity, Severity::Error);
        assert_eq!(
            findings[0].message,
            "\"drift\" is a known Firefly value in the wrong letter case; values are compared \
             exactly (did you mean `Drift`?)"
        );
        // Octopus categories are PascalCase: one passes the pattern, one fails it first.
        let pointer = "/Payload/Event/Category";
        for wrong in ["DeploymentFAILED", "deploymentFailed"] {
            let octopus = findings_at(Vendor::Octopus, "DeploymentFailed", pointer, wrong.into());
            assert_eq!(octopus.len(), 1, "{octopus:?}");
            assert_eq!(octopus[0].severity, Severity::Error);
            let message = &octopus[0].message;
            assert!(
                message.ends_with("compared exactly (did you mean `DeploymentFailed`?)"),
                "{message}"
            );
        }
    }

    #[test]
    fn a_new_value_of_an_open_set_stays_a_warning() {
        let findings = findings_at(
            Vendor::Firefly,
            "Drift",
            "/notificationType",
            "PolicyViolation".into(),
        );
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].severity, Severity::Warning);
        assert!(
            !findings[0].message.contains("did you mean"),
            "{findings:?}"
        );
        let exact = findings_at(
            Vendor::Firefly,
            "Drift",
            "/notificationType",
            "Drift".into(),
        );
        assert_eq!(exact, []);
    }

    #[test]
    fn a_closed_set_value_in_another_case_suggests_the_documented_one() {
        let findings = findings_at(Vendor::Firefly, "Drift", "/providerType", "AWS".into());
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].severity, Severity::Error);
        assert_eq!(
            findings[0].message,
            "expected one of \"aws\", \"gcp\", \"azurerm\", \"\"; found a string (\"AWS\"); \
             values are compared exactly (did you mean `aws`?)"
        );
        let other = findings_at(Vendor::Firefly, "Drift", "/providerType", "azure".into());
        assert!(!other[0].message.contains("did you mean"), "{other:?}");
    }

    #[test]
    fn suggests_close_documented_names() {
        let documented = ["database", "application", "stackKeyId"];
        assert_eq!(closest("databaseName", &documented), Some("database"));
        assert_eq!(closest("app", &documented), None);
        assert_eq!(closest("databse", &documented), Some("database"));
        assert_eq!(closest("StackKeyID", &documented), Some("stackKeyId"));
        assert_eq!(closest("zzz", &documented), None);
    }
}
