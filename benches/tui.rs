//! What the interface costs per frame, and to open a large body.
//!
//! `cargo bench --bench tui` measures, in one run:
//! - `frame/50`, `frame/100000` and `frame/1000000`: one full frame (header, list, detail,
//!   status bar) at 200×50 with a screenful (50), with 100,000 captures (the default
//!   `--keep`) and with a million. The goal: under 2 ms with a million, and the same cost as
//!   a screenful (only the visible rows are built).
//! - `open_1mb/parse`: parsing a 1 MB JSON body with serde_json, the baseline any JSON
//!   viewer pays;
//! - `open_1mb/first_frame`: from the stored capture to the first frame of its Body tab:
//!   decode, inspect, pretty-print, split into lines, draw (goal: under 50 ms);
//! - `open_1mb/highlighted`: the same plus highlighting the whole body and drawing it in
//!   colour (goal: under 500 ms).
//!
//! It ends with the ratios.

#[path = "support/estimates.rs"]
mod estimates;
use estimates::mean_ns;

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use chrono::Utc;
use criterion::Criterion;
use hookscope::capture::{Capture, CaptureSummary, Header};
use hookscope::cli::ThemeChoice;
use hookscope::tui::detail_view::DetailView;
use hookscope::tui::keymap::Keymap;
use hookscope::tui::message::Message;
use hookscope::tui::state::detail::Tab;
use hookscope::tui::state::{Clock, Session, State};
use hookscope::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;

fn theme() -> Theme {
    Theme::new(ThemeChoice::Dark, false, None)
}

fn sample(vendor: &str, file: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/samples")
        .join(vendor)
        .join(file);
    std::fs::read(path).unwrap()
}

fn capture(id: i64, body: Vec<u8>) -> Capture {
    let headers = vec![Header::new("Content-Type", "application/json")];
    let body = Bytes::from(body);
    let verdict = hookscope::inspect::verdict(None, &headers, &body, chrono::Utc::now());
    Capture {
        id,
        received_at: Utc::now(),
        peer: "127.0.0.1:50000".into(),
        method: "POST".into(),
        uri: format!("/hooks/octopus/{id}"),
        version: "HTTP/1.1".into(),
        headers,
        body,
        response_status: 200,
        unauthenticated: false,
        verdict: Some(verdict),
    }
}

fn state() -> State {
    State::new(
        Session {
            listen_url: "http://127.0.0.1:9876".into(),
            store: "~/.local/share/hookscope/captures.sqlite3".into(),
            forwards: Vec::new(),
            exposed: false,
        },
        Keymap::default(),
        Clock::system(),
        Rect::new(0, 0, WIDTH, HEIGHT),
    )
}

/// A state holding `count` captures, the newest selected, its detail loaded, and the
/// visible rows' summaries in the cache (what the app loop reads before drawing).
fn list_state(count: i64) -> State {
    let mut state = state();
    let mut effects = Vec::new();
    state.update(Message::Ids((1..=count).collect()), &mut effects);
    let template = capture(1, sample("octopus", "DeploymentSucceeded.json"));
    let rows: Vec<CaptureSummary> = state
        .list
        .window(state.list_rows())
        .iter()
        .map(|id| {
            let mut summary = template.summary();
            summary.id = *id;
            summary
        })
        .collect();
    state.update(Message::Rows(rows), &mut effects);
    let view = Arc::new(DetailView::build(
        Capture {
            id: count,
            ..template
        },
        true,
    ));
    state.update(Message::Detail(Ok(view)), &mut effects);
    state
}

/// About 1 MB of compact JSON: webhook-like objects in an array.
fn one_megabyte_json() -> Vec<u8> {
    let item = sample("octopus", "DeploymentSucceeded.json");
    let item: serde_json::Value = serde_json::from_slice(&item).unwrap();
    let mut items = Vec::new();
    let mut size = 0;
    while size < 1 << 20 {
        let text = serde_json::to_string(&item).unwrap();
        size += text.len() + 1;
        items.push(item.clone());
    }
    serde_json::to_vec(&items).unwrap()
}

/// What the interface does when a capture's Body tab is opened: build its view, show it.
fn open_body(stored: &Capture) -> (State, Arc<DetailView>) {
    let mut state = list_state(1);
    state.detail.tab = Tab::Body;
    // As the interface builds it by default: secrets masked.
    let view = Arc::new(DetailView::build(stored.clone(), true));
    state.detail.start_loading(1);
    state.update(Message::Detail(Ok(view.clone())), &mut Vec::new());
    (state, view)
}

fn draw(terminal: &mut Terminal<TestBackend>, state: &State) {
    terminal
        .draw(|frame| hookscope::tui::ui::draw(frame, state, theme()))
        .unwrap();
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("frame");
    for count in [50, 100_000, 1_000_000] {
        let state = list_state(count);
        let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
        group.bench_function(count.to_string(), |b| {
            b.iter(|| {
                // A frame that changes: the backend only repaints what differs, as a real
                // terminal would, so each iteration clears it first to draw everything.
                terminal.clear().unwrap();
                draw(&mut terminal, &state);
            })
        });
    }
    group.finish();

    let body = one_megabyte_json();
    let stored = capture(1, body.clone());
    let mut group = c.benchmark_group("open_1mb");
    group.sample_size(10);
    group.bench_function("parse", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(&body).unwrap())
    });
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    group.bench_function("first_frame", |b| {
        b.iter(|| {
            let (state, _) = open_body(&stored);
            terminal.clear().unwrap();
            draw(&mut terminal, &state);
        })
    });
    group.bench_function("highlighted", |b| {
        b.iter(|| {
            let (mut state, view) = open_body(&stored);
            let language = view.body.language.expect("JSON is highlighted");
            let highlighted = hookscope::highlight::highlight(
                view.body.doc.text(),
                language,
                hookscope::highlight::Theme::Dark,
                &|| false,
            )
            .expect("not cancelled, not too large");
            state.update(
                Message::Highlighted {
                    id: 1,
                    highlighted: Arc::new(highlighted),
                },
                &mut Vec::new(),
            );
            terminal.clear().unwrap();
            draw(&mut terminal, &state);
        })
    });
    group.finish();
}

fn print_ratios() {
    let ms = |ns: f64| ns / 1e6;
    if let (Some(small), Some(large), Some(million)) = (
        mean_ns("frame", "50"),
        mean_ns("frame", "100000"),
        mean_ns("frame", "1000000"),
    ) {
        println!(
            "\none frame, 200×50: {:.3} ms with 50 captures (a screenful), {:.3} ms with 100,000 \
             (ratio {:.2}), {:.3} ms with 1,000,000 (ratio {:.2}; goal under 2 ms)",
            ms(small),
            ms(large),
            large / small,
            ms(million),
            million / small
        );
    }
    if let (Some(parse), Some(first), Some(full)) = (
        mean_ns("open_1mb", "parse"),
        mean_ns("open_1mb", "first_frame"),
        mean_ns("open_1mb", "highlighted"),
    ) {
        println!(
            "opening a 1 MB JSON body: parse alone {:.1} ms; first frame {:.1} ms ({:.1}× parse; \
             goal under 50 ms); fully highlighted {:.1} ms ({:.1}× parse; goal under 500 ms)",
            ms(parse),
            ms(first),
            first / parse,
            ms(full),
            full / parse
        );
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
    print_ratios();
}
