//! Bulk replay as the interface and `hookscope replay` run it: capture order, the original
//! gaps (scaled by the speed factor), and a cancel that stops starting new requests.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::receiver::{RawReceiver, split_request};
use hookscope::capture::Capture;
use hookscope::replay::bulk::{Bulk, BulkOptions, Pace, replay_all};
use hookscope::replay::{Client, SendOptions, Target};
use hookscope::store::{Store, StoreLocation, StoreOptions};

/// Three captures 200 ms apart, as the store would hand them out.
fn captures() -> Vec<Capture> {
    let start = chrono::Utc::now();
    (0..3)
        .map(|n| {
            let mut capture = Capture::new("POST", format!("/n/{n}"), Vec::new(), "{}");
            capture.id = n + 1;
            capture.received_at = start + chrono::TimeDelta::milliseconds(200 * n);
            capture
        })
        .collect()
}

async fn run(
    pace: Pace,
    speed: f64,
    cancel_after: Option<usize>,
) -> (Vec<String>, Duration, usize) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        StoreLocation::file(dir.path().join("c.sqlite3")),
        StoreOptions {
            keep: 100,
            fsync: false,
            owns_verdicts: true,
        },
    )
    .unwrap();
    let app = RawReceiver::ok();
    let target = Target::parse(&app.url()).unwrap();
    let options = BulkOptions {
        pace,
        speed,
        concurrency: 4,
        resign: false,
    };
    let client = Client::new(SendOptions::default());
    let writer = store.writer();
    let bulk = Bulk {
        target: &target,
        options: &options,
        client: &client,
        writer: &writer,
    };
    let all = captures();
    let cancel = AtomicBool::new(false);
    let started = Instant::now();
    let tally = replay_all(
        &bulk,
        &[1, 2, 3],
        |id| Ok(all.iter().find(|c| c.id == id).cloned()),
        &cancel,
        |_, tally| {
            if cancel_after == Some(tally.done()) {
                cancel.store(true, Ordering::Release);
            }
        },
    )
    .await;
    let elapsed = started.elapsed();
    let lines = app.requests().iter().map(|r| split_request(r).0).collect();
    drop(writer);
    tokio::task::spawn_blocking(move || store.close())
        .await
        .unwrap();
    (lines, elapsed, tally.done())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_original_pace_keeps_order_and_gaps_scaled_by_the_speed() {
    let (lines, elapsed, done) = run(Pace::Original, 1.0, None).await;
    assert_eq!(
        lines,
        [
            "POST /n/0 HTTP/1.1",
            "POST /n/1 HTTP/1.1",
            "POST /n/2 HTTP/1.1"
        ]
    );
    assert_eq!(done, 3);
    assert!(
        elapsed >= Duration::from_millis(400),
        "gaps kept: {elapsed:?}"
    );
    let (_, faster, _) = run(Pace::Original, 4.0, None).await;
    assert!(
        faster >= Duration::from_millis(100),
        "gaps divided by 4: {faster:?}"
    );
    assert!(
        faster < elapsed,
        "{faster:?} is not faster than {elapsed:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_replay_starts_nothing_more() {
    let (lines, _, done) = run(Pace::Original, 1.0, Some(1)).await;
    assert_eq!(done, 1);
    assert_eq!(lines, ["POST /n/0 HTTP/1.1"]);
    let (lines, _, done) = run(Pace::Fast, 1.0, None).await;
    assert_eq!((lines.len(), done), (3, 3), "fast sends them all");
}
