//! Ingestion load driver: how fast hookscope captures webhooks, against the limit of the HTTP
//! stack it is built on.
//!
//!     cargo bench --bench ingest_load -- [--requests N] [--concurrency C] [--rounds R]
//!                                         [--tui] [--target URL]... [--forward]
//!     cargo bench --bench ingest_load -- --screen [--concurrency C]
//!     cargo bench --bench ingest_load -- --catch-up [--rounds R] [--concurrency C]
//!     cargo bench --bench ingest_load -- --soak [--soak-seconds N] [--rate R] [--keep K]
//!
//! In one run it starts three servers as child processes on loopback and sends each the same
//! burst of concurrent POSTs of a realistic webhook (Octopus Deploy's deployment payload):
//! - `bare`: axum on hyper, reading each body and answering 200 (what the stack can do);
//! - `append log` and `minimal SQLite`: the same stack with one writer thread that, per group
//!   of queued requests, appends them to a file with one `write`, or inserts them in one
//!   SQLite transaction (WAL, `synchronous=NORMAL`), before answering each: what a durable
//!   capture costs at the least (see `support/anchors.rs`);
//! - `hookscope`: the real binary, headless, its default store (every acknowledged capture
//!   committed; survives hookscope being killed);
//! - `hookscope --fsync`: the same with an fsync per commit (survives a power cut too).
//!
//! - with `--tui`, `hookscope (interface open)`: the real binary with its interface drawn in
//!   a tmux pane (tmux must be installed), to show that the screen does not slow capture.
//!
//! Rounds alternate between the servers, each round starting with the next one; the median
//! of each is reported (and the 99th percentile of the reply time), with the ratio hookscope / bare (and interface / headless with
//! `--tui`). `--target URL` adds any running server to the comparison.
//!
//! `--forward` measures forward mode instead, in a run of its own: headless hookscope with
//! `--forward-to` a minimal app (a child of the driver's, in its own session too) against
//! headless hookscope without it, each on a fresh store, rounds alternating as above. Every
//! request has a path of its own, so each arrival at the app is matched with the moment
//! hookscope's 200 for it reached the driver (hookscope answers right after committing).
//! Per round and as medians: both rates and their ratio, the added latency from that
//! acknowledgement to the app receiving the request, and a check that the app got every
//! acknowledged capture and the store recorded each as forwarded with the app's 200 (a FAIL
//! line and a non-zero exit otherwise).
//!
//! `--screen` measures, in a run of its own, how soon a webhook is on the interface's screen
//! in a tmux pane: after a quiet spell, 50 ms after the one before, and under a flood (see
//! `support/screen.rs`). `--catch-up` measures, in a run of its own, how soon every capture
//! is analysed after a 10-second flood (see `support/catch_up.rs`). `--soak` posts at a steady
//! rate to the interface in tmux for minutes and checks that its memory, files, threads and
//! store stay flat and that nothing is lost (see `support/soak.rs`).
//!
//! Two things keep one server's figures from depending on where it stands in the order:
//! - Before each burst the driver flushes the disk and waits until the machine is quiet, so
//!   a burst does not pay for the last one's writeback or its analyser catching up.
//! - Every server runs in a session of its own, as a program started in its own terminal
//!   does (the tmux pane is one). Linux's autogroup scheduler shares the CPU between
//!   sessions first, so a server in the driver's session would compete with the driver on
//!   other terms than the interface in its pane.

use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[path = "support/anchors.rs"]
mod anchors;
#[path = "support/catch_up.rs"]
mod catch_up;
#[path = "support/driver.rs"]
mod driver;
#[path = "support/forward.rs"]
mod forward;
#[path = "support/screen.rs"]
mod screen;
#[path = "support/soak.rs"]
mod soak;
#[path = "support/tmux.rs"]
mod tmux;
use driver::{first_address, median};
use tmux::TmuxInterface;

