//! State-transition tests: messages in, state and requested work out; no terminal.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::detail::Tab;
use super::prompt::PromptKind;
use super::{Focus, Overlay};
use crate::store::Scan;
use crate::tui::keymap::Key;
use crate::tui::message::{Effect, Job, Message};
use crate::tui::test_support::*;

#[test]
fn follows_new_captures_until_the_user_moves_then_g_resumes() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures[..3]);
    assert_eq!(state.list.selected, Some(3));
    assert_eq!(state.detail.view.as_ref().map(|v| v.id()), Some(3));

    let effects = inserted(&mut state, &captures[3..4]);
    assert_eq!(state.list.selected, Some(4));
    assert!(matches!(effects[..], [Effect::LoadDetail(4)]));

    press(&mut state, &captures, "k");
    assert_eq!(state.list.selected, Some(3));
    assert!(!state.list.follow);
    inserted(&mut state, &captures[4..5]);
    assert_eq!(state.list.selected, Some(3), "not following any more");
    press(&mut state, &captures, "G");
    assert_eq!(state.list.selected, Some(5));
    assert!(state.list.follow);
}

#[test]
fn enter_moves_keys_to_the_detail_and_esc_back() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    press(&mut state, &captures, "g\n");
    assert_eq!(state.focus, Focus::Detail);
    press(&mut state, &captures, "\tj");
    assert_eq!(state.detail.tab, Tab::Body);
    assert_eq!(
        state.list.selected,
        Some(1),
        "j scrolls the detail, not the list"
    );
    assert_eq!(state.detail.scroll(Tab::Body).y, 1);
    press(&mut state, &captures, "\u{1b}j");
    assert_eq!(state.focus, Focus::List);
    assert_eq!(state.list.selected, Some(2));
    assert_eq!(
        state.detail.scroll(Tab::Body).y,
        0,
        "a new capture starts at the top"
    );
}

#[test]
fn a_finding_jumps_to_its_line_in_the_body() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures[..3]);
    let view = state.detail.view.clone().unwrap();
    assert!(!view.findings.is_empty(), "the broken sample has findings");
    let line = view.finding_lines[0].expect("a JSON body line");
    press(&mut state, &captures, "\n\t\t\t");
    assert_eq!(state.detail.tab, Tab::Validation);
    press(&mut state, &captures, "\n");
    assert_eq!(state.detail.tab, Tab::Body);
    assert_eq!(state.detail.marked_line, Some(line));
    let top = state.detail.scroll(Tab::Body).y;
    assert!(top <= line && line < top + state.detail_rows());
    let pointer = &view.findings[0].pointer;
    let last_token = pointer.rsplit('/').next().unwrap();
    assert!(
        view.body.doc.line(line).contains(last_token),
        "line {line} is about {pointer}"
    );
}

#[test]
fn the_filter_follows_typing_and_drops_stale_scans() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    let effects = press_key(&mut state, &captures, Key::char('/'));
    assert!(effects.is_empty());
    assert_eq!(
        state.prompt.as_ref().map(|p| p.kind),
        Some(PromptKind::Filter)
    );

    press(&mut state, &captures, "ho");
    let generation = state.filter.generation;
    assert!(state.list.is_filtered());
    assert!(
        state.list.shown().is_empty(),
        "no matches until the scan reports"
    );

    let mut effects = Vec::new();
    let stale = Message::Scanned {
        generation: generation - 1,
        result: Ok(Scan {
            matched: vec![4],
            scanned_through: 5,
            complete: true,
            awaiting_analysis: false,
        }),
    };
    assert!(!state.update(stale, &mut effects));
    let fresh = Message::Scanned {
        generation,
        result: Ok(Scan {
            matched: vec![1, 3],
            scanned_through: 5,
            complete: true,
            awaiting_analysis: false,
        }),
    };
    assert!(state.update(fresh, &mut effects));
    assert_eq!(state.list.shown(), &[1, 3]);
    assert_eq!(state.list.selected, Some(3));

    // Esc in the prompt restores what was there before it opened: no filter.
    press(&mut state, &captures, "\u{1b}");
    assert!(state.prompt.is_none());
    assert!(!state.list.is_filtered());
    assert_eq!(state.list.shown().len(), 5);
}

