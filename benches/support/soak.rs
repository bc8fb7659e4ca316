//! `--soak`: hookscope with its interface open in a tmux pane, fed a steady stream of
//! webhooks for minutes, to show that nothing about it grows but what it is asked to keep,
//! and that it loses nothing.
//!
//! - The sender posts `--rate` a second on a fixed schedule (request `n` is due `n / rate`
//!   seconds after the start) over [`CONNECTIONS`] connections, each taking the next slot
//!   when it is free: a steady stream, not bursts. A slot sent more than [`LATE`] after it
//!   was due is counted as late, and still sent, so the total stays `rate x seconds`.
//! - Bodies vary in kind (an Octopus event, JSON, UTF-8 text, binary) and length, each made
//!   from its sequence number alone, so any can be made again to compare. Every
//!   [`SAMPLE_EVERY`]th is read back through the library's `Database` within 10 s of its
//!   acknowledgement and compared byte for byte (and its target), and again at the end if
//!   retention kept it.
//! - Every [`PROBE_EVERY`], one line: the process's resident memory and threads
//!   (`/proc/PID/status`), open files (`/proc/PID/fd`, and the size of those among them that
//!   were removed: segment files retention removed but a reader still holds, disk space the
//!   folder does not show), its CPU, and the sizes of the store file, its `-wal` and its
//!   `-segments` folder.
//! - At the end, a verdict per figure against its probe at 60 s (see [`LIMITS`]); the store
//!   and its segments grow with captures until retention trims, so they are judged from 20 s
//!   after `--keep` captures are in, or per capture when the run ends before that. And
//!   `hookscope list --json --limit 0` must list every acknowledged id that retention keeps
//!   (those above the newest id less `--keep`), each with the path and size it was sent with.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hookscope::store::{Database, Durability, OpenMode};

use crate::driver::millis;
use crate::tmux::TmuxInterface;

/// Connections posting at once: enough that one slow reply does not hold the schedule up.
const CONNECTIONS: usize = 8;
const PROBE_EVERY: Duration = Duration::from_secs(10);
const LATE: Duration = Duration::from_millis(10);
const SAMPLE_EVERY: u64 = 100;
/// Figures are judged against the first probe at or after this: start-up is over.
const SETTLED_SECS: f64 = 60.0;
/// How long the store and its segments take to settle once retention trims.
const TRIM_SETTLE_SECS: f64 = 20.0;
const MIB: f64 = 1024.0 * 1024.0;
/// A sealed segment file's size: the folder shrinks a whole file at a time.
const SEGMENT_MIB: f64 = 16.0;
const HEADER: &str = "    t s    acked  rate/s  late  p99 ms  RSS MiB  anon  thr  fds removed \
                      store MiB WAL MiB  segs MiB   stored  CPU%";

pub struct Settings {
    pub seconds: u64,
    pub rate: f64,
    pub keep: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            seconds: 600,
            rate: 1000.0,
            keep: 100_000,
        }
    }
}