const PAYLOAD: &str = include_str!("../assets/samples/octopus/DeploymentSucceeded.json");
const BARE_SERVER_ENV: &str = "HOOKSCOPE_LOAD_BARE_SERVER";
const USAGE: &str = "\
usage: cargo bench --bench ingest_load -- [--requests N] [--concurrency C] [--rounds R]
                                          [--tui] [--target URL]... [--forward]
       cargo bench --bench ingest_load -- --screen [--concurrency C]
       cargo bench --bench ingest_load -- --catch-up [--rounds R] [--concurrency C]
       cargo bench --bench ingest_load -- --soak [--soak-seconds N] [--rate R] [--keep K]
  --requests N     POSTs per burst (default 20000)
  --concurrency C  requests in flight at once (default 64)
  --rounds R       bursts per server; the median is reported (default 3)
  --tui            also hookscope with its interface open in a tmux pane
  --target URL     also this running server (repeatable)
  --forward        instead: hookscope --forward-to a minimal app against hookscope without
                   forwarding (rates, ratio, ack-to-app latency, every capture forwarded)
  --screen         instead: how soon a webhook is on the interface's screen in tmux, after a
                   quiet spell, 50 ms after the one before, and under a flood
  --catch-up       instead: how soon every capture is analysed after a 10 s flood
  --soak           instead: the interface in tmux fed a steady --rate for --soak-seconds;
                   memory, threads, open files, store, WAL and segments every 10 s must stay
                   flat after the first minute, and every acknowledged capture kept
  --soak-seconds N how long the soak runs (default 600)
  --rate R         webhooks per second in the soak (default 1000)
  --keep K         the soak's hookscope --keep (default 100000; retention starts at K/R s)";

struct Options {
    requests: usize,
    concurrency: usize,
    rounds: usize,
    tui: bool,
    targets: Vec<String>,
    forward: bool,
    screen: bool,
    catch_up: bool,
    soak: bool,
    soak_settings: soak::Settings,
}

fn parse_options() -> Options {
    let mut options = Options {
        requests: 20_000,
        concurrency: 64,
        rounds: 3,
        tui: false,
        targets: Vec::new(),
        forward: false,
        screen: false,
        catch_up: false,
        soak: false,
        soak_settings: soak::Settings::default(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .unwrap_or_else(|| panic!("{name} needs a value"))
        };
        match arg.as_str() {
            "--requests" => options.requests = value("--requests").parse().expect("a number"),
            "--concurrency" => {
                options.concurrency = value("--concurrency").parse().expect("a number")
            }
            "--rounds" => options.rounds = value("--rounds").parse().expect("a number"),
            "--target" => options.targets.push(value("--target")),
            "--tui" => options.tui = true,
            "--forward" => options.forward = true,
            "--screen" => options.screen = true,
            "--catch-up" => options.catch_up = true,
            "--soak" => options.soak = true,
            "--soak-seconds" => {
                options.soak_settings.seconds = value("--soak-seconds").parse().expect("a number")
            }
            "--rate" => options.soak_settings.rate = value("--rate").parse().expect("a number"),
            "--keep" => options.soak_settings.keep = value("--keep").parse().expect("a number"),
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            // cargo bench passes --bench; filters and other harness flags do not apply here.
            _ => {}
        }
    }
    options
}