#[test]
fn new_captures_extend_a_running_filter_scan_from_where_it_stopped() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures[..2]);
    press(&mut state, &captures, "/hooks\n");
    let generation = state.filter.generation;
    let mut effects = Vec::new();
    state.update(
        Message::Scanned {
            generation,
            result: Ok(Scan {
                matched: vec![1, 2],
                scanned_through: 2,
                complete: true,
                awaiting_analysis: false,
            }),
        },
        &mut effects,
    );
    assert!(effects.is_empty());
    let effects = inserted(&mut state, &captures[2..3]);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Scan { after: 2, generation: g, .. } if *g == generation)),
        "{effects:?}"
    );
}

#[test]
fn search_in_the_body_finds_and_steps_through_matches() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures[..1]);
    press(&mut state, &captures, "\n/");
    assert_eq!(state.detail.tab, Tab::Body, "search opens on the body");
    assert_eq!(
        state.prompt.as_ref().map(|p| p.kind),
        Some(PromptKind::Search)
    );
    press(&mut state, &captures, "id\n");
    let search = state.detail.search.clone().unwrap();
    assert!(search.matches.len() > 1);
    assert_eq!(search.current, Some(0));
    press(&mut state, &captures, "n");
    assert_eq!(state.detail.search.as_ref().unwrap().current, Some(1));
    press(&mut state, &captures, "NN");
    assert_eq!(
        state.detail.search.as_ref().unwrap().current,
        Some(search.matches.len() - 1),
        "wraps around"
    );
    press(&mut state, &captures, "\u{1b}");
    assert!(state.detail.search.is_none());
}

#[test]
fn delete_and_clear_ask_the_store_and_report() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    let effects = press_key(&mut state, &captures, Key::char('d'));
    assert!(matches!(effects[..], [Effect::Run(Job::Delete(5))]));
    let mut effects = Vec::new();
    state.update(
        Message::Deleted {
            id: 5,
            result: Ok(true),
        },
        &mut effects,
    );
    assert_eq!(state.list.total(), 4);
    assert_eq!(state.list.selected, Some(4));
    assert!(state.status.message.as_ref().unwrap().text.contains("#5"));

    let effects = press_key(&mut state, &captures, Key::char('D'));
    assert!(effects.is_empty(), "D only asks");
    assert!(matches!(state.overlay, Overlay::ConfirmClear));
    let effects = press_key(&mut state, &captures, Key::char('n'));
    assert!(effects.is_empty());
    assert!(matches!(state.overlay, Overlay::None));
    press_key(&mut state, &captures, Key::char('D'));
    let effects = press_key(&mut state, &captures, Key::char('y'));
    assert!(matches!(effects[..], [Effect::Run(Job::Clear)]));
    state.update(Message::Cleared(Ok(4)), &mut Vec::new());
    assert_eq!(state.list.total(), 0);
    assert!(state.detail.view.is_none());
}

#[test]
fn pause_holds_the_list_and_resuming_reloads_it() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures[..2]);
    press(&mut state, &captures, "p");
    inserted(&mut state, &captures[2..4]);
    assert_eq!(state.list.total(), 2);
    assert_eq!(state.list.unseen, 2);
    let effects = press_key(&mut state, &captures, Key::char('p'));
    assert!(effects.iter().any(|e| matches!(e, Effect::ReloadIds)));
    assert!(
        state
            .status
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("2 captures arrived")
    );
}

#[test]
fn quit_and_ctrl_c_quit_but_q_types_into_a_prompt() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    press(&mut state, &captures, "/q");
    assert!(!state.quit);
    assert_eq!(state.prompt.as_ref().unwrap().input, "q");
    let effects = press_key(
        &mut state,
        &captures,
        Key::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
    );
    assert!(state.quit);
    assert!(matches!(effects[..], [Effect::Quit]));
}

