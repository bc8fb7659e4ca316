//! Scrolling wrapped text: by the rows it is drawn in, not by its lines.

use crate::capture::{Capture, Header};
use crate::tui::message::Message;
use crate::tui::test_support::*;

use super::State;
use super::detail::{DocRows, Tab};

/// A JSON body of `lines` keys whose values are far wider than the pane.
fn long_lines_json(lines: usize) -> Vec<Capture> {
    let fields: Vec<String> = (0..lines)
        .map(|i| format!("\"key{i:02}\": \"{}{i:02}\"", "v".repeat(150)))
        .collect();
    let body = format!("{{{}}}", fields.join(","));
    vec![capture(
        1,
        5,
        "POST",
        "/hooks/wide",
        vec![Header::new("Content-Type", "application/json")],
        body.as_bytes(),
    )]
}

/// The detail pane's text rows on screen, trailing spaces trimmed.
fn shown(state: &State) -> String {
    screen(state)
}

fn zoomed_body(width: u16, height: u16, captures: &[Capture]) -> State {
    let mut state = loaded(width, height, captures);
    // Zoom, Body tab, wrap on.
    press(&mut state, captures, "z\tw");
    assert_eq!(state.detail.tab, Tab::Body);
    assert!(state.detail.wrap);
    state
}

#[test]
fn g_j_and_page_down_reach_the_end_of_wrapped_text() {
    let captures = long_lines_json(32);
    let mut state = zoomed_body(100, 24, &captures);
    let last_value = format!("{}31\"", "v".repeat(10));
    assert!(!shown(&state).contains(&last_value));

    press(&mut state, &captures, "G");
    let screen = shown(&state);
    assert!(
        screen.contains(&last_value) && screen.contains("}"),
        "G shows the last rows:\n{screen}"
    );

    press(&mut state, &captures, "g");
    for _ in 0..200 {
        press(&mut state, &captures, "j");
    }
    assert!(shown(&state).contains(&last_value), "j goes on to the end");

    press(&mut state, &captures, "g");
    for _ in 0..30 {
        press_key(
            &mut state,
            &captures,
            crate::tui::keymap::Key::plain(crossterm::event::KeyCode::PageDown),
        );
    }
    let screen = shown(&state);
    assert!(screen.contains(&last_value), "PgDn too:\n{screen}");
    // And never past the end: the closing brace is on the last text row of the pane.
    let rows: Vec<&str> = screen.lines().collect();
    let brace = rows.iter().rposition(|r| r.starts_with("│34 }")).unwrap();
    assert_eq!(
        brace,
        rows.len() - 3,
        "the end sits at the bottom:\n{screen}"
    );
}

#[test]
fn a_search_match_deep_in_wrapped_text_is_shown() {
    let captures = long_lines_json(32);
    let mut state = zoomed_body(100, 24, &captures);
    press(&mut state, &captures, "/key29\n");
    let search = state.detail.search.as_ref().unwrap();
    assert_eq!(search.matches.len(), 1);
    assert!(
        shown(&state).contains("\"key29\""),
        "match 1/1 is on screen:\n{}",
        shown(&state)
    );
}

#[test]
fn a_one_megabyte_line_scrolls_in_raw_with_wrap() {
    let body = "x".repeat(1 << 20) + "THE-END";
    let captures = vec![capture(
        1,
        5,
        "POST",
        "/hooks/big",
        vec![Header::new("Content-Type", "text/plain")],
        body.as_bytes(),
    )];
    let mut state = loaded(100, 24, &captures);
    press(&mut state, &captures, "z\t\t\t\tw");
    assert_eq!(state.detail.tab, Tab::Raw);
    let before = state.detail.scroll(Tab::Raw);
    press(&mut state, &captures, "jj");
    assert_ne!(
        state.detail.scroll(Tab::Raw),
        before,
        "j moves within the line"
    );
    press(&mut state, &captures, "G");
    assert!(shown(&state).contains("THE-END"), "{}", shown(&state));
    let viewport = state.detail_viewport();
    let view = state.detail.view.clone().unwrap();
    let rows = DocRows::new(&view.raw, true, viewport.columns);
    assert!(rows.total() > 10_000, "{} rows", rows.total());
}

#[test]
fn a_resize_keeps_the_line_at_the_top() {
    let captures = long_lines_json(32);
    let mut state = zoomed_body(100, 24, &captures);
    for _ in 0..40 {
        press(&mut state, &captures, "j");
    }
    let line = state.detail.scroll(Tab::Body).y;
    assert!(line > 5);
    let mut effects = Vec::new();
    state.update(
        Message::Resize {
            width: 140,
            height: 30,
        },
        &mut effects,
    );
    assert_eq!(state.detail.scroll(Tab::Body).y, line);
    // The top row is that line's (a continuation row has no number of its own).
    let screen = shown(&state);
    let first_number = screen
        .lines()
        .skip(3)
        .find_map(|row| {
            let digits: String = row[3..].chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<usize>().ok()
        })
        .unwrap();
    let sub = state.detail.scroll(Tab::Body).sub;
    assert_eq!(
        first_number,
        if sub == 0 { line + 1 } else { line + 2 },
        "{screen}"
    );
}

