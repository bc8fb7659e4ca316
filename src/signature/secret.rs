//! The signing secret: read from an environment variable or a file when needed, never
//! stored, never shown.

use std::path::{Path, PathBuf};

use base64::Engine as _;

use super::config::{Scheme, SecretSource, SignatureConfig};

/// The key bytes an HMAC is computed with. For Standard Webhooks that is the base64 part of
/// `whsec_…` decoded; for the other schemes the secret exactly as the vendor shows it.
/// Neither `Debug` nor anything else shows the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// A secret from key bytes as they are (already decoded for Standard Webhooks); to take
    /// a secret as a vendor shows it, use [`SignatureConfig::parse_secret`].
    pub fn from_key(key: impl Into<Vec<u8>>) -> Self {
        Self(key.into())
    }

    pub(super) fn key(&self) -> &[u8] {
        &self.0
    }

    /// Eight bytes that change when the secret does, for deciding whether stored verdicts
    /// still hold: an HMAC of a fixed text, so nothing about the key can be read back.
    pub fn fingerprint(&self) -> u64 {
        use hmac::Mac as _;
        let tag = super::mac(self, &[b"hookscope verdict fingerprint"])
            .finalize()
            .into_bytes();
        u64::from_le_bytes(tag[..8].try_into().expect("SHA-256 gives 32 bytes"))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Why a configured secret could not be used. Messages name the variable or file, never
/// what it holds.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("cannot read the secret file {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot find your home folder to expand `~` in the secret file {}", path.display())]
    NoHome { path: PathBuf },
    #[error("the secret in {from} is not a Standard Webhooks secret: {why}")]
    Invalid { from: String, why: String },
}

impl SignatureConfig {
    /// The secret, read now. `Ok(None)` when none is configured, the variable is unset or
    /// empty, or the file is empty; [`SignatureConfig::no_secret_reason`] says which.
    pub fn secret(&self) -> Result<Option<Secret>, SecretError> {
        let (raw, from) = match &self.secret {
            SecretSource::None => return Ok(None),
            SecretSource::Env(var) => match std::env::var_os(var) {
                Some(value) => (value.into_encoded_bytes(), format!("${var}")),
                None => return Ok(None),
            },
            SecretSource::File(path) => {
                let path = expand_home(path)?;
                let raw = std::fs::read(&path).map_err(|source| SecretError::Unreadable {
                    path: path.clone(),
                    source,
                })?;
                (trim_newlines(raw), path.display().to_string())
            }
        };
        if raw.is_empty() {
            return Ok(None);
        }
        self.key_from(raw, &from).map(Some)
    }

    /// The secret to sign or check with, or in plain words why there is none to use (what to
    /// set, or why the file cannot be read).
    pub fn usable_secret(&self) -> Result<Secret, String> {
        match self.secret() {
            Ok(Some(secret)) => Ok(secret),
            Ok(None) => Err(self.no_secret_reason()),
            Err(error) => Err(error.to_string()),
        }
    }

    /// A secret as the vendor shows it (`whsec_…` for Standard Webhooks), for tests and
    /// callers that hold the secret some other way.
    pub fn parse_secret(&self, text: impl AsRef<[u8]>) -> Result<Secret, SecretError> {
        self.key_from(text.as_ref().to_vec(), "the given text")
    }

    /// Why [`SignatureConfig::secret`] found none, as the end of "no secret configured for
    /// GitHub: …". Looks at the variable or file again, so call it right after `secret()`.
    pub fn no_secret_reason(&self) -> String {
        match &self.secret {
            SecretSource::None => "add secret_env or secret_file to the [signature] table of \
                                   its definition to check signatures"
                .to_owned(),
            SecretSource::Env(var) => match std::env::var_os(var) {
                Some(value) if value.is_empty() => {
                    format!(
                        "{var} is set but empty; set it to the webhook secret to check signatures"
                    )
                }
                _ => format!("set {var} to check signatures"),
            },
            SecretSource::File(path) => {
                let shown = path.display();
                match expand_home(path).map(std::fs::metadata) {
                    Ok(Ok(meta)) if meta.is_file() => format!(
                        "{shown} is empty; put the webhook secret in it to check signatures"
                    ),
                    _ => format!("put the webhook secret in {shown} to check signatures"),
                }
            }
        }
    }

    fn key_from(&self, raw: Vec<u8>, from: &str) -> Result<Secret, SecretError> {
        match self.scheme {
            Scheme::HmacSha256 { .. } | Scheme::Stripe { .. } => Ok(Secret(raw)),
            Scheme::StandardWebhooks { .. } => {
                standard_key(&raw)
                    .map(Secret)
                    .map_err(|why| SecretError::Invalid {
                        from: from.to_owned(),
                        why: why.to_owned(),
                    })
            }
        }
    }
}