#[test]
fn clicks_select_rows_and_tabs_and_the_wheel_scrolls() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    let areas = state.areas().unwrap();
    let first_row = areas.first_list_row_y().unwrap();
    let click = |column, row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    let mut effects = Vec::new();
    state.update(Message::Mouse(click(5, first_row + 1)), &mut effects);
    assert_eq!(state.list.selected, Some(2));
    settle(&mut state, &captures, effects);
    // "Summary │ Body": column 10 of the bar is Body.
    let mut effects = Vec::new();
    state.update(
        Message::Mouse(click(areas.detail.x + 1 + 10, areas.tab_bar_y())),
        &mut effects,
    );
    assert_eq!((state.detail.tab, state.focus), (Tab::Body, Focus::Detail));
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 5,
        row: first_row,
        modifiers: KeyModifiers::NONE,
    };
    state.update(Message::Mouse(wheel), &mut Vec::new());
    assert_eq!(state.list.selected, Some(5));
}

#[test]
fn rejections_show_as_escaped_errors() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    let rejection = crate::listener::Rejection {
        peer: "127.0.0.1:9".parse().unwrap(),
        request: Some("POST /\u{1b}[2J".into()),
        reason: "body larger than 1 KiB".into(),
        notice: false,
    };
    state.update(Message::Rejected(rejection), &mut Vec::new());
    let message = state.status.message.as_ref().unwrap();
    assert!(message.text.contains("POST /\\x1b[2J"), "{}", message.text);
    assert!(message.text.contains("larger than 1 KiB"));
    // Any key dismisses it.
    press(&mut state, &captures, "t");
    assert!(state.status.message.is_none());
}

#[test]
fn time_only_wakes_the_loop_when_something_moves() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    assert!(
        state.next_tick().is_some(),
        "Summary says how long ago the capture came"
    );
    state.detail.tab = super::detail::Tab::Body;
    assert_eq!(state.next_tick(), None, "idle: no timer at all");
    inserted(&mut state, &captures[..1]);
    assert!(state.next_tick().is_some(), "the rate sparkline moves");
    let mut state = loaded(160, 40, &captures);
    state.detail.tab = super::detail::Tab::Body;
    press(&mut state, &captures, "t");
    assert!(state.relative_time);
    assert!(state.next_tick().is_some(), "relative times move");
}

#[test]
fn a_detail_for_a_capture_no_longer_selected_is_dropped() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    let old = Arc::new(crate::tui::detail_view::DetailView::build(
        captures[0].clone(),
        true,
    ));
    assert!(!state.update(Message::Detail(Ok(old)), &mut Vec::new()));
    assert_eq!(state.detail.view.as_ref().unwrap().id(), 5);
}

#[test]
fn colours_are_kept_per_capture_and_not_computed_twice() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures[..2]);
    state.highlight = Some(crate::highlight::Theme::Dark);
    // Re-select #2 so its view arrives with highlighting on.
    press(&mut state, &captures, "k");
    let mut effects = Vec::new();
    let view = Arc::new(crate::tui::detail_view::DetailView::build(
        captures[1].clone(),
        true,
    ));
    state.list.select_index(1);
    state.detail.start_loading(2);
    state.update(Message::Detail(Ok(view.clone())), &mut effects);
    assert!(matches!(effects[..], [Effect::Highlight(_)]), "{effects:?}");
    state.update(highlighted(&view), &mut Vec::new());
    assert!(state.detail.highlighted.is_some());

    // Away and back: the colours come from the cache, no new job.
    state.detail.start_loading(2);
    let mut effects = Vec::new();
    state.update(Message::Detail(Ok(view)), &mut effects);
    assert!(effects.is_empty(), "{effects:?}");
    assert!(state.detail.highlighted.is_some());
    assert!(!state.detail.highlighting);
}

#[test]
fn a_scan_waiting_for_the_analyser_resumes_on_analysed_not_at_once() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    press(&mut state, &captures, "/valid:no\n");
    let generation = state.filter.generation;
    let mut effects = Vec::new();
    state.update(
        Message::Scanned {
            generation,
            result: Ok(Scan {
                matched: vec![3],
                scanned_through: 3,
                complete: false,
                awaiting_analysis: true,
            }),
        },
        &mut effects,
    );
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Scan { .. })),
        "no busy rescan: {effects:?}"
    );
    effects.clear();
    let batch: Arc<[crate::capture::CaptureSummary]> =
        captures[3..4].iter().map(|c| c.summary()).collect();
    state.update(
        Message::Store(crate::store::StoreEvent::Analysed(batch)),
        &mut effects,
    );
    assert!(
        matches!(effects[..], [Effect::Scan { after: 3, .. }]),
        "{effects:?}"
    );
}

