//! Decode + validate throughput per vendor, against the cost of ingesting the same payload.
//!
//! `cargo bench --bench inspect` measures, in one run:
//! - `ingest/<vendor>`: one POST of the vendor's typical sample to an in-process hookscope
//!   listener with a real store, over a kept-alive loopback connection, until its 200;
//! - `verdict/<vendor>`: what the analyser does for every capture: decode the body, parse
//!   it, recognise the vendor and its event kind, validate;
//! - `verdict-broken/<vendor>`: the same for a broken sample (findings are collected, the
//!   slower path);
//! - `inspect/<vendor>`: the full inspection a person's view shows (the verdict plus the
//!   decoded summary: headline, fields, links, tables).
//!
//! It ends with a table of ratios to ingest. The goal: validating under 5% of ingesting.

#[path = "support/estimates.rs"]
mod estimates;
use estimates::mean_ns;

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;

use bytes::Bytes;
use criterion::{Criterion, Throughput};
use hookscope::capture::Header;
use hookscope::inspect::{inspect, verdict};

// The same allocator as the binary, so the figures are the ones hookscope sees.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SAMPLES: [(&str, &str, &str); 4] = [
    ("bitdrift", "alert.json", "broken-two-members.json"),
    (
        "octopus",
        "DeploymentSucceeded.json",
        "broken-message-references.json",
    ),
    ("bugsplat", "NewReport.json", "broken-callstack-string.json"),
    ("firefly", "Drift.json", "broken-timestamps.json"),
];

fn sample(vendor: &str, file: &str) -> Bytes {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/samples")
        .join(vendor)
        .join(file);
    Bytes::from(std::fs::read(path).unwrap())
}

fn headers() -> Vec<Header> {
    vec![
        Header::new("Host", "127.0.0.1"),
        Header::new("Content-Type", "application/json"),
        Header::new("User-Agent", "bench"),
    ]
}

/// A blocking keep-alive client: one request written, one response read to its end.
struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    fn post(&mut self, request: &[u8]) {
        self.reader.get_mut().write_all(request).unwrap();
        let mut content_length = 0;
        let mut line = String::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                content_length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; content_length];
        self.reader.read_exact(&mut body).unwrap();
    }
}

fn bench(c: &mut Criterion, runtime: &tokio::runtime::Runtime) {
    let server = runtime.block_on(common::TestServer::start());
    let mut client = Client {
        reader: BufReader::new(TcpStream::connect(server.addr).unwrap()),
    };
    let mut ingest = c.benchmark_group("ingest");
    for (vendor, typical, _) in SAMPLES {
        let body = sample(vendor, typical);
        let mut request = format!(
            "POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             User-Agent: bench\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(&body);
        ingest.throughput(Throughput::Bytes(body.len() as u64));
        ingest.bench_function(vendor, |b| b.iter(|| client.post(&request)));
    }
    ingest.finish();

    let headers = headers();
    for (group, broken) in [
        ("verdict", false),
        ("verdict-broken", true),
        ("inspect", false),
    ] {
        let mut inspect_group = c.benchmark_group(group);
        for (vendor, typical, broken_file) in SAMPLES {
            let body = sample(vendor, if broken { broken_file } else { typical });
            let inspection = inspect(&headers, &body);
            assert_eq!(
                inspection.vendor.map(|v| v.id()),
                Some(vendor),
                "{vendor} sample not recognised"
            );
            inspect_group.throughput(Throughput::Bytes(body.len() as u64));
            if group == "inspect" {
                inspect_group.bench_function(vendor, |b| b.iter(|| inspect(&headers, &body)));
            } else {
                inspect_group.bench_function(vendor, |b| {
                    b.iter(|| verdict(None, &headers, &body, chrono::Utc::now()))
                });
            }
        }
        inspect_group.finish();
    }
    runtime.block_on(server.stop());
}

fn print_ratios() {
    println!("\nanalysis cost relative to ingesting the same payload (goal: under 5%)");
    println!(
        "{:<9} {:>9} {:>9} {:>6} {:>15} {:>6} {:>9} {:>6}",
        "vendor", "ingest", "verdict", "ratio", "verdict-broken", "ratio", "inspect", "ratio"
    );
    for (vendor, _, _) in SAMPLES {
        let times = ["ingest", "verdict", "verdict-broken", "inspect"].map(|g| mean_ns(g, vendor));
        let [Some(ingest), Some(verdict), Some(broken), Some(inspect)] = times else {
            println!("{vendor:<9} (not measured in this run)");
            continue;
        };
        let percent = |t: f64| 100.0 * t / ingest;
        println!(
            "{vendor:<9} {:>7.1}µs {:>7.1}µs {:>5.1}% {:>13.1}µs {:>5.1}% {:>7.1}µs {:>5.1}%",
            ingest / 1e3,
            verdict / 1e3,
            percent(verdict),
            broken / 1e3,
            percent(broken),
            inspect / 1e3,
            percent(inspect)
        );
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion, &runtime);
    criterion.final_summary();
    print_ratios();
}
