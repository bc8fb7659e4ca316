//! Filtering captures: the query language of the `/` prompt. Pure: what to read from the
//! store is the caller's business ([`crate::store::Database::scan_matches`] does it).
//!
//! | Term               | Matches a capture when                                                 |
//! |--------------------|------------------------------------------------------------------------|
//! | `word`             | its path, query, a header name or value, or its body contains the text |
//! | `"two words"`      | the same, for text with spaces (`\"` is a quote, `\\` a backslash)     |
//! | `method:post`      | its method matches the glob                                            |
//! | `path:/hooks/*`    | its path (without the query) matches the glob                          |
//! | `vendor:octopus`   | its payload is that vendor's (id or name); `vendor:none`: no vendor's  |
//! | `kind:deployment*` | its vendor event kind matches the glob                                 |
//! | `valid:no`         | a vendor payload with at least one error (`valid:yes`: with none)      |
//! | `-term`            | the term does not match                                                |
//!
//! Terms are separated by whitespace and must all match. Case is ignored for ASCII letters
//! everywhere. Globs match the whole value: `*` is any run of characters, `/` included, and
//! `?` one character. Bodies are searched after undoing their content coding (gzip, br, zstd,
//! deflate), byte for byte, so a body that is not UTF-8 is searched all the same. A quoted
//! phrase ends at a quote followed by whitespace, so `"status":"failed"` finds that JSON; text
//! that reads as JSON matches whatever whitespace the sender put between tokens, so it also
//! finds `{"status": "failed"}`.
//!
//! `valid:` also takes `true` and `false`. `vendor:` matches ids (`octopus`) and names
//! (`"Octopus Deploy"`, `octopusdeploy`); a vendor that does not exist is an error, and
//! `vendor:*` matches `none` too. `name:value` with an unknown name is an error when the value
//! starts like a word (`vendr:octopus`), and plain text otherwise (`localhost:8080`,
//! `https://…`); quotes always make text.

mod glob;
mod json_needle;
mod needle;
mod parse;
#[cfg(test)]
mod tests;

use std::fmt;

use glob::Glob;
use needle::Needle;
pub use parse::{FilterError, parse};

use crate::capture::{Capture, Header};
use crate::vendor::Vendor;

/// A parsed filter; the default (empty) one matches everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// In the order typed, for [`fmt::Display`].
    terms: Vec<Term>,
}

#[derive(Debug, Clone)]
struct Term {
    negated: bool,
    test: Test,
}

#[derive(Debug, Clone)]
enum Test {
    Text(Needle),
    Method(Glob),
    Path(Glob),
    Kind(Glob),
    /// `vendors` are the ones the glob names, resolved once when parsing; `None` is "no vendor".
    Vendor {
        glob: Glob,
        vendors: Vec<Option<Vendor>>,
    },
    Valid(bool),
}

/// The fields of `field:value` terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Vendor,
    Kind,
    Method,
    Path,
    Valid,
}

impl Field {
    const ALL: [Field; 5] = [
        Field::Vendor,
        Field::Kind,
        Field::Method,
        Field::Path,
        Field::Valid,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Vendor => "vendor",
            Field::Kind => "kind",
            Field::Method => "method",
            Field::Path => "path",
            Field::Valid => "valid",
        }
    }

    /// A term using the field, for messages.
    pub fn example(self) -> &'static str {
        match self {
            Field::Vendor => "vendor:octopus",
            Field::Kind => "kind:deployment*",
            Field::Method => "method:post",
            Field::Path => "path:/hooks/*",
            Field::Valid => "valid:no",
        }
    }

    fn from_name(name: &str) -> Option<Field> {
        Field::ALL
            .into_iter()
            .find(|field| field.name().eq_ignore_ascii_case(name))
    }
}

/// What a filter looks at in one capture. `body` is the body with its content codings undone
/// (see [`crate::body::without_content_codings`]). The verdict fields (`vendor`, `kind`,
/// `errors`) must be the analyser's: check [`Filter::needs_verdict`] before matching a capture
/// that is not analysed yet.
#[derive(Debug, Clone, Copy, Default)]
pub struct Candidate<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub vendor: Option<Vendor>,
    pub kind: Option<&'a str>,
    pub errors: u32,
    pub warnings: u32,
    pub headers: &'a [Header],
    pub body: &'a [u8],
}