/// At 80×24 the help does not fit: it says there is more, scrolls no further than its
/// end (so one key back moves it), and names the key that closes it.
#[test]
fn the_help_says_it_scrolls_and_stops_at_its_end() {
    let captures = fixtures();
    let mut state = loaded(80, 24, &captures);
    press(&mut state, &captures, "?");
    let first = screen(&state);
    assert!(
        first.contains("more lines: j ↓ pgdn scroll · esc closes"),
        "{first}"
    );
    for _ in 0..100 {
        press(&mut state, &captures, "j");
    }
    let Overlay::Help { scroll: at_end } = state.overlay else {
        panic!("the help closed");
    };
    assert!(screen(&state).contains("Keys from") || screen(&state).contains("Change keys"));
    press(&mut state, &captures, "k");
    let Overlay::Help { scroll } = state.overlay else {
        panic!("the help closed");
    };
    assert_eq!(scroll, at_end - 1, "one key back moves it back");
    assert!(
        !screen(&state).lines().any(|l| l.chars().count() > 80),
        "no line spills"
    );
    press_key(
        &mut state,
        &captures,
        Key::plain(crossterm::event::KeyCode::Esc),
    );
    assert!(matches!(state.overlay, Overlay::None));
}

#[test]
fn number_keys_open_a_tab() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    for (key, tab) in ["2", "3", "4", "5", "6", "1"].into_iter().zip([
        Tab::Body,
        Tab::Headers,
        Tab::Validation,
        Tab::Raw,
        Tab::Replays,
        Tab::Summary,
    ]) {
        press(&mut state, &captures, key);
        assert_eq!(state.detail.tab, tab, "key {key}");
    }
}

/// Secrets are masked on every tab and in the list until `S` shows them, and masked again
/// by the next `S`; copy and replay still get what was received.
#[test]
fn secrets_are_masked_until_asked_for_and_the_view_keeps_what_was_received() {
    use crate::capture::Header;
    let body = br#"{"Payload":{"Subscription":{"WebhookHeaderValue":"hunter2hunter2"}}}"#;
    let captures = vec![capture(
        1,
        5,
        "POST",
        "/hook?token=abc123abc&page=2",
        vec![
            Header::new("Authorization", b"Bearer abc123abc".to_vec()),
            Header::new("Content-Type", b"application/json".to_vec()),
        ],
        body,
    )];
    let mut state = loaded(160, 40, &captures);
    let mut seen = String::new();
    for tab in "12345".chars() {
        press(&mut state, &captures, &tab.to_string());
        seen.push_str(&screen(&state));
    }
    assert!(
        !seen.contains("abc123abc") && !seen.contains("hunter2"),
        "{seen}"
    );
    assert!(seen.contains("token=********&page=2"), "{seen}");
    assert!(seen.contains("Bearer ********"), "{seen}");
    let view = state.detail.view.clone().unwrap();
    assert_eq!(view.capture.headers[0].value, b"Bearer abc123abc");

    press(&mut state, &captures, "S");
    let mut shown = String::new();
    for tab in "1235".chars() {
        press(&mut state, &captures, &tab.to_string());
        shown.push_str(&screen(&state));
    }
    assert!(shown.contains("Bearer abc123abc") && shown.contains("hunter2hunter2"));
    assert!(shown.contains("token=abc123abc"), "{shown}");
    press(&mut state, &captures, "S");
    assert!(!screen(&state).contains("abc123abc"));
}