#[test]
fn enter_on_a_finding_puts_its_line_near_the_top_and_not_past_the_end() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures[..3]);
    let view = state.detail.view.clone().unwrap();
    let last = view.findings.len() - 1;
    let line = view.finding_lines[last].expect("a JSON body line");
    press(&mut state, &captures, "\n\t\t\t");
    for _ in 0..last {
        press(&mut state, &captures, "j");
    }
    press(&mut state, &captures, "\n");
    assert_eq!(state.detail.marked_line, Some(line));
    let top = state.detail.scroll(Tab::Body).y;
    let rows = state.detail_rows();
    let count = view.body.doc.line_count();
    assert_eq!(
        top,
        line.saturating_sub(2).min(count - rows),
        "two lines above it, or the end of the body at the bottom"
    );
    assert!(line < top + rows);
}

#[test]
fn wide_characters_keep_the_border_in_wrapped_summary() {
    let body = format!(
        "{{\"title\": \"{}\"}}",
        "🚀 launch 日本語のテキスト ".repeat(12)
    );
    let captures = vec![capture(
        1,
        5,
        "POST",
        &format!("/hooks/{}", "🚀".repeat(40)),
        vec![Header::new("Content-Type", "application/json")],
        body.as_bytes(),
    )];
    let mut state = loaded(100, 30, &captures);
    press(&mut state, &captures, "w");
    let buffer = render(&state, plain_theme());
    let detail = state.areas().unwrap().detail;
    for y in detail.y + 1..detail.bottom() - 1 {
        let right = buffer[(detail.right() - 1, y)].symbol();
        assert_eq!(right, "│", "row {y} keeps its border:\n{}", shown(&state));
    }
}

#[test]
fn h_and_l_scroll_the_summary_and_say_how_far() {
    let captures = vec![capture(
        1,
        5,
        "POST",
        &format!("/hooks/{}", "a".repeat(200)),
        vec![Header::new("Content-Type", "text/plain")],
        b"hello",
    )];
    let mut state = loaded(100, 30, &captures);
    press(&mut state, &captures, "\n");
    assert_eq!(state.detail.tab, Tab::Summary);
    assert!(shown(&state).contains("…"), "a cut line says so");
    press(&mut state, &captures, "ll");
    assert_eq!(state.detail.scroll(Tab::Summary).x, 16);
    assert!(
        shown(&state).contains("from column 17"),
        "{}",
        shown(&state)
    );
    for _ in 0..100 {
        press(&mut state, &captures, "l");
    }
    let x = state.detail.scroll(Tab::Summary).x;
    assert!(x < 200, "stops where the widest line ends, at {x}");
    press(&mut state, &captures, "h");
    assert_eq!(state.detail.scroll(Tab::Summary).x, x - 8);
}

#[test]
fn a_hex_dump_fits_the_side_pane() {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(300).collect();
    let captures = vec![capture(
        1,
        5,
        "POST",
        "/hooks/bin",
        vec![Header::new("Content-Type", "application/octet-stream")],
        &bytes,
    )];
    let mut state = loaded(160, 40, &captures);
    press(&mut state, &captures, "\n\t");
    assert_eq!(state.detail.tab, Tab::Body);
    let screen = shown(&state);
    assert!(
        screen.contains("00000008  08 09 0a 0b 0c 0d 0e 0f  |........|"),
        "8 bytes to a row beside the list:\n{screen}"
    );
    press(&mut state, &captures, "z");
    assert!(
        shown(&state).contains("00000010  10 11 12 13"),
        "16 when zoomed:\n{}",
        shown(&state)
    );
}

#[test]
fn zoom_and_resize_leave_the_list_where_it_was() {
    let captures: Vec<Capture> = (1..=60)
        .map(|id| {
            capture(
                id,
                100 - id,
                "POST",
                "/hooks/x",
                vec![Header::new("Content-Type", "text/plain")],
                b"hi",
            )
        })
        .collect();
    let mut state = loaded(100, 40, &captures);
    // Up past the window's top, then back down into its middle.
    for _ in 0..30 {
        press(&mut state, &captures, "k");
    }
    press(&mut state, &captures, "jjjjj");
    let (offset, selected) = (state.list.offset, state.list.selected);
    assert!(offset > 0);
    press(&mut state, &captures, "zz");
    assert_eq!((state.list.offset, state.list.selected), (offset, selected));
    let mut effects = Vec::new();
    state.update(
        Message::Resize {
            width: 100,
            height: 44,
        },
        &mut effects,
    );
    state.update(
        Message::Resize {
            width: 100,
            height: 40,
        },
        &mut effects,
    );
    assert_eq!(state.list.offset, offset, "the window stays put");
}
