//! `--require-auth`: a request without the credentials is answered 401 and still captured,
//! marked as unauthenticated; listening beyond loopback without it is warned about.

mod common;

use common::{RunningBinary, ServerConfig, TestServer, client, hookscope, stdout_of};
use hookscope::auth::AuthRule;

async fn requiring(rule: &str) -> TestServer {
    TestServer::start_with(ServerConfig {
        auth: Some(rule.parse::<AuthRule>().unwrap()),
        ..ServerConfig::default()
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_without_the_credentials_is_answered_401_and_still_captured() {
    let server = requiring("bearer:s3cret").await;
    let refused = client()
        .post(server.url("/hook"))
        .header("Authorization", "Bearer wrong")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.headers()["www-authenticate"],
        "Bearer realm=\"hookscope\""
    );
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["ok"], false);
    assert!(
        body["error"].as_str().unwrap().contains("bearer token"),
        "{body}"
    );
    assert!(!body.to_string().contains("s3cret"), "{body}");

    let admitted = client()
        .post(server.url("/hook"))
        .header("Authorization", "Bearer s3cret")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(admitted.status(), 200);

    let captures = server.captures();
    assert_eq!(captures.len(), 2, "the refused request is captured too");
    assert_eq!(body["id"], captures[0].id);
    assert!(captures[0].unauthenticated && captures[0].response_status == 401);
    assert!(!captures[1].unauthenticated && captures[1].response_status == 200);
    let summaries = server.db().latest_summaries(10).unwrap();
    assert_eq!(
        summaries
            .iter()
            .map(|s| s.unauthenticated)
            .collect::<Vec<_>>(),
        [true, false]
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn basic_and_header_rules_admit_only_their_credentials() {
    let server = requiring("basic:alice:pw").await;
    let send = |auth: Option<&'static str>| {
        let mut request = client().post(server.url("/b")).body("{}");
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        request.send()
    };
    let none = send(None).await.unwrap();
    assert_eq!(none.status(), 401);
    assert!(
        none.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic realm=")
    );
    assert_eq!(
        send(Some("Basic YWxpY2U6cHc=")).await.unwrap().status(),
        200
    );
    server.stop().await;

    let server = requiring("header:X-Api-Key:k1").await;
    let wrong = client()
        .post(server.url("/h"))
        .header("X-Api-Key", "k2")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(wrong.headers().get("www-authenticate").is_none());
    let right = client()
        .post(server.url("/h"))
        .header("X-Api-Key", "k1")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
    server.stop().await;
}

/// Through the binary: the option on bare `hookscope` listen, the mark in `list --json`,
/// and the warning for an address beyond loopback without it.
#[tokio::test(flavor = "multi_thread")]
async fn the_binary_marks_unauthenticated_captures_and_warns_when_open_without_auth() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("c.sqlite3");
    let db = db.to_str().unwrap();
    let binary = RunningBinary::start(
        home.path(),
        &["--db", db, "--require-auth", "header:X-Key:k"],
    );
    assert!(
        !binary.before_address.join("\n").contains("--require-auth"),
        "{:?}",
        binary.before_address
    );
    let status = client()
        .post(format!("http://{}/x", binary.addr))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401);
    let (_, stdout) = binary.terminate();
    let line: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(line["unauthenticated"], true, "{line}");
    let listed = stdout_of(home.path(), &["list", "--json", "--db", db]);
    let record: serde_json::Value = serde_json::from_str(listed.trim()).unwrap();
    assert_eq!(record["unauthenticated"], true);

    // Open to other machines: said before anything else, unless senders authenticate.
    let mut open = hookscope(home.path())
        .args(["--headless", "--listen", "0.0.0.0:0", "--db", db])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(open.stderr.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("warning") {
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() == 0 {
            break;
        }
        seen.push_str(&line);
    }
    open.kill().unwrap();
    let _ = open.wait();
    assert!(
        seen.contains("accepts webhooks from other machines") && seen.contains("--require-auth"),
        "{seen}"
    );
}
