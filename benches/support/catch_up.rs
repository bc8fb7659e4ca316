//! `--catch-up`: after a flood, how soon every capture is analysed. The analyser stands
//! aside while ingest is flooded, so it owes a backlog when the flood ends; the goal is to
//! have it paid within 3 s.
//!
//! Each round floods a fresh headless hookscope for [`FLOOD`] at full speed, then reads its
//! store (read-only, as a second process may) every few milliseconds until no capture is
//! left unanalysed. Reported: captures, the backlog when the flood ended, and the time from
//! the last acknowledged response to the last verdict.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

const FLOOD: Duration = Duration::from_secs(10);
const GOAL: Duration = Duration::from_secs(3);

/// Runs `rounds` floods; returns whether the median caught up within the goal.
pub fn run(runtime: &tokio::runtime::Runtime, rounds: usize, concurrency: usize) -> bool {
    println!(
        "catching up after a {} s flood, {concurrency} concurrent, {} byte JSON body",
        FLOOD.as_secs(),
        crate::PAYLOAD.len()
    );
    let mut times = Vec::new();
    for round in 0..rounds {
        let store_dir = tempfile::tempdir().unwrap();
        let db = store_dir.path().join("catch-up.sqlite3");
        let (mut child, addr) = crate::start_hookscope(&db, &[]);
        crate::settle();
        let url = format!("http://{addr}/hook");
        let sent = runtime.block_on(flood(&url, concurrency));
        let flood_ended = Instant::now();
        let store = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the store read-only");
        store.busy_timeout(Duration::from_secs(5)).unwrap();
        let backlog = unanalysed(&store);
        let deadline = flood_ended + Duration::from_secs(60);
        while unanalysed(&store) > 0 {
            assert!(Instant::now() < deadline, "not analysed within 60 s");
            std::thread::sleep(Duration::from_millis(5));
        }
        let caught_up = flood_ended.elapsed();
        println!(
            "  round {}  {sent:>7} captures   {backlog:>7} unanalysed when the flood ended   \
             all analysed {:>5.2} s later",
            round + 1,
            caught_up.as_secs_f64()
        );
        times.push(caught_up.as_secs_f64());
        let _ = child.kill();
        let _ = child.wait();
    }
    let median = crate::driver::median(&mut times);
    let ok = median <= GOAL.as_secs_f64();
    println!(
        "  median: every capture analysed {median:.2} s after the flood (goal: at most {} s) {}",
        GOAL.as_secs(),
        if ok { "ok" } else { "FAIL" }
    );
    ok
}

/// Posts at full speed for [`FLOOD`]; returns how many were acknowledged.
async fn flood(url: &str, concurrency: usize) -> usize {
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(concurrency)
        .build()
        .unwrap();
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let end = Instant::now() + FLOOD;
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, url, acknowledged) = (client.clone(), url.to_owned(), acknowledged.clone());
        workers.push(tokio::spawn(async move {
            while Instant::now() < end {
                crate::post_payload(&client, &url).await;
                acknowledged.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    acknowledged.load(Ordering::Relaxed)
}

/// Captures not analysed yet, read as another process would (the partial index makes this
/// cheap, so polling does not slow the analyser).
fn unanalysed(store: &Connection) -> i64 {
    store
        .query_row(
            "SELECT count(*) FROM captures WHERE analysed = 0",
            [],
            |row| row.get(0),
        )
        .expect("count unanalysed captures")
}