impl<'a> Candidate<'a> {
    /// A capture held in memory, with its body already decoded by the caller.
    pub fn new(capture: &'a Capture, decoded_body: &'a [u8]) -> Self {
        let verdict = capture.verdict.as_ref();
        Self {
            method: &capture.method,
            path: capture.path(),
            query: capture.query(),
            vendor: verdict.and_then(|v| v.vendor),
            kind: verdict.and_then(|v| v.kind.as_deref()),
            errors: verdict.map_or(0, |v| v.errors),
            warnings: verdict.map_or(0, |v| v.warnings),
            headers: &capture.headers,
            body: decoded_body,
        }
    }
}

impl Filter {
    /// No terms: everything matches.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Free text is asked for, so headers and bodies must be read.
    pub fn needs_content(&self) -> bool {
        self.terms.iter().any(|t| t.test.is_content())
    }

    /// A term can only be decided once the analyser has looked at the capture.
    pub fn needs_verdict(&self) -> bool {
        self.terms
            .iter()
            .any(|t| matches!(t.test, Test::Vendor { .. } | Test::Kind(_) | Test::Valid(_)))
    }

    pub fn matches(&self, candidate: &Candidate) -> bool {
        self.matches_fields(candidate) && self.matches_content(candidate)
    }

    /// The terms about the short fields (method, path, verdict) alone: cheap, so a scan checks
    /// them first and reads headers and bodies only for captures that pass.
    pub fn matches_fields(&self, candidate: &Candidate) -> bool {
        self.terms
            .iter()
            .filter(|t| !t.test.is_content())
            .all(|t| t.holds(candidate))
    }

    /// The free-text terms alone (headers, body, path and query).
    pub fn matches_content(&self, candidate: &Candidate) -> bool {
        self.terms
            .iter()
            .filter(|t| t.test.is_content())
            .all(|t| t.holds(candidate))
    }
}

impl Term {
    fn holds(&self, candidate: &Candidate) -> bool {
        self.test.holds(candidate) != self.negated
    }
}

impl Test {
    fn is_content(&self) -> bool {
        matches!(self, Test::Text(_))
    }

    fn holds(&self, c: &Candidate) -> bool {
        match self {
            Test::Text(needle) => {
                needle.is_in(c.path.as_bytes())
                    || c.query.is_some_and(|q| needle.is_in(q.as_bytes()))
                    || c.headers
                        .iter()
                        .any(|h| needle.is_in(h.name.as_bytes()) || needle.is_in(&h.value))
                    || needle.is_in(c.body)
            }
            Test::Method(glob) => glob.matches(c.method),
            Test::Path(glob) => glob.matches(c.path),
            Test::Kind(glob) => c.kind.is_some_and(|kind| glob.matches(kind)),
            Test::Vendor { vendors, .. } => vendors.contains(&c.vendor),
            Test::Valid(valid) => c.vendor.is_some() && (c.errors == 0) == *valid,
        }
    }
}

/// The normalised form: terms in the order typed, lowercased, quoted only where needed.
/// It parses back to the same filter.
impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, term) in self.terms.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if term.negated {
                f.write_str("-")?;
            }
            let (field, value) = match &term.test {
                Test::Text(needle) if parse::reads_as_bare_text(needle.as_str()) => {
                    f.write_str(needle.as_str())?;
                    continue;
                }
                Test::Text(needle) => {
                    write_quoted(f, needle.as_str())?;
                    continue;
                }
                Test::Method(glob) => (Field::Method, glob.as_str()),
                Test::Path(glob) => (Field::Path, glob.as_str()),
                Test::Kind(glob) => (Field::Kind, glob.as_str()),
                Test::Vendor { glob, .. } => (Field::Vendor, glob.as_str()),
                Test::Valid(valid) => (Field::Valid, if *valid { "yes" } else { "no" }),
            };
            write!(f, "{}:", field.name())?;
            if value.starts_with('"') || value.contains(char::is_whitespace) {
                write_quoted(f, value)?;
            } else {
                f.write_str(value)?;
            }
        }
        Ok(())
    }
}

fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            f.write_str("\\")?;
        }
        write!(f, "{c}")?;
    }
    f.write_str("\"")
}
