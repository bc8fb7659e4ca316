//! Body highlighting against the cost of rendering the same body.
//!
//! `cargo bench --bench highlight` measures, in one run:
//! - `json/render`: `DecodedBody::render` of a ~1 MB JSON body (webhook-like events in an
//!   array), i.e. pretty-printing it: the baseline;
//! - `json/highlight-dark`, `json/highlight-light`: `highlight::highlight` of that text;
//! - `json/syntect`: syntect's own JSON grammar on the same text, the road not taken;
//! - `xml/render`, `xml/highlight-dark`: the same for a ~200 KB XML body (syntect).
//!
//! It ends with the absolute times and their ratios to render. The goal: the 1 MB JSON body
//! highlighted in under 500 ms.

#[path = "support/estimates.rs"]
mod estimates;
use estimates::mean_ns;

use std::fmt::Write as _;

use bytes::Bytes;
use criterion::{Criterion, Throughput};
use hookscope::body::{BodyLimits, decode_body};
use hookscope::capture::Header;
use hookscope::highlight::{Language, Theme, highlight};
use syntect::highlighting::{HighlightState, Highlighter, RangedHighlightIterator, ThemeSet};
use syntect::parsing::{ParseState, ScopeStack, SyntaxSet};

// The same allocator as the binary, so the figures are the ones hookscope sees.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Compact JSON as a sender would post it: an array of events until `size` bytes.
fn json_events(size: usize) -> String {
    let mut out = String::from("[");
    let mut index = 0u64;
    while out.len() < size {
        if index > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            r#"{{"id":"evt_{index:010}","type":"deployment.succeeded","created":{},"livemode":{},"#,
            1_732_363_200 + index * 17,
            index.is_multiple_of(3)
        );
        let _ = write!(
            out,
            r#""data":{{"object":{{"name":"Service \"{index}\" \u00e9t\u00e9","amount":{}.{:02},"#,
            index * 37,
            index % 100
        );
        let _ = write!(
            out,
            r#""url":"https://example.com/items/{index}?q=1&r=2","tags":["prod","eu-west-1","v{}"],"#,
            index % 9
        );
        let _ = write!(
            out,
            r#""parent":null,"ratio":-1.5e-3,"owner":{{"login":"dev{}","admin":false}}}}}}}}"#,
            index % 50
        );
        index += 1;
    }
    out.push(']');
    out
}

/// The same kind of events as XML, one line, until `size` bytes.
fn xml_events(size: usize) -> String {
    let mut out = String::from(r#"<?xml version="1.0" encoding="UTF-8"?><events>"#);
    let mut index = 0u64;
    while out.len() < size {
        let _ = write!(
            out,
            r#"<event id="evt_{index:010}" type="deployment.succeeded"><!-- delivery {index} -->"#
        );
        let _ = write!(
            out,
            "<name>Service &quot;{index}&quot; &amp; co</name><amount currency=\"EUR\">{}.50</amount>",
            index * 37
        );
        let _ = write!(
            out,
            "<tags><tag>prod</tag><tag>eu-west-1</tag></tags><notes><![CDATA[a < b]]></notes></event>"
        );
        index += 1;
    }
    out.push_str("</events>");
    out
}

fn decoded(content_type: &str, body: String) -> hookscope::body::DecodedBody {
    let headers = vec![Header::new("Content-Type", content_type)];
    decode_body(&headers, &Bytes::from(body), BodyLimits::default())
}

/// syntect's JSON grammar run the cheapest way it allows: one parse and highlight state,
/// no per-line allocation beyond syntect's own.
fn syntect_json(text: &str, syntaxes: &SyntaxSet, highlighter: &Highlighter) -> usize {
    let syntax = syntaxes.find_syntax_by_name("JSON").unwrap();
    let mut parse = ParseState::new(syntax);
    let mut state = HighlightState::new(highlighter, ScopeStack::new());
    let mut runs = 0;
    for line in text.split_inclusive('\n') {
        let ops = parse.parse_line(line, syntaxes).unwrap();
        runs += RangedHighlightIterator::new(&mut state, &ops, line, highlighter).count();
    }
    runs
}

fn never() -> bool {
    false
}

fn bench(c: &mut Criterion) {
    let json = decoded("application/json", json_events(1 << 20));
    let json_text = json.render().text;
    let xml = decoded("application/xml", xml_events(200 << 10));
    let xml_text = xml.render().text;
    println!(
        "json: {} bytes sent, {} bytes and {} lines rendered; xml: {} bytes sent, {} rendered",
        json.bytes.len(),
        json_text.len(),
        json_text.split('\n').count(),
        xml.bytes.len(),
        xml_text.len()
    );
    assert!(
        json_text.lines().count() > 10_000,
        "JSON was not pretty-printed"
    );
    assert!(xml_text.lines().count() > 1_000, "XML was not indented");

    let mut group = c.benchmark_group("json");
    group.throughput(Throughput::Bytes(json.bytes.len() as u64));
    group.sample_size(20);
    group.bench_function("render", |b| b.iter(|| json.render()));
    for (id, theme) in [
        ("highlight-dark", Theme::Dark),
        ("highlight-light", Theme::Light),
    ] {
        group.bench_function(id, |b| {
            b.iter(|| highlight(&json_text, Language::Json, theme, &never).unwrap())
        });
    }
    let syntaxes = SyntaxSet::load_defaults_newlines();
    let themes = ThemeSet::load_defaults();
    let highlighter = Highlighter::new(&themes.themes["base16-eighties.dark"]);
    group.sample_size(10);
    group.bench_function("syntect", |b| {
        b.iter(|| syntect_json(&json_text, &syntaxes, &highlighter))
    });
    group.finish();

    let mut group = c.benchmark_group("xml");
    group.throughput(Throughput::Bytes(xml.bytes.len() as u64));
    group.sample_size(20);
    group.bench_function("render", |b| b.iter(|| xml.render()));
    group.bench_function("highlight-dark", |b| {
        b.iter(|| highlight(&xml_text, Language::Xml, Theme::Dark, &never).unwrap())
    });
    group.finish();
}

fn print_ratios() {
    println!("\nhighlighting relative to rendering the same body (goal: 1 MB JSON under 500 ms)");
    println!("{:<22} {:>10} {:>8}", "benchmark", "time", "ratio");
    for (group, ids) in [
        (
            "json",
            &["render", "highlight-dark", "highlight-light", "syntect"][..],
        ),
        ("xml", &["render", "highlight-dark"][..]),
    ] {
        let Some(render) = mean_ns(group, "render") else {
            println!("{group}: (not measured in this run)");
            continue;
        };
        for id in ids {
            match mean_ns(group, id) {
                Some(time) => println!(
                    "{:<22} {:>8.2}ms {:>7.1}x",
                    format!("{group}/{id}"),
                    time / 1e6,
                    time / render
                ),
                None => println!("{group}/{id}: (not measured in this run)"),
            }
        }
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
    print_ratios();
}