/// `whsec_<base64>` (the prefix is optional, as in the Standard Webhooks libraries) to the
/// key bytes.
fn standard_key(raw: &[u8]) -> Result<Vec<u8>, &'static str> {
    let text = raw.trim_ascii();
    let encoded = text.strip_prefix(b"whsec_").unwrap_or(text);
    let key = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| "expected whsec_ followed by base64")?;
    if key.is_empty() {
        return Err("whsec_ is followed by nothing");
    }
    Ok(key)
}

fn trim_newlines(mut raw: Vec<u8>) -> Vec<u8> {
    while matches!(raw.last(), Some(b'\n' | b'\r')) {
        raw.pop();
    }
    raw
}

/// `~` or `~/…` to the home folder; other paths unchanged.
fn expand_home(path: &Path) -> Result<PathBuf, SecretError> {
    match path.strip_prefix("~") {
        Ok(rest) => directories::BaseDirs::new()
            .map(|dirs| dirs.home_dir().join(rest))
            .ok_or_else(|| SecretError::NoHome {
                path: path.to_owned(),
            }),
        Err(_) => Ok(path.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::config::SignatureTable;

    fn config(scheme: &str, source: &str) -> SignatureConfig {
        let header = if scheme == "hmac-sha256" {
            "header = \"X-Sig\"\n"
        } else {
            ""
        };
        let text = format!("scheme = \"{scheme}\"\n{header}{source}");
        toml::from_str::<SignatureTable>(&text)
            .unwrap()
            .validate()
            .unwrap()
    }

    #[test]
    fn no_source_means_no_secret_with_a_reason() {
        let config = config("stripe", "");
        assert!(config.secret().unwrap().is_none());
        assert!(
            config
                .no_secret_reason()
                .contains("add secret_env or secret_file")
        );
    }

    #[test]
    fn secret_from_the_environment() {
        let var = "HOOKSCOPE_TEST_SIGNATURE_SECRET_FROM_ENV";
        let config = config("hmac-sha256", &format!("secret_env = \"{var}\""));
        assert!(config.secret().unwrap().is_none(), "unset");
        assert_eq!(
            config.no_secret_reason(),
            format!("set {var} to check signatures")
        );
        // SAFETY: the variable name is unique to this test, so no other thread reads it.
        unsafe { std::env::set_var(var, "") };
        assert!(config.secret().unwrap().is_none(), "empty");
        assert!(config.no_secret_reason().contains("is set but empty"));
        unsafe { std::env::set_var(var, "It's a Secret to Everybody") };
        let secret = config.secret().unwrap().unwrap();
        assert_eq!(secret.key(), b"It's a Secret to Everybody");
        assert_eq!(format!("{secret:?}"), "Secret(..)");
        unsafe { std::env::remove_var(var) };
    }

    #[test]
    fn secret_from_a_file_loses_its_trailing_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("github");
        let config = config(
            "hmac-sha256",
            &format!("secret_file = {:?}", path.display().to_string()),
        );

        let err = config.secret().unwrap_err().to_string();
        assert!(err.starts_with("cannot read the secret file"), "{err}");
        assert!(
            err.contains(&path.display().to_string()),
            "names the file: {err}"
        );
        assert!(
            config
                .no_secret_reason()
                .starts_with("put the webhook secret in")
        );

        std::fs::write(&path, "\n").unwrap();
        assert!(config.secret().unwrap().is_none(), "empty file");
        assert!(config.no_secret_reason().contains("is empty"));

        std::fs::write(&path, "s3cret\r\n").unwrap();
        assert_eq!(config.secret().unwrap().unwrap().key(), b"s3cret");
    }

    #[test]
    fn tilde_is_the_home_folder() {
        let Some(home) = directories::BaseDirs::new().map(|d| d.home_dir().to_owned()) else {
            return;
        };
        assert_eq!(expand_home(Path::new("~/a/b")).unwrap(), home.join("a/b"));
        assert_eq!(expand_home(Path::new("~")).unwrap(), home);
        assert_eq!(expand_home(Path::new("~x/a")).unwrap(), Path::new("~x/a"));
        assert_eq!(expand_home(Path::new("/a")).unwrap(), Path::new("/a"));
    }

    #[test]
    fn standard_webhooks_secrets_are_decoded_and_checked() {
        let config = config("standard-webhooks", "");
        let secret = config
            .parse_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .unwrap();
        assert_eq!(secret.key().len(), 24);
        assert_eq!(
            config
                .parse_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
                .unwrap(),
            secret
        );

        let err = config
            .parse_secret("whsec_not base64!")
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected whsec_ followed by base64"), "{err}");
        assert!(
            !err.contains("not base64!"),
            "the secret is not shown: {err}"
        );

        let stripe = super::tests::config("stripe", "");
        let raw = stripe.parse_secret("whsec_abc").unwrap();
        assert_eq!(raw.key(), b"whsec_abc", "Stripe uses its secret as written");
    }
}
