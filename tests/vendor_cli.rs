//! Vendor decoding as scripts see it: `validate`, and the vendor fields of headless lines
//! and `list --json`.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::{RunningBinary, client, hookscope};
use hookscope::samples;
use hookscope::vendor::Vendor;
use serde_json::Value;

fn validate(home: &std::path::Path, args: &[&str]) -> (i32, Vec<Value>, String) {
    let out = hookscope(home).arg("validate").args(args).output().unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        out.status.code().unwrap(),
        lines,
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn write_sample(dir: &std::path::Path, vendor: Vendor, name: &str) -> String {
    let sample = samples::for_vendor(vendor)
        .find(|s| s.name == name)
        .unwrap();
    let path = dir.join(sample.file);
    std::fs::write(&path, sample.body).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn validate_reports_each_file_and_exits_by_the_worst() {
    let home = tempfile::tempdir().unwrap();
    let good = write_sample(home.path(), Vendor::Octopus, "DeploymentSucceeded");
    let bad = write_sample(home.path(), Vendor::Bitdrift, "broken-two-members");

    let (code, lines, _) = validate(home.path(), &["--json", &good]);
    assert_eq!(code, 0);
    assert_eq!(lines[0]["vendor"], "octopus");
    assert_eq!(lines[0]["kind"], "DeploymentSucceeded");
    assert_eq!(lines[0]["valid"], true);

    let (code, lines, _) = validate(home.path(), &["--json", &good, &bad]);
    assert_eq!(code, 1, "one invalid file fails the run");
    assert_eq!(lines.len(), 2);
    let keys: Vec<&str> = lines[1]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["file", "vendor", "kind", "valid", "findings"]);
    assert_eq!(lines[1]["valid"], false);
    let finding = &lines[1]["findings"][0];
    assert_eq!(finding["pointer"], "/test");
    assert_eq!(finding["severity"], "error");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("second notification")
    );

    let missing = home.path().join("missing.json");
    let (code, _, stderr) = validate(home.path(), &["--json", &good, missing.to_str().unwrap()]);
    assert_eq!(code, 2, "a file that cannot be read is a usage error");
    assert!(stderr.contains("missing.json"), "{stderr}");
}

#[test]
fn validate_reads_stdin_and_can_be_told_the_vendor() {
    let home = tempfile::tempdir().unwrap();
    // A BugSplat crash without its `stackKeyId` is still checked when the vendor is given.
    let body = br#"{"database":"northwind","application":"POS","received":"2026-01-02T03:04:05Z"}"#;
    let run = |args: &[&str]| {
        let mut child = hookscope(home.path())
            .arg("validate")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(body).unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
        )
    };
    let (code, out) = run(&["-"]);
    assert_eq!(code, 1);
    assert!(out.contains("not recognised"), "{out}");
    let (code, out) = run(&["--vendor", "bugsplat", "-"]);
    assert_eq!(code, 1);
    assert!(out.contains("/stackKeyId"), "{out}");
    assert!(out.contains("`stackKeyId` is missing"), "{out}");
    assert!(!out.contains('\x1b'), "no colour when piped: {out:?}");
}

/// Octopus may deliver an event twice; the second capture points at the first.
#[tokio::test(flavor = "multi_thread")]
async fn headless_lines_carry_vendor_kind_validity_and_repeats() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("c.sqlite3");
    let binary = RunningBinary::start(home.path(), &["--db", db.to_str().unwrap()]);
    let http = client();
    let octopus = samples::find(Vendor::Octopus, Some("DeploymentSucceeded"), false).unwrap();
    let broken = samples::find(Vendor::Firefly, Some("broken-boolean-types"), true).unwrap();
    for sample in [octopus, broken, octopus] {
        let mut request = http.post(format!("http://{}/hook", binary.addr));
        for (name, value) in &sample.headers {
            request = request.header(name, value);
        }
        request.body(sample.body).send().await.unwrap();
    }
    let (status, stdout) = binary.terminate();
    assert!(status.success());
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["vendor"], "octopus");
    assert_eq!(lines[0]["kind"], "DeploymentSucceeded");
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["duplicate_of"], Value::Null);
    assert_eq!(lines[1]["vendor"], "firefly");
    assert_eq!(lines[1]["valid"], false);
    assert_eq!(lines[1]["errors"], 2);
    assert_eq!(lines[2]["duplicate_of"], lines[0]["id"]);

    let listed = hookscope(home.path())
        .args(["list", "--json", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    let listed: Vec<Value> = String::from_utf8(listed.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        listed, lines,
        "list --json and headless lines agree field for field"
    );
}