/// Runs the soak; returns whether every figure stayed flat and nothing was lost.
pub fn run(runtime: &tokio::runtime::Runtime, settings: &Settings) -> bool {
    let store_dir = tempfile::tempdir().unwrap();
    let db = store_dir.path().join("soak.sqlite3");
    let interface = TmuxInterface::start(&db, &["--keep", &settings.keep.to_string()]);
    let pid = interface.pid();
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    assert_eq!(
        comm.trim(),
        "hookscope",
        "the pane runs {comm}, not hookscope"
    );
    println!(
        "soak: {} s at {}/s over {CONNECTIONS} connections, --keep {}, interface in a tmux \
         pane (pid {pid}) on http://{}",
        settings.seconds, settings.rate, settings.keep, interface.addr
    );
    if settings.seconds as f64 <= SETTLED_SECS {
        println!("  (too short to judge: figures are judged on probes after {SETTLED_SECS} s)");
    }
    println!("{HEADER}");
    let total = (settings.seconds as f64 * settings.rate).round() as u64;
    let start = Instant::now() + Duration::from_millis(200);
    let schedule = Arc::new(Schedule {
        next: AtomicU64::new(0),
        total,
        start,
        rate: settings.rate,
    });
    let tally: Arc<Mutex<Tally>> = Arc::default();
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(CONNECTIONS)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let base = format!("http://{}", interface.addr);
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (client, base) = (client.clone(), base.clone());
            let (schedule, tally) = (schedule.clone(), tally.clone());
            runtime.spawn(send(client, base, schedule, tally))
        })
        .collect();

    let mut samples = vec![Sample::take(0, 0, pid, &db)];
    print_sample(&samples[0], &Interval::default(), None);
    let mut bodies = BodyCheck::default();
    let every = PROBE_EVERY.as_secs();
    for at in (1..=settings.seconds.div_ceil(every)).map(|n| (n * every).min(settings.seconds)) {
        let due = start + Duration::from_secs(at);
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        let (interval, acked, sampled) = tally.lock().unwrap().take_interval();
        let sample = Sample::take(at, acked, pid, &db);
        print_sample(&sample, &interval, samples.last());
        samples.push(sample);
        bodies.check(&db, settings.keep, &sampled, false);
        if sample.probe.threads == 0 {
            println!("FAIL: hookscope (pid {pid}) is gone");
            schedule.next.store(total, Ordering::Relaxed);
            break;
        }
    }
    runtime.block_on(async {
        for worker in workers {
            let _ = worker.await;
        }
    });
    let tally = std::mem::take(&mut *tally.lock().unwrap());
    let mut passed = report_sending(&tally, total, settings.rate, start);
    passed &= report_figures(&samples, settings);
    passed &= check_listing(&db, &tally.acked, settings.keep, &mut bodies);
    passed &= bodies.report();
    let screen = interface.screen();
    let header = screen.lines().next().unwrap_or_default();
    println!("  interface header at the end: {}", header.trim());
    drop(interface);
    println!("soak: {}", if passed { "PASS" } else { "FAIL" });
    passed
}

/// The sender's timetable: slot `n` is due `n / rate` seconds after `start`.
struct Schedule {
    next: AtomicU64,
    total: u64,
    start: Instant,
    rate: f64,
}

/// What one request came to.
enum Outcome {
    Acked(i64),
    Refused(u16),
    Failed(String),
}

/// Everything the sender saw.
#[derive(Default)]
struct Tally {
    /// `(sequence number, id)` of every 2xx, in the order they came.
    acked: Vec<(u64, i64)>,
    refused: BTreeMap<u16, u64>,
    failed: u64,
    first_failure: Option<String>,
    late: u64,
    worst_late: Duration,
    last_reply: Option<Instant>,
    interval: Interval,
    /// Acknowledged samples not checked yet.
    sampled: Vec<(u64, i64)>,
}

/// The sender's figures since the last probe.
#[derive(Default)]
struct Interval {
    late: u64,
    replies_ms: Vec<f64>,
}

impl Tally {
    fn record(&mut self, seq: u64, late: Duration, reply_ms: f64, outcome: Outcome) {
        self.interval.replies_ms.push(reply_ms);
        self.last_reply = Some(Instant::now());
        if late > LATE {
            self.late += 1;
            self.interval.late += 1;
        }
        self.worst_late = self.worst_late.max(late);
        match outcome {
            Outcome::Acked(id) => {
                self.acked.push((seq, id));
                if seq.is_multiple_of(SAMPLE_EVERY) {
                    self.sampled.push((seq, id));
                }
            }
            Outcome::Refused(status) => *self.refused.entry(status).or_default() += 1,
            Outcome::Failed(why) => {
                self.failed += 1;
                self.first_failure.get_or_insert(why);
            }
        }
    }

    /// The interval's figures, how many were acknowledged so far, and the samples to check.
    fn take_interval(&mut self) -> (Interval, usize, Vec<(u64, i64)>) {
        let interval = std::mem::take(&mut self.interval);
        (
            interval,
            self.acked.len(),
            std::mem::take(&mut self.sampled),
        )
    }
}

