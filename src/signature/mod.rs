//! Webhook signature checks configured per vendor (`[signature]` in a vendor definition):
//! HMAC-SHA256 in a header, Stripe's `Stripe-Signature`, and Standard Webhooks (Svix).
//! Signatures are compared in constant time; the secret is read from an environment
//! variable or a file when needed and never stored or shown.
//!
//! To check a stored capture, pass its `received_at` as `now`: a timestamp tolerance is
//! about the delivery, not about when someone looks at it.

mod check;
mod config;
mod hmac_header;
mod secret;
mod standard;
mod stripe;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use check::{CHANGED_OR_WRONG_SECRET, Check};
pub use config::{
    ConfigError, DEFAULT_TOLERANCE_SECONDS, Encoding, Scheme, SchemeName, SecretSource,
    SignatureConfig, SignatureTable,
};
pub use secret::{Secret, SecretError};

use crate::capture::Header;

/// Checks the signature of a request. `secret` is what [`SignatureConfig::secret`] gave;
/// with `None` the verdict is [`Check::NoSecret`] with the reason.
pub fn verify(
    config: &SignatureConfig,
    secret: Option<&Secret>,
    headers: &[Header],
    body: &[u8],
    now: DateTime<Utc>,
) -> Check {
    let Some(secret) = secret else {
        return Check::NoSecret {
            reason: config.no_secret_reason(),
        };
    };
    match &config.scheme {
        Scheme::HmacSha256 {
            header,
            prefix,
            encoding,
        } => hmac_header::verify(header, prefix, *encoding, secret, headers, body),
        Scheme::Stripe { tolerance_seconds } => {
            stripe::verify(*tolerance_seconds, secret, headers, body, now)
        }
        Scheme::StandardWebhooks { tolerance_seconds } => {
            standard::verify(*tolerance_seconds, secret, headers, body, now)
        }
    }
}

/// The headers that sign `body` afresh at `now` (for `--resign`), to replace any with the
/// same names (see [`replace_headers`]). `original` is the request being re-signed: a
/// Standard Webhooks request keeps its `webhook-id` (or `svix-id`) and its header family.
pub fn sign(
    config: &SignatureConfig,
    secret: &Secret,
    original: &[Header],
    body: &[u8],
    now: DateTime<Utc>,
) -> Vec<(String, String)> {
    match &config.scheme {
        Scheme::HmacSha256 {
            header,
            prefix,
            encoding,
        } => hmac_header::sign(header, prefix, *encoding, secret, body),
        Scheme::Stripe { .. } => stripe::sign(secret, body, now),
        Scheme::StandardWebhooks { .. } => standard::sign(secret, original, body, now),
    }
}

/// Sets each of `set` in `headers`: the first header of that name (any case) takes the new
/// value in place, later ones are removed, and a name not present is appended.
pub fn replace_headers(headers: &mut Vec<Header>, set: &[(String, String)]) {
    for (name, value) in set {
        let mut seen = false;
        headers.retain_mut(|header| {
            if !header.name.eq_ignore_ascii_case(name) {
                return true;
            }
            if seen {
                return false;
            }
            seen = true;
            header.value = value.clone().into_bytes();
            true
        });
        if !seen {
            headers.push(Header::new(name.clone(), value.clone()));
        }
    }
}

/// Values of every header named `name` (any case), in wire order.
fn header_values<'a>(headers: &'a [Header], name: &'a str) -> impl Iterator<Item = &'a [u8]> {
    headers
        .iter()
        .filter(move |h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_slice())
}

/// The first header named `name` as trimmed text: `Err` with a `Check` when absent or not
/// text.
fn header_text<'a>(headers: &'a [Header], name: &str) -> Result<&'a str, Check> {
    let value = headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_slice())
        .ok_or_else(|| Check::Missing {
            header: name.to_owned(),
        })?;
    std::str::from_utf8(value)
        .map(str::trim)
        .map_err(|_| Check::Malformed {
            why: format!("{name} is not text"),
        })
}

fn mac(key: &Secret, parts: &[&[u8]]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.key()).expect("HMAC takes keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac
}

/// Whether any candidate is the MAC, each compared in constant time.
fn any_matches(mac: &Hmac<Sha256>, candidates: &[Vec<u8>]) -> bool {
    candidates
        .iter()
        .any(|tag| mac.clone().verify_slice(tag).is_ok())
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests;
