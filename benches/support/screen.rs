//! `--screen`: how soon a webhook is on the screen of hookscope's interface, as a person at
//! the terminal would see it. The interface runs in a tmux pane; one thread reads the pane
//! with `tmux capture-pane` as fast as it can, and each reading is stamped with the moment it
//! returned, so every figure includes what a reading costs (a few milliseconds) and errs on
//! the slow side.
//!
//! Three parts, in one run:
//! - after a quiet spell: webhooks a second apart, each with a path of its own; the time from
//!   sending one to the first reading that lists its path (goal: 50 ms);
//! - 50 ms apart: the same, each sent 50 ms after the one before (goal: 50 ms);
//! - a flood: a burst at full speed, and for each reading the count in the header against
//!   the driver's acknowledged responses: the screen lags by the time since the earliest
//!   acknowledged capture it does not count yet (goal: 100 ms).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::driver::millis;
use crate::tmux::{TmuxInterface, capture};

const QUIET_SENDS: usize = 12;
const PACED_SENDS: usize = 60;
const FLOOD: Duration = Duration::from_secs(4);

/// One reading of the pane.
struct Reading {
    at: Instant,
    text: String,
}

/// Reads the pane over and over until stopped.
struct Reader {
    readings: Arc<Mutex<Vec<Reading>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Reader {
    fn start(session: &str) -> Self {
        let readings = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (readings, stop, session) = (readings.clone(), stop.clone(), session.to_owned());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let text = capture(&session);
                    let at = Instant::now();
                    readings.lock().unwrap().push(Reading { at, text });
                }
            })
        };
        Self {
            readings,
            stop,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> Vec<Reading> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
        std::mem::take(&mut *self.readings.lock().unwrap())
    }
}

/// Runs the three parts against a fresh interface; returns whether every goal was met.
pub fn run(runtime: &tokio::runtime::Runtime, concurrency: usize) -> bool {
    let store_dir = tempfile::tempdir().unwrap();
    let interface = TmuxInterface::start(&store_dir.path().join("screen.sqlite3"), &[]);
    let base = format!("http://{}", interface.addr);
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(concurrency)
        .build()
        .unwrap();
    println!("webhook to screen, interface in a 200x50 tmux pane, {base}");
    let mut passed = true;
    runtime.block_on(async {
        // Warm the connection and the store, then let the screen settle.
        crate::post_payload(&client, &format!("{base}/warmup")).await;
        tokio::time::sleep(Duration::from_millis(500)).await;

        let quiet = paced(&client, &base, &interface.session, "q", QUIET_SENDS, 1000).await;
        passed &= report("after a quiet spell (1 s apart)", quiet, 50.0);
        let gap = paced(&client, &base, &interface.session, "g", PACED_SENDS, 50).await;
        passed &= report("50 ms after the one before", gap, 50.0);
        tokio::time::sleep(Duration::from_millis(500)).await;
        let lags = flood(&client, &base, &interface.session, concurrency).await;
        passed &= report(
            &format!("screen lag during a {} s flood", FLOOD.as_secs()),
            lags,
            100.0,
        );
    });
    drop(interface);
    passed
}

/// Sends `count` webhooks `gap_ms` apart, each to `/screen-{tag}NNN`, and returns for each
/// the milliseconds from sending it to the first reading that shows its path.
async fn paced(
    client: &reqwest::Client,
    base: &str,
    session: &str,
    tag: &str,
    count: usize,
    gap_ms: u64,
) -> Vec<f64> {
    let reader = Reader::start(session);
    let started = Instant::now();
    let mut sent = Vec::with_capacity(count);
    for n in 0..count {
        let due = started + Duration::from_millis(gap_ms * n as u64);
        tokio::time::sleep_until(due.into()).await;
        let path = format!("/screen-{tag}{n:03}");
        sent.push((path.clone(), Instant::now()));
        let (client, url) = (client.clone(), format!("{base}{path}"));
        tokio::spawn(async move { crate::post_payload(&client, &url).await });
    }
    // Long enough for the last one to show, however slow.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let readings = reader.finish();
    sent.iter()
        .map(|(path, at)| {
            readings
                .iter()
                .find(|reading| reading.at > *at && reading.text.contains(path.as_str()))
                .map_or(f64::INFINITY, |reading| millis(reading.at - *at))
        })
        .collect()
}

/// Floods the interface for [`FLOOD`] and returns the screen's lag at every reading.
async fn flood(
    client: &reqwest::Client,
    base: &str,
    session: &str,
    concurrency: usize,
) -> Vec<f64> {
    let before = shown_count(&capture(session)).expect("the header shows a count");
    let acknowledged: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let reader = Reader::start(session);
    let end = Instant::now() + FLOOD;
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, url, acknowledged) = (
            client.clone(),
            format!("{base}/flood"),
            acknowledged.clone(),
        );
        workers.push(tokio::spawn(async move {
            while Instant::now() < end {
                crate::post_payload(&client, &url).await;
                acknowledged.lock().unwrap().push(Instant::now());
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let readings = reader.finish();
    let acknowledged = acknowledged.lock().unwrap().clone();
    println!(
        "  flood: {} webhooks in {} s, {} readings of the pane",
        acknowledged.len(),
        FLOOD.as_secs(),
        readings.len()
    );
    readings
        .iter()
        .filter_map(|reading| {
            let shown = shown_count(&reading.text)?.saturating_sub(before);
            // The earliest acknowledged capture the header did not count yet, if any was
            // acknowledged before this reading.
            let missing = acknowledged.get(shown)?;
            Some(if *missing < reading.at {
                millis(reading.at - *missing)
            } else {
                0.0
            })
        })
        .collect()
}

/// The `12,345 captures` of the header.
fn shown_count(screen: &str) -> Option<usize> {
    let header = screen.lines().next()?;
    let before = header.split(" capture").next()?;
    let digits: String = before
        .rsplit(' ')
        .next()?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Prints the median, 99th percentile and worst of `values`; true if the worst is within
/// `goal_ms`.
fn report(what: &str, mut values: Vec<f64>, goal_ms: f64) -> bool {
    values.sort_by(f64::total_cmp);
    if values.is_empty() {
        println!("  {what}: no readings  FAIL");
        return false;
    }
    let at = |q: usize| values[(values.len() * q / 100).min(values.len() - 1)];
    let worst = values[values.len() - 1];
    let verdict = if worst <= goal_ms { "ok" } else { "FAIL" };
    println!(
        "  {what:<36} median {:>6.1} ms   p99 {:>6.1} ms   worst {:>6.1} ms   (goal: at most {goal_ms} ms) {verdict}",
        at(50),
        at(99),
        worst
    );
    worst <= goal_ms
}
