//! The pieces of the load driver's `--forward` mode (used by `ingest_load` only): the "app"
//! hookscope forwards to, bursts that remember when each request was acknowledged, and the
//! check after each round that every capture reached the app and was recorded as forwarded.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const APP_SERVER_ENV: &str = "HOOKSCOPE_LOAD_APP_SERVER";
/// The app's own endpoint: answers with what arrived since the last call, one
/// `MICROS PATH` line each, and forgets it. Its own calls are not recorded.
const DRAIN_PATH: &str = "/__load/drain";
/// How long a round's check waits for the forwards to arrive and be recorded.
const CHECK_BUDGET: Duration = Duration::from_secs(30);

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// The path of request `n` of a burst: unique in the run, so an arrival names its request.
fn request_path(label: &str, n: usize) -> String {
    format!("/bench/{label}/{n}")
}

/// The developer's app, as small as one gets: HTTP/1.1 with keep-alive, reads the body and
/// answers 200 `ok` at once, on one thread (an app on a laptop does not get the whole
/// machine either). It notes the wall-clock time each request's head arrived, and its path.
pub fn run_app_server() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("app on http://{}", listener.local_addr().unwrap());
        let arrivals: Arc<Mutex<Vec<(u64, String)>>> = Arc::default();
        let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
            let arrivals = arrivals.clone();
            async move {
                let at = now_us();
                let path = request.uri().path().to_owned();
                if path == DRAIN_PATH {
                    let drained = std::mem::take(&mut *arrivals.lock().unwrap());
                    let lines: String = drained
                        .iter()
                        .map(|(at, path)| format!("{at} {path}\n"))
                        .collect();
                    return lines;
                }
                let body = axum::body::to_bytes(request.into_body(), usize::MAX).await;
                std::hint::black_box(body.map(|b| b.len()).unwrap_or(0));
                arrivals.lock().unwrap().push((at, path));
                "ok".to_owned()
            }
        });
        axum::serve(listener, app).await.unwrap();
    });
}

/// A burst whose requests each have a path of their own, and when each was acknowledged.
pub struct TracedBurst {
    pub label: String,
    pub rate: f64,
    /// When the first request went, in microseconds since the epoch: the burst's forwards
    /// are the store's attempts that started since.
    pub started_us: u64,
    /// Request `n`'s acknowledgement (hookscope's response head reaching the driver), in
    /// microseconds since the epoch.
    pub acked_at: Vec<u64>,
}

/// Like the driver's `send_burst`, to `{base}/bench/{label}/{n}`; every response must be a
/// 2xx, so every request counts as acknowledged.
pub async fn send_traced_burst(
    client: &reqwest::Client,
    base: &str,
    label: &str,
    count: usize,
    concurrency: usize,
    payload: &'static str,
) -> TracedBurst {
    let next = Arc::new(AtomicUsize::new(0));
    let started_us = now_us();
    let started = Instant::now();
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (client, next) = (client.clone(), next.clone());
        let (base, label) = (base.to_owned(), label.to_owned());
        workers.push(tokio::spawn(async move {
            let mut acks = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    return acks;
                }
                let response = client
                    .post(format!("{base}{}", request_path(&label, n)))
                    .header("Content-Type", "application/json")
                    .body(payload)
                    .send()
                    .await
                    .expect("request failed");
                acks.push((n, now_us()));
                assert!(response.status().is_success(), "{}", response.status());
                response.bytes().await.expect("response body");
            }
        }));
    }
    let mut acked_at = vec![0; count];
    for worker in workers {
        for (n, at) in worker.await.unwrap() {
            acked_at[n] = at;
        }
    }
    let rate = count as f64 / started.elapsed().as_secs_f64();
    TracedBurst {
        label: label.to_owned(),
        rate,
        started_us,
        acked_at,
    }
}

/// Acknowledgement to arrival at the app, over one burst's forwards.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    pub median_ms: f64,
    pub p99_ms: f64,
    /// Forwards that reached the app before their acknowledgement reached the driver
    /// (counted as 0).
    pub early: usize,
}

