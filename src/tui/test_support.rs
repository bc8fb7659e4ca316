//! Fixtures for the interface's tests: a state with a fixed clock, captures made from the
//! embedded vendor samples, and a screen rendered to text.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use chrono::{DateTime, FixedOffset, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::detail_view::DetailView;
use super::keymap::{Key, Keymap};
use super::message::{Effect, Message};
use super::state::{Clock, Session, State};
use super::theme::Theme;
use crate::capture::{Capture, CaptureSummary, Header};
use crate::inspect;
use crate::samples;
use crate::store::StoreEvent;
use crate::tui::theme::ThemeChoice;
use crate::vendor::Vendor;

pub const NOW: &str = "2026-11-23T12:00:00Z";

pub fn clock() -> Clock {
    Clock {
        now: DateTime::parse_from_rfc3339(NOW)
            .unwrap()
            .with_timezone(&Utc),
        instant: Instant::now(),
        offset: FixedOffset::east_opt(0).unwrap(),
    }
}

pub fn state(width: u16, height: u16) -> State {
    State::new(
        Session {
            listen_url: "http://127.0.0.1:9876".into(),
            store: "~/.local/share/hookscope/captures.sqlite3".into(),
            forwards: Vec::new(),
            exposed: false,
        },
        Keymap::default(),
        clock(),
        Rect::new(0, 0, width, height),
    )
}

pub fn plain_theme() -> Theme {
    Theme::new(ThemeChoice::Dark, true, None)
}

/// A capture as the store hands it out: analysed, with its verdict.
pub fn capture(
    id: i64,
    seconds_ago: i64,
    method: &str,
    uri: &str,
    headers: Vec<Header>,
    body: &[u8],
) -> Capture {
    let body = Bytes::copy_from_slice(body);
    let received_at = clock().now - chrono::TimeDelta::seconds(seconds_ago);
    let verdict = inspect::verdict(
        Some(uri.split('?').next().unwrap_or(uri)),
        &headers,
        &body,
        received_at,
    );
    Capture {
        id,
        received_at,
        peer: "127.0.0.1:50000".into(),
        method: method.into(),
        uri: uri.into(),
        version: "HTTP/1.1".into(),
        headers,
        body,
        response_status: 200,
        unauthenticated: false,
        verdict: Some(verdict),
    }
}

pub fn sample_capture(id: i64, vendor: Vendor, kind: Option<&str>, broken: bool) -> Capture {
    let sample = samples::find(vendor, kind, broken).unwrap();
    capture(
        id,
        60 - id,
        "POST",
        &format!("/hooks/{}", vendor.id()),
        sample.capture_headers(),
        sample.body,
    )
}

/// Five captures: valid Octopus, bitdrift alert, broken Octopus, a form, and a hostile one
/// (escape sequences in the path, a header and the body).
pub fn fixtures() -> Vec<Capture> {
    vec![
        sample_capture(1, Vendor::Octopus, None, false),
        sample_capture(2, Vendor::Bitdrift, Some("alert"), false),
        sample_capture(3, Vendor::Octopus, None, true),
        capture(
            4,
            20,
            "PUT",
            "/form?x=1",
            vec![Header::new(
                "Content-Type",
                "application/x-www-form-urlencoded",
            )],
            b"name=Ada&lang=en",
        ),
        capture(
            5,
            5,
            "GET",
            "/evil\u{1b}[2J\u{202e}txt",
            vec![
                Header::new("X-Evil", b"\x1b]0;pwned\x07".to_vec()),
                Header::new("Content-Type", "text/plain"),
            ],
            b"line one\n\x1b[31mred\x1b[0m\x9b\n",
        ),
    ]
}

/// A state that has received `captures` from the store (with their rows loaded), and the
/// detail of the selected one.
pub fn loaded(width: u16, height: u16, captures: &[Capture]) -> State {
    let mut state = state(width, height);
    let mut effects = Vec::new();
    state.update(
        Message::Ids(captures.iter().map(|c| c.id).collect()),
        &mut effects,
    );
    let rows: Vec<CaptureSummary> = captures.iter().map(Capture::summary).collect();
    state.update(Message::Rows(rows), &mut effects);
    settle(&mut state, captures, effects);
    state
}

/// Does what the app loop would for detail loads, so tests see the loaded view.
pub fn settle(state: &mut State, captures: &[Capture], mut effects: Vec<Effect>) {
    while let Some(effect) = effects.pop() {
        if let Effect::LoadDetail(id) = effect
            && let Some(capture) = captures.iter().find(|c| c.id == id)
        {
            let view = Arc::new(DetailView::build(capture.clone(), !state.show_secrets));
            let mut more = Vec::new();
            state.update(Message::Detail(Ok(view)), &mut more);
            effects.extend(more);
        }
    }
}

pub fn press(state: &mut State, captures: &[Capture], keys: &str) {
    for c in keys.chars() {
        let key = match c {
            '\t' => Key::plain(crossterm::event::KeyCode::Tab),
            '\n' => Key::plain(crossterm::event::KeyCode::Enter),
            '\u{1b}' => Key::plain(crossterm::event::KeyCode::Esc),
            c => Key::char(c),
        };
        press_key(state, captures, key);
    }
}

pub fn press_key(state: &mut State, captures: &[Capture], key: Key) -> Vec<Effect> {
    let mut effects = Vec::new();
    state.update(Message::Key(key), &mut effects);
    let kept: Vec<Effect> = effects
        .iter()
        .filter(|e| !matches!(e, Effect::LoadDetail(_)))
        .cloned()
        .collect();
    settle(state, captures, effects);
    kept
}

pub fn inserted(state: &mut State, captures: &[Capture]) -> Vec<Effect> {
    let mut effects = Vec::new();
    let batch: Arc<[CaptureSummary]> = captures.iter().map(Capture::summary).collect();
    state.update(Message::Store(StoreEvent::Inserted(batch)), &mut effects);
    effects
}

pub fn render(state: &State, theme: Theme) -> Buffer {
    let mut terminal =
        Terminal::new(TestBackend::new(state.size.width, state.size.height)).unwrap();
    terminal
        .draw(|frame| super::ui::draw(frame, state, theme))
        .unwrap();
    terminal.backend().buffer().clone()
}

/// The screen as text, one line per row, trailing spaces trimmed.
pub fn screen(state: &State) -> String {
    let buffer = render(state, plain_theme());
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// What the highlighter would send back for this view.
pub fn highlighted(view: &DetailView) -> Message {
    let highlighted = crate::highlight::highlight(
        view.body.doc.text(),
        view.body.colourable().expect("a body worth colouring"),
        crate::highlight::Theme::Dark,
        &|| false,
    )
    .expect("not cancelled");
    Message::Highlighted {
        id: view.id(),
        highlighted: Arc::new(highlighted),
    }
}
