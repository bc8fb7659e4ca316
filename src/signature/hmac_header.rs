//! HMAC-SHA256 of the raw body in one header, with an optional prefix, hex or base64:
//! GitHub `X-Hub-Signature-256: sha256=<hex>`, Shopify `X-Shopify-Hmac-Sha256: <base64>`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::Mac as _;

use super::config::{Encoding, SchemeName};
use super::{
    CHANGED_OR_WRONG_SECRET, Check, Secret, any_matches, from_hex, header_values, mac, to_hex,
};
use crate::capture::Header;

const TAG_LEN: usize = 32;

pub(super) fn verify(
    header: &str,
    prefix: &str,
    encoding: Encoding,
    secret: &Secret,
    headers: &[Header],
    body: &[u8],
) -> Check {
    let mut tags = Vec::new();
    let mut problem = None;
    for value in header_values(headers, header) {
        match decode(value, prefix, encoding) {
            Ok(tag) => tags.push(tag),
            Err(why) => problem = Some(why),
        }
    }
    if tags.is_empty() {
        return match problem {
            Some(why) => Check::Malformed {
                why: format!("{header} {why}"),
            },
            None => Check::Missing {
                header: header.to_owned(),
            },
        };
    }
    if any_matches(&mac(secret, &[body]), &tags) {
        Check::Valid {
            scheme: SchemeName::HmacSha256,
        }
    } else {
        Check::Mismatch {
            why: CHANGED_OR_WRONG_SECRET.to_owned(),
        }
    }
}

pub(super) fn sign(
    header: &str,
    prefix: &str,
    encoding: Encoding,
    secret: &Secret,
    body: &[u8],
) -> Vec<(String, String)> {
    let tag = mac(secret, &[body]).finalize().into_bytes();
    let encoded = match encoding {
        Encoding::Hex => to_hex(&tag),
        Encoding::Base64 => STANDARD.encode(tag),
    };
    vec![(header.to_owned(), format!("{prefix}{encoded}"))]
}

/// One header value to the 32 signature bytes, or what is wrong with it (to follow the
/// header's name).
fn decode(value: &[u8], prefix: &str, encoding: Encoding) -> Result<Vec<u8>, String> {
    let text = std::str::from_utf8(value)
        .map_err(|_| "is not text".to_owned())?
        .trim();
    let encoded = match text.get(..prefix.len()) {
        Some(start) if start.eq_ignore_ascii_case(prefix) => &text[prefix.len()..],
        _ => return Err(format!("does not start with `{prefix}`")),
    };
    let tag = match encoding {
        Encoding::Hex => from_hex(encoded).ok_or_else(|| {
            let hint = if base64_tag(encoded) {
                " (it looks like base64: set encoding = \"base64\")"
            } else {
                ""
            };
            format!("is not hex{hint}{}", prefix_hint(encoded, prefix))
        })?,
        Encoding::Base64 => STANDARD
            .decode(encoded)
            .map_err(|_| format!("is not base64{}", prefix_hint(encoded, prefix)))?,
    };
    if tag.len() != TAG_LEN {
        let hint = match encoding {
            Encoding::Base64 if from_hex(encoded).is_some_and(|t| t.len() == TAG_LEN) => {
                " (it looks like hex: set encoding = \"hex\")"
            }
            _ => "",
        };
        return Err(format!(
            "holds {} bytes; an HMAC-SHA256 signature is {TAG_LEN}{hint}",
            tag.len()
        ));
    }
    Ok(tag)
}

fn base64_tag(text: &str) -> bool {
    STANDARD.decode(text).is_ok_and(|t| t.len() == TAG_LEN)
}

