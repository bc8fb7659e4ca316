//! What the screens look like, as text snapshots (`cargo insta review`, or
//! `INSTA_UPDATE=always cargo test`, to accept a deliberate change).

use insta::assert_snapshot;

use crate::tui::state::detail::Tab;
use crate::tui::test_support::*;

#[test]
fn list_and_summary_side_by_side() {
    let captures = fixtures();
    let mut state = loaded(150, 24, &captures);
    press(&mut state, &captures, "gj");
    assert_snapshot!(screen(&state));
}

#[test]
fn empty_store_says_how_to_send_something() {
    let state = loaded(100, 16, &[]);
    assert_snapshot!(screen(&state));
}

/// Off the default port, the hint names the address in use, and no line of it is cut.
#[test]
fn the_empty_screen_hint_names_the_address_in_use() {
    let mut state = loaded(80, 24, &[]);
    state.session.listen_url = "http://127.0.0.1:47001".into();
    let shown = screen(&state);
    assert!(
        shown.contains("hookscope send octopus --to http://127.0.0.1:47001/webhooks/octopus"),
        "{shown}"
    );
    assert!(
        shown.contains(r#"-d '{"hello":"world"}' http://127.0.0.1:47001/hook"#),
        "{shown}"
    );
}

#[test]
fn narrow_terminals_stack_the_panes() {
    let captures = fixtures();
    let state = loaded(80, 30, &captures);
    assert_snapshot!(screen(&state));
}

#[test]
fn too_small_a_terminal_gets_a_message() {
    let state = loaded(40, 8, &fixtures());
    assert_snapshot!(screen(&state));
}

fn tab(name: &str, id_index: usize, tab: Tab) -> String {
    let captures = fixtures();
    let mut state = loaded(110, 34, &captures);
    state.zoom = true;
    state.list.select_index(id_index);
    let mut effects = Vec::new();
    state.update(crate::tui::message::Message::Tick, &mut effects);
    settle(&mut state, &captures, effects);
    state.detail.tab = tab;
    let _ = name;
    screen(&state)
}

#[test]
fn summary_tab_of_a_vendor_payload() {
    assert_snapshot!(tab("summary", 0, Tab::Summary));
}

#[test]
fn body_tab_pretty_prints_with_line_numbers() {
    assert_snapshot!(tab("body", 1, Tab::Body));
}

#[test]
fn headers_tab_in_wire_order() {
    assert_snapshot!(tab("headers", 0, Tab::Headers));
}

#[test]
fn validation_tab_lists_findings() {
    assert_snapshot!(tab("validation", 2, Tab::Validation));
}

#[test]
fn raw_tab_shows_the_request_as_received() {
    assert_snapshot!(tab("raw", 3, Tab::Raw));
}

#[test]
fn hostile_bytes_are_shown_escaped_in_every_pane() {
    let captures = fixtures();
    let mut state = loaded(150, 20, &captures);
    let mut screens = String::new();
    for t in Tab::ALL {
        state.detail.tab = t;
        screens.push_str(&screen(&state));
    }
    let leaked: Vec<char> = screens
        .chars()
        .filter(|c| *c != '\n' && crate::escape::is_hidden_control(*c))
        .collect();
    assert!(leaked.is_empty(), "{leaked:?}");
    assert!(screens.contains("\\x1b[2J"), "the path");
    assert!(screens.contains("\\x1b]0;pwned\\x07"), "the header");
    assert!(screens.contains("\\x1b[31mred"), "the body");
    assert!(screens.contains("\\u{202e}"), "the bidi override");
    press(&mut state, &captures, "\t");
    assert_snapshot!(screen(&state));
}

#[test]
fn help_is_generated_from_the_keymap() {
    let captures = fixtures();
    let mut state = loaded(120, 44, &captures);
    state.keymap.apply("delete = [\"x\", \"delete\"]");
    press(&mut state, &captures, "?");
    let text = screen(&state);
    assert!(text.contains("x delete"), "the rebound key shows");
    assert_snapshot!(text);
}

#[test]
fn filter_prompt_shows_the_match_count() {
    let captures = fixtures();
    let mut state = loaded(120, 20, &captures);
    press(&mut state, &captures, "/hooks");
    let generation = state.filter.generation;
    state.update(
        crate::tui::message::Message::Scanned {
            generation,
            result: Ok(crate::store::Scan {
                matched: vec![1, 2, 3],
                scanned_through: 5,
                complete: true,
                awaiting_analysis: false,
            }),
        },
        &mut Vec::new(),
    );
    settle(
        &mut state,
        &captures,
        vec![crate::tui::message::Effect::LoadDetail(3)],
    );
    assert_snapshot!(screen(&state));
}

#[test]
fn the_body_is_coloured_once_highlighted_and_plain_before() {
    let captures = fixtures();
    let mut state = loaded(110, 20, &captures[..2]);
    state.zoom = true;
    state.detail.tab = Tab::Body;
    let theme = crate::tui::theme::Theme::new(crate::tui::theme::ThemeChoice::Dark, false, None);
    // Line 4 of the bitdrift alert: `    "alert_name": "ANR rate above 0.5%",`
    let (key_x, value_x, y) = (1 + 3 + 5, 1 + 3 + 19, 3 + 3);
    let plain = render(&state, theme);
    assert_eq!(
        plain[(key_x, y)].fg,
        plain[(value_x, y)].fg,
        "no colours yet"
    );

    let view = state.detail.view.clone().unwrap();
    state.update(highlighted(&view), &mut Vec::new());
    let coloured = render(&state, theme);
    assert_eq!(coloured[(key_x, y)].symbol(), "a", "inside the key");
    assert_eq!(coloured[(value_x, y)].symbol(), "A", "inside the value");
    assert_ne!(coloured[(key_x, y)].fg, coloured[(value_x, y)].fg);
    assert_ne!(coloured[(key_x, y)].fg, ratatui::style::Color::Reset);
}

/// A capture forwarded once (the app answered) and replayed once (refused), with the
/// second selected: the list of attempts, then why the selected one has no response.
#[test]
fn replays_tab_lists_attempts_and_shows_the_selected_response() {
    use crate::attempt::{Attempt, AttemptKind, AttemptResponse};
    use crate::capture::Header;
    use std::sync::Arc;

    let captures = fixtures();
    let mut state = loaded(110, 24, &captures);
    state.zoom = true;
    state.detail.tab = Tab::Replays;
    let started_at = chrono::DateTime::parse_from_rfc3339("2026-11-23T11:59:30Z")
        .unwrap()
        .to_utc();
    let forward = Attempt {
        id: 1,
        capture_id: 5,
        kind: AttemptKind::Forward,
        target: "http://localhost:3000/evil".into(),
        request: bytes::Bytes::from_static(b"GET /evil HTTP/1.1\r\n\r\n"),
        started_at,
        elapsed: std::time::Duration::from_micros(3_200),
        response: Some(AttemptResponse {
            status: 201,
            reason: "Created".into(),
            headers: vec![
                Header::new("Content-Type", "application/json"),
                Header::new("X-Evil", b"\x1b[2J".to_vec()),
            ],
            body: bytes::Bytes::from_static(br#"{"stored":true}"#),
            body_size: 15,
        }),
        error: None,
    };
    let replay = Attempt {
        id: 2,
        kind: AttemptKind::Replay,
        target: "http://localhost:4000/evil".into(),
        response: None,
        error: Some("connection refused by localhost:4000 (is your app running?)".into()),
        ..forward.clone()
    };
    let view = crate::tui::detail_view::DetailView::build(captures[4].clone(), true)
        .with_attempts(vec![forward, replay], Some(crate::highlight::Theme::Dark));
    state.detail.view = Some(Arc::new(view));
    let first = screen(&state);
    state.detail.attempt = 1;
    let second = screen(&state);
    assert!(
        first.contains("HTTP 201 Created") && first.contains("\"stored\": true"),
        "{first}"
    );
    assert!(first.contains("\\x1b[2J"), "response headers are escaped");
    let colours = state.detail.view.as_ref().unwrap().attempts[0]
        .highlighted
        .clone();
    assert!(colours.is_some(), "the JSON response body is coloured");
    assert_snapshot!(second);
}

/// The Body footer counts lines in words: "1 line", "2 lines".
#[test]
fn the_body_footer_counts_lines_in_words() {
    use crate::capture::Header;
    let captures = vec![capture(
        1,
        5,
        "POST",
        "/one",
        vec![Header::new("Content-Type", "text/plain")],
        b"hello",
    )];
    let mut state = loaded(100, 20, &captures);
    state.detail.tab = Tab::Body;
    let shown = screen(&state);
    assert!(
        shown.contains("· 1 line ") && !shown.contains("1 lines"),
        "{shown}"
    );
}
