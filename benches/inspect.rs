//! Decode + validate throughput per vendor, against the cost of ingesting the same payload.
//!
//! `cargo bench --bench inspect` measures, in one run:
//! - `ingest/<vendor>`: one POST of the vendor's typical sample to an in-process hookscope
//!   listener with a real store, over a kept-alive loopback connection, until its 200;
//! - `inspect/<vendor>`: decoding the body, recognising the vendor, decoding and validating
//!   the same payload (what the listener does for every capture);
//! - `inspect-broken/<vendor>`: the same for a broken sample (findings are collected, the
//!   slower path).
//!
//! It ends with a table of inspect / ingest ratios. The goal is under 5%.

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;

use bytes::Bytes;
use criterion::{Criterion, Throughput};
use hookscope::capture::Header;
use hookscope::inspect::inspect;

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
    for (group, pick) in [("inspect", 1), ("inspect-broken", 2)] {
        let mut inspect_group = c.benchmark_group(group);
        for sample_files in SAMPLES {
            let (vendor, typical, broken) = sample_files;
            let body = sample(vendor, if pick == 1 { typical } else { broken });
            let inspection = inspect(&headers, &body);
            assert_eq!(
                inspection.vendor.map(|v| v.id()),
                Some(vendor),
                "{vendor} sample not recognised"
            );
            inspect_group.throughput(Throughput::Bytes(body.len() as u64));
            inspect_group.bench_function(vendor, |b| b.iter(|| inspect(&headers, &body)));
        }
        inspect_group.finish();
    }
    runtime.block_on(server.stop());
}

/// Criterion's mean estimate for one benchmark of this run, in nanoseconds.
fn mean_ns(group: &str, id: &str) -> Option<f64> {
    let path = PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into()))
        .join("criterion")
        .join(group)
        .join(id)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let estimates: serde_json::Value = serde_json::from_str(&text).ok()?;
    estimates["mean"]["point_estimate"].as_f64()
}

fn print_ratios() {
    println!("\ninspect cost relative to ingesting the same payload (goal: under 5%)");
    println!(
        "{:<10} {:>12} {:>12} {:>8} {:>14} {:>8}",
        "vendor", "ingest", "inspect", "ratio", "inspect-broken", "ratio"
    );
    for (vendor, _, _) in SAMPLES {
        let (Some(ingest), Some(inspect), Some(broken)) = (
            mean_ns("ingest", vendor),
            mean_ns("inspect", vendor),
            mean_ns("inspect-broken", vendor),
        ) else {
            println!("{vendor:<10} (not measured in this run)");
            continue;
        };
        println!(
            "{vendor:<10} {:>10.1}µs {:>10.1}µs {:>7.1}% {:>12.1}µs {:>7.1}%",
            ingest / 1e3,
            inspect / 1e3,
            100.0 * inspect / ingest,
            broken / 1e3,
            100.0 * broken / ingest
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
