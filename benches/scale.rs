//! Ten times the default store: what a million captures cost hookscope.
//!
//!     cargo bench --bench scale -- [--captures N] [--rounds R]
//!
//! Builds, once (kept under `target/tmp/scale-*`, reused while complete), a store of N
//! captures (default 1,000,000) and one of 100,000 (the default `--keep`): ~500-byte JSON
//! order events, analysed, one in a thousand to `/hooks/rare` with "Zanzibar" in its body.
//! Then, against the real binary with `--keep 1000000`, each figure beside its baseline
//! measured in the same run:
//! - start to listening, headless: from starting the process to its first answered
//!   webhook, with the large store, the 100,000 one and an empty one (goal: 100 ms);
//! - the interface in a 200×50 tmux pane: start to first screen, a `/zanzibar` filter over
//!   the whole store to its first matching row on screen (goal: 200 ms) and to its last
//!   match counted, and resident memory after start, after the filter and after going to
//!   the oldest capture (goal: at most 150 MB);
//! - `hookscope export` of the whole store to /dev/null: time and peak resident memory,
//!   against the 100,000 store (streaming: the same memory whatever the size).
//!
//! One frame at a million captures is in `cargo bench --bench tui`.

#[path = "support/driver.rs"]
mod driver;
#[path = "support/tmux.rs"]
mod tmux;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::DateTime;
use driver::{first_address, median, millis};
use hookscope::capture::{Capture, Header, Verdict};
use hookscope::store::{Database, Durability, OpenMode};
use hookscope::units::group_digits;
use tmux::TmuxInterface;

const BASELINE: usize = 100_000;
const RARE_PATH: &str = "/hooks/rare";
const STATUSES: [&str; 4] = ["paid", "packed", "shipped", "delivered"];
const CITIES: &[&str] = &["Lisbon", "Porto", "Braga", "Faro", "Coimbra", "Evora"];

struct Options {
    captures: usize,
    rounds: usize,
}

fn parse_options() -> Options {
    let mut options = Options {
        captures: 1_000_000,
        rounds: 5,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> usize {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{name} needs a number"))
        };
        match arg.as_str() {
            "--captures" => options.captures = number("--captures"),
            "--rounds" => options.rounds = number("--rounds").max(1),
            "--help" | "-h" => {
                println!("usage: cargo bench --bench scale -- [--captures N] [--rounds R]");
                std::process::exit(0);
            }
            // cargo bench passes --bench.
            _ => {}
        }
    }
    options
}

fn main() {
    let options = parse_options();
    let large = prepared_store(options.captures);
    let baseline = prepared_store(BASELINE);
    let empty_dir = tempfile::tempdir().unwrap();
    let keep = options.captures.max(BASELINE).to_string();
    let mut passed = true;

    println!(
        "\nstart to listening, headless, --keep {keep} (median of {} starts each):",
        options.rounds
    );
    let mut starts: [Vec<f64>; 3] = Default::default();
    for round in 0..options.rounds {
        let empty = empty_dir.path().join(format!("empty-{round}.sqlite3"));
        for (index, db) in [&large, &baseline, &empty].into_iter().enumerate() {
            starts[index].push(millis(start_to_listening(db, &keep)));
        }
    }
    let [large_start, baseline_start, empty_start] = starts.map(|mut s| median(&mut s));
    println!(
        "  {} captures {large_start:>7.1} ms   {BASELINE} captures {baseline_start:>7.1} ms   \
         empty {empty_start:>7.1} ms   ({:.2}x empty; goal: at most 100 ms) {}",
        options.captures,
        large_start / empty_start,
        verdict(&mut passed, large_start <= 100.0)
    );

    println!("\nthe interface, {} captures:", options.captures);
    let rare = options.captures / 1000;
    passed &= interface(&large, &keep, rare);
    println!("the interface, {BASELINE} captures (baseline):");
    interface(&baseline, &keep, BASELINE / 1000);

    println!("\nexport to /dev/null:");
    let (large_time, large_rss) = export(&large);
    let (baseline_time, baseline_rss) = export(&baseline);
    println!(
        "  {} captures {large_time:>6.1} s, peak {large_rss:>6.1} MB   {BASELINE} captures \
         {baseline_time:>6.1} s, peak {baseline_rss:>6.1} MB   (memory {:.2}x; goal: the same, \
         at most 150 MB) {}",
        options.captures,
        large_rss / baseline_rss,
        verdict(
            &mut passed,
            large_rss <= 150.0 && large_rss <= baseline_rss * 1.5
        )
    );
    std::process::exit(if passed { 0 } else { 1 });
}

/// Starts the interface on `db`, filters, goes to the oldest capture; prints the figures and
/// returns whether each met its goal.
fn interface(db: &Path, keep: &str, rare: usize) -> bool {
    let mut passed = true;
    let ui = TmuxInterface::start(db, &["--keep", keep]);
    let first_screen = ui.first_screen - ui.launched;
    let started_rss = resident_mb(ui.pid());
    // What a person does first: look for one kind of webhook.
    ui.type_text("/");
    wait_for(
        &ui,
        |screen| screen.contains("filter /"),
        "the filter prompt",
    );
    let typed = Instant::now();
    ui.type_text("zanzibar");
    let first_match = wait_for(&ui, |screen| screen.contains(RARE_PATH), "a matching row") - typed;
    let all_counted = format!("{} of ", group_digits(rare as u64));
    let all_matches = wait_for(
        &ui,
        |screen| screen.contains(&all_counted),
        "every match counted",
    ) - typed;
    let filtered_rss = resident_mb(ui.pid());
    ui.press(&["Enter", "Escape", "Escape", "Home"]);
    std::thread::sleep(Duration::from_millis(500));
    let oldest_rss = resident_mb(ui.pid());
    let rss_ok = [started_rss, filtered_rss, oldest_rss]
        .iter()
        .all(|mb| *mb <= 150.0);
    println!(
        "  start to first screen {:>7.1} ms\n  filter to first match {:>7.1} ms (goal: at most \
         200 ms) {}\n  filter to all {rare} matches {:>7.1} ms\n  resident memory {started_rss:.1} MB \
         after start, {filtered_rss:.1} MB after the filter, {oldest_rss:.1} MB at the oldest \
         (goal: at most 150 MB) {}",
        millis(first_screen),
        millis(first_match),
        verdict(&mut passed, millis(first_match) <= 200.0),
        millis(all_matches),
        verdict(&mut passed, rss_ok)
    );
    passed
}

