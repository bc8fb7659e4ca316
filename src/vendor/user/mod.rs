//! Vendors the user defines: one TOML file each in `$XDG_CONFIG_HOME/hookscope/vendors/`,
//! with an optional JSON Schema beside it. Loaded once at start into a registry that
//! `Vendor::User` indexes, so a user vendor is detected, listed, filtered, validated and
//! shown exactly like a built-in one.

mod definition;
mod load;
mod registry;
pub mod template;

use globset::GlobMatcher;
use serde_json::Value;

use chrono::{DateTime, Utc};

use super::{Decoded, Field, Link, Request};
use crate::signature::{self, SignatureConfig};
use crate::validate::{Finding, UserSchema};

pub use load::{Loaded, Problem, load_dir, load_file};

use std::path::PathBuf;
use std::sync::OnceLock;

/// Where the user's definitions live: `$XDG_CONFIG_HOME/hookscope/vendors/`.
pub fn vendors_dir() -> Option<PathBuf> {
    Some(
        directories::ProjectDirs::from("", "", "hookscope")?
            .config_dir()
            .join("vendors"),
    )
}

/// What loading the user's folder at start turned up, for the status bar or stderr.
static STARTUP_PROBLEMS: OnceLock<Vec<Problem>> = OnceLock::new();

/// Loads and registers the user's vendors, once per process; the broken definitions are
/// reported, the others load.
pub fn load_installed() -> &'static [Problem] {
    STARTUP_PROBLEMS.get_or_init(|| {
        let Some(dir) = vendors_dir() else {
            return Vec::new();
        };
        let loaded = load_dir(&dir);
        install(loaded.vendors);
        loaded.problems
    })
}

/// The problems `load_installed` found (none if it has not run).
pub fn startup_problems() -> &'static [Problem] {
    STARTUP_PROBLEMS.get().map_or(&[], Vec::as_slice)
}
pub use registry::{UserVendorId, find, fingerprint, get, install, registered};

/// A definition that loaded: its rules compiled, ready to match payloads.
#[derive(Debug)]
pub struct UserVendor {
    id: String,
    name: String,
    before_built_in: bool,
    /// The file it came from, for `hookscope vendors`.
    pub source: std::path::PathBuf,
    detect: DetectRules,
    kind: Option<KindSource>,
    headline: Option<String>,
    fields: Vec<(String, String)>,
    links: Vec<(String, String)>,
    /// The JSON Schema's source, compiled for findings once the vendor is registered.
    schema_source: Option<Value>,
    schema: Option<UserSchema>,
    /// The signature check, as configured (the secret is read when checking).
    pub signature: Option<SignatureConfig>,
    /// The definition's text and its schema's, which decide whether verdicts stored by an
    /// earlier run still hold.
    fingerprint_text: String,
}

#[derive(Debug, Default)]
struct DetectRules {
    path: Option<GlobMatcher>,
    headers: Vec<String>,
    header_matches: Vec<(String, GlobMatcher)>,
    pointers: Vec<String>,
    pointer_equals: Vec<(String, Value)>,
}

#[derive(Debug)]
enum KindSource {
    Header(String, Option<String>),
    Pointer(String, Option<String>),
}

impl UserVendor {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn before_built_in(&self) -> bool {
        self.before_built_in
    }

    pub fn schema(&self) -> Option<&UserSchema> {
        self.schema.as_ref()
    }

    pub fn has_schema(&self) -> bool {
        self.schema_source.is_some()
    }

    /// Every detection rule holds for this payload.
    pub fn matches(&self, value: &Value, request: Request<'_>) -> bool {
        let rules = &self.detect;
        let header = |name: &str| {
            request
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
        };
        rules.path.as_ref().is_none_or(|glob| {
            request
                .path
                .is_some_and(|path| glob.is_match(path.split('?').next().unwrap_or(path)))
        }) && rules.headers.iter().all(|name| header(name).is_some())
            && rules.header_matches.iter().all(|(name, glob)| {
                header(name)
                    .is_some_and(|h| glob.is_match(String::from_utf8_lossy(&h.value).as_ref()))
            })
            && rules.pointers.iter().all(|p| value.pointer(p).is_some())
            && rules
                .pointer_equals
                .iter()
                .all(|(p, expected)| value.pointer(p) == Some(expected))
    }

    pub fn kind(&self, value: &Value, request: Request<'_>) -> String {
        let (base, detail) = match &self.kind {
            None => return "unknown".to_owned(),
            Some(KindSource::Header(name, detail)) => (
                request
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case(name))
                    .map(|h| String::from_utf8_lossy(&h.value).trim().to_owned()),
                detail,
            ),
            Some(KindSource::Pointer(pointer, detail)) => {
                (template::pointer_text(value, pointer), detail)
            }
        };
        let Some(base) = base.filter(|b| !b.is_empty()) else {
            return "unknown".to_owned();
        };
        match detail
            .as_deref()
            .and_then(|p| template::pointer_text(value, p))
        {
            Some(detail) => format!("{base}.{detail}"),
            None => base,
        }
    }

    pub fn decode(&self, value: &Value, request: Request<'_>) -> Decoded {
        let kind = self.kind(value, request);
        let context = template::Context {
            value,
            kind: &kind,
            headers: request.headers,
        };
        let headline = match &self.headline {
            Some(template) => template::render(template, &context),
            None => kind.clone(),
        };
        let fields = self
            .fields
            .iter()
            .filter_map(|(label, value_rule)| {
                let value = if value_rule.starts_with('/') {
                    template::pointer_text(value, value_rule)?
                } else {
                    template::render_field(value_rule, &context)?
                };
                Some(Field {
                    label: label.clone(),
                    value,
                })
            })
            .collect();
        let links = self
            .links
            .iter()
            .filter_map(|(label, pointer)| {
                Some(Link {
                    label: label.clone(),
                    url: template::pointer_text(value, pointer)?,
                })
            })
            .collect();
        Decoded {
            kind,
            headline,
            fields,
            links,
            tables: Vec::new(),
            dedupe_key: None,
        }
    }
}

/// The signature check of a user vendor that has one configured, as a finding: an error
/// when the signature does not hold, a warning when there is no secret to check it with.
/// `received_at` is when the request arrived, which a timestamp tolerance is judged by.
pub fn signature_finding(
    vendor: super::Vendor,
    request: Request<'_>,
    raw_body: &[u8],
    received_at: DateTime<Utc>,
) -> Option<Finding> {
    let super::Vendor::User(id) = vendor else {
        return None;
    };
    let definition = get(id);
    let config = definition.signature.as_ref()?;
    let secret = match config.secret() {
        Ok(secret) => secret,
        Err(error) => {
            return Some(Finding::warning(
                "",
                format!("cannot check the {} signature: {error}", definition.name),
            ));
        }
    };
    signature::verify(
        config,
        secret.as_ref(),
        request.headers,
        raw_body,
        received_at,
    )
    .finding(&definition.name)
}

#[cfg(test)]
mod tests;