impl Latency {
    fn of(mut added_us: Vec<i64>) -> Option<Self> {
        if added_us.is_empty() {
            return None;
        }
        let early = added_us.iter().filter(|&&us| us < 0).count();
        for us in &mut added_us {
            *us = (*us).max(0);
        }
        added_us.sort_unstable();
        let at = |q: usize| added_us[(added_us.len() * q / 100).min(added_us.len() - 1)];
        Some(Self {
            median_ms: at(50) as f64 / 1000.0,
            p99_ms: at(99) as f64 / 1000.0,
            early,
        })
    }
}

/// What one burst's check found.
pub struct ForwardCheck {
    pub acknowledged: usize,
    /// Distinct requests of the burst the app received, and extra copies of them.
    pub arrived: usize,
    pub duplicates: usize,
    /// The store's `kind = 'forward'` attempts started since the burst began: answered
    /// 200, and all of them.
    pub stored_ok: u64,
    pub stored_all: u64,
    /// When some were not answered 200: the commonest outcomes, as `count × status: error`.
    pub other_outcomes: Vec<String>,
    /// hookscope's own exchanges with the app (the attempts' `elapsed_us`), median.
    pub exchange_median_ms: Option<f64>,
    pub waited: Duration,
    pub latency: Option<Latency>,
}

impl ForwardCheck {
    pub fn passed(&self) -> bool {
        self.arrived == self.acknowledged && self.stored_ok == self.acknowledged as u64
    }

    pub fn print(&self) {
        let verdict = if self.passed() { "ok" } else { "FAIL" };
        println!(
            "           {verdict}: app received {} of {} acknowledged ({} duplicates); store: {} forwards with status 200, {} others (checked after {:.1} s)",
            self.arrived,
            self.acknowledged,
            self.duplicates,
            self.stored_ok,
            self.stored_all - self.stored_ok,
            self.waited.as_secs_f64()
        );
        for outcome in &self.other_outcomes {
            println!("             {outcome}");
        }
        if let Some(latency) = self.latency {
            println!(
                "           ack -> app: median {:.2} ms, p99 {:.2} ms ({} forwards arrived before their ack, counted as 0); hookscope's exchange with the app: median {:.2} ms",
                latency.median_ms,
                latency.p99_ms,
                latency.early,
                self.exchange_median_ms.unwrap_or(f64::NAN)
            );
        }
    }
}

/// Checks, burst after burst, that the forwarding hookscope sent every capture to the app.
pub struct ForwardChecker {
    client: reqwest::Client,
    drain_url: String,
    db: PathBuf,
}

impl ForwardChecker {
    pub fn new(client: reqwest::Client, app_base: &str, db: PathBuf) -> Self {
        Self {
            client,
            drain_url: format!("{app_base}{DRAIN_PATH}"),
            db,
        }
    }

