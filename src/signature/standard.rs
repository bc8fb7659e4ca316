//! Standard Webhooks (and Svix, its origin): `webhook-id`, `webhook-timestamp` and
//! `webhook-signature: v1,<base64> [v1,<base64> …]`, HMAC-SHA256 of
//! `"{id}.{timestamp}.{body}"` keyed with the decoded `whsec_…` secret.

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use hmac::Mac as _;
use sha2::{Digest as _, Sha256};

use super::check::timestamped_verdict;
use super::config::SchemeName;
use super::{Check, Secret, any_matches, header_text, header_values, mac, to_hex};
use crate::capture::Header;

/// The header names a request uses: `webhook-*` or Svix's `svix-*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Family(&'static str);

const STANDARD_FAMILY: Family = Family("webhook");
const SVIX_FAMILY: Family = Family("svix");

impl Family {
    /// `svix` when the request signs with `svix-signature` and not `webhook-signature`.
    fn of(headers: &[Header]) -> Family {
        let has = |name: &str| header_values(headers, name).next().is_some();
        if !has("webhook-signature") && has("svix-signature") {
            SVIX_FAMILY
        } else {
            STANDARD_FAMILY
        }
    }

    fn name(self, part: &str) -> String {
        format!("{}-{part}", self.0)
    }
}

pub(super) fn verify(
    tolerance_seconds: u64,
    secret: &Secret,
    headers: &[Header],
    body: &[u8],
    now: DateTime<Utc>,
) -> Check {
    let family = Family::of(headers);
    let signature_header = family.name("signature");
    if header_values(headers, &signature_header).next().is_none() {
        return Check::Missing {
            header: "webhook-signature (or svix-signature)".to_owned(),
        };
    }
    let parsed = match parse(headers, family, &signature_header) {
        Ok(parsed) => parsed,
        Err(check) => return check,
    };
    let mac = mac(
        secret,
        &[parsed.id.as_bytes(), b".", parsed.t.as_bytes(), b".", body],
    );
    timestamped_verdict(
        any_matches(&mac, &parsed.v1),
        parsed.timestamp,
        now,
        tolerance_seconds,
        SchemeName::StandardWebhooks,
    )
}

/// Keeps the original's id (a fresh `msg_…` when it had none) and its header family.
pub(super) fn sign(
    secret: &Secret,
    original: &[Header],
    body: &[u8],
    now: DateTime<Utc>,
) -> Vec<(String, String)> {
    let family = Family::of(original);
    let id = match header_text(original, &family.name("id")) {
        Ok(id) if !id.is_empty() => id.to_owned(),
        _ => fresh_id(now),
    };
    let t = now.timestamp().to_string();
    let tag = mac(secret, &[id.as_bytes(), b".", t.as_bytes(), b".", body])
        .finalize()
        .into_bytes();
    vec![
        (family.name("id"), id),
        (family.name("timestamp"), t),
        (
            family.name("signature"),
            format!("v1,{}", STANDARD.encode(tag)),
        ),
    ]
}

/// `msg_` and 24 hex digits, from the time and a counter: unique within a run, unlikely to
/// repeat across runs. Not a secret, so no random source is needed.
fn fresh_id(now: DateTime<Utc>) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = now.timestamp_nanos_opt().unwrap_or_else(|| now.timestamp());
    let clock = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    let digest = Sha256::new()
        .chain_update(nanos.to_le_bytes())
        .chain_update(clock.to_le_bytes())
        .chain_update(n.to_le_bytes())
        .chain_update(std::process::id().to_le_bytes())
        .finalize();
    format!("msg_{}", to_hex(&digest[..12]))
}

struct Parsed {
    id: String,
    /// The timestamp as sent: it is signed as text.
    t: String,
    timestamp: i64,
    v1: Vec<Vec<u8>>,
}

