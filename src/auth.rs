//! `--require-auth`: the credentials a sender must present. A request without them is still
//! captured (seeing what a misconfigured vendor sent is the point of an inspector) but is
//! answered 401 and marked as unauthenticated.

use std::fmt;
use std::str::FromStr;

use base64::Engine;

use crate::capture::Header;

/// What a request must carry.
#[derive(Clone, PartialEq, Eq)]
pub enum AuthRule {
    /// `Authorization: Basic base64(user:password)`.
    Basic { user: String, password: String },
    /// `Authorization: Bearer TOKEN`.
    Bearer(String),
    /// A header of this name with exactly this value (`X-Api-Key: …`).
    Header { name: String, value: String },
}

/// The value of `--require-auth`, for the error messages: the forms, never the secret.
pub const FORMS: &str = "basic:USER:PASSWORD, bearer:TOKEN or header:NAME:VALUE";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0} (expected {FORMS})")]
pub struct AuthRuleError(String);

impl FromStr for AuthRule {
    type Err = AuthRuleError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = |why: &str| AuthRuleError(why.to_owned());
        let (kind, rest) = text
            .split_once(':')
            .ok_or_else(|| error("no kind of credentials before a colon"))?;
        match kind.to_ascii_lowercase().as_str() {
            "basic" => {
                let (user, password) = rest
                    .split_once(':')
                    .ok_or_else(|| error("basic needs a user and a password"))?;
                if user.is_empty() {
                    return Err(error("basic needs a user name"));
                }
                Ok(AuthRule::Basic {
                    user: user.to_owned(),
                    password: password.to_owned(),
                })
            }
            "bearer" if !rest.is_empty() && !rest.contains(char::is_whitespace) => {
                Ok(AuthRule::Bearer(rest.to_owned()))
            }
            "bearer" => Err(error("bearer needs a token without spaces")),
            "header" => {
                let (name, value) = rest
                    .split_once(':')
                    .ok_or_else(|| error("header needs a name and a value"))?;
                if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                    return Err(error("header needs a valid header name"));
                }
                if value.is_empty() {
                    return Err(error("header needs a value"));
                }
                Ok(AuthRule::Header {
                    name: name.to_owned(),
                    value: value.to_owned(),
                })
            }
            _ => Err(error("unknown kind of credentials")),
        }
    }
}

/// Never prints a password or token: it ends up in logs and `config show`.
impl fmt::Debug for AuthRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl AuthRule {
    /// What the rule asks for, without its secret: `basic (user alice)`.
    pub fn describe(&self) -> String {
        match self {
            AuthRule::Basic { user, .. } => format!("basic (user {user})"),
            AuthRule::Bearer(_) => "bearer token".to_owned(),
            AuthRule::Header { name, .. } => format!("header {name}"),
        }
    }

    /// Whether the request's headers carry the credentials. Compared in constant time, so
    /// a sender cannot find the token a byte at a time.
    pub fn admits(&self, headers: &[Header]) -> bool {
        match self {
            AuthRule::Basic { user, password } => {
                let expected =
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
                authorization(headers, "basic").is_some_and(|given| same(given, &expected))
            }
            AuthRule::Bearer(token) => {
                authorization(headers, "bearer").is_some_and(|given| same(given, token))
            }
            AuthRule::Header { name, value } => headers
                .iter()
                .filter(|h| h.name.eq_ignore_ascii_case(name))
                .any(|h| same(h.value_str().unwrap_or_default().trim(), value)),
        }
    }

    /// The `WWW-Authenticate` a 401 carries, when the scheme has one.
    pub fn challenge(&self) -> Option<&'static str> {
        match self {
            AuthRule::Basic { .. } => Some("Basic realm=\"hookscope\", charset=\"UTF-8\""),
            AuthRule::Bearer(_) => Some("Bearer realm=\"hookscope\""),
            AuthRule::Header { .. } => None,
        }
    }

    /// The body of the 401: what was missing, in plain words (never the expected value).
    pub fn refusal(&self) -> String {
        match self {
            AuthRule::Basic { .. } => {
                "hookscope requires HTTP Basic credentials (--require-auth); this request had none \
                 that match. It was captured and marked as unauthenticated."
                    .to_owned()
            }
            AuthRule::Bearer(_) => {
                "hookscope requires a bearer token (--require-auth); this request had none that \
                 matches. It was captured and marked as unauthenticated."
                    .to_owned()
            }
            AuthRule::Header { name, .. } => format!(
                "hookscope requires the header {name} (--require-auth); this request had no \
                 matching one. It was captured and marked as unauthenticated."
            ),
        }
    }
}

/// The credentials of an `Authorization` header in this scheme.
fn authorization<'a>(headers: &'a [Header], scheme: &str) -> Option<&'a str> {
    headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("authorization"))
        .filter_map(|h| h.value_str())
        .find_map(|value| {
            let (given, credentials) = value.trim().split_once(' ')?;
            given
                .eq_ignore_ascii_case(scheme)
                .then_some(credentials.trim())
        })
}

/// Equal strings, in time that depends only on their lengths.
fn same(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, value: &str) -> Vec<Header> {
        vec![Header::new(name, value.as_bytes().to_vec())]
    }

    #[test]
    fn each_form_parses_and_bad_ones_say_what_is_expected() {
        assert_eq!(
            "basic:alice:s3:cret".parse::<AuthRule>().unwrap(),
            AuthRule::Basic {
                user: "alice".into(),
                password: "s3:cret".into()
            }
        );
        assert_eq!(
            "Bearer:tok".parse::<AuthRule>().unwrap(),
            AuthRule::Bearer("tok".into())
        );
        assert_eq!(
            "header:X-Api-Key:k:1".parse::<AuthRule>().unwrap(),
            AuthRule::Header {
                name: "X-Api-Key".into(),
                value: "k:1".into()
            }
        );
        for bad in [
            "",
            "basic",
            "basic:alice",
            "bearer:",
            "header:X",
            "header:a b:v",
            "token:x",
        ] {
            let error = bad.parse::<AuthRule>().unwrap_err().to_string();
            assert!(
                error.contains("expected basic:USER:PASSWORD"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn only_the_right_credentials_are_admitted() {
        let basic: AuthRule = "basic:alice:pw".parse().unwrap();
        assert!(basic.admits(&header("Authorization", "Basic YWxpY2U6cHc=")));
        assert!(basic.admits(&header("authorization", "basic  YWxpY2U6cHc= ")));
        assert!(!basic.admits(&header("Authorization", "Basic YWxpY2U6cHd4")));
        assert!(!basic.admits(&header("Authorization", "Bearer YWxpY2U6cHc=")));
        assert!(!basic.admits(&[]));

        let bearer: AuthRule = "bearer:t0k".parse().unwrap();
        assert!(bearer.admits(&header("Authorization", "Bearer t0k")));
        assert!(!bearer.admits(&header("Authorization", "Bearer t0")));

        let key: AuthRule = "header:X-Api-Key:k1".parse().unwrap();
        assert!(key.admits(&header("x-api-key", "k1")));
        assert!(!key.admits(&header("X-Api-Key", "k2")));
        assert!(!key.admits(&header("X-Other", "k1")));
    }

    #[test]
    fn the_secret_never_shows_in_debug_or_messages() {
        for rule in [
            "basic:alice:hunter2",
            "bearer:hunter2",
            "header:X-Key:hunter2",
        ] {
            let rule: AuthRule = rule.parse().unwrap();
            let shown = format!("{rule:?} {} {}", rule.describe(), rule.refusal());
            assert!(!shown.contains("hunter2"), "{shown}");
        }
    }
}
