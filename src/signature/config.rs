//! The `[signature]` table of a vendor definition: the TOML shape as written
//! ([`SignatureTable`]) and the checked form every other part uses ([`SignatureConfig`]).

use std::path::PathBuf;

use serde::Deserialize;

/// Timestamp tolerance when `tolerance_seconds` is not given: what Stripe and the Standard
/// Webhooks libraries use.
pub const DEFAULT_TOLERANCE_SECONDS: u64 = 300;

/// The `[signature]` table exactly as written. Deserialize this to collect every problem
/// with [`SignatureTable::validate`]; deserializing a [`SignatureConfig`] does the same and
/// fails on the first bad table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureTable {
    pub scheme: SchemeName,
    pub header: Option<String>,
    pub prefix: Option<String>,
    pub encoding: Option<Encoding>,
    pub secret_env: Option<String>,
    pub secret_file: Option<PathBuf>,
    pub tolerance_seconds: Option<u64>,
}

/// The `scheme` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SchemeName {
    HmacSha256,
    Stripe,
    StandardWebhooks,
}

impl SchemeName {
    /// The spelling in the TOML file.
    pub fn as_str(self) -> &'static str {
        match self {
            SchemeName::HmacSha256 => "hmac-sha256",
            SchemeName::Stripe => "stripe",
            SchemeName::StandardWebhooks => "standard-webhooks",
        }
    }

    /// The name people know the scheme by, for messages.
    pub fn display_name(self) -> &'static str {
        match self {
            SchemeName::HmacSha256 => "HMAC-SHA256",
            SchemeName::Stripe => "Stripe",
            SchemeName::StandardWebhooks => "Standard Webhooks",
        }
    }
}

/// How an `hmac-sha256` signature is written in its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    #[default]
    Hex,
    Base64,
}

/// A checked `[signature]` table: the scheme with the settings that apply to it, and where
/// the secret comes from. Deserializes from the TOML shape of [`SignatureTable`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "SignatureTable")]
pub struct SignatureConfig {
    pub scheme: Scheme,
    pub secret: SecretSource,
}

