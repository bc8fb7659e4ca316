//! The TOML file a user writes to teach hookscope a vendor, as read from disk: every key
//! known (a typo is an error naming the key), with spans kept where a later check needs to
//! say which line is wrong.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// Lower-case, as typed in `vendor:github`.
    pub id: Spanned<String>,
    /// As people write it: `GitHub`.
    pub name: String,
    /// Ask this definition before the built-in vendors (default: after them).
    #[serde(default)]
    pub before_built_in: bool,
    /// A JSON Schema (draft 2020-12) file, relative to this file.
    pub schema: Option<Spanned<String>>,
    pub detect: Detect,
    pub kind: Option<KindRule>,
    /// `{kind} · {/repository/full_name}`: the list's one line.
    pub headline: Option<Spanned<String>>,
    #[serde(default, rename = "field")]
    pub fields: Vec<FieldRule>,
    #[serde(default, rename = "link")]
    pub links: Vec<LinkRule>,
    pub signature: Option<Spanned<crate::signature::SignatureTable>>,
}

/// All of these must hold for a payload to be this vendor's.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detect {
    /// A glob over the request path: `/webhooks/github*`.
    pub path: Option<Spanned<String>>,
    /// Headers that must be present.
    #[serde(default)]
    pub headers: Vec<Spanned<String>>,
    /// Header name to a glob its value must match: `"User-Agent" = "GitHub-Hookshot/*"`.
    #[serde(default)]
    pub header_matches: BTreeMap<String, Spanned<String>>,
    /// JSON Pointers that must be present in the body.
    #[serde(default)]
    pub pointers: Vec<Spanned<String>>,
    /// JSON Pointer to the value it must hold: `"/object" = "event"`.
    #[serde(default)]
    pub pointer_equals: BTreeMap<String, Spanned<toml::Value>>,
}

/// Where the event kind comes from: a header or a JSON Pointer, optionally followed by a
/// second pointer (`issues` and `/action` make `issues.opened`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindRule {
    pub header: Option<String>,
    pub pointer: Option<Spanned<String>>,
    /// Appended after a `.` when present: `/action`.
    pub detail: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldRule {
    pub label: String,
    /// A JSON Pointer, or a template such as `{/sender/login} ({/sender/type})`.
    pub value: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkRule {
    pub label: String,
    /// A JSON Pointer to a URL in the payload.
    pub pointer: Spanned<String>,
}