/// One connection's loop: takes the next slot, waits until it is due, posts.
async fn send(
    client: reqwest::Client,
    base: String,
    schedule: Arc<Schedule>,
    tally: Arc<Mutex<Tally>>,
) {
    loop {
        let seq = schedule.next.fetch_add(1, Ordering::Relaxed);
        if seq >= schedule.total {
            return;
        }
        let due = schedule.start + Duration::from_secs_f64(seq as f64 / schedule.rate);
        let webhook = Webhook::new(seq);
        tokio::time::sleep_until(due.into()).await;
        let sent = Instant::now();
        let outcome = post(&client, &base, webhook).await;
        let reply_ms = millis(sent.elapsed());
        let late = sent.saturating_duration_since(due);
        tally.lock().unwrap().record(seq, late, reply_ms, outcome);
    }
}

async fn post(client: &reqwest::Client, base: &str, webhook: Webhook) -> Outcome {
    let response = client
        .post(format!("{base}{}", webhook.path))
        .header("Content-Type", webhook.content_type)
        .body(webhook.body)
        .send()
        .await;
    let response = match response {
        Ok(response) => response,
        Err(error) => return Outcome::Failed(error.to_string()),
    };
    let status = response.status();
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(error) => return Outcome::Failed(format!("reading the reply: {error}")),
    };
    if !status.is_success() {
        return Outcome::Refused(status.as_u16());
    }
    // `{"ok":true,"id":N}`
    let reply = serde_json::from_slice::<serde_json::Value>(&body).ok();
    match reply.as_ref().and_then(|reply| reply["id"].as_i64()) {
        Some(id) => Outcome::Acked(id),
        None => Outcome::Failed(format!(
            "{status} without an id: {}",
            String::from_utf8_lossy(&body)
        )),
    }
}

/// Request `seq` of the soak, made the same again from its number alone.
struct Webhook {
    path: String,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Webhook {
    fn new(seq: u64) -> Self {
        let mut random = SplitMix(seq.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x50a4);
        let length = (random.next() % 8192) as usize;
        let (content_type, body) = match random.next() % 4 {
            0 => {
                let event = crate::PAYLOAD.replacen("Events-884240", &format!("Events-{seq}"), 1);
                ("application/json", event.into_bytes())
            }
            1 => {
                let note: String = (0..length)
                    .map(|_| char::from(b' ' + (random.next() % 95) as u8))
                    .filter(|&c| c != '"' && c != '\\')
                    .collect();
                let json = format!(r#"{{"soak":{seq},"note":"{note}"}}"#);
                ("application/json", json.into_bytes())
            }
            2 => {
                const WORDS: [&str; 6] = ["déploiement ", "漢字 ", "🙂 ", "ok\r\n", "\t", "ü"];
                let text: String = (0..length / 8)
                    .map(|_| WORDS[(random.next() % WORDS.len() as u64) as usize])
                    .collect();
                ("text/plain; charset=utf-8", text.into_bytes())
            }
            _ => {
                let bytes = (0..length).map(|_| random.next() as u8).collect();
                ("application/octet-stream", bytes)
            }
        };
        Self {
            path: format!("/soak/{seq}"),
            content_type,
            body,
        }
    }
}

/// A small, fast, good-enough generator (splitmix64).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The process's and the store's figures at one moment.
#[derive(Clone, Copy, Default)]
struct Probe {
    rss: u64,
    /// The part of `rss` that is the heap and other private memory, not mapped files (the
    /// WAL index is mapped, and counts in `rss`).
    anon: u64,
    /// 0 once the process is gone.
    threads: u64,
    fds: u64,
    /// Bytes of removed files still open: disk space the folder sizes do not show.
    held: u64,
    cpu_ticks: u64,
    store: u64,
    wal: u64,
    segments: u64,
    /// Captures in the store, by its own count.
    captures: u64,
}

#[derive(Clone, Copy)]
struct Sample {
    at_secs: f64,
    acked: usize,
    probe: Probe,
}

impl Sample {
    fn take(at_secs: u64, acked: usize, pid: u32, db: &Path) -> Self {
        Self {
            at_secs: at_secs as f64,
            acked,
            probe: probe(pid, db),
        }
    }
}

fn probe(pid: u32, db: &Path) -> Probe {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        let line = status.lines().find_map(|line| line.strip_prefix(name));
        let value = line.and_then(|rest| rest.split_whitespace().next());
        value.and_then(|n| n.parse::<u64>().ok()).unwrap_or(0)
    };
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // After the command name (which may hold spaces), state is the first field and utime
    // and stime the 12th and 13th.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let cpu_ticks = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|n| n.parse::<u64>().ok())
        .sum();
    let (fds, held) = open_files(pid);
    let size = |path: PathBuf| std::fs::metadata(path).map_or(0, |m| m.len());
    let segments = std::fs::read_dir(with_suffix(db, "-segments")).map_or(0, |entries| {
        let sizes = entries.filter_map(|e| e.ok()?.metadata().ok());
        sizes.map(|m| m.len()).sum()
    });
    Probe {
        rss: field("VmRSS:") * 1024,
        anon: field("RssAnon:") * 1024,
        threads: field("Threads:"),
        fds,
        held,
        cpu_ticks,
        store: size(db.to_owned()),
        wal: size(with_suffix(db, "-wal")),
        segments,
        captures: store_figures(db).map_or(0, |(count, _)| count),
    }
}

/// How many files `pid` has open, and the bytes of those among them that were removed (each
/// counted once, however many times it is open).
fn open_files(pid: u32) -> (u64, u64) {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return (0, 0);
    };
    let fds: Vec<PathBuf> = fds.filter_map(|fd| Some(fd.ok()?.path())).collect();
    let mut removed = HashMap::new();
    for fd in &fds {
        let Ok(target) = std::fs::read_link(fd) else {
            continue;
        };
        if target.to_string_lossy().ends_with(" (deleted)") {
            // The link leads to the open file, removed or not.
            let size = std::fs::metadata(fd).map_or(0, |m| m.len());
            removed.insert(target, size);
        }
    }
    (fds.len() as u64, removed.values().sum())
}

