//! Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…][,v0=…]`, HMAC-SHA256 of
//! `"{t}.{body}"` keyed with the `whsec_…` secret as written.

use chrono::{DateTime, Utc};
use hmac::Mac as _;

use super::check::timestamped_verdict;
use super::config::SchemeName;
use super::{Check, Secret, any_matches, from_hex, header_values, mac, to_hex};
use crate::capture::Header;

pub(super) const HEADER: &str = "Stripe-Signature";

pub(super) fn verify(
    tolerance_seconds: u64,
    secret: &Secret,
    headers: &[Header],
    body: &[u8],
    now: DateTime<Utc>,
) -> Check {
    let parsed = match parse(headers) {
        Ok(parsed) => parsed,
        Err(check) => return check,
    };
    let mac = mac(secret, &[parsed.t.as_bytes(), b".", body]);
    timestamped_verdict(
        any_matches(&mac, &parsed.v1),
        parsed.timestamp,
        now,
        tolerance_seconds,
        SchemeName::Stripe,
    )
}

pub(super) fn sign(secret: &Secret, body: &[u8], now: DateTime<Utc>) -> Vec<(String, String)> {
    let t = now.timestamp().to_string();
    let tag = mac(secret, &[t.as_bytes(), b".", body])
        .finalize()
        .into_bytes();
    vec![(HEADER.to_owned(), format!("t={t},v1={}", to_hex(&tag)))]
}

struct Parsed {
    /// The timestamp as sent: it is signed as text.
    t: String,
    timestamp: i64,
    /// Every v1 signature that is 32 bytes of hex.
    v1: Vec<Vec<u8>>,
}

