//! Copying, checked against the real programs: the curl command run by real curl must put
//! the same request on the wire, and text copied to the system clipboard must be readable
//! by another X11 client (xclip) while hookscope's handle lives.
//!
//! The clipboard test sets `DISPLAY` for this process, so it lives in this test binary of
//! its own; no other test here reads it.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::receiver::{RawReceiver, split_request};
use hookscope::capture::{Capture, Header};
use hookscope::copy::{Clipboard, ClipboardMode, Delivery, Env, curl_for_capture};
use hookscope::replay::{OutgoingRequest, Target};

const WAIT: Duration = Duration::from_secs(20);

/// Whether `program` is on the PATH.
fn installed(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Runs `command` to the end, killing it if it takes longer than `WAIT`.
fn run(command: &mut Command) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the program");
    let readers = [
        read_in_background(child.stdout.take()),
        read_in_background(child.stderr.take()),
    ];
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the program") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{command:?} did not finish within {WAIT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let [stdout, stderr] = readers.map(|reader| reader.join().expect("read the output"));
    Output {
        status,
        stdout,
        stderr,
    }
}

fn read_in_background(
    pipe: Option<impl Read + Send + 'static>,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut out);
        }
        out
    })
}

/// What the receiver got: the request line, the headers, the body.
type Received = (String, Vec<(String, Vec<u8>)>, Vec<u8>);