fn main() {
    if std::env::var_os(BARE_SERVER_ENV).is_some() {
        return run_bare_server();
    }
    if std::env::var_os(forward::APP_SERVER_ENV).is_some() {
        return forward::run_app_server();
    }
    if std::env::var_os(anchors::APPEND_LOG_ENV).is_some() {
        return anchors::run_append_log_server();
    }
    if std::env::var_os(anchors::MINIMAL_SQLITE_ENV).is_some() {
        return anchors::run_minimal_sqlite_server();
    }
    let options = parse_options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if options.forward {
        if options.tui || !options.targets.is_empty() {
            eprintln!("--forward runs on its own: leave out --tui and --target\n{USAGE}");
            std::process::exit(2);
        }
        let passed = run_forward_comparison(&options, &runtime);
        std::process::exit(if passed { 0 } else { 1 });
    }
    if options.catch_up {
        let passed = catch_up::run(&runtime, options.rounds, options.concurrency);
        std::process::exit(if passed { 0 } else { 1 });
    }
    if options.screen {
        let passed = screen::run(&runtime, options.concurrency);
        std::process::exit(if passed { 0 } else { 1 });
    }
    if options.soak {
        let passed = soak::run(&runtime, &options.soak_settings);
        std::process::exit(if passed { 0 } else { 1 });
    }

    let store_dir = tempfile::tempdir().unwrap();
    let mut bare = start_bare_server();
    let mut append_log = start_driver_child(anchors::APPEND_LOG_ENV);
    let mut minimal_sqlite = start_driver_child(anchors::MINIMAL_SQLITE_ENV);
    let mut hookscope = start_hookscope(&store_dir.path().join("default.sqlite3"), &[]);
    let mut fsynced = start_hookscope(&store_dir.path().join("fsync.sqlite3"), &["--fsync"]);
    // The order the figures below index: bare, the two anchors, headless, --fsync.
    let mut servers = vec![
        ("bare axum".to_owned(), format!("http://{}/hook", bare.1)),
        (
            "append log (anchor)".to_owned(),
            format!("http://{}/hook", append_log.1),
        ),
        (
            "minimal SQLite (anchor)".to_owned(),
            format!("http://{}/hook", minimal_sqlite.1),
        ),
        (
            "hookscope --headless".to_owned(),
            format!("http://{}/hook", hookscope.1),
        ),
        (
            "hookscope --headless --fsync".to_owned(),
            format!("http://{}/hook", fsynced.1),
        ),
    ];
    let interface = options
        .tui
        .then(|| TmuxInterface::start(&store_dir.path().join("interface.sqlite3"), &[]));
    if let Some(interface) = &interface {
        servers.push((
            "hookscope (interface open)".to_owned(),
            format!("http://{}/hook", interface.addr),
        ));
    }
    for target in &options.targets {
        servers.push((target.clone(), target.clone()));
    }

    println!(
        "ingest load: {} requests x {} rounds, {} concurrent, {} byte JSON body",
        options.requests,
        options.rounds,
        options.concurrency,
        PAYLOAD.len()
    );
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); servers.len()];
    let mut p99s: Vec<Vec<f64>> = vec![Vec::new(); servers.len()];
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(options.concurrency)
            .build()
            .unwrap();
        for (_, url) in &servers {
            send_burst(&client, url, 1000, options.concurrency).await;
        }
        for round in 0..options.rounds {
            // Each round starts with a different server, so none always runs right after
            // the same neighbour (the --fsync server leaves the disk busy, for one).
            let count = servers.len();
            for index in (0..count).map(|i| (i + round) % count) {
                let (name, url) = &servers[index];
                settle();
                let burst = send_burst(&client, url, options.requests, options.concurrency).await;
                println!(
                    "  round {}  {name:<30} {:>9.0} req/s   p99 {:>6.2} ms",
                    round + 1,
                    burst.rate,
                    burst.p99_ms
                );
                rates[index].push(burst.rate);
                p99s[index].push(burst.p99_ms);
            }
        }
    });

    let baseline = median(&mut rates[0]);
    let minimal_sqlite_rate = median(&mut rates[2]);
    let headless = median(&mut rates[3]);
    println!("median of {} rounds:", options.rounds);
    for (index, (name, _)) in servers.iter().enumerate() {
        let rate = median(&mut rates[index]);
        println!(
            "  {name:<30} {rate:>9.0} req/s   {:.2}x bare   p99 {:>6.2} ms",
            rate / baseline,
            median(&mut p99s[index])
        );
    }
    println!(
        "  headless / bare: {:.2}x (goal: at least 0.6x); headless / minimal SQLite: {:.2}x \
         (goal: at least 1x); headless p99 reply: {:.2} ms (goal: at most 5 ms)",
        headless / baseline,
        headless / minimal_sqlite_rate,
        median(&mut p99s[3])
    );
    if interface.is_some() {
        let open = median(&mut rates[5]);
        println!(
            "  interface open / headless: {:.2}x (goal: at least 0.9x)",
            open / headless
        );
    }
    drop(interface);
    for child in [
        &mut bare.0,
        &mut append_log.0,
        &mut minimal_sqlite.0,
        &mut hookscope.0,
        &mut fsynced.0,
    ] {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// `--forward`: headless hookscope forwarding to a minimal app against headless hookscope
/// not forwarding. Returns whether every acknowledged capture was forwarded.
fn run_forward_comparison(options: &Options, runtime: &tokio::runtime::Runtime) -> bool {
    let store_dir = tempfile::tempdir().unwrap();
    let mut app = start_driver_child(forward::APP_SERVER_ENV);
    let app_url = format!("http://{}", app.1);
    let forward_db = store_dir.path().join("forward.sqlite3");
    let mut plain = start_hookscope(&store_dir.path().join("plain.sqlite3"), &[]);
    let mut forwarding = start_hookscope(&forward_db, &["--forward-to", &app_url]);
    let servers = [
        ("hookscope --headless", format!("http://{}", plain.1)),
        (
            "hookscope --headless --forward-to",
            format!("http://{}", forwarding.1),
        ),
    ];
    println!(
        "ingest load, forwarding: {} requests x {} rounds, {} concurrent, {} byte JSON body, app on {app_url}",
        options.requests,
        options.rounds,
        options.concurrency,
        PAYLOAD.len()
    );
    let mut rates: [Vec<f64>; 2] = Default::default();
    let (mut medians_ms, mut p99s_ms) = (Vec::new(), Vec::new());
    let mut failed: Vec<String> = Vec::new();
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(options.concurrency)
            .build()
            .unwrap();
        let checker = forward::ForwardChecker::new(client.clone(), &app_url, forward_db.clone());
        for (index, (_, url)) in servers.iter().enumerate() {
            let burst = forward::send_traced_burst(
                &client,
                url,
                "warmup",
                1000,
                options.concurrency,
                PAYLOAD,
            )
            .await;
            if index == 1 {
                let check = checker.check(&burst).await;
                if !check.passed() {
                    println!("  warm-up");
                    check.print();
                    failed.push("the warm-up".to_owned());
                }
            }
        }
        for round in 0..options.rounds {
            let label = (round + 1).to_string();
            let mut this_round = [0.0; 2];
            // Alternating which goes first, as the main comparison does.
            for index in (0..2).map(|i| (i + round) % 2) {
                let (name, url) = &servers[index];
                settle();
                let burst = forward::send_traced_burst(
                    &client,
                    url,
                    &label,
                    options.requests,
                    options.concurrency,
                    PAYLOAD,
                )
                .await;
                println!("  round {label}  {name:<34} {:>9.0} req/s", burst.rate);
                rates[index].push(burst.rate);
                this_round[index] = burst.rate;
                if index == 1 {
                    let check = checker.check(&burst).await;
                    check.print();
                    if let Some(latency) = check.latency {
                        medians_ms.push(latency.median_ms);
                        p99s_ms.push(latency.p99_ms);
                    }
                    if !check.passed() {
                        failed.push(format!("round {label}"));
                    }
                }
            }
            println!(
                "  round {label}  forwarding / not forwarding: {:.2}x",
                this_round[1] / this_round[0]
            );
        }
    });

    println!("median of {} rounds:", options.rounds);
    for (index, (name, _)) in servers.iter().enumerate() {
        println!("  {name:<34} {:>9.0} req/s", median(&mut rates[index]));
    }
    println!(
        "  forwarding / not forwarding: {:.2}x (goal: at least 0.7x)",
        median(&mut rates[1]) / median(&mut rates[0])
    );
    if !medians_ms.is_empty() {
        println!(
            "  ack -> app: median {:.2} ms, p99 {:.2} ms (medians of the rounds' figures; a forward that reached the app before its ack reached the driver counts as 0)",
            median(&mut medians_ms),
            median(&mut p99s_ms)
        );
    }
    if failed.is_empty() {
        println!("  every acknowledged capture was forwarded, and recorded with the app's 200");
    } else {
        println!(
            "FAIL: not every acknowledged capture was forwarded and recorded with the app's 200 in {}",
            failed.join(", ")
        );
    }
    for child in [&mut app.0, &mut plain.0, &mut forwarding.0] {
        let _ = child.kill();
        let _ = child.wait();
    }
    failed.is_empty()
}