    /// Waits (at most 30 s) until the app has every request of `burst` and the store has
    /// their outcomes, or until the store has an outcome for each (then nothing more will
    /// arrive), and reports.
    pub async fn check(&self, burst: &TracedBurst) -> ForwardCheck {
        let count = burst.acked_at.len();
        let prefix = format!("/bench/{}/", burst.label);
        let mut arrivals: HashMap<usize, u64> = HashMap::new();
        let mut duplicates = 0;
        let started = Instant::now();
        let (stored_ok, stored_all) = loop {
            let (ok, all) = self.stored_forwards(burst.started_us).await;
            for line in self.drain_app().await.lines() {
                let Some((at, path)) = line.split_once(' ') else {
                    continue;
                };
                let n = path.strip_prefix(&prefix).and_then(|n| n.parse().ok());
                if let (Some(n), Ok(at)) = (n, at.parse())
                    && arrivals.insert(n, at).is_some()
                {
                    duplicates += 1;
                }
            }
            let everything = arrivals.len() >= count && ok >= count as u64;
            let settled = all >= count as u64;
            if everything || settled || started.elapsed() > CHECK_BUDGET {
                break (ok, all);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let added_us = arrivals
            .iter()
            .filter_map(|(&n, &at)| burst.acked_at.get(n).map(|&ack| at as i64 - ack as i64))
            .collect();
        let exchange_median_ms = self.exchange_median_ms(burst.started_us).await;
        let other_outcomes = if stored_ok < stored_all {
            self.other_outcomes(burst.started_us).await
        } else {
            Vec::new()
        };
        ForwardCheck {
            acknowledged: count,
            arrived: arrivals.len(),
            duplicates,
            stored_ok,
            stored_all,
            other_outcomes,
            exchange_median_ms,
            waited: started.elapsed(),
            latency: Latency::of(added_us),
        }
    }

    async fn drain_app(&self) -> String {
        let response = self.client.get(&self.drain_url).send().await;
        match response {
            Ok(response) => response.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// The median `elapsed_us` of the forwards answered 200 started since `since_us`: how
    /// long hookscope's own exchanges with the app took, in ms.
    async fn exchange_median_ms(&self, since_us: u64) -> Option<f64> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            open_store(&db)
                .query_row(
                    "SELECT elapsed_us FROM attempts \
                     WHERE kind='forward' AND status=200 AND started_at >= ?1 \
                     ORDER BY elapsed_us LIMIT 1 OFFSET (SELECT count(*) / 2 FROM attempts \
                     WHERE kind='forward' AND status=200 AND started_at >= ?1)",
                    [since_us as i64],
                    |row| row.get::<_, i64>(0),
                )
                .ok()
                .map(|us| us as f64 / 1000.0)
        })
        .await
        .unwrap()
    }

    /// The three commonest outcomes other than 200 of the forwards started since `since_us`.
    async fn other_outcomes(&self, since_us: u64) -> Vec<String> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let conn = open_store(&db);
            let mut statement = conn
                .prepare(
                    "SELECT count(*), coalesce(status, 'no status'), coalesce(error, '') \
                     FROM attempts WHERE kind='forward' AND status IS NOT 200 AND started_at >= ?1 \
                     GROUP BY 2, 3 ORDER BY 1 DESC LIMIT 3",
                )
                .expect("query outcomes");
            statement
                .query_map([since_us as i64], |row| {
                    let (count, status, error): (i64, rusqlite::types::Value, String) =
                        (row.get(0)?, row.get(1)?, row.get(2)?);
                    let status = match status {
                        rusqlite::types::Value::Integer(code) => code.to_string(),
                        rusqlite::types::Value::Text(text) => text,
                        other => format!("{other:?}"),
                    };
                    Ok(format!("{count} x {status}: {error}"))
                })
                .expect("query outcomes")
                .filter_map(Result::ok)
                .collect()
        })
        .await
        .unwrap()
    }

    /// `kind = 'forward'` attempts in the store started since `since_us`: with status 200,
    /// and all of them. (Counting since the burst began, rather than everything, keeps
    /// earlier bursts and `--keep` pruning out of it.)
    async fn stored_forwards(&self, since_us: u64) -> (u64, u64) {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let conn = open_store(&db);
            // One statement, so both counts come from the same snapshot: with two, outcomes
            // committed in between would look like forwards without a 200.
            conn.query_row(
                "SELECT count(*) FILTER (WHERE status = 200), count(*) FROM attempts \
                 WHERE kind='forward' AND started_at >= ?1",
                [since_us as i64],
                |row| Ok((row.get::<_, i64>(0)? as u64, row.get::<_, i64>(1)? as u64)),
            )
            .expect("count forwards")
        })
        .await
        .unwrap()
    }
}

fn open_store(db: &std::path::Path) -> rusqlite::Connection {
    let flags =
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = rusqlite::Connection::open_with_flags(db, flags).expect("open the store");
    conn.busy_timeout(Duration::from_secs(5))
        .expect("set a busy timeout");
    conn
}