fn with_suffix(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The store's capture count and newest id, read as another process may.
fn store_figures(db: &Path) -> Option<(u64, i64)> {
    let flags =
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = rusqlite::Connection::open_with_flags(db, flags).ok()?;
    conn.busy_timeout(Duration::from_secs(5)).ok()?;
    conn.query_row(
        "SELECT (SELECT n FROM capture_count), (SELECT ifnull(max(id), 0) FROM captures)",
        [],
        |row| Ok((row.get::<_, i64>(0)?.max(0) as u64, row.get(1)?)),
    )
    .ok()
}

fn print_sample(sample: &Sample, interval: &Interval, before: Option<&Sample>) {
    let p = &sample.probe;
    let (rate, cpu) = before.map_or(("-".to_owned(), "-".to_owned()), |before| {
        let secs = sample.at_secs - before.at_secs;
        // SAFETY: sysconf only reads a constant.
        let ticks_per_sec = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
        let cpu_ticks = p.cpu_ticks.saturating_sub(before.probe.cpu_ticks) as f64;
        let acked = (sample.acked - before.acked) as f64;
        let cpu = 100.0 * cpu_ticks / ticks_per_sec / secs;
        (format!("{:.0}", acked / secs), format!("{cpu:.0}"))
    });
    let mut replies = interval.replies_ms.clone();
    replies.sort_by(f64::total_cmp);
    let p99 = replies
        .get((replies.len() * 99 / 100).min(replies.len().saturating_sub(1)))
        .map_or("-".to_owned(), |ms| format!("{ms:.1}"));
    println!(
        "  {:>5.0} {:>8} {:>7} {:>5} {:>7} {:>8.1} {:>5.1} {:>4} {:>4} {:>7.1} {:>9.1} {:>7.1} {:>9.1} \
         {:>8} {:>5}",
        sample.at_secs,
        sample.acked,
        rate,
        interval.late,
        p99,
        p.rss as f64 / MIB,
        p.anon as f64 / MIB,
        p.threads,
        p.fds,
        p.held as f64 / MIB,
        p.store as f64 / MIB,
        p.wal as f64 / MIB,
        p.segments as f64 / MIB,
        p.captures,
        cpu
    );
}

fn report_sending(tally: &Tally, total: u64, rate: f64, start: Instant) -> bool {
    let sent = tally.acked.len() as u64 + tally.refused.values().sum::<u64>() + tally.failed;
    // From the first slot to the last reply.
    let span = tally
        .last_reply
        .map_or(0.0, |at| at.saturating_duration_since(start).as_secs_f64());
    let achieved = tally.acked.len() as f64 / span.max(f64::MIN_POSITIVE);
    let rate_ok = achieved >= 0.98 * rate;
    println!(
        "  sent {sent} of {total} slots; {} acknowledged (2xx) in {span:.1} s: {achieved:.0}/s \
         against {rate}/s {}",
        tally.acked.len(),
        if rate_ok { "ok" } else { "FAIL (below 98%)" }
    );
    println!(
        "  schedule: {} slots sent more than {} ms late (still sent), the latest {:.1} ms late",
        tally.late,
        LATE.as_millis(),
        millis(tally.worst_late)
    );
    let answered = tally.refused.is_empty() && tally.failed == 0;
    if !answered {
        println!(
            "  FAIL: not acknowledged: {:?} by status, {} failed (the first: {})",
            tally.refused,
            tally.failed,
            tally.first_failure.as_deref().unwrap_or("-")
        );
    }
    rate_ok && answered && sent == total
}

/// A figure, and how far above its reference probe any later probe may go.
struct Limit {
    name: &'static str,
    unit: &'static str,
    tolerance: &'static str,
    value: fn(&Sample) -> f64,
    allowed: fn(f64) -> f64,
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / MIB
}

fn per_capture(bytes: u64, sample: &Sample) -> f64 {
    bytes as f64 / sample.probe.captures.max(1) as f64
}

/// Judged from the probe at [`SETTLED_SECS`].
const LIMITS: [Limit; 5] = [
    Limit {
        name: "resident memory",
        unit: "MiB",
        tolerance: "+20% or +10 MiB",
        value: |s| mib(s.probe.rss),
        allowed: |r| (r * 1.2).max(r + 10.0),
    },
    Limit {
        name: "threads",
        unit: "",
        tolerance: "+4",
        value: |s| s.probe.threads as f64,
        allowed: |r| r + 4.0,
    },
    Limit {
        name: "open files",
        unit: "",
        tolerance: "+8",
        value: |s| s.probe.fds as f64,
        allowed: |r| r + 8.0,
    },
    Limit {
        name: "removed, still open",
        unit: "MiB",
        tolerance: "+3 segments",
        value: |s| mib(s.probe.held),
        allowed: |r| r + 3.0 * SEGMENT_MIB,
    },
    Limit {
        name: "WAL",
        unit: "MiB",
        tolerance: "+20% or +10 MiB",
        value: |s| mib(s.probe.wal),
        allowed: |r| (r * 1.2).max(r + 10.0),
    },
];

/// Judged once retention trims.
const TRIMMED_LIMITS: [Limit; 2] = [
    Limit {
        name: "store file",
        unit: "MiB",
        tolerance: "+10% or +4 MiB",
        value: |s| mib(s.probe.store),
        allowed: |r| (r * 1.1).max(r + 4.0),
    },
    Limit {
        name: "segments",
        unit: "MiB",
        tolerance: "+5% and a segment",
        value: |s| mib(s.probe.segments),
        allowed: |r| r * 1.05 + SEGMENT_MIB,
    },
];

/// Judged per capture when the run ends before retention trims.
const GROWING_LIMITS: [Limit; 2] = [
    Limit {
        name: "store file per capture",
        unit: "B",
        tolerance: "+20%",
        value: |s| per_capture(s.probe.store, s),
        allowed: |r| r * 1.2,
    },
    Limit {
        name: "segments per capture",
        unit: "B",
        tolerance: "+20%",
        value: |s| per_capture(s.probe.segments, s),
        allowed: |r| r * 1.2,
    },
];

/// Prints a verdict per figure; true when every one was judged and is within its limit.
fn report_figures(samples: &[Sample], settings: &Settings) -> bool {
    println!("flat after the first minute (no later probe above the limit):");
    let trims_from = settings.keep as f64 / settings.rate;
    let settled = ((trims_from + TRIM_SETTLE_SECS) / 10.0).ceil() * 10.0;
    let (store_limits, store_from) = if settled.max(SETTLED_SECS) < settings.seconds as f64 {
        (&TRIMMED_LIMITS, settled.max(SETTLED_SECS))
    } else {
        println!(
            "  (retention trims from {trims_from:.0} s, too late to judge the store's size: per capture)"
        );
        (&GROWING_LIMITS, SETTLED_SECS)
    };
    let judged: Vec<bool> = (LIMITS.iter().map(|limit| (limit, SETTLED_SECS)))
        .chain(store_limits.iter().map(|limit| (limit, store_from)))
        .map(|(limit, from)| judge(samples, from, limit))
        .collect();
    judged.iter().all(|ok| *ok)
}

/// Every probe after the first one at or after `from_secs` within `limit` of that one.
fn judge(samples: &[Sample], from_secs: f64, limit: &Limit) -> bool {
    let name = limit.name;
    let Some(reference) = samples.iter().position(|s| s.at_secs >= from_secs) else {
        println!("  {name:<24} not judged: no probe at {from_secs:.0} s  FAIL");
        return false;
    };
    let (base, later) = (&samples[reference], &samples[reference + 1..]);
    let value = limit.value;
    let Some(worst) = later.iter().max_by(|a, b| value(a).total_cmp(&value(b))) else {
        println!(
            "  {name:<24} not judged: no probe after {:.0} s  FAIL",
            base.at_secs
        );
        return false;
    };
    let allowed = (limit.allowed)(value(base));
    let ok = value(worst) <= allowed;
    println!(
        "  {name:<24} at {:>3.0} s {:>8.1} {unit:<3}  highest after {:>8.1} (at {:.0} s)  \
         allowed {:>8.1} ({})  {}",
        base.at_secs,
        value(base),
        value(worst),
        worst.at_secs,
        allowed,
        limit.tolerance,
        if ok { "ok" } else { "FAIL" },
        unit = limit.unit,
    );
    ok
}

/// Sampled bodies compared with the store: soon after their acknowledgement, and at the end.
#[derive(Default)]
struct BodyCheck {
    exact_soon: u64,
    exact_at_end: u64,
    trimmed_first: u64,
    wrong: Vec<String>,
}

impl BodyCheck {
    /// Compares each sampled capture's body and target with what was sent; one no longer in
    /// the store counts as trimmed when retention may have taken it, as wrong otherwise.
    fn check(&mut self, db: &Path, keep: u64, sampled: &[(u64, i64)], at_end: bool) {
        if sampled.is_empty() {
            return;
        }
        let store = match Database::open(db, OpenMode::MustExist, Durability::ProcessCrash) {
            Ok(store) => store,
            Err(error) => {
                self.wrong.push(format!("cannot open the store: {error}"));
                return;
            }
        };
        for &(seq, id) in sampled {
            let sent = Webhook::new(seq);
            match store.get(id) {
                Ok(Some(capture)) if capture.body == sent.body && capture.uri == sent.path => {
                    if at_end {
                        self.exact_at_end += 1;
                    } else {
                        self.exact_soon += 1;
                    }
                }
                Ok(Some(capture)) => self.wrong.push(format!(
                    "#{id}: stored {} with {} bytes, sent {} with {} bytes",
                    capture.uri,
                    capture.body.len(),
                    sent.path,
                    sent.body.len()
                )),
                Ok(None) => {
                    let newest = store_figures(db).map_or(0, |(_, newest)| newest);
                    if id <= newest - keep as i64 {
                        self.trimmed_first += 1;
                    } else {
                        let gone = format!("#{id} ({}) is not in the store", sent.path);
                        self.wrong.push(gone);
                    }
                }
                Err(error) => self.wrong.push(format!("reading #{id}: {error}")),
            }
        }
    }

    fn report(&self) -> bool {
        let ok = self.wrong.is_empty() && self.exact_soon > 0;
        println!(
            "  sampled bodies (every {SAMPLE_EVERY}th): {} byte-exact within {} s of their \
             acknowledgement ({} trimmed before), {} of those retention kept byte-exact at the \
             end, {} wrong  {}",
            self.exact_soon,
            PROBE_EVERY.as_secs(),
            self.trimmed_first,
            self.exact_at_end,
            self.wrong.len(),
            if ok { "ok" } else { "FAIL" }
        );
        for wrong in self.wrong.iter().take(10) {
            println!("    {wrong}");
        }
        ok
    }
}

/// A line of `hookscope list --json`: what the check reads of it.
#[derive(serde::Deserialize)]
struct Listed {
    id: i64,
    path: String,
    size: u64,
}

/// `hookscope list --json --limit 0` must list every acknowledged id retention keeps (those
/// above the newest id less `keep`), each with the path and size it was sent with; the
/// sampled ones among them are compared byte for byte once more.
fn check_listing(db: &Path, acked: &[(u64, i64)], keep: u64, bodies: &mut BodyCheck) -> bool {
    let output = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(["list", "--json", "--limit", "0", "--db"])
        .arg(db)
        .env("XDG_STATE_HOME", db.with_extension("state"))
        .output()
        .expect("run hookscope list");
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        println!("  FAIL: hookscope list: {}", stderr.trim());
        return false;
    }
    let listed: HashMap<i64, Listed> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Listed>(line).ok())
        .map(|listed| (listed.id, listed))
        .collect();
    let acked_ids: HashSet<i64> = acked.iter().map(|&(_, id)| id).collect();
    let newest = listed.keys().chain(&acked_ids).copied().max().unwrap_or(0);
    let floor = newest - keep as i64;
    let (mut kept, mut missing, mut mismatched) = (0, Vec::new(), Vec::new());
    for &(seq, id) in acked.iter().filter(|&&(_, id)| id > floor) {
        kept += 1;
        let sent = Webhook::new(seq);
        match listed.get(&id) {
            None => missing.push(id),
            Some(row) if row.path != sent.path || row.size != sent.body.len() as u64 => mismatched
                .push(format!(
                    "#{id}: listed {} with {} bytes, sent {} with {} bytes",
                    row.path,
                    row.size,
                    sent.path,
                    sent.body.len()
                )),
            Some(_) => {}
        }
    }
    let duplicates = acked.len() - acked_ids.len();
    let unacknowledged = listed.keys().filter(|id| !acked_ids.contains(id)).count();
    let ok = missing.is_empty() && mismatched.is_empty() && duplicates == 0;
    let must_remain = if floor > 0 {
        format!("ids above {floor}")
    } else {
        "every id".to_owned()
    };
    println!(
        "  listed: {} captures; {must_remain} must remain: {kept} acknowledged, {} missing, {} \
         with another path or size; ids given twice {duplicates}; listed but not acknowledged \
         {unacknowledged}  {}",
        listed.len(),
        missing.len(),
        mismatched.len(),
        if ok { "ok" } else { "FAIL" }
    );
    if !missing.is_empty() {
        println!("    missing ids: {:?}", &missing[..missing.len().min(20)]);
    }
    for line in mismatched.iter().take(10) {
        println!("    {line}");
    }
    let kept_samples: Vec<(u64, i64)> = acked
        .iter()
        .copied()
        .filter(|&(seq, id)| seq.is_multiple_of(SAMPLE_EVERY) && id > floor)
        .collect();
    bodies.check(db, keep, &kept_samples, true);
    ok
}
