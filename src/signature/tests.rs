//! Through the public API: configuration from TOML, secrets from the environment, verify,
//! sign, and that no secret ever shows.

use chrono::DateTime;

use super::*;

#[derive(serde::Deserialize)]
struct Vendor {
    signature: SignatureConfig,
}

fn config(toml: &str) -> SignatureConfig {
    toml::from_str::<Vendor>(toml).unwrap().signature
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap()
}

fn headers(set: &[(String, String)]) -> Vec<Header> {
    set.iter()
        .map(|(name, value)| Header::new(name.clone(), value.clone()))
        .collect()
}

const GITHUB: &str = r#"
[signature]
scheme = "hmac-sha256"
header = "X-Hub-Signature-256"
prefix = "sha256="
secret_env = "HOOKSCOPE_TEST_SIGNATURE_GITHUB"
"#;

#[test]
fn without_a_secret_the_verdict_is_a_warning_saying_what_to_set() {
    let config = config(GITHUB);
    assert!(config.secret().unwrap().is_none());
    let check = verify(&config, None, &[], b"{}", at(0));
    let finding = check.finding("GitHub").unwrap();
    assert_eq!(finding.severity, crate::validate::Severity::Warning);
    assert_eq!(
        finding.message,
        "no secret configured for GitHub: set HOOKSCOPE_TEST_SIGNATURE_GITHUB to check signatures"
    );
}

#[test]
fn sign_then_verify_for_every_scheme() {
    let body = br#"{"action":"opened"}"#;
    let now = at(1_750_000_000);
    let configs = [
        (GITHUB, "It's a Secret to Everybody"),
        (
            "[signature]\nscheme = \"hmac-sha256\"\nheader = \"X-Shopify-Hmac-Sha256\"\n\
             encoding = \"base64\"",
            "shpss_secret",
        ),
        ("[signature]\nscheme = \"stripe\"", "whsec_stripe"),
        (
            "[signature]\nscheme = \"standard-webhooks\"",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ),
    ];
    for (toml, text) in configs {
        let config = config(toml);
        let secret = config.parse_secret(text).unwrap();
        let set = sign(&config, &secret, &[], body, now);
        let headers = headers(&set);
        let check = verify(&config, Some(&secret), &headers, body, now);
        assert!(check.is_valid(), "{toml}: {check:?}");
        assert!(check.finding("Vendor").is_none());
        let check = verify(&config, Some(&secret), &headers, b"{}", now);
        assert!(check.is_error(), "{toml}: a changed body is an error");
    }
}

#[test]
fn resigning_an_old_capture_makes_it_pass_the_tolerance_again() {
    let config = config("[signature]\nscheme = \"stripe\"\ntolerance_seconds = 60");
    let secret = config.parse_secret("whsec_abc").unwrap();
    let body = b"{}";
    let mut request = vec![Header::new("Content-Type", "application/json")];
    request.extend(headers(&sign(&config, &secret, &[], body, at(100))));
    request[1].name = "stripe-signature".into();
    let old = verify(&config, Some(&secret), &request, body, at(1_000));
    assert!(
        matches!(
            old,
            Check::Expired {
                age_seconds: 900,
                ..
            }
        ),
        "{old:?}"
    );

    let fresh = sign(&config, &secret, &request, body, at(1_000));
    replace_headers(&mut request, &fresh);
    assert_eq!(request.len(), 2, "replaced in place, whatever the case");
    assert_eq!(request[1].name, "stripe-signature");
    assert!(verify(&config, Some(&secret), &request, body, at(1_010)).is_valid());
}

#[test]
fn replace_headers_sets_appends_and_drops_duplicates() {
    let mut headers = vec![
        Header::new("A", "1"),
        Header::new("b", "2"),
        Header::new("B", "3"),
    ];
    replace_headers(
        &mut headers,
        &[("B".into(), "x".into()), ("C".into(), "y".into())],
    );
    assert_eq!(
        headers,
        vec![
            Header::new("A", "1"),
            Header::new("b", "x"),
            Header::new("C", "y")
        ]
    );
}

#[test]
fn the_secret_never_shows_in_messages_or_debug_output() {
    const TEXT: &str = "sup3r-s3cret-value";
    let var = "HOOKSCOPE_TEST_SIGNATURE_NEVER_SHOWN";
    // SAFETY: the variable name is unique to this test, so no other thread reads it.
    unsafe { std::env::set_var(var, TEXT) };
    let mut shown = Vec::new();
    for scheme in [
        "hmac-sha256\"\nheader = \"X-Sig",
        "stripe",
        "standard-webhooks",
    ] {
        let config = config(&format!(
            "[signature]\nscheme = \"{scheme}\"\nsecret_env = \"{var}\""
        ));
        shown.push(format!("{config:?}"));
        match config.secret() {
            Ok(secret) => {
                let secret = secret.unwrap();
                shown.push(format!("{secret:?}"));
                for headers in [
                    vec![],
                    vec![
                        Header::new("X-Sig", "00"),
                        Header::new("Stripe-Signature", "t=1,v1=00"),
                    ],
                    vec![
                        Header::new("webhook-id", "msg_1"),
                        Header::new("webhook-timestamp", "1"),
                        Header::new("webhook-signature", "v1,AA=="),
                    ],
                ] {
                    let check = verify(&config, Some(&secret), &headers, b"{}", at(10_000));
                    shown.push(format!("{check:?}"));
                    shown.push(check.message());
                }
            }
            // Not base64, so not a Standard Webhooks secret: the error must not quote it.
            Err(err) => shown.push(format!("{err} {err:?}")),
        }
    }
    unsafe { std::env::remove_var(var) };
    for text in shown {
        assert!(!text.contains(TEXT), "{text}");
    }
}

#[test]
fn a_stored_capture_is_checked_as_of_its_arrival() {
    // `now` is the capture's received_at, so yesterday's delivery still checks as valid.
    let config = config("[signature]\nscheme = \"standard-webhooks\"");
    let secret = config
        .parse_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        .unwrap();
    let set = sign(&config, &secret, &[], b"{}", at(5_000));
    let received_at = at(5_002);
    assert!(verify(&config, Some(&secret), &headers(&set), b"{}", received_at).is_valid());
    let today = at(5_000 + 86_400);
    let check = verify(&config, Some(&secret), &headers(&set), b"{}", today);
    assert!(
        check
            .message()
            .contains("1 d old, outside the 5 min tolerance"),
        "{}",
        check.message()
    );
}