/// A bug in a background job is shown, and what waited for it stops waiting; a store that
/// cannot be read again is said so. Neither ends the interface.
#[test]
fn a_panicked_job_and_an_unreadable_store_are_shown_not_fatal() {
    use crate::tui::message::Background;
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    let id = state.list.selected.unwrap();
    state.detail.start_loading(id);
    let mut effects = Vec::new();
    state.update(
        Message::Panicked {
            work: Background::DetailLoader,
            said: "index out of bounds".into(),
        },
        &mut effects,
    );
    assert_eq!(state.detail.loading, None);
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::LoadDetail(_))),
        "the capture that failed is not loaded again and again"
    );
    let shown = screen(&state);
    assert!(
        shown.contains(&format!("capture #{id} could not be shown"))
            && shown.contains("hit a bug while loading"),
        "{shown}"
    );
    assert!(!state.quit);

    state.update(Message::ReadFailed("disk I/O error".into()), &mut effects);
    let shown = screen(&state);
    assert!(
        shown.contains("cannot read the store: disk I/O error"),
        "{shown}"
    );
    assert!(!state.quit);
}

/// Hundreds of resizes, down to nothing and back, on every tab: each one draws, none
/// panics, and the interface comes back where it was (selection, tab) once the terminal
/// is big enough again.
#[test]
fn a_resize_storm_through_too_small_and_back_changes_nothing_but_the_layout() {
    let captures = fixtures();
    let mut state = loaded(120, 40, &captures);
    press(&mut state, &captures, "k3");
    let (selected, tab) = (state.list.selected, state.detail.tab);
    let mut effects = Vec::new();
    let mut sizes = 0u32;
    for step in 0..400u32 {
        let width = ((step * 37) % 230) as u16;
        let height = ((step * 11) % 70) as u16;
        state.update(Message::Resize { width, height }, &mut effects);
        let shown = screen(&state);
        if width < 60 || height < 12 {
            if width >= 40 && height >= 3 {
                assert!(
                    shown.contains("Terminal too small"),
                    "{width}×{height}:\n{shown}"
                );
            }
        } else {
            sizes += 1;
            assert!(shown.contains("hookscope"), "{width}×{height}:\n{shown}");
        }
        if step % 50 == 0 {
            press(&mut state, &captures, "\t");
            press(&mut state, &captures, "3");
        }
    }
    assert!(sizes > 50, "the storm went through usable sizes too");
    state.update(
        Message::Resize {
            width: 120,
            height: 40,
        },
        &mut effects,
    );
    assert_eq!((state.list.selected, state.detail.tab), (selected, tab));
    let shown = screen(&state);
    assert!(shown.contains("Headers"), "{shown}");
}

/// A request refused by `--require-auth` is marked in the list and the Summary; a listener
/// open to the network without it says so in the header.
#[test]
fn unauthenticated_captures_and_an_open_listener_are_marked() {
    let mut refused = capture(1, 5, "POST", "/hooks/x", Vec::new(), b"{}");
    refused.unauthenticated = true;
    refused.response_status = 401;
    let captures = vec![
        refused,
        capture(2, 4, "POST", "/hooks/y", Vec::new(), b"{}"),
    ];
    let mut state = loaded(120, 30, &captures);
    press(&mut state, &captures, "k1");
    let shown = screen(&state);
    let row = |path: &str| {
        shown
            .lines()
            .find(|l| l.contains(path) && l.contains("POST"))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(row("/hooks/x").contains("no auth /hooks/x"), "{shown}");
    assert!(!row("/hooks/y").contains("no auth"), "{shown}");
    assert!(shown.contains("401 · not authenticated"), "{shown}");
    assert!(!shown.contains("no auth]"));
    state.session.exposed = true;
    assert!(screen(&state).contains("[open to the network, no auth]"));
}

/// A word about the listener's connections is not a request that was refused.
#[test]
fn a_listener_notice_is_not_shown_as_a_refused_request() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    let notice = crate::listener::Rejection {
        peer: "127.0.0.1:9".parse().unwrap(),
        request: None,
        reason: "closed 37 idle connections to stay under 1,000 open".into(),
        notice: true,
    };
    state.update(Message::Rejected(notice), &mut Vec::new());
    let message = &state.status.message.as_ref().unwrap().text;
    assert_eq!(
        message,
        "closed 37 idle connections to stay under 1,000 open"
    );
}
