//! `hookscope send`, run as the real binary against an in-process listener on loopback.

mod common;

use std::process::Output;

use common::{ServerConfig, TestServer, hookscope};
use hookscope::capture::Capture;
use hookscope::listener::ResponseConfig;
use hookscope::samples::{self, Group};
use hookscope::validate::counts;
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

fn in_group(vendor: Vendor, group: Group) -> Vec<&'static samples::Sample> {
    samples::for_vendor(vendor)
        .filter(|s| s.group == group)
        .collect()
}

/// What hookscope makes of a request as it arrived.
fn judged(capture: &Capture) -> Group {
    let inspection = hookscope::inspect::inspect(&capture.headers, &capture.body);
    match counts(&inspection.findings) {
        (0, 0) => Group::Valid,
        (0, _) => Group::Warnings,
        _ => Group::Broken,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn all_sends_every_sample_in_that_group_in_order() {
    let server = TestServer::start().await;
    let url = server.url("/f");
    let valid = in_group(Vendor::Firefly, Group::Valid);
    let warning = in_group(Vendor::Firefly, Group::Warnings);
    let broken = in_group(Vendor::Firefly, Group::Broken);

    let out = send(&["firefly", "--all", "--to", &url]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out_warnings = send(&["firefly", "--all", "--warnings", "--to", &url]).await;
    assert_eq!(out_warnings.status.code(), Some(0));
    let out_broken = send(&["firefly", "--all", "--broken", "--to", &url]).await;
    assert_eq!(out_broken.status.code(), Some(0));

    let captures = server.captures();
    let bodies: Vec<Vec<u8>> = captures.iter().map(|c| c.body.to_vec()).collect();
    let sent: Vec<&samples::Sample> = valid
        .iter()
        .chain(&warning)
        .chain(&broken)
        .copied()
        .collect();
    let expected: Vec<Vec<u8>> = sent.iter().map(|s| s.body.to_vec()).collect();
    assert_eq!(bodies, expected);
    for (capture, sample) in captures.iter().zip(&sent) {
        assert_eq!(judged(capture), sample.group, "{} as received", sample.file);
    }

    // One result line and one body line per request; the others say what is wrong.
    assert_eq!(text(&out.stdout).lines().count(), 2 * valid.len());
    for (out, samples, what) in [
        (&out_warnings, &warning, "warnings"),
        (&out_broken, &broken, "broken"),
    ] {
        let stdout = text(&out.stdout);
        assert_eq!(stdout.lines().count(), 2 * samples.len(), "{stdout}");
        for sample in samples {
            let line = stdout
                .lines()
                .find(|l| l.contains(&format!("({})", sample.file)))
                .unwrap_or_else(|| panic!("no line for {}: {stdout}", sample.name));
            assert!(
                line.ends_with(&format!("; {what}: {}", sample.description)),
                "{line}"
            );
        }
    }
}

/// The promise of `--broken`, for every vendor: whatever it sends, hookscope calls invalid.
#[tokio::test(flavor = "multi_thread")]
async fn every_broken_sample_arrives_invalid() {
    let server = TestServer::start().await;
    let mut sent = Vec::new();
    for vendor in Vendor::ALL {
        let url = server.url(&format!("/webhooks/{}", vendor.id()));
        let out = send(&[vendor.id(), "--all", "--broken", "--to", &url]).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        sent.extend(in_group(vendor, Group::Broken));
    }
    let captures = server.captures();
    assert_eq!(captures.len(), sent.len());
    for (capture, sample) in captures.iter().zip(&sent) {
        assert_eq!(&capture.body[..], sample.body);
        assert_eq!(
            judged(capture),
            Group::Broken,
            "{}/{}",
            sample.vendor,
            sample.file
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
    let count = in_group(Vendor::Octopus, Group::Valid).len();
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
async fn list_shows_every_sample_with_its_verdict_and_json_lists_each_once() {
    let out = send(&["--list"]).await;
    assert_eq!(out.status.code(), Some(0));
    let table = text(&out.stdout);
    for sample in samples::all() {
        // Two vendors may use one name; the full (piped, so not cut) description tells.
        let line = table
            .lines()
            .find(|l| {
                l.starts_with(&format!("    {} ", sample.name)) && l.ends_with(&sample.description)
            })
            .unwrap_or_else(|| panic!("{} missing or cut in\n{table}", sample.name));
        let verdict = sample.judge().to_string();
        assert!(line.contains(&format!("  {verdict}  ")), "{line}");
        let glyph = match sample.group {
            Group::Valid => "✓ valid",
            Group::Warnings => "⚠ ",
            Group::Broken => "✗ ",
        };
        assert!(verdict.starts_with(glyph), "{line}");
    }
    // The verdict column as a person reads it.
    for (name, verdict) in [
        ("Drift", "✓ valid"),
        ("warning-drifts-on-ghost", "⚠ 1 warning"),
        ("broken-boolean-types", "✗ 2 errors"),
    ] {
        let line = table
            .lines()
            .find(|l| l.starts_with(&format!("    {name} ")))
            .unwrap();
        let rest = line[4 + name.len()..].trim_start();
        assert!(rest.starts_with(&format!("{verdict}  ")), "{line}");
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
        assert_eq!(line["broken"], sample.is_broken());
        assert_eq!(line["description"], sample.description.as_str());
        let judgement = sample.judge();
        let verdict = match sample.group {
            Group::Valid => "valid",
            Group::Warnings => "warnings",
            Group::Broken => "invalid",
        };
        assert_eq!(line["verdict"], verdict, "{line}");
        assert_eq!(line["errors"], judgement.errors);
        assert_eq!(line["warnings"], judgement.warnings);
        let keys: Vec<&str> = line
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "vendor",
                "name",
                "file",
                "kind",
                "broken",
                "description",
                "verdict",
                "errors",
                "warnings"
            ],
            "the existing fields first, as they were"
        );
    }
    let clean = lines
        .iter()
        .find(|l| l["name"] == "DeploymentSucceeded")
        .unwrap();
    assert_eq!(
        (&clean["errors"], &clean["warnings"]),
        (&0.into(), &0.into())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn list_with_warnings_says_to_leave_it_out() {
    let out = send(&["--list", "--warnings"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("leave out --warnings"));
}

/// `--warnings` with a kind sends that kind's sample that is valid with warnings, even when
/// the kind is also a clean sample's name.
#[tokio::test(flavor = "multi_thread")]
async fn warnings_with_a_kind_sends_a_warning_sample_of_that_kind() {
    let server = TestServer::start().await;
    let url = server.url("/f");
    let out = send(&["firefly", "Drift", "--warnings", "--to", &url]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let expected =
        samples::find(Vendor::Firefly, Some("warning-drift-without-drifts"), false).unwrap();
    let captures = server.captures();
    assert_eq!(captures.len(), 1);
    assert_eq!(&captures[0].body[..], expected.body);
    assert_eq!(judged(&captures[0]), Group::Warnings);
    let stdout = text(&out.stdout);
    let first = stdout.lines().next().unwrap();
    assert!(
        first.starts_with("firefly Drift (warning-drift-without-drifts.json) → "),
        "{stdout}"
    );
    assert!(
        first.ends_with(&format!("; warnings: {}", expected.description)),
        "{first}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn warnings_with_a_kind_that_has_none_lists_the_warning_samples() {
    let server = TestServer::start().await;
    let out = send(&[
        "firefly",
        "InsightDetected",
        "--warnings",
        "--to",
        &server.url("/f"),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(
            "firefly has no warning \"InsightDetected\" sample; its warning samples are "
        ),
        "{stderr}"
    );
    for sample in in_group(Vendor::Firefly, Group::Warnings) {
        let listed = format!("{} ({})", sample.name, sample.kind);
        assert!(stderr.contains(&listed), "{listed} missing: {stderr}");
    }
    assert!(stderr.contains("leave out --warnings"), "{stderr}");
    // A kind with only a warning sample says how to send it.
    let out = send(&["octopus", "TaskCanceled", "--to", &server.url("/o")]).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("there is only TaskCanceled (add --warnings)"),
        "{stderr}"
    );
    assert!(server.captures().is_empty(), "nothing is sent");
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
    for sample in in_group(Vendor::Bitdrift, Group::Broken) {
        let listed = format!("{} ({})", sample.name, sample.kind);
        assert!(stderr.contains(&listed), "{listed} missing: {stderr}");
    }
    assert!(server.captures().is_empty(), "nothing is sent");
}
