//! End to end: the real binary in a tmux pane, real webhooks over loopback, keys sent with
//! `send-keys`, and assertions on what `capture-pane` shows, as a person would see it.
//! tmux must be installed (`.ci/run` installs it).

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Pane {
    session: String,
}

impl Pane {
    /// Starts `command` in a detached tmux session of the given size.
    fn start(name: &str, width: u16, height: u16, command: &str) -> Self {
        let session = format!("hookscope-e2e-{name}-{}", std::process::id());
        let status = Command::new("tmux")
            .args(["new-session", "-d", "-s", &session])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            // The shell stays after the command, so what it printed can be read, and says
            // when the command has exited.
            .arg(format!("{command}; echo \"[exited $?]\"; sleep 600"))
            .status()
            .expect("tmux is needed for this test (apt-get install tmux)");
        assert!(status.success(), "tmux new-session failed");
        Self { session }
    }

    /// hookscope in a pane of its own on a free loopback port, with its store in `dir`; once
    /// it is waiting for webhooks, the pane and the port.
    fn listening(name: &str, width: u16, height: u16, dir: &Path) -> (Self, u16) {
        let pane = Self::start(
            name,
            width,
            height,
            &command_line(dir, "--listen 127.0.0.1:0"),
        );
        let port = port_on(&pane.wait_for_text("Waiting for webhooks"));
        (pane, port)
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen satisfies `check`; panics with the screen when it never does.
    fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if check(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; the screen shows:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_for_text(&self, text: &str) -> String {
        self.wait_for(&format!("{text:?}"), |screen| screen.contains(text))
    }

    /// Sends keys one at a time (a quick Esc followed by a key reads as Alt+key).
    fn keys(&self, keys: &[&str]) {
        for key in keys {
            tmux(&["send-keys", "-t", &self.session, key]);
            std::thread::sleep(Duration::from_millis(120));
        }
    }

    fn type_text(&self, text: &str) {
        tmux(&["send-keys", "-t", &self.session, "-l", text]);
        std::thread::sleep(Duration::from_millis(150));
    }

    /// `q`, then the process must end, and with status 0.
    fn quit(&self) {
        self.keys(&["q"]);
        self.wait_for("the process to exit", |_| self.has_exited());
        let screen = self.screen();
        assert!(screen.contains("[exited 0]"), "{screen}");
    }

    fn has_exited(&self) -> bool {
        self.screen().contains("[exited ")
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

fn tmux(args: &[&str]) {
    let status = Command::new("tmux").args(args).status().unwrap();
    assert!(status.success(), "tmux {args:?} failed");
}

fn command_line(dir: &Path, extra: &str) -> String {
    format!(
        "env HOME={dir} XDG_CONFIG_HOME={dir}/config XDG_DATA_HOME={dir}/data \
         XDG_STATE_HOME={dir}/state NO_COLOR=1 TERM=xterm-256color {bin} --db {dir}/c.sqlite3 {extra}",
        dir = dir.display(),
        bin = env!("CARGO_BIN_EXE_hookscope"),
    )
}

fn post(port: u16, path: &str, content_type: &str, body: &[u8]) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

fn sample(vendor: &str, name_part: &str) -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/samples")
        .join(vendor);
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.contains(name_part) && !name.starts_with("broken")
        })
        .unwrap_or_else(|| panic!("no {vendor} sample named like {name_part}"));
    std::fs::read(file).unwrap()
}

/// The port from the header's `http://127.0.0.1:PORT`.
fn port_on(screen: &str) -> u16 {
    let at = screen
        .find("http://127.0.0.1:")
        .expect("the listen URL in the header")
        + 17;
    screen[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[test]
fn captures_show_live_and_the_keys_work() {
    let dir = tempfile::tempdir().unwrap();
    let (pane, port) = Pane::listening("live", 150, 40, dir.path());

    post(
        port,
        "/hooks/octopus",
        "application/json",
        &sample("octopus", "DeploymentSucceeded"),
    );
    post(
        port,
        "/hooks/bitdrift",
        "application/json",
        &sample("bitdrift", "alert"),
    );
    post(
        port,
        "/plain",
        "text/plain",
        b"before \x1b[2J\x1b]0;pwned\x07 after",
    );
    let screen = pane.wait_for("three analysed captures", |s| {
        s.contains("3 captures") && s.contains("DeploymentSucceeded") && s.contains("alert")
    });
    assert!(screen.contains("/hooks/octopus") && screen.contains("/plain"));
    // Follow mode selects the newest, and its detail follows.
    pane.wait_for_text("#3 POST /plain");

    // The hostile body is shown escaped, not obeyed (the screen would have been cleared).
    pane.keys(&["Enter", "Tab"]);
    let screen = pane.wait_for_text("\\x1b[2J");
    assert!(screen.contains("\\x1b]0;pwned\\x07"), "{screen}");
    assert!(screen.contains("3 captures"), "the header survived");

    // Back to the list, up to the first capture, its Validation tab.
    pane.keys(&["Escape", "g", "Tab", "Tab"]);
    // The sample was sent without the header its subscription configures: a warning.
    let screen = pane.wait_for_text("#1 POST /hooks/octopus");
    assert!(screen.contains("Validation !1"), "{screen}");
    assert!(screen.contains("X-Northwind-Hook-Token"), "{screen}");

    // A filter narrows the list as it is typed.
    pane.keys(&["/"]);
    pane.type_text("vendor:bitdrift");
    let screen = pane.wait_for_text("1 of 3 match");
    assert!(screen.contains("/hooks/bitdrift"));
    assert!(!screen.contains("/hooks/octopus  "), "{screen}");
    pane.keys(&["Enter", "Escape"]);
    pane.wait_for("the filter cleared", |s| s.contains("/hooks/octopus"));

    // Help comes from the keymap.
    pane.keys(&["?"]);
    pane.wait_for_text("delete every capture (asks first)");
    pane.keys(&["Escape"]);

    // q quits, the terminal is given back, and the captures are in the store.
    pane.keys(&["q"]);
    pane.wait_for("the process to exit", |_| pane.has_exited());
    let screen = pane.screen();
    assert!(
        !screen.contains("Captures"),
        "the alternate screen was left:\n{screen}"
    );
    assert!(screen.contains("[exited 0]"), "{screen}");
    let listed = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(["list", "--json", "--db"])
        .arg(dir.path().join("c.sqlite3"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&listed.stdout).lines().count(), 3);
}

#[test]
fn a_busy_port_is_a_plain_message_in_the_shell() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let pane = Pane::start(
        "busy",
        120,
        20,
        &command_line(dir.path(), &format!("--listen 127.0.0.1:{port}")),
    );
    pane.wait_for("the process to exit", |_| pane.has_exited());
    let screen = pane.screen();
    assert!(screen.contains("already in use"), "{screen}");
    assert!(!screen.contains("Captures"), "the screen was never taken");
}

#[test]
fn a_tiny_terminal_gets_a_message_and_resizing_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let pane = Pane::start(
        "tiny",
        40,
        10,
        &command_line(dir.path(), "--listen 127.0.0.1:0"),
    );
    pane.wait_for_text("Terminal too small");
    tmux(&[
        "resize-window",
        "-t",
        &pane.session,
        "-x",
        "120",
        "-y",
        "30",
    ]);
    pane.wait_for_text("Waiting for webhooks");
    pane.quit();
}

/// Forward, replay, and edit-then-replay through a scripted `$EDITOR`, each checked at a raw
/// receiver standing in for the developer's app, and a request the editor broke is not sent.
#[test]
fn replay_and_edit_then_replay_reach_the_app() {
    let app = common::receiver::RawReceiver::ok();
    let dir = tempfile::tempdir().unwrap();
    let editor = dir.path().join("editor.sh");
    let broken = dir.path().join("break");
    std::fs::write(
        &editor,
        format!(
            "#!/bin/sh\nsleep 0.1\nif [ -e {broken} ]; then printf 'not a request' > \"$1\"; \
             else sed -i 's/hello/edited/' \"$1\"; fi\n",
            broken = broken.display()
        ),
    )
    .unwrap();
    let command = command_line(
        dir.path(),
        &format!(
            "--listen 127.0.0.1:0 --clipboard off --forward-to {}",
            app.url()
        ),
    )
    .replacen("env ", &format!("env EDITOR='sh {}' ", editor.display()), 1);
    let pane = Pane::start("replay", 150, 40, &command);
    let screen = pane.wait_for_text("Waiting for webhooks");
    assert!(
        screen.contains(&format!("→ {}", app.url())),
        "the header names the target"
    );
    let port = port_on(&screen);

    post(port, "/hooks/a?x=1", "application/json", br#"{"hello":1}"#);
    let forwarded = app.wait_for(1, Duration::from_secs(10));
    assert!(forwarded[0].starts_with(b"POST /hooks/a?x=1 HTTP/1.1\r\n"));
    pane.wait_for("the forward status in the list", |s| {
        s.contains("FWD") && s.contains(" 200 ")
    });

    // r: to a URL with a path, which is the endpoint; the query is kept.
    pane.keys(&["r", "C-u"]);
    pane.type_text(&format!("{}/replayed", app.url()));
    pane.keys(&["Enter"]);
    pane.wait_for_text("replayed #1 to");
    let received = app.wait_for(2, Duration::from_secs(10));
    assert!(received[1].starts_with(b"POST /replayed?x=1 HTTP/1.1\r\n"));
    assert!(received[1].ends_with(br#"{"hello":1}"#));

    // R: the remembered URL, then the editor changes the body; Content-Length follows it.
    pane.keys(&["R", "Enter"]);
    let received = app.wait_for(3, Duration::from_secs(20));
    let (_, headers, body) = common::receiver::split_request(&received[2]);
    assert_eq!(body, br#"{"edited":1}"#);
    assert!(
        headers
            .iter()
            .any(|(n, v)| n == "Content-Length" && v == b"12")
    );
    pane.wait_for("the screen back after the editor", |s| {
        s.contains("Captures")
    });

    // The Replays tab lists all three.
    pane.keys(&["Enter", "Tab", "Tab", "Tab", "Tab", "Tab"]);
    pane.wait_for_text("Replays 3");

    // An edit that does not parse is shown, and nothing is sent.
    std::fs::write(&broken, "").unwrap();
    pane.keys(&["R", "Enter"]);
    pane.wait_for_text("does not parse");
    pane.keys(&["Escape"]);
    pane.wait_for_text("nothing was sent");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(app.requests().len(), 3);

    pane.quit();
}

/// After the last webhook, the header's rate falls back to 0/s and the Summary's "Ns ago"
/// keeps counting, without any key or webhook to wake the interface.
#[test]
fn the_clock_moves_on_when_traffic_stops() {
    let dir = tempfile::tempdir().unwrap();
    let (pane, port) = Pane::listening("clock", 150, 30, dir.path());
    for _ in 0..3 {
        post(port, "/tick", "application/json", b"{}");
    }
    pane.wait_for_text("3 captures");
    let seconds_ago = |screen: &str| -> Option<u64> {
        let end = screen.find("s ago)")?;
        let start = screen[..end].rfind('(')? + 1;
        screen[start..end].parse().ok()
    };
    pane.wait_for("the Summary's age to pass 3 seconds", |s| {
        seconds_ago(s).is_some_and(|n| n >= 3)
    });
    let screen = pane.wait_for("the rate to fall back to 0/s", |s| s.contains(" 0/s "));
    assert!(screen.contains("3 captures"), "{screen}");
    pane.quit();
}

/// Another process writing to the store (an import in another terminal) shows up: the
/// header counts what the store holds and the new captures are listed.
#[test]
fn writes_from_another_process_show_up() {
    let dir = tempfile::tempdir().unwrap();
    let (pane, port) = Pane::listening("elsewhere", 150, 30, dir.path());
    post(port, "/first", "application/json", b"{}");
    post(port, "/second", "application/json", b"{}");
    pane.wait_for_text("2 captures");
    let db = dir.path().join("c.sqlite3");
    let exported = dir.path().join("out.jsonl");
    let hookscope = |args: &[&str]| {
        let status = Command::new(env!("CARGO_BIN_EXE_hookscope"))
            .args(args)
            .arg("--db")
            .arg(&db)
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(status.status.success(), "{args:?}: {status:?}");
    };
    hookscope(&["export", "-o", exported.to_str().unwrap()]);
    hookscope(&["import", exported.to_str().unwrap()]);
    let screen = pane.wait_for_text("4 captures");
    assert!(screen.matches("/second").count() >= 2, "{screen}");
    pane.quit();
}

/// Hundreds of resizes in a couple of seconds (through sizes too small to draw) while
/// webhooks arrive: the interface keeps up, and shows everything once the size settles.
#[test]
fn a_resize_storm_while_webhooks_arrive_leaves_the_interface_working() {
    let dir = tempfile::tempdir().unwrap();
    let (pane, port) = Pane::listening("storm", 120, 30, dir.path());
    let started = Instant::now();
    for step in 0..300u32 {
        let (width, height) = (20 + (step * 37) % 180, 5 + (step * 11) % 50);
        tmux(&[
            "resize-window",
            "-t",
            &pane.session,
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
        if step % 100 == 50 {
            post(port, &format!("/storm/{step}"), "application/json", b"{}");
        }
    }
    let storm = started.elapsed();
    tmux(&[
        "resize-window",
        "-t",
        &pane.session,
        "-x",
        "120",
        "-y",
        "30",
    ]);
    let screen = pane.wait_for("all three captures", |s| {
        s.contains("/storm/50") && s.contains("/storm/150") && s.contains("/storm/250")
    });
    assert!(screen.contains("3 captures"), "{screen}");
    assert!(!pane.has_exited(), "after {storm:?} of resizing");
    pane.quit();
}

/// The store deleted under a running interface: senders get 503, and the interface says
/// so in red where the header was, and stays up.
#[test]
fn a_deleted_store_shows_a_banner_and_the_interface_stays_up() {
    let dir = tempfile::tempdir().unwrap();
    let (pane, port) = Pane::listening("deleted", 120, 30, dir.path());
    post(port, "/kept", "application/json", b"{}");
    pane.wait_for_text("/kept");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.path().join(format!("c.sqlite3{suffix}")));
    }
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .write_all(
            b"POST /lost HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
        )
        .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 503"), "{reply}");
    let screen = pane.wait_for_text("NOT CAPTURING");
    assert!(screen.contains("c.sqlite3 was deleted"), "{screen}");
    pane.keys(&["j", "k"]);
    assert!(!pane.has_exited());
    pane.quit();
}