/// Runs the capture's curl command against a receiver; `None` (with a note) without curl.
fn send_with_curl(capture: &Capture) -> Option<(Received, Target)> {
    if !installed("curl") {
        eprintln!("skipped: curl is not installed");
        return None;
    }
    let receiver = RawReceiver::ok();
    let target = Target::parse(&receiver.url()).expect("the receiver's URL");
    let command = curl_for_capture(capture, Some(&target)).expect("a curl command");
    // No user or system curl configuration, no proxy: only the command decides. The
    // command is run from a file, as a pasted one is read from the terminal: `sh -c` would
    // pass it as one argument, which may not exceed 128 KiB.
    let home = tempfile::tempdir().expect("a temporary home");
    let script = home.path().join("curl.sh");
    std::fs::write(&script, &command).expect("write the command");
    let output = run(Command::new("sh")
        .arg(&script)
        .env("HOME", home.path())
        .env("CURL_HOME", home.path())
        .env("NO_PROXY", "*")
        .env("no_proxy", "*")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("all_proxy")
        .env_remove("ALL_PROXY"));
    assert!(
        output.status.success(),
        "curl failed: {}\nthe command:\n{command}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut requests = receiver.wait_for(1, WAIT);
    assert_eq!(requests.len(), 1, "one request, from:\n{command}");
    Some((split_request(&requests.remove(0)), target))
}

fn without_length_and_host(headers: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    headers
        .into_iter()
        .filter(|(name, _)| {
            !name.eq_ignore_ascii_case("host") && !name.eq_ignore_ascii_case("content-length")
        })
        .collect()
}

/// curl must send what replay sends: the same method, target, headers (but `Host` and
/// `Content-Length`, which curl writes itself, and nothing of its own) and body bytes.
fn assert_curl_reproduces(capture: &Capture) {
    let Some(((request_line, headers, body), target)) = send_with_curl(capture) else {
        return;
    };
    let expected = OutgoingRequest::for_capture(capture, &target);
    assert_eq!(
        request_line,
        format!("{} {} HTTP/1.1", expected.method, expected.target)
    );
    let expected_headers = expected
        .headers
        .iter()
        .map(|h| (h.name.clone(), h.value.clone()))
        .collect();
    assert_eq!(
        without_length_and_host(headers.clone()),
        without_length_and_host(expected_headers)
    );
    let length = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .map(|(_, value)| value.clone());
    let expected_length =
        (!capture.body.is_empty()).then(|| capture.body.len().to_string().into_bytes());
    if expected_length.is_some() {
        assert_eq!(length, expected_length);
    }
    assert_eq!(body, capture.body.as_ref(), "the body bytes differ");
}

fn capture(method: &str, uri: &str, headers: Vec<Header>, body: impl Into<Bytes>) -> Capture {
    Capture::new(method, uri, headers, body)
}

#[test]
fn curl_reproduces_a_json_webhook() {
    let body = "{\n  \"Event\": {\"Id\": \"ev-1\", \"Message\": \"it's $HOME `id` ünïcödé\"}\n}\n";
    assert_curl_reproduces(&capture(
        "POST",
        "/webhooks/octopus?token=a%20b&x=1",
        vec![
            Header::new("Host", "original.example:9000"),
            Header::new("User-Agent", "Octopus/2024.1"),
            Header::new("Content-Type", "application/json; charset=utf-8"),
            Header::new("X-Octopus-Signature", "sha256=abc'def"),
            Header::new("Content-Length", body.len().to_string()),
        ],
        body,
    ));
}

#[test]
fn curl_reproduces_every_byte_of_a_binary_body() {
    let mut body: Vec<u8> = (0..=255).collect();
    body.extend_from_slice(b"'%\\%%s\\n\\000");
    body.push(b'\n');
    assert_curl_reproduces(&capture(
        "PUT",
        "/upload",
        vec![
            Header::new("Host", "h"),
            Header::new("Content-Type", "application/octet-stream"),
        ],
        body,
    ));
}

#[test]
fn curl_reproduces_a_body_that_starts_like_an_option_or_a_file() {
    for body in [&b"-d @x"[..], b"@/etc/passwd", b"--data"] {
        assert_curl_reproduces(&capture(
            "POST",
            "/in",
            vec![Header::new("Content-Type", "text/plain")],
            Bytes::copy_from_slice(body),
        ));
    }
}

#[test]
fn curl_reproduces_duplicate_headers_in_their_original_case() {
    assert_curl_reproduces(&capture(
        "GET",
        "/status?check=1",
        vec![
            Header::new("X-Dup", "1"),
            Header::new("HOST", "h"),
            Header::new("x-dup", "2"),
            Header::new("accept", "text/plain"),
            Header::new("X-DUP", "3"),
            Header::new("ACCEPT", "*/*"),
            Header::new("X-Empty", ""),
            Header::new("Connection", "keep-alive"),
            Header::new("X-Shell", "a'b\"c $HOME `id` \\ %s"),
            Header::new("user-agent", "Sender/1"),
        ],
        Bytes::new(),
    ));
}

#[test]
fn curl_reproduces_a_text_body_too_large_for_one_argument() {
    let line = "{\"n\": 12345, \"text\": \"it's a line\"}\n";
    let body = line.repeat(200_000 / line.len());
    assert_curl_reproduces(&capture(
        "POST",
        "/bulk",
        vec![Header::new("Content-Type", "application/x-ndjson")],
        body,
    ));
}

/// A virtual X server for the length of a test.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    /// `None`, with a note, when Xvfb or xclip is missing.
    fn start() -> Option<Self> {
        if !installed("Xvfb") || !installed("xclip") {
            eprintln!("skipped: the clipboard test needs Xvfb and xclip");
            return None;
        }
        // `-displayfd` makes Xvfb pick a free display itself and print its number once it
        // accepts connections: no guessing, no race with other X servers.
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "320x240x24",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("Xvfb's output");
        let _ = BufReader::new(stdout).read_line(&mut line);
        let number = line.trim().to_owned();
        let xvfb = Self {
            child,
            display: format!(":{number}"),
        };
        assert!(
            !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()),
            "Xvfb did not say which display it took: {line:?}"
        );
        Some(xvfb)
    }

    fn read_clipboard(&self) -> String {
        let output = run(Command::new("xclip")
            .args(["-o", "-selection", "clipboard", "-t", "UTF8_STRING"])
            .env("DISPLAY", &self.display));
        assert!(
            output.status.success(),
            "xclip failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 from xclip")
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn text_copied_to_the_system_clipboard_is_there_for_other_programs() {
    let Some(xvfb) = Xvfb::start() else {
        return;
    };
    // SAFETY: the only test in this binary that touches the environment, done before the
    // clipboard opens its X11 connection; the other tests only start processes, which
    // read the environment under the standard library's own lock.
    unsafe { std::env::set_var("DISPLAY", &xvfb.display) };
    let env = Env {
        display: true,
        ssh: false,
        tmux: false,
    };
    let mut clipboard = Clipboard::with_env(ClipboardMode::System, env);
    let first = "curl --request POST 'http://h/x' \\\n  --data-binary 'ünïcödé'\n";
    let copied = clipboard.copy(first).expect("copy to the X11 clipboard");
    assert_eq!(copied.delivery, Delivery::System);
    assert_eq!(copied.bytes, first.len());
    assert_eq!(copied.sequence, None);
    assert_eq!(xvfb.read_clipboard(), first);

    // The same handle serves the next copy, and the text is still there when read again.
    let second = "second copy";
    clipboard.copy(second).expect("a second copy");
    assert_eq!(xvfb.read_clipboard(), second);
    assert_eq!(xvfb.read_clipboard(), second);

    // Auto with a display uses the system clipboard too.
    let mut auto = Clipboard::with_env(ClipboardMode::Auto, env);
    let copied = auto.copy("from auto").expect("copy in auto mode");
    assert_eq!(copied.delivery, Delivery::System);
    assert_eq!(xvfb.read_clipboard(), "from auto");
    drop(auto);
    drop(clipboard);
}