/// Sends `count` POSTs from `concurrency` workers; returns requests per second. Every
/// response must be a 2xx, or the figures would mean nothing.
/// One burst's figures: requests per second, and the 99th percentile of the time from
/// sending a request to its reply, in milliseconds.
struct Burst {
    rate: f64,
    p99_ms: f64,
}

async fn send_burst(
    client: &reqwest::Client,
    url: &str,
    count: usize,
    concurrency: usize,
) -> Burst {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (client, next, url) = (client.clone(), next.clone(), url.to_owned());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(count / concurrency + 1);
            while next.fetch_add(1, Ordering::Relaxed) < count {
                let sent = Instant::now();
                post_payload(&client, &url).await;
                latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(count);
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    let rate = count as f64 / started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let p99_ms = latencies
        .get((latencies.len() * 99 / 100).min(latencies.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default();
    Burst { rate, p99_ms }
}

/// Posts [`PAYLOAD`] and reads the whole answer, which must be a success.
async fn post_payload(client: &reqwest::Client, url: &str) {
    let response = client
        .post(url)
        .header("Content-Type", "application/json")
        .body(PAYLOAD)
        .send()
        .await
        .expect("request failed");
    assert!(response.status().is_success(), "{}", response.status());
    response.bytes().await.expect("response body");
}

/// Flushes what earlier bursts left to write and waits (up to 20 s) until the CPUs are
/// nearly idle: the servers' analysers and checkpoints have caught up.
fn settle() {
    // SAFETY: sync takes no arguments and cannot fail.
    unsafe { libc::sync() };
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut before = cpu_times();
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(250));
        let now = cpu_times();
        let (busy, total) = (now.0 - before.0, now.1 - before.1);
        if total == 0 || busy * 10 < total {
            return;
        }
        before = now;
    }
}

/// Busy and total CPU time since boot, in clock ticks, from `/proc/stat`.
fn cpu_times() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|n| n.parse().ok())
        .collect();
    let total = ticks.iter().sum();
    // user nice system idle iowait ...: idle and iowait are not busy.
    let idle = ticks.get(3).copied().unwrap_or(0) + ticks.get(4).copied().unwrap_or(0);
    (total - idle, total)
}