/// Every `Stripe-Signature` header's `key=value` items; unknown keys (v0, future schemes)
/// are ignored, as Stripe's libraries do.
fn parse(headers: &[Header]) -> Result<Parsed, Check> {
    let malformed = |why: String| Check::Malformed {
        why: format!("{HEADER} {why}"),
    };
    let mut values = header_values(headers, HEADER).peekable();
    if values.peek().is_none() {
        return Err(Check::Missing {
            header: HEADER.to_owned(),
        });
    }
    let mut t = None;
    let (mut v1, mut v1_seen, mut v0_seen) = (Vec::new(), false, false);
    for value in values {
        let text = std::str::from_utf8(value).map_err(|_| malformed("is not text".into()))?;
        for item in text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
        {
            let Some((key, value)) = item.split_once('=') else {
                return Err(malformed(format!(
                    "has `{item}` where key=value was expected"
                )));
            };
            match key.trim() {
                "t" if t.is_none() => t = Some(value.trim().to_owned()),
                "v1" => {
                    v1_seen = true;
                    v1.extend(from_hex(value.trim()).filter(|tag| tag.len() == 32));
                }
                "v0" => v0_seen = true,
                _ => {}
            }
        }
    }
    let t = t.ok_or_else(|| malformed("has no t= timestamp".into()))?;
    let timestamp = t
        .parse::<i64>()
        .map_err(|_| malformed(format!("t={t} is not a Unix time in seconds")))?;
    if v1.is_empty() {
        return Err(malformed(
            match (v1_seen, v0_seen) {
                (true, _) => "v1 is not 64 hex digits",
                (false, true) => {
                    "has only a v0 signature (test webhooks of old API versions), no v1"
                }
                (false, false) => "has no v1 signature",
            }
            .into(),
        ));
    }
    Ok(Parsed { t, timestamp, v1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_0123456789abcdef";
    const BODY: &[u8] = br#"{"id":"evt_1","object":"event","type":"charge.succeeded"}"#;
    const T: i64 = 1_700_000_000;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    /// Computed here independently of `mac`: HMAC-SHA256 over `t.body`.
    fn expected(secret: &str, t: i64, body: &[u8]) -> String {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        to_hex(&mac.finalize().into_bytes())
    }

    fn check(value: &str, secret: &str, body: &[u8], now: i64) -> Check {
        let headers = vec![Header::new("stripe-signature", value)];
        verify(300, &Secret::from_key(secret), &headers, body, at(now))
    }

    #[test]
    fn a_good_signature_within_the_tolerance_is_valid() {
        let value = format!("t={T},v1={},v0=deadbeef", expected(SECRET, T, BODY));
        assert!(check(&value, SECRET, BODY, T + 299).is_valid());
        assert!(check(&value, SECRET, BODY, T - 299).is_valid());
    }

    #[test]
    fn any_v1_may_match_as_during_a_secret_roll() {
        let old = expected("whsec_old", T, BODY);
        let new = expected(SECRET, T, BODY);
        let value = format!("t={T}, v1={old}, v1={new}");
        assert!(check(&value, SECRET, BODY, T).is_valid());
    }

    #[test]
    fn tampered_body_and_wrong_secret_do_not_match() {
        let value = format!("t={T},v1={}", expected(SECRET, T, BODY));
        let tampered = check(&value, SECRET, br#"{"id":"evt_2"}"#, T);
        let wrong = check(&value, "whsec_other", BODY, T);
        for c in [tampered, wrong] {
            assert_eq!(
                c,
                Check::Mismatch {
                    why: super::super::CHANGED_OR_WRONG_SECRET.into()
                }
            );
        }
        let old = check(&value, "whsec_other", BODY, T + 8000);
        let Check::Mismatch { why } = old else {
            panic!("{old:?}")
        };
        assert!(why.contains("also 2 h 13 min old"), "{why}");
    }

    #[test]
    fn old_and_future_timestamps_are_expired() {
        let value = format!("t={T},v1={}", expected(SECRET, T, BODY));
        assert_eq!(
            check(&value, SECRET, BODY, T + 8000),
            Check::Expired {
                age_seconds: 8000,
                tolerance_seconds: 300
            }
        );
        assert_eq!(
            check(&value, SECRET, BODY, T - 301),
            Check::Expired {
                age_seconds: -301,
                tolerance_seconds: 300
            }
        );
        let headers = vec![Header::new(HEADER, value)];
        let lenient = verify(
            0,
            &Secret::from_key(SECRET),
            &headers,
            BODY,
            at(T + 86_400 * 365),
        );
        assert!(lenient.is_valid(), "tolerance 0 accepts any age");
    }

    #[test]
    fn missing_and_malformed_headers() {
        let secret = Secret::from_key(SECRET);
        assert_eq!(
            verify(300, &secret, &[], BODY, at(T)),
            Check::Missing {
                header: HEADER.into()
            }
        );
        let why = |value: &str| match check(value, SECRET, BODY, T) {
            Check::Malformed { why } => why,
            other => panic!("{value}: {other:?}"),
        };
        let sig = expected(SECRET, T, BODY);
        assert_eq!(
            why(&format!("v1={sig}")),
            "Stripe-Signature has no t= timestamp"
        );
        assert!(why(&format!("t=yesterday,v1={sig}")).contains("not a Unix time"));
        assert!(why(&format!("t={T}")).contains("has no v1 signature"));
        assert!(why(&format!("t={T},v0={sig}")).contains("only a v0"));
        assert!(why(&format!("t={T},v1=xyz")).contains("not 64 hex digits"));
        assert!(why(&format!("t={T},{sig}")).contains("key=value"));
    }

    #[test]
    fn sign_then_verify() {
        let secret = Secret::from_key(SECRET);
        let set = sign(&secret, BODY, at(T));
        let expected = format!("t={T},v1={}", expected(SECRET, T, BODY));
        assert_eq!(set, vec![(HEADER.to_owned(), expected)]);
        let headers = vec![Header::new(&*set[0].0, set[0].1.clone())];
        assert!(verify(300, &secret, &headers, BODY, at(T + 1)).is_valid());
    }
}