fn parse(headers: &[Header], family: Family, signature_header: &str) -> Result<Parsed, Check> {
    let id = header_text(headers, &family.name("id"))?.to_owned();
    let timestamp_header = family.name("timestamp");
    let t = header_text(headers, &timestamp_header)?.to_owned();
    let timestamp = t.parse::<i64>().map_err(|_| Check::Malformed {
        why: format!("{timestamp_header} {t:?} is not a Unix time in seconds"),
    })?;
    let (mut v1, mut versions) = (Vec::new(), Vec::new());
    for value in header_values(headers, signature_header) {
        for entry in String::from_utf8_lossy(value).split_ascii_whitespace() {
            match entry.split_once(',') {
                Some(("v1", encoded)) => {
                    v1.extend(STANDARD.decode(encoded).ok().filter(|tag| tag.len() == 32));
                    versions.push("v1".to_owned());
                }
                Some((version, _)) => versions.push(version.to_owned()),
                None => {}
            }
        }
    }
    if v1.is_empty() {
        let why = if versions.iter().any(|v| v == "v1") {
            "v1 is not 32 bytes of base64".to_owned()
        } else if versions.is_empty() {
            "has no version,signature entry (v1,<base64>)".to_owned()
        } else {
            format!(
                "has only {} signatures; hookscope checks v1 (HMAC-SHA256)",
                versions.join(", ")
            )
        };
        return Err(Check::Malformed {
            why: format!("{signature_header} {why}"),
        });
    }
    Ok(Parsed {
        id,
        t,
        timestamp,
        v1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::CHANGED_OR_WRONG_SECRET;

    // The example of the Standard Webhooks specification and its libraries' tests.
    const SPEC_SECRET: &str = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_T: i64 = 1_614_265_330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn secret() -> Secret {
        Secret::from_key(STANDARD.decode(SPEC_SECRET).unwrap())
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    fn spec_headers(family: &str, signature: &str) -> Vec<Header> {
        vec![
            Header::new(format!("{family}-id"), SPEC_ID),
            Header::new(format!("{family}-timestamp"), SPEC_T.to_string()),
            Header::new(format!("{family}-signature"), signature),
        ]
    }

    fn check(headers: &[Header], body: &[u8], now: i64) -> Check {
        verify(300, &secret(), headers, body, at(now))
    }

    #[test]
    fn the_specification_example_matches_under_both_header_names() {
        for family in ["webhook", "svix", "Webhook"] {
            let c = check(
                &spec_headers(family, SPEC_SIGNATURE),
                SPEC_BODY,
                SPEC_T + 10,
            );
            assert!(c.is_valid(), "{family}: {c:?}");
        }
        let signed = sign(
            &secret(),
            &spec_headers("webhook", "v1,x"),
            SPEC_BODY,
            at(SPEC_T),
        );
        assert_eq!(
            signed[2],
            ("webhook-signature".to_owned(), SPEC_SIGNATURE.to_owned())
        );
    }

    #[test]
    fn one_matching_signature_among_several_is_enough() {
        let many = format!(
            "v1a,c2lnbmVk v1,{} {SPEC_SIGNATURE}",
            STANDARD.encode([7u8; 32])
        );
        assert!(check(&spec_headers("webhook", &many), SPEC_BODY, SPEC_T).is_valid());
    }

    #[test]
    fn tampered_body_wrong_secret_and_changed_id_do_not_match() {
        let headers = spec_headers("webhook", SPEC_SIGNATURE);
        let mismatch = Check::Mismatch {
            why: CHANGED_OR_WRONG_SECRET.into(),
        };
        assert_eq!(
            check(&headers, br#"{"test": 2432232315}"#, SPEC_T),
            mismatch
        );
        let wrong = verify(
            300,
            &Secret::from_key(*b"other"),
            &headers,
            SPEC_BODY,
            at(SPEC_T),
        );
        assert_eq!(wrong, mismatch);
        let mut other_id = headers.clone();
        other_id[0].value = b"msg_other".to_vec();
        assert_eq!(check(&other_id, SPEC_BODY, SPEC_T), mismatch);
    }

    #[test]
    fn old_and_future_timestamps_are_expired() {
        let headers = spec_headers("webhook", SPEC_SIGNATURE);
        assert_eq!(
            check(&headers, SPEC_BODY, SPEC_T + 301),
            Check::Expired {
                age_seconds: 301,
                tolerance_seconds: 300
            }
        );
        assert_eq!(
            check(&headers, SPEC_BODY, SPEC_T - 3600),
            Check::Expired {
                age_seconds: -3600,
                tolerance_seconds: 300
            }
        );
    }

    #[test]
    fn missing_headers_are_named() {
        assert_eq!(
            check(&[], SPEC_BODY, SPEC_T),
            Check::Missing {
                header: "webhook-signature (or svix-signature)".into()
            }
        );
        let mut headers = spec_headers("svix", SPEC_SIGNATURE);
        headers.remove(1);
        assert_eq!(
            check(&headers, SPEC_BODY, SPEC_T),
            Check::Missing {
                header: "svix-timestamp".into()
            }
        );
        headers.remove(0);
        assert_eq!(
            check(&headers, SPEC_BODY, SPEC_T),
            Check::Missing {
                header: "svix-id".into()
            }
        );
    }

    #[test]
    fn malformed_headers_say_what_is_wrong() {
        let why = |headers: &[Header]| match check(headers, SPEC_BODY, SPEC_T) {
            Check::Malformed { why } => why,
            other => panic!("{other:?}"),
        };
        assert!(why(&spec_headers("webhook", "g0hM9SsE")).contains("no version,signature entry"));
        assert!(why(&spec_headers("webhook", "v1,abc")).contains("not 32 bytes of base64"));
        assert!(why(&spec_headers("webhook", "v1a,abc")).contains("only v1a signatures"));
        let mut headers = spec_headers("webhook", SPEC_SIGNATURE);
        headers[1].value = b"2021-02-26T00:00:00Z".to_vec();
        assert!(
            why(&headers).contains("webhook-timestamp \"2021-02-26T00:00:00Z\" is not a Unix time")
        );
    }

    #[test]
    fn sign_keeps_the_id_and_the_header_family() {
        let body = br#"{"type":"invoice.paid"}"#;
        let now = at(1_750_000_000);
        for family in ["webhook", "svix"] {
            let original = spec_headers(family, SPEC_SIGNATURE);
            let set = sign(&secret(), &original, body, now);
            let names: Vec<&str> = set.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(
                names,
                [
                    format!("{family}-id"),
                    format!("{family}-timestamp"),
                    format!("{family}-signature")
                ]
            );
            assert_eq!(set[0].1, SPEC_ID);
            assert_eq!(set[1].1, "1750000000");
            let headers: Vec<Header> = set
                .iter()
                .map(|(n, v)| Header::new(n.clone(), v.clone()))
                .collect();
            assert!(verify(300, &secret(), &headers, body, now).is_valid());
        }
    }

    #[test]
    fn sign_without_an_id_makes_a_fresh_one() {
        let now = at(1_750_000_000);
        let first = sign(&secret(), &[], b"{}", now);
        let second = sign(&secret(), &[], b"{}", now);
        assert!(
            first[0].1.starts_with("msg_") && first[0].1.len() == 28,
            "{first:?}"
        );
        assert_ne!(
            first[0].1, second[0].1,
            "ids differ even at the same instant"
        );
        let headers: Vec<Header> = first
            .iter()
            .map(|(n, v)| Header::new(n.clone(), v.clone()))
            .collect();
        assert!(verify(300, &secret(), &headers, b"{}", now).is_valid());
    }
}