fn verdict(passed: &mut bool, ok: bool) -> &'static str {
    *passed &= ok;
    if ok { "ok" } else { "FAIL" }
}

/// Polls the screen every few milliseconds until `ready`; returns when it was first seen.
fn wait_for(ui: &TmuxInterface, ready: impl Fn(&str) -> bool, what: &str) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let screen = ui.screen();
        if ready(&screen) {
            return Instant::now();
        }
        assert!(Instant::now() < deadline, "no {what} on screen:\n{screen}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// From starting `hookscope listen --headless` to the first webhook it answers.
fn start_to_listening(db: &Path, keep: &str) -> Duration {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args([
            "listen",
            "--headless",
            "--listen",
            "127.0.0.1:0",
            "--keep",
            keep,
        ])
        .arg("--db")
        .arg(db)
        .env("XDG_STATE_HOME", db.with_extension("state"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start hookscope");
    let addr = first_address(child.stderr.take().unwrap());
    answer_one(addr);
    let elapsed = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    elapsed
}

/// Sends one webhook and waits for its 200.
fn answer_one(addr: SocketAddr) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .write_all(
            b"POST /probe HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n\
              Content-Length: 2\r\nConnection: close\r\n\r\n{}",
        )
        .unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    assert!(reply.starts_with(b"HTTP/1.1 200"), "{reply:?}");
}

/// `hookscope export` of the whole store to /dev/null: seconds and peak resident megabytes.
fn export(db: &Path) -> (f64, f64) {
    let started = Instant::now();
    // Waited for with wait4 below, which also reports its peak memory.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(["export", "--db"])
        .arg(db)
        .env("XDG_STATE_HOME", db.with_extension("state"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("start hookscope export");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, once; status and usage are valid for writing.
    let waited = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(waited, child.id() as i32, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "export failed"
    );
    // ru_maxrss is in kilobytes on Linux.
    (
        started.elapsed().as_secs_f64(),
        usage.ru_maxrss as f64 / 1024.0,
    )
}

fn resident_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// A store of `count` captures, built once and reused while complete.
fn prepared_store(count: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("scale-{count}"));
    let db = dir.join("captures.sqlite3");
    let complete = dir.join("complete");
    if complete.exists() {
        println!("store of {count} captures: {} (reused)", db.display());
        return db;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let started = Instant::now();
    let mut store = Database::open(&db, OpenMode::CreateIfMissing, Durability::Throwaway).unwrap();
    // Made under this build's rules, as the listener would have: nothing to re-analyse.
    store.refresh_verdicts().unwrap();
    let first_time = 1_790_000_000_000_000 - count as i64 * 1000;
    for batch in (0..count).collect::<Vec<_>>().chunks(2000) {
        let captures: Vec<Capture> = batch
            .iter()
            .map(|&n| order_capture(n, first_time + n as i64 * 1000))
            .collect();
        store.insert_batch(&captures, u64::MAX).unwrap();
    }
    drop(store);
    std::fs::write(&complete, b"").unwrap();
    println!(
        "store of {count} captures: {} (built in {:.1?})",
        db.display(),
        started.elapsed()
    );
    db
}

/// The n-th capture: an order event; one in a thousand to the rare path, from Zanzibar.
fn order_capture(n: usize, micros: i64) -> Capture {
    let rare = n % 1000 == 500;
    let city = if rare {
        "Zanzibar"
    } else {
        CITIES[n % CITIES.len()]
    };
    let body = serde_json::to_vec(&serde_json::json!({
        "id": format!("evt_{n:08}"),
        "type": "order.updated",
        "created": 1_790_000_000 + n,
        "data": {"order": {
            "id": format!("ord_{:08}", n * 7919 % 100_000_000),
            "status": STATUSES[n % 4],
            "customer": {"name": format!("Customer {}", n % 10_000), "email": format!("c{}@example.com", n % 10_000)},
            "address": {"line1": "12 Harbour Street", "city": city, "country": "PT"},
            "items": [{"sku": format!("SKU-{}", n % 500), "quantity": 1 + n % 3, "price": 1999}],
            "note": "Leave at the door, ring twice, the dog is friendly"
        }}
    }))
    .unwrap();
    Capture {
        id: 0,
        received_at: DateTime::from_timestamp_micros(micros).unwrap(),
        peer: "10.0.0.7:52144".into(),
        method: "POST".into(),
        uri: if rare {
            RARE_PATH.into()
        } else {
            "/hooks/shop?v=2".into()
        },
        version: "HTTP/1.1".into(),
        headers: vec![
            Header::new("Host", "hooks.example.com"),
            Header::new("User-Agent", "shop-webhooks/2.3"),
            Header::new("Content-Type", "application/json"),
            Header::new("X-Request-Id", format!("req-{n:08}")),
        ],
        body: Bytes::from(body),
        response_status: 200,
        unauthenticated: false,
        verdict: Some(Verdict::default()),
    }
}
