//! Secrets in captures, through the real binary: masked in `show`, `list`, headless lines
//! and exports unless asked for, and never changed in the store or in what is sent.

mod common;

use std::path::Path;

use common::{RunningBinary, client, stdout_of};

const TOKEN: &str = "tok_live_51Hx9Qz";
const HEADER_VALUE: &str = "northwind-hunter2";

/// A store holding one capture with a bearer token, a cookie, a token in the query and the
/// Octopus header value in its body; returns the headless line it printed.
async fn store_with_secrets(home: &Path, db: &Path) -> String {
    let binary = RunningBinary::start(home, &["--db", db.to_str().unwrap()]);
    let body = format!(
        r#"{{"Payload":{{"Subscription":{{"WebhookHeaderKey":"X-Hook","WebhookHeaderValue":"{HEADER_VALUE}"}}}}}}"#
    );
    let response = client()
        .post(format!("http://{}/hook?token={TOKEN}&page=2", binary.addr))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .header("Cookie", format!("session={TOKEN}; theme=dark"))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (status, stdout) = binary.terminate();
    assert!(status.success());
    stdout
}

fn run(home: &Path, db: &Path, args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.extend(["--db", db.to_str().unwrap()]);
    stdout_of(home, &all)
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_are_masked_everywhere_a_capture_is_shown_unless_asked_for() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("c.sqlite3");
    let headless = store_with_secrets(home.path(), &db).await;
    assert!(!headless.contains(TOKEN), "{headless}");
    assert!(headless.contains("token=********&page=2"), "{headless}");

    for args in [
        &["show", "1"][..],
        &["list"],
        &["list", "--json"],
        &["export"],
        &["export", "--format", "har"],
    ] {
        let out = run(home.path(), &db, args);
        assert!(
            !out.contains(TOKEN) && !out.contains(HEADER_VALUE),
            "{args:?} leaked:\n{out}"
        );
        assert!(out.contains("token=********"), "{args:?}:\n{out}");
    }
    let shown = run(home.path(), &db, &["show", "1"]);
    assert!(shown.contains("authorization: Bearer ********"), "{shown}");
    assert!(
        shown.contains("cookie: session=********; theme=********"),
        "{shown}"
    );
    assert!(shown.contains(&"*".repeat(HEADER_VALUE.len())), "{shown}");

    let shown = run(home.path(), &db, &["show", "1", "--show-secrets"]);
    assert!(
        shown.contains(&format!("authorization: Bearer {TOKEN}")),
        "{shown}"
    );
    assert!(shown.contains(HEADER_VALUE));
    let listed = run(home.path(), &db, &["list", "--json", "--show-secrets"]);
    assert!(listed.contains(&format!("token={TOKEN}")), "{listed}");
    let kept = run(home.path(), &db, &["export", "--keep-secrets"]);
    assert!(
        kept.contains(TOKEN) && kept.contains(HEADER_VALUE),
        "{kept}"
    );

    // Piped, --raw and --body are the exact request for a script.
    let raw = run(home.path(), &db, &["show", "1", "--raw"]);
    assert!(
        raw.contains(&format!("authorization: Bearer {TOKEN}")),
        "{raw}"
    );
    let body = run(home.path(), &db, &["show", "1", "--body"]);
    assert!(body.contains(HEADER_VALUE));
}
