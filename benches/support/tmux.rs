//! hookscope with its interface open in a detached tmux pane, as a developer runs it: the
//! load drivers send it webhooks, press keys and read the screen as a person would see it.
// Each driver uses the part it needs.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Pane size: a large terminal, as the frame benchmarks assume.
const COLUMNS: &str = "200";
const ROWS: &str = "50";

pub struct TmuxInterface {
    pub session: String,
    pub addr: SocketAddr,
    /// When tmux was asked to start it.
    pub launched: Instant,
    /// When the first screen naming the address was read.
    pub first_screen: Instant,
}

impl TmuxInterface {
    /// Starts `hookscope --listen 127.0.0.1:0 --db DB EXTRA...` and waits (up to 60 s) for
    /// its header.
    pub fn start(db: &std::path::Path, extra: &[&str]) -> Self {
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let session = format!(
            "hookscope-load-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::Relaxed)
        );
        let command = format!(
            "env XDG_STATE_HOME={state} TERM=xterm-256color {bin} --listen 127.0.0.1:0 --db {db} {extra}",
            state = db.with_extension("state").display(),
            bin = env!("CARGO_BIN_EXE_hookscope"),
            db = db.display(),
            extra = extra.join(" ")
        );
        let launched = Instant::now();
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                COLUMNS,
                "-y",
                ROWS,
                &command,
            ])
            .status()
            .expect("the interface runs in tmux: install it");
        assert!(status.success(), "tmux new-session failed");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = capture(&session);
            if let Some(addr) = crate::driver::address_in(&screen) {
                return Self {
                    session,
                    addr,
                    launched,
                    first_screen: Instant::now(),
                };
            }
            assert!(
                Instant::now() < deadline,
                "the interface did not start:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// The screen as text.
    pub fn screen(&self) -> String {
        capture(&self.session)
    }

    /// Types `text` as keys, literally.
    pub fn type_text(&self, text: &str) {
        let status = Command::new("tmux")
            .args(["send-keys", "-t", &self.session, "-l", text])
            .status()
            .expect("tmux send-keys");
        assert!(status.success());
    }

    /// Presses keys by tmux's names (`Enter`, `Escape`, `End`).
    pub fn press(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["send-keys", "-t", &self.session])
            .args(keys)
            .status()
            .expect("tmux send-keys");
        assert!(status.success());
    }

    /// The process in the pane: hookscope itself, as `env` execs it.
    pub fn pid(&self) -> u32 {
        let output = Command::new("tmux")
            .args(["display-message", "-p", "-t", &self.session, "#{pane_pid}"])
            .output()
            .expect("tmux display-message");
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .expect("a pane pid")
    }
}

pub fn capture(session: &str) -> String {
    let output = Command::new("tmux")
        .args(["capture-pane", "-p", "-t", session])
        .output()
        .expect("tmux capture-pane");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

impl Drop for TmuxInterface {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["send-keys", "-t", &self.session, "q"])
            .status();
        std::thread::sleep(Duration::from_millis(500));
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            // Gone already if it quit on the key.
            .stderr(Stdio::null())
            .status();
    }
}