/// A signature scheme with its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// HMAC-SHA256 of the raw body, in one header (GitHub, Shopify and many others).
    HmacSha256 {
        header: String,
        /// Text before the signature (`sha256=`), empty when there is none.
        prefix: String,
        encoding: Encoding,
    },
    /// `Stripe-Signature: t=<unix>,v1=<hex>` over `"{t}.{body}"`.
    Stripe { tolerance_seconds: u64 },
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature` (or their `svix-` twins).
    StandardWebhooks { tolerance_seconds: u64 },
}

impl Scheme {
    pub fn name(&self) -> SchemeName {
        match self {
            Scheme::HmacSha256 { .. } => SchemeName::HmacSha256,
            Scheme::Stripe { .. } => SchemeName::Stripe,
            Scheme::StandardWebhooks { .. } => SchemeName::StandardWebhooks,
        }
    }
}

/// Where the secret is read from. Only the name of the variable or file is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// Neither `secret_env` nor `secret_file`: signatures are reported as not checked.
    None,
    Env(String),
    /// As written; `~` is expanded when the file is read.
    File(PathBuf),
}

/// Every problem found in one `[signature]` table, each in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", problems.join("; "))]
pub struct ConfigError {
    pub problems: Vec<String>,
}

impl TryFrom<SignatureTable> for SignatureConfig {
    type Error = ConfigError;

    fn try_from(table: SignatureTable) -> Result<Self, ConfigError> {
        table.validate()
    }
}

impl SignatureTable {
    /// The checked configuration, or every mistake in the table.
    pub fn validate(&self) -> Result<SignatureConfig, ConfigError> {
        let mut problems = Vec::new();
        let name = self.scheme.as_str();
        let scheme = match self.scheme {
            SchemeName::HmacSha256 => {
                if self.tolerance_seconds.is_some() {
                    problems.push(format!(
                        "`tolerance_seconds` does not apply to scheme \"{name}\", which signs no \
                         timestamp: remove it"
                    ));
                }
                let header = match self.header.as_deref() {
                    None => {
                        problems.push(format!(
                            "scheme \"{name}\" needs `header`, the header that carries the \
                             signature (e.g. header = \"X-Hub-Signature-256\")"
                        ));
                        String::new()
                    }
                    Some(header) => {
                        if let Err(why) = check_header_name(header) {
                            problems.push(why);
                        }
                        header.to_owned()
                    }
                };
                Scheme::HmacSha256 {
                    header,
                    prefix: self.prefix.clone().unwrap_or_default(),
                    encoding: self.encoding.unwrap_or_default(),
                }
            }
            SchemeName::Stripe | SchemeName::StandardWebhooks => {
                let fixed = match self.scheme {
                    SchemeName::Stripe => "Stripe-Signature",
                    _ => "webhook-signature (or svix-signature)",
                };
                for (key, given) in [
                    ("header", self.header.is_some()),
                    ("prefix", self.prefix.is_some()),
                    ("encoding", self.encoding.is_some()),
                ] {
                    if given {
                        problems.push(format!(
                            "`{key}` is only for scheme \"hmac-sha256\"; \"{name}\" always reads \
                             {fixed}: remove it"
                        ));
                    }
                }
                let tolerance_seconds = self.tolerance_seconds.unwrap_or(DEFAULT_TOLERANCE_SECONDS);
                if tolerance_seconds > i64::MAX as u64 {
                    problems.push("`tolerance_seconds` is too large".to_owned());
                }
                match self.scheme {
                    SchemeName::Stripe => Scheme::Stripe { tolerance_seconds },
                    _ => Scheme::StandardWebhooks { tolerance_seconds },
                }
            }
        };
        let secret = self.secret_source(&mut problems);
        if problems.is_empty() {
            Ok(SignatureConfig { scheme, secret })
        } else {
            Err(ConfigError { problems })
        }
    }

    fn secret_source(&self, problems: &mut Vec<String>) -> SecretSource {
        match (&self.secret_env, &self.secret_file) {
            (Some(_), Some(_)) => {
                problems.push(
                    "give either `secret_env` or `secret_file`, not both: hookscope would not \
                     know which secret to use"
                        .to_owned(),
                );
                SecretSource::None
            }
            (Some(var), None) => {
                if var.is_empty() || var.contains(['=', '\0']) {
                    problems.push(format!(
                        "`secret_env` = {var:?} is not an environment variable name \
                         (e.g. secret_env = \"GITHUB_WEBHOOK_SECRET\")"
                    ));
                }
                SecretSource::Env(var.clone())
            }
            (None, Some(path)) => {
                if path.as_os_str().is_empty() {
                    problems.push(
                        "`secret_file` is empty: give the path of the file holding the secret"
                            .to_owned(),
                    );
                }
                SecretSource::File(path.clone())
            }
            (None, None) => SecretSource::None,
        }
    }
}

/// A header name is an HTTP token: letters, digits and ``!#$%&'*+-.^_`|~``.
fn check_header_name(name: &str) -> Result<(), String> {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() {
        Err("`header` is empty: give the name of the header that carries the signature".into())
    } else if !name.chars().all(token) {
        Err(format!(
            "`header` = {name:?} is not a header name (letters, digits and dashes, no spaces \
             or colon)"
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Vendor {
        signature: SignatureConfig,
    }

    fn parse(text: &str) -> Result<SignatureConfig, String> {
        toml::from_str::<Vendor>(text)
            .map(|v| v.signature)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_documented_shape_parses_with_defaults() {
        let config = parse(
            r#"
            [signature]
            scheme = "hmac-sha256"
            header = "X-Hub-Signature-256"
            prefix = "sha256="
            secret_env = "GITHUB_WEBHOOK_SECRET"
            "#,
        )
        .unwrap();
        assert_eq!(
            config.scheme,
            Scheme::HmacSha256 {
                header: "X-Hub-Signature-256".into(),
                prefix: "sha256=".into(),
                encoding: Encoding::Hex,
            }
        );
        assert_eq!(
            config.secret,
            SecretSource::Env("GITHUB_WEBHOOK_SECRET".into())
        );

        let stripe = parse("[signature]\nscheme = \"stripe\"\nsecret_file = \"~/s\"").unwrap();
        assert_eq!(
            stripe.scheme,
            Scheme::Stripe {
                tolerance_seconds: 300
            }
        );
        assert_eq!(stripe.secret, SecretSource::File("~/s".into()));

        let standard =
            parse("[signature]\nscheme = \"standard-webhooks\"\ntolerance_seconds = 60").unwrap();
        assert_eq!(
            standard.scheme,
            Scheme::StandardWebhooks {
                tolerance_seconds: 60
            }
        );
        assert_eq!(standard.secret, SecretSource::None, "no secret is allowed");
    }

    #[test]
    fn mistakes_are_reported_in_plain_words_with_the_line() {
        let err = parse("[signature]\nscheme = \"hmac-sha256\"\n").unwrap_err();
        assert!(err.contains("needs `header`"), "{err}");
        assert!(err.contains("line 1"), "the table's line is given: {err}");

        let err = parse(
            "[signature]\nscheme = \"stripe\"\nheader = \"X\"\nencoding = \"hex\"\n\
             secret_env = \"A\"\nsecret_file = \"b\"",
        )
        .unwrap_err();
        assert!(
            err.contains("`header` is only for scheme \"hmac-sha256\""),
            "{err}"
        );
        assert!(err.contains("`encoding` is only for"), "{err}");
        assert!(err.contains("not both"), "{err}");

        let err = parse(
            "[signature]\nscheme = \"hmac-sha256\"\nheader = \"X Sig:\"\ntolerance_seconds = 5",
        )
        .unwrap_err();
        assert!(err.contains("is not a header name"), "{err}");
        assert!(err.contains("signs no timestamp"), "{err}");

        let err = parse("[signature]\nscheme = \"stripe\"\nsecret_env = \"\"").unwrap_err();
        assert!(err.contains("not an environment variable name"), "{err}");
    }

    #[test]
    fn unknown_keys_and_schemes_are_rejected() {
        let err = parse("[signature]\nscheme = \"stripe\"\nsecret = \"x\"").unwrap_err();
        assert!(err.contains("unknown field `secret`"), "{err}");
        let err = parse("[signature]\nscheme = \"sha1\"").unwrap_err();
        assert!(err.contains("unknown variant `sha1`"), "{err}");
    }

    #[test]
    fn the_table_reports_every_problem_at_once() {
        let table = SignatureTable {
            scheme: SchemeName::StandardWebhooks,
            header: Some("x".into()),
            prefix: Some("p".into()),
            encoding: None,
            secret_env: Some("A".into()),
            secret_file: Some("b".into()),
            tolerance_seconds: None,
        };
        assert_eq!(table.validate().unwrap_err().problems.len(), 3);
    }
}
