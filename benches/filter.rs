//! How long the `/` filter takes over a full store, against the cost of reading it.
//!
//! `cargo bench --bench filter` builds, once per run, a store of 100,000 captures in a temporary
//! folder: ~2 KB JSON bodies (order events, 2% of them gzip-compressed), every tenth one a vendor
//! sample, 1% of bodies mentioning "Zanzibar". It measures full scans, paged as the interface
//! pages them:
//! - `baseline/read-columns`: every column a free-text scan reads, each row touched, no matching;
//! - `baseline/summaries`: reading every list row (`summaries_after`), what opening the list costs;
//! - `scan/fields`: `method:post vendor:octopus` (no headers or bodies read);
//! - `scan/text`: `zanzibar`, a word in 1% of bodies (every header and body searched).
//!
//! It ends with a table of ratios to `baseline/read-columns`. The goal: a free-text scan of
//! 100,000 captures within a second, so results follow typing.

#[path = "support/estimates.rs"]
mod estimates;
use estimates::mean_ns;

use std::io::Write;
use std::path::Path;

use bytes::Bytes;
use chrono::DateTime;
use criterion::{Criterion, Throughput};
use hookscope::capture::{Capture, Header, Verdict};
use hookscope::filter::{Filter, parse};
use hookscope::samples;
use hookscope::store::{Database, Durability, OpenMode};
use hookscope::validate::Severity;

// The same allocator as the binary, so the figures are the ones hookscope sees.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CAPTURES: usize = 100_000;
/// Rows per scan call, as the interface pages a scan to stay responsive.
const PAGE: usize = 10_000;
const RARE_WORD: &str = "Zanzibar";

const WORDS: &[&str] = &[
    "express",
    "standard",
    "gift",
    "fragile",
    "leave",
    "at",
    "door",
    "back",
    "office",
    "call",
    "before",
    "delivery",
    "signature",
    "required",
    "weekend",
    "priority",
    "customer",
    "notes",
    "warehouse",
    "north",
    "south",
    "pallet",
    "box",
    "small",
    "large",
    "blue",
    "green",
    "red",
];
const CITIES: &[&str] = &[
    "Lisbon", "Oslo", "Lyon", "Austin", "Osaka", "Leeds", "Porto", "Ghent", "Turin", "Quebec",
];

/// A small deterministic generator, so every run builds the same store.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next() % items.len()]
    }
}

