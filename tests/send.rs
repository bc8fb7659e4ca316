//! `hookscope send`, run as the real binary against an in-process listener on loopback.

mod common;

use std::process::Output;

use common::{ServerConfig, TestServer, hookscope};
use hookscope::capture::Capture;
use hookscope::listener::ResponseConfig;
use hookscope::samples;
use hookscope::vendor::Vendor;

/// Runs `hookscope send ARGS` without blocking the listener's runtime.
async fn send(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let home = tempfile::tempdir().unwrap();
        hookscope(home.path())
            .arg("send")
            .args(&args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The value of the first header called `name` (any case), as text.
fn header(capture: &Capture, name: &str) -> Option<String> {
    capture
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| text(&h.value))
}

#[tokio::test(flavor = "multi_thread")]
async fn sends_the_exact_sample_with_its_headers() {
    let server = TestServer::start().await;
    let url = server.url("/webhooks/bitdrift");
    let out = send(&["bitdrift", "alert", "--to", &url]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let captures = server.captures();
    assert_eq!(captures.len(), 1);
    let sample = samples::find(Vendor::Bitdrift, Some("alert"), false).unwrap();
    let capture = &captures[0];
    assert_eq!(capture.method, "POST");
    assert_eq!(capture.uri, "/webhooks/bitdrift");
    assert_eq!(&capture.body[..], sample.body);
    assert_eq!(
        header(capture, "Content-Type").as_deref(),
        Some("application/json")
    );
    assert_eq!(
        header(capture, "User-Agent"),
        Some(format!("hookscope/{} (sample)", env!("CARGO_PKG_VERSION")))
    );
    assert!(
        capture.headers.iter().any(|h| h.name == "Content-Type"),
        "names as vendors write them: {:?}",
        capture.headers
    );

    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let prefix = format!("bitdrift alert (alert.json) → {url}: 200 OK, ");
    assert!(
        lines[0].starts_with(&prefix) && lines[0].ends_with(" ms"),
        "{stdout}"
    );
    assert_eq!(lines[1], r#"  {"ok":true,"id":1}"#);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sample_s_own_headers_follow_the_manifest_ones() {
    let server = TestServer::start().await;
    let out = send(&["octopus", "DeploymentSucceeded", "--to", &server.url("/o")]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let capture = &server.captures()[0];
    assert_eq!(
        header(capture, "X-Northwind-Hook-Token").as_deref(),
        Some("nw-oct-5b9e21c7d04a4f8e")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn all_sends_every_sample_in_that_state_in_order() {
    let server = TestServer::start().await;
    let url = server.url("/f");
    let valid: Vec<_> = samples::for_vendor(Vendor::Firefly)
        .filter(|s| !s.broken)
        .collect();
    let broken: Vec<_> = samples::for_vendor(Vendor::Firefly)
        .filter(|s| s.broken)
        .collect();

    let out = send(&["firefly", "--all", "--to", &url]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out_broken = send(&["firefly", "--all", "--broken", "--to", &url]).await;
    assert_eq!(out_broken.status.code(), Some(0));

    let bodies: Vec<Vec<u8>> = server.captures().iter().map(|c| c.body.to_vec()).collect();
    let expected: Vec<Vec<u8>> = valid
        .iter()
        .chain(&broken)
        .map(|s| s.body.to_vec())
        .collect();
    assert_eq!(bodies.len(), valid.len() + broken.len());
    assert_eq!(bodies, expected);

    // One result line and one body line per request; broken ones say what is wrong.
    assert_eq!(text(&out.stdout).lines().count(), 2 * valid.len());
    let stdout = text(&out_broken.stdout);
    for sample in &broken {
        let line = stdout
            .lines()
            .find(|l| l.contains(&format!("({})", sample.file)))
            .unwrap_or_else(|| panic!("no line for {}: {stdout}", sample.name));
        assert!(
            line.ends_with(&format!("; broken: {}", sample.description)),
            "{line}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_kind_is_a_usage_error_naming_the_kinds() {
    let server = TestServer::start().await;
    let out = send(&["bugsplat", "Crashed", "--to", &server.url("/b")]).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("\"Crashed\""), "{stderr}");
    for kind in samples::kinds(Vendor::Bugsplat) {
        assert!(stderr.contains(kind), "{kind} missing: {stderr}");
    }
    assert!(out.stdout.is_empty());
    assert!(server.captures().is_empty(), "nothing is sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_target_that_is_not_an_http_url_is_a_usage_error() {
    let out = send(&["bitdrift", "--to", "localhost:9/hook"]).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("\"localhost:9/hook\"") && stderr.contains("http:// or https://"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_target_is_named_with_the_reason() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let url = format!("http://{addr}/hook");
    let out = send(&["bitdrift", "--to", &url]).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("cannot send to {url}: connection refused")),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_non_2xx_answer_is_shown_and_fails_the_command() {
    let server = TestServer::start_with(ServerConfig {
        response: ResponseConfig {
            status: http::StatusCode::INTERNAL_SERVER_ERROR,
            body: Some("down for \u{1b}[2Jmaintenance".to_owned()),
            ..ResponseConfig::default()
        },
        ..ServerConfig::default()
    })
    .await;
    let url = server.url("/o");
    let out = send(&["octopus", "--all", "--to", &url]).await;
    assert_eq!(out.status.code(), Some(1));
    let count = samples::for_vendor(Vendor::Octopus)
        .filter(|s| !s.broken)
        .count();
    assert_eq!(server.captures().len(), count, "keeps sending after a 500");

    let stdout = text(&out.stdout);
    let results: Vec<&str> = stdout.lines().filter(|l| !l.starts_with("  ")).collect();
    assert_eq!(results.len(), count, "{stdout}");
    assert!(
        results
            .iter()
            .all(|l| l.contains(": 500 Internal Server Error, "))
    );
    assert!(
        stdout.contains("\n  down for \\x1b[2Jmaintenance\n"),
        "escaped: {stdout}"
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{count} of {count} requests to {url}")),
        "{stderr}"
    );

    let single = send(&["octopus", "--to", &url]).await;
    assert_eq!(single.status.code(), Some(1));
    assert!(text(&single.stderr).contains("answered 500 Internal Server Error"));
}

#[tokio::test(flavor = "multi_thread")]
async fn list_names_every_sample_and_json_lists_each_once() {
    let out = send(&["--list"]).await;
    assert_eq!(out.status.code(), Some(0));
    let table = text(&out.stdout);
    for sample in samples::all() {
        assert!(
            table.contains(&format!("    {} ", sample.name)),
            "{} missing",
            sample.name
        );
        assert!(
            table.contains(&sample.description),
            "piped output is not cut"
        );
    }

    let out = send(&["octopus", "--list", "--json"]).await;
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let octopus: Vec<_> = samples::for_vendor(Vendor::Octopus).collect();
    assert_eq!(lines.len(), octopus.len());
    for (line, sample) in lines.iter().zip(&octopus) {
        assert_eq!(line["vendor"], "octopus");
        assert_eq!(line["name"], sample.name);
        assert_eq!(line["kind"], sample.kind.as_str());
        assert_eq!(line["broken"], sample.broken);
        assert_eq!(line["description"], sample.description.as_str());
    }
}

/// The example in `send --help`: a kind with --broken sends a broken sample of that kind,
/// even when the kind is also the name of a valid sample (`alert`).
#[tokio::test(flavor = "multi_thread")]
async fn broken_with_a_kind_sends_a_broken_sample_of_that_kind() {
    let server = TestServer::start().await;
    let url = server.url("/b");
    let out = send(&["bitdrift", "alert", "--broken", "--to", &url]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let expected = samples::find(Vendor::Bitdrift, Some("broken-two-members"), false).unwrap();
    let captures = server.captures();
    assert_eq!(captures.len(), 1);
    assert_eq!(&captures[0].body[..], expected.body);
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("bitdrift alert (broken-two-members.json) → "),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_with_a_kind_that_has_none_lists_the_broken_samples() {
    let server = TestServer::start().await;
    let out = send(&["bitdrift", "test", "--broken", "--to", &server.url("/b")]).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no broken \"test\" sample"), "{stderr}");
    for sample in samples::for_vendor(Vendor::Bitdrift).filter(|s| s.broken) {
        let listed = format!("{} ({})", sample.name, sample.kind);
        assert!(stderr.contains(&listed), "{listed} missing: {stderr}");
    }
    assert!(server.captures().is_empty(), "nothing is sent");
}
