//! Headline and field templates: `{kind} · {/repository/full_name}`. A `{/pointer}` is
//! replaced by the value there, `{kind}` by the event kind, `{header:Name}` by a header's
//! value; anything else is kept as written.

use serde_json::Value;

use crate::capture::Header;

/// What a template may refer to.
pub struct Context<'a> {
    pub value: &'a Value,
    pub kind: &'a str,
    pub headers: &'a [Header],
}

/// Fills `template` in. A pointer to nothing shows as `?`, so a missing field is visible.
pub fn render(template: &str, context: &Context<'_>) -> String {
    fill(template, context).0
}

/// A Summary field's value: `None` when the template refers to something and none of it is
/// in this payload, so the field is left out as a missing pointer field is.
pub fn render_field(template: &str, context: &Context<'_>) -> Option<String> {
    let (text, found, missing) = fill(template, context);
    (found > 0 || missing == 0).then_some(text)
}

/// The filled-in text, and how many placeholders were found and missing.
fn fill(template: &str, context: &Context<'_>) -> (String, usize, usize) {
    let (mut found, mut missing) = (0, 0);
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return (out, found, missing);
        };
        let name = &after[..close];
        match placeholder(name, context) {
            Some(Some(text)) => {
                found += 1;
                out.push_str(&text);
            }
            Some(None) => {
                missing += 1;
                out.push('?');
            }
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    (out, found, missing)
}

/// `None`: not a placeholder (kept as written); `Some(None)`: one that is not in this
/// payload.
fn placeholder(name: &str, context: &Context<'_>) -> Option<Option<String>> {
    if name == "kind" {
        return Some(Some(context.kind.to_owned()));
    }
    if let Some(header) = name.strip_prefix("header:") {
        return Some(
            context
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(header.trim()))
                .map(|h| String::from_utf8_lossy(&h.value).into_owned()),
        );
    }
    name.starts_with('/')
        .then(|| pointer_text(context.value, name))
}

/// The value at `pointer` as text: strings as they are, other scalars as JSON, objects and
/// arrays not at all (a headline has no room for them).
pub fn pointer_text(value: &Value, pointer: &str) -> Option<String> {
    match value.pointer(pointer)? {
        Value::String(text) => Some(text.clone()),
        Value::Null => None,
        Value::Array(_) | Value::Object(_) => None,
        scalar => Some(scalar.to_string()),
    }
}

/// The placeholders in `template` that are not understood, for `vendors check`.
pub fn unknown_placeholders(template: &str) -> Vec<String> {
    let mut unknown = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            break;
        };
        let name = &after[..close];
        if name != "kind" && !name.starts_with('/') && !name.starts_with("header:") {
            unknown.push(name.to_owned());
        }
        rest = &after[close + 1..];
    }
    unknown
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fills_pointers_kind_and_headers() {
        let value = json!({"repository": {"full_name": "acme/shop", "id": 7}, "n": null});
        let headers = [Header::new("X-GitHub-Delivery", "abc-123")];
        let context = Context {
            value: &value,
            kind: "push",
            headers: &headers,
        };
        assert_eq!(
            render(
                "{kind} · {/repository/full_name} #{/repository/id}",
                &context
            ),
            "push · acme/shop #7"
        );
        assert_eq!(render("{header:x-github-delivery}", &context), "abc-123");
        assert_eq!(render("{/missing} {/n}", &context), "? ?");
        assert_eq!(render("{other} {unclosed", &context), "{other} {unclosed");
        assert_eq!(unknown_placeholders("{kind} {other} {/a}"), ["other"]);
    }

    #[test]
    fn a_field_with_nothing_of_this_payload_is_left_out() {
        let value = json!({"sender": {"login": "octocat"}});
        let context = Context {
            value: &value,
            kind: "push",
            headers: &[],
        };
        assert_eq!(render_field("{header:X-GitHub-Delivery}", &context), None);
        assert_eq!(render_field("{/a} {/b}", &context), None);
        assert_eq!(
            render_field("{/sender/login} ({/sender/type})", &context).as_deref(),
            Some("octocat (?)")
        );
        assert_eq!(render_field("fixed", &context).as_deref(), Some("fixed"));
    }
}