/// When a value starts `word=` and no prefix is configured, the fix is probably a prefix.
fn prefix_hint(encoded: &str, prefix: &str) -> String {
    match encoded.split_once('=') {
        Some((word, rest))
            if prefix.is_empty()
                && !rest.is_empty()
                && !word.is_empty()
                && word.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            format!(" (set prefix = \"{word}=\")")
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: &str, value: &str) -> Vec<Header> {
        vec![
            Header::new("Content-Type", "application/json"),
            Header::new(name, value),
        ]
    }

    fn github(secret: &str, value: &str, body: &[u8]) -> Check {
        let headers = headers("x-hub-signature-256", value);
        let secret = Secret::from_key(secret);
        verify(
            "X-Hub-Signature-256",
            "sha256=",
            Encoding::Hex,
            &secret,
            &headers,
            body,
        )
    }

    const GITHUB_DOCS_SIGNATURE: &str =
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    #[test]
    fn githubs_published_example_matches() {
        // From GitHub's "Validating webhook deliveries".
        let check = github(
            "It's a Secret to Everybody",
            GITHUB_DOCS_SIGNATURE,
            b"Hello, World!",
        );
        assert!(check.is_valid(), "{check:?}");
        let upper = GITHUB_DOCS_SIGNATURE
            .replace("sha256=", "SHA256=")
            .to_uppercase();
        assert!(github("It's a Secret to Everybody", &upper, b"Hello, World!").is_valid());
    }

    #[test]
    fn a_changed_body_or_a_wrong_secret_is_a_mismatch() {
        let tampered = github(
            "It's a Secret to Everybody",
            GITHUB_DOCS_SIGNATURE,
            b"Hello, World?",
        );
        let wrong = github("not the secret", GITHUB_DOCS_SIGNATURE, b"Hello, World!");
        for check in [tampered, wrong] {
            assert_eq!(
                check,
                Check::Mismatch {
                    why: CHANGED_OR_WRONG_SECRET.into()
                }
            );
            assert!(check.is_error());
        }
    }

    #[test]
    fn a_missing_header_is_named() {
        let secret = Secret::from_key("k");
        let check = verify(
            "X-Hub-Signature-256",
            "sha256=",
            Encoding::Hex,
            &secret,
            &[],
            b"{}",
        );
        assert_eq!(
            check,
            Check::Missing {
                header: "X-Hub-Signature-256".into()
            }
        );
    }

    #[test]
    fn malformed_values_say_what_to_change() {
        let why = |value: &str, prefix: &str, encoding| {
            let secret = Secret::from_key("k");
            match verify(
                "X-Sig",
                prefix,
                encoding,
                &secret,
                &headers("X-Sig", value),
                b"",
            ) {
                Check::Malformed { why } => why,
                other => panic!("{other:?}"),
            }
        };
        let hex = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        let b64 = STANDARD.encode(from_hex(hex).unwrap());
        assert_eq!(
            why(hex, "sha256=", Encoding::Hex),
            "X-Sig does not start with `sha256=`"
        );
        assert!(why(&b64, "", Encoding::Hex).contains("set encoding = \"base64\""));
        assert!(why(hex, "", Encoding::Base64).contains("set encoding = \"hex\""));
        assert!(
            why(&format!("sha256={hex}"), "", Encoding::Hex).contains("set prefix = \"sha256=\"")
        );
        assert!(why("sha1=0123abcd", "sha1=", Encoding::Hex).contains("holds 4 bytes"));
    }

    #[test]
    fn shopify_style_base64_round_trips() {
        let secret = Secret::from_key("shpss_example");
        let body = br#"{"id":820982911946154508}"#;
        let set = sign("X-Shopify-Hmac-Sha256", "", Encoding::Base64, &secret, body);
        assert_eq!(set.len(), 1);
        let (name, value) = &set[0];
        assert_eq!(name, "X-Shopify-Hmac-Sha256");
        let expected = STANDARD.encode(mac(&secret, &[body]).finalize().into_bytes());
        assert_eq!(value, &expected);
        let headers = headers(name, value);
        let check = verify(name, "", Encoding::Base64, &secret, &headers, body);
        assert!(check.is_valid(), "{check:?}");
    }

    #[test]
    fn any_of_duplicate_headers_may_match() {
        let secret = Secret::from_key("It's a Secret to Everybody");
        let mut headers = headers("X-Hub-Signature-256", "sha256=00");
        headers.push(Header::new("X-Hub-Signature-256", GITHUB_DOCS_SIGNATURE));
        let check = verify(
            "X-Hub-Signature-256",
            "sha256=",
            Encoding::Hex,
            &secret,
            &headers,
            b"Hello, World!",
        );
        assert!(check.is_valid(), "{check:?}");
    }
}