/// Starts the child in a session of its own (see the module documentation).
fn in_own_session(command: &mut Command) -> &mut Command {
    // SAFETY: setsid and prctl are async-signal-safe, and the child is a fresh process that has not
    // started any threads yet.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            // Out of the driver's session, Ctrl-C no longer reaches the child: it goes when
            // the driver goes instead.
            #[cfg(target_os = "linux")]
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        })
    }
}

fn start_hookscope(db: &std::path::Path, extra: &[&str]) -> (Child, SocketAddr) {
    let mut child = in_own_session(&mut Command::new(env!("CARGO_BIN_EXE_hookscope")))
        .args(["listen", "--headless", "--listen", "127.0.0.1:0", "--db"])
        .arg(db)
        .args(extra)
        .env("XDG_STATE_HOME", db.with_extension("state"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start hookscope");
    let addr = first_address(child.stderr.take().unwrap());
    (child, addr)
}

fn start_bare_server() -> (Child, SocketAddr) {
    start_driver_child(BARE_SERVER_ENV)
}

/// The driver itself again, in a session of its own, as the server `role_env` names (the
/// bare server, `--forward`'s app); it prints its address on stdout.
fn start_driver_child(role_env: &str) -> (Child, SocketAddr) {
    let mut child = in_own_session(&mut Command::new(std::env::current_exe().unwrap()))
        .env(role_env, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("start the driver as {role_env}: {e}"));
    let addr = first_address(child.stdout.take().unwrap());
    (child, addr)
}

/// The baseline: the same HTTP stack, reading the body and answering 200, storing nothing.
fn run_bare_server() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("bare server on http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(|body: axum::body::Bytes| async move {
            std::hint::black_box(body.len());
            ([("content-type", "application/json")], r#"{"ok":true}"#)
        });
        axum::serve(listener, app).await.unwrap();
    });
}
