//! The shipped GitHub and Stripe definitions against recorded-style deliveries, with
//! secrets and signatures this test computes itself: the real binary's verdicts, and
//! `--resign` on replay and forward checked by a raw receiver.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use common::receiver::{RawReceiver, split_request};
use common::{RunningBinary, client, hookscope};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const GITHUB_SECRET: &str = "It's a Secret to Everybody";
const STRIPE_SECRET: &str = "whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH";

const PUSH: &str = r#"{"ref":"refs/heads/main","compare":"https://github.com/octo/hello/compare/1...2","repository":{"id":1296269,"full_name":"octo/hello","html_url":"https://github.com/octo/hello","private":false},"sender":{"login":"octocat","id":1,"type":"User"}}"#;

const EVENT: &str = r#"{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","api_version":"2023-10-16","created":1686089970,"type":"payment_intent.succeeded","livemode":false,"pending_webhooks":1,"data":{"object":{"id":"pi_3NG8Du2eZvKYlo2C1Bc9lzLA","object":"payment_intent","amount":2000}}}"#;

fn hex_hmac(secret: &str, parts: &[&[u8]]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    for part in parts {
        mac.update(part);
    }
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn stripe_header(secret: &str, t: i64, body: &str) -> String {
    let v1 = hex_hmac(secret, &[t.to_string().as_bytes(), b".", body.as_bytes()]);
    format!("t={t},v1={v1}")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A home whose vendors folder holds the shipped GitHub and Stripe examples.
fn home_with_examples() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    for example in ["github", "stripe"] {
        let out = run(home.path(), &["vendors", "init", example], &[]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    home
}

fn run(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    hookscope(home)
        .envs(env.iter().copied())
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn secrets() -> [(&'static str, &'static str); 2] {
    [
        ("GITHUB_WEBHOOK_SECRET", GITHUB_SECRET),
        ("STRIPE_WEBHOOK_SECRET", STRIPE_SECRET),
    ]
}

async fn post(addr: std::net::SocketAddr, path: &str, headers: &[(&str, String)], body: &str) {
    let mut request = client()
        .post(format!("http://{addr}{path}"))
        .header("Content-Type", "application/json")
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    assert_eq!(request.send().await.unwrap().status(), 200);
}

/// Posts the Stripe event signed `seconds_ago`; returns its `Stripe-Signature`.
async fn post_old_stripe_event(addr: std::net::SocketAddr, seconds_ago: i64) -> String {
    let old = stripe_header(STRIPE_SECRET, now() - seconds_ago, EVENT);
    post(addr, "/stripe", &[("Stripe-Signature", old.clone())], EVENT).await;
    old
}

fn github_headers(signature: String) -> Vec<(&'static str, String)> {
    vec![
        ("User-Agent", "GitHub-Hookshot/a1b2c3".to_owned()),
        ("X-GitHub-Event", "push".to_owned()),
        (
            "X-GitHub-Delivery",
            "72d3162e-cc78-11e3-81ab-4c9367dc0958".to_owned(),
        ),
        ("X-Hub-Signature-256", signature),
    ]
}

/// Each capture's (vendor, kind, errors, warnings) as `list --json` gives them, in order.
fn listed(home: &Path, db: &Path, env: &[(&str, &str)]) -> Vec<serde_json::Value> {
    let out = run(home, &["list", "--json", "--db", db.to_str().unwrap()], env);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn show(home: &Path, db: &Path, id: u32, env: &[(&str, &str)]) -> String {
    let out = run(
        home,
        &["show", &id.to_string(), "--db", db.to_str().unwrap()],
        env,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signatures_of_the_shipped_examples_are_checked_when_captured() {
    let home = home_with_examples();
    let db = home.path().join("store.sqlite3");
    let db_arg = db.to_str().unwrap().to_owned();
    let env = secrets();
    let listener = RunningBinary::start_with_env(home.path(), &["--db", &db_arg], &env);

    let good = format!("sha256={}", hex_hmac(GITHUB_SECRET, &[PUSH.as_bytes()]));
    post(listener.addr, "/gh", &github_headers(good.clone()), PUSH).await;
    let tampered = PUSH.replace("octocat", "mallory");
    post(listener.addr, "/gh", &github_headers(good), &tampered).await;
    let fresh = stripe_header(STRIPE_SECRET, now(), EVENT);
    post(
        listener.addr,
        "/stripe",
        &[("Stripe-Signature", fresh)],
        EVENT,
    )
    .await;
    let an_hour_old = stripe_header(STRIPE_SECRET, now() - 3600, EVENT);
    post(
        listener.addr,
        "/stripe",
        &[("Stripe-Signature", an_hour_old)],
        EVENT,
    )
    .await;
    let wrong_secret = stripe_header("whsec_someone_elses", now(), EVENT);
    post(
        listener.addr,
        "/stripe",
        &[("Stripe-Signature", wrong_secret)],
        EVENT,
    )
    .await;
    let (status, _) = listener.terminate();
    assert!(status.success());

    let rows = listed(home.path(), &db, &env);
    let verdicts: Vec<(String, String, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["vendor"].as_str().unwrap_or("-").to_owned(),
                r["kind"].as_str().unwrap_or("-").to_owned(),
                r["errors"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("github", "push", 0),
        ("github", "push", 1),
        ("stripe", "payment_intent.succeeded", 0),
        ("stripe", "payment_intent.succeeded", 1),
        ("stripe", "payment_intent.succeeded", 1),
    ];
    let expected: Vec<(String, String, u64)> = expected
        .iter()
        .map(|(v, k, e)| (v.to_string(), k.to_string(), *e))
        .collect();
    assert_eq!(verdicts, expected);

    let tampered = show(home.path(), &db, 2, &env);
    assert!(
        tampered.contains(
            "the GitHub signature does not match: the body was changed or the secret is wrong"
        ),
        "{tampered}"
    );
    let late = show(home.path(), &db, 4, &env);
    assert!(
        late.contains("timestamp is 1 h old, outside the 5 min tolerance"),
        "{late}"
    );
    assert!(late.contains("--resign"), "{late}");
    // The secret never reaches what is shown.
    assert!(!tampered.contains(GITHUB_SECRET) && !late.contains(STRIPE_SECRET));

    // Without the secrets, the same captures are judged again: a warning saying what to set.
    let rows = listed(home.path(), &db, &[]);
    assert!(rows.iter().all(|r| r["errors"] == 0), "{rows:?}");
    // Reading under other rules leaves the store as it was: a running listener would
    // otherwise analyse the whole store again because of a shell without the secrets.
    let store = hookscope::store::Database::open(
        &db,
        hookscope::store::OpenMode::MustExist,
        hookscope::store::Durability::Throwaway,
    )
    .unwrap();
    assert_eq!(store.pending_analysis(0, 10, usize::MAX).unwrap().len(), 0);
    drop(store);
    let unchecked = show(home.path(), &db, 2, &[]);
    assert!(
        unchecked.contains("no secret configured for GitHub: set GITHUB_WEBHOOK_SECRET"),
        "{unchecked}"
    );
}

/// The Stripe-Signature the receiver got, checked the way Stripe's libraries do.
fn assert_freshly_signed(raw: &[u8]) {
    let (_, headers, body) = split_request(raw);
    assert_eq!(
        body,
        EVENT.as_bytes(),
        "the body goes out exactly as captured"
    );
    let signatures: Vec<&Vec<u8>> = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("stripe-signature"))
        .map(|(_, v)| v)
        .collect();
    assert_eq!(signatures.len(), 1, "one signature header: {headers:?}");
    let header = String::from_utf8(signatures[0].clone()).unwrap();
    let t: i64 = header
        .split(',')
        .find_map(|part| part.strip_prefix("t="))
        .unwrap()
        .parse()
        .unwrap();
    assert!((now() - t).abs() <= 60, "a fresh timestamp: {header}");
    assert_eq!(header, stripe_header(STRIPE_SECRET, t, EVENT));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resign_gives_an_old_capture_a_fresh_signature_on_replay() {
    let home = home_with_examples();
    let db = home.path().join("store.sqlite3");
    let db_arg = db.to_str().unwrap().to_owned();
    let env = secrets();
    let listener = RunningBinary::start_with_env(home.path(), &["--db", &db_arg], &env);
    let old = post_old_stripe_event(listener.addr, 86_400).await;
    let (status, _) = listener.terminate();
    assert!(status.success());

    let app = RawReceiver::ok();
    let url = app.url();
    let replay = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = vec!["replay", "1", "--to", &url, "--db", &db_arg];
        args.extend_from_slice(extra);
        run(home.path(), &args, env)
    };
    let asis = replay(&[], &env);
    assert!(asis.status.success(), "{}", text(&asis.stderr));
    let (_, headers, _) = split_request(&app.wait_for(1, Duration::from_secs(5))[0]);
    let sent: Vec<&[u8]> = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("stripe-signature"))
        .map(|(_, v)| v.as_slice())
        .collect();
    assert_eq!(
        sent,
        [old.as_bytes()],
        "without --resign it goes as captured"
    );

    let resigned = replay(&["--resign"], &env);
    assert!(resigned.status.success(), "{}", text(&resigned.stderr));
    assert_freshly_signed(&app.wait_for(2, Duration::from_secs(5))[1]);

    // Without the secret it is not sent, and the failure says what to set.
    let refused = replay(&["--resign", "--json"], &[]);
    assert_eq!(refused.status.code(), Some(1));
    let record: serde_json::Value = serde_json::from_slice(&refused.stdout).unwrap();
    let error = record["error"].as_str().unwrap();
    assert!(error.contains("set STRIPE_WEBHOOK_SECRET"), "{error}");
    assert_eq!(record["status"], serde_json::Value::Null);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(app.requests().len(), 2, "nothing more reached the app");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resign_on_forward_signs_each_webhook_afresh() {
    let home = home_with_examples();
    let app = RawReceiver::ok();
    let to = app.url();
    let listener = RunningBinary::start_with_env(
        home.path(),
        &["--in-memory", "--forward-to", &to, "--resign"],
        &secrets(),
    );
    post_old_stripe_event(listener.addr, 3_600).await;
    assert_freshly_signed(&app.wait_for(1, Duration::from_secs(5))[0]);
    let (status, _) = listener.terminate();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resign_without_a_secret_says_so_at_start_and_sends_nothing_stale() {
    let home = home_with_examples();
    let app = RawReceiver::ok();
    let to = app.url();
    let only_github = [("GITHUB_WEBHOOK_SECRET", GITHUB_SECRET)];
    let mut listener = RunningBinary::start_with_env(
        home.path(),
        &["--in-memory", "--forward-to", &to, "--resign"],
        &only_github,
    );
    let lines = listener.stderr_lines();
    let next_line_with = |text: &str| loop {
        let line = lines.recv_timeout(Duration::from_secs(5)).unwrap();
        if line.contains(text) {
            return line;
        }
    };
    let warning = next_line_with("--resign");
    assert!(
        warning.contains("--resign has no Stripe secret")
            && warning.contains("set STRIPE_WEBHOOK_SECRET"),
        "{warning}"
    );
    post_old_stripe_event(listener.addr, 3_600).await;
    let failure = next_line_with("re-sign");
    assert!(failure.contains("cannot re-sign for Stripe"), "{failure}");
    // A GitHub webhook, whose secret is set, is still forwarded.
    let good = format!("sha256={}", hex_hmac(GITHUB_SECRET, &[PUSH.as_bytes()]));
    post(listener.addr, "/gh", &github_headers(good), PUSH).await;
    let forwarded = app.wait_for(1, Duration::from_secs(5));
    assert_eq!(forwarded.len(), 1);
    assert!(split_request(&forwarded[0]).0.contains("/gh"));
    let (status, _) = listener.terminate();
    assert!(status.success());
}

#[test]
fn user_vendors_are_listed_checked_and_validated_by_the_cli() {
    let home = home_with_examples();
    let listed = run(home.path(), &["vendors", "--json"], &secrets()[..1]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let rows: Vec<serde_json::Value> = text(&listed.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "bitdrift", "octopus", "bugsplat", "firefly", "github", "stripe"
        ]
    );
    assert_eq!(rows[4]["signature"], "hmac-sha256");
    assert_eq!(rows[4]["secret"], true, "GITHUB_WEBHOOK_SECRET is set");
    assert_eq!(rows[5]["secret"], false, "STRIPE_WEBHOOK_SECRET is not");
    assert!(
        rows[5]["source"]
            .as_str()
            .unwrap()
            .ends_with("vendors/stripe.toml")
    );

    let fixture = home.path().join("push.json");
    std::fs::write(&fixture, r#"{"sender": {"login": "octocat"}}"#).unwrap();
    let fixture = fixture.to_str().unwrap();
    let validate = |vendor: &str| run(home.path(), &["validate", "--vendor", vendor, fixture], &[]);
    let validated = validate("github");
    assert_eq!(validated.status.code(), Some(1));
    let said = text(&validated.stdout);
    assert!(said.contains("/sender/id"), "{said}");
    let unknown = validate("githb");
    assert_eq!(unknown.status.code(), Some(2));
    let said = text(&unknown.stderr);
    assert!(said.contains("did you mean `github`?"), "{said}");

    let clean = run(home.path(), &["vendors", "check"], &[]);
    assert!(clean.status.success(), "{}", text(&clean.stdout));
    let definition = home.path().join("config/hookscope/vendors/github.toml");
    let broken = std::fs::read_to_string(&definition).unwrap().replace(
        "encoding = \"hex\"",
        "encoding = \"hex\"\nalgorithm = \"sha1\"",
    );
    std::fs::write(&definition, broken).unwrap();
    let checked = run(home.path(), &["vendors", "check"], &[]);
    assert_eq!(checked.status.code(), Some(1));
    let report = text(&checked.stdout);
    assert!(report.contains("✓ stripe"), "{report}");
    assert!(
        report.contains("github.toml:") && report.contains("unknown key `algorithm`"),
        "{report}"
    );
}