/// An order event of about 2 KB, the shape of a typical e-commerce webhook.
fn order_event(rng: &mut Rng, n: usize, rare: bool) -> Vec<u8> {
    let items: Vec<serde_json::Value> = (0..9)
        .map(|i| {
            serde_json::json!({
                "sku": format!("SKU-{:05}", rng.next() % 100_000),
                "name": format!("{} {} item {i}", rng.pick(WORDS), rng.pick(WORDS)),
                "quantity": rng.next() % 5 + 1,
                "unit_price": {"amount": rng.next() % 10_000, "currency": "EUR"},
            })
        })
        .collect();
    let note: Vec<&str> = (0..12).map(|_| rng.pick(WORDS)).collect();
    let city = if rare { RARE_WORD } else { rng.pick(CITIES) };
    serde_json::to_vec(&serde_json::json!({
        "id": format!("evt_{n:08}"),
        "type": "order.updated",
        "created": 1_790_000_000 + n,
        "data": {
            "order": {
                "id": format!("ord_{:08}", rng.next() % 100_000_000),
                "status": rng.pick(&["paid", "packed", "shipped", "delivered"]),
                "customer": {
                    "name": format!("Customer {}", rng.next() % 10_000),
                    "email": format!("c{}@example.com", rng.next() % 10_000),
                    "address": {"line1": "12 Harbour Street", "city": city, "country": "PT"},
                },
                "items": items,
                "note": note.join(" "),
            }
        }
    }))
    .unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn base_headers(n: usize) -> Vec<Header> {
    vec![
        Header::new("Host", "hooks.example.com"),
        Header::new("User-Agent", "shop-webhooks/2.3"),
        Header::new("Content-Type", "application/json"),
        Header::new("X-Request-Id", format!("req-{n:08}")),
        Header::new("Accept-Encoding", "gzip"),
    ]
}

/// The n-th capture, analysed: a vendor sample every tenth, an order event otherwise.
fn capture(rng: &mut Rng, n: usize) -> Capture {
    let received_at = DateTime::from_timestamp_micros(1_790_000_000_000_000 + n as i64).unwrap();
    let all = samples::all();
    let (method, uri, headers, body, verdict) = if n.is_multiple_of(10) {
        let sample = &all[(n / 10) % all.len()];
        let errors = sample.expect.findings.iter();
        let verdict = Verdict {
            vendor: sample.expect.vendor,
            kind: Some(sample.expect.kind.clone()),
            errors: errors.clone().filter(|f| f.1 == Severity::Error).count() as u32,
            warnings: errors.filter(|f| f.1 == Severity::Warning).count() as u32,
            ..Verdict::default()
        };
        let uri = format!("/hooks/{}", sample.vendor.id());
        let body = sample.body.to_vec();
        ("POST", uri, sample.capture_headers(), body, verdict)
    } else {
        let mut headers = base_headers(n);
        let mut body = order_event(rng, n, n % 100 == 1);
        if n % 50 == 7 {
            body = gzip(&body);
            headers.push(Header::new("Content-Encoding", "gzip"));
        }
        let method = if n % 20 == 3 { "PUT" } else { "POST" };
        (
            method,
            "/hooks/shop?v=2".to_owned(),
            headers,
            body,
            Verdict::default(),
        )
    };
    Capture {
        id: 0,
        received_at,
        peer: "10.0.0.7:52144".into(),
        method: method.into(),
        uri,
        version: "HTTP/1.1".into(),
        headers,
        body: Bytes::from(body),
        response_status: 200,
        unauthenticated: false,
        verdict: Some(verdict),
    }
}

fn build_store(path: &Path) -> Database {
    let started = std::time::Instant::now();
    let mut db = Database::open(path, OpenMode::CreateIfMissing, Durability::Throwaway).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for batch in (0..CAPTURES).collect::<Vec<_>>().chunks(1000) {
        let captures: Vec<Capture> = batch.iter().map(|&n| capture(&mut rng, n)).collect();
        db.insert_batch(&captures, u64::MAX).unwrap();
    }
    let size = std::fs::metadata(path).map_or(0, |m| m.len())
        + std::fs::metadata(path.with_extension("sqlite3-wal")).map_or(0, |m| m.len());
    eprintln!(
        "store: {CAPTURES} captures, {:.0} MB, built in {:.1?}",
        size as f64 / 1e6,
        started.elapsed()
    );
    db
}

/// A full scan, page by page; returns how many matched.
fn scan_all(db: &Database, filter: &Filter) -> usize {
    let (mut matched, mut after) = (0, 0);
    loop {
        let page = db.scan_matches(filter, after, PAGE, &|| false).unwrap();
        matched += page.matched.len();
        after = page.scanned_through;
        if page.complete {
            return matched;
        }
    }
}

/// Every column a free-text scan reads, each value touched, nothing matched.
fn read_columns(conn: &rusqlite::Connection) -> usize {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, analysed, method, path, query, vendor, kind, errors, warnings, \
             headers, body FROM captures ORDER BY id",
        )
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    let mut bytes = 0;
    while let Some(row) = rows.next().unwrap() {
        for column in 0..11 {
            bytes += match row.get_ref(column).unwrap() {
                rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => b.len(),
                _ => 1,
            };
        }
    }
    bytes
}

fn read_summaries(db: &Database) -> usize {
    let (mut count, mut after) = (0, 0);
    loop {
        let page = db.summaries_after(after, 1000).unwrap();
        let Some(last) = page.last() else {
            return count;
        };
        after = last.id;
        count += page.len();
    }
}

fn bench(c: &mut Criterion, dir: &Path) {
    let path = dir.join("captures.sqlite3");
    let db = build_store(&path);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let fields = parse("method:post vendor:octopus").unwrap();
    let text = parse(&RARE_WORD.to_lowercase()).unwrap();
    let fields_count = scan_all(&db, &fields);
    let text_count = scan_all(&db, &text);
    eprintln!("matches: {fields} → {fields_count}, {text} → {text_count}");
    assert_eq!(
        text_count,
        CAPTURES / 100,
        "the rare word is in 1% of bodies"
    );

    let mut baseline = c.benchmark_group("baseline");
    baseline
        .sample_size(10)
        .throughput(Throughput::Elements(CAPTURES as u64));
    baseline.bench_function("read-columns", |b| b.iter(|| read_columns(&conn)));
    baseline.bench_function("summaries", |b| b.iter(|| read_summaries(&db)));
    baseline.finish();

    let mut scan = c.benchmark_group("scan");
    scan.sample_size(10)
        .throughput(Throughput::Elements(CAPTURES as u64));
    scan.bench_function("fields", |b| b.iter(|| scan_all(&db, &fields)));
    scan.bench_function("text", |b| b.iter(|| scan_all(&db, &text)));
    scan.finish();
}

fn print_ratios() {
    println!("\nfull scans of {CAPTURES} captures (goal: free text within 1 s)");
    let Some(base) = mean_ns("baseline", "read-columns") else {
        println!("(baseline not measured in this run)");
        return;
    };
    for (group, id) in [
        ("baseline", "read-columns"),
        ("baseline", "summaries"),
        ("scan", "fields"),
        ("scan", "text"),
    ] {
        match mean_ns(group, id) {
            Some(t) => println!(
                "{:<24} {:>8.1} ms {:>6.2}x read-columns",
                format!("{group}/{id}"),
                t / 1e6,
                t / base
            ),
            None => println!("{group}/{id:<15} (not measured in this run)"),
        }
    }
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion, dir.path());
    criterion.final_summary();
    print_ratios();
}
