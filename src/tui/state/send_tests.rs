//! Copy, replay and compare, driven as a user would, without a terminal.

use std::sync::Arc;

use crossterm::event::KeyCode;

use super::Overlay;
use super::prompt::PromptKind;
use crate::copy::CopyItem;
use crate::replay::bulk::{Pace, Sent, Tally};
use crate::store::StoreEvent;
use crate::tui::keymap::Key;
use crate::tui::message::{
    CopyReport, DiffRequest, EditOutcome, Effect, Job, Message, ReplayReport,
};
use crate::tui::test_support::*;

fn type_target(
    state: &mut super::State,
    captures: &[crate::capture::Capture],
    url: &str,
) -> Vec<Effect> {
    press_key(state, captures, Key::ctrl('u'));
    press(state, captures, url);
    press_key(state, captures, Key::plain(KeyCode::Enter))
}

fn finished(job: u64, single: Option<Sent>, tally: Tally) -> Message {
    Message::Replay(ReplayReport::Finished {
        job,
        target: "http://localhost:4000/in".into(),
        tally,
        cancelled: false,
        elapsed: std::time::Duration::from_millis(12),
        single: single.map(Arc::new),
    })
}

#[test]
fn r_asks_for_a_target_replays_the_selected_capture_and_remembers_the_url() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    press(&mut state, &captures, "r");
    let prompt = state.prompt.as_ref().expect("a target prompt");
    assert_eq!(prompt.kind, PromptKind::ReplayTarget);
    assert_eq!(
        prompt.input, "http://localhost:3000",
        "a first guess is offered"
    );

    let effects = type_target(&mut state, &captures, "localhost:4000/in");
    let [
        Effect::Run(Job::Replay {
            ids,
            target,
            options,
        }),
    ] = &effects[..]
    else {
        panic!("expected one replay, got {effects:?}");
    };
    assert_eq!(ids, &[5]);
    assert_eq!(target.url_for("/evil?x"), "http://localhost:4000/in?x");
    assert_eq!(options.pace, Pace::Fast);
    assert!(state.prompt.is_none());
    state.replay_started(7);
    assert_eq!(state.send.running.as_ref().and_then(|r| r.job), Some(7));

    state.update(
        finished(7, Some(Sent::Missing(5)), Tally::default()),
        &mut Vec::new(),
    );
    assert!(state.send.running.is_none());
    assert!(
        state
            .status
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("no longer in the store")
    );

    press(&mut state, &captures, "r");
    assert_eq!(
        state.prompt.as_ref().unwrap().input,
        "localhost:4000/in",
        "the URL is remembered"
    );
    press(&mut state, &captures, "\u{1b}");
    assert!(state.prompt.is_none() && state.send.plan.is_none());
}

#[test]
fn a_target_that_is_not_a_url_keeps_the_prompt_open_and_says_why() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    press(&mut state, &captures, "r");
    let effects = type_target(&mut state, &captures, "ftp://files");
    assert!(effects.is_empty(), "nothing is sent: {effects:?}");
    assert!(state.prompt.is_some(), "the prompt stays for a correction");
    let error = state.send.plan_error.clone().expect("the reason");
    assert!(error.contains("ftp://files"), "{error}");
    assert!(screen(&state).contains("not an http:// or https:// URL"));
    // Typing again clears the reason.
    press(&mut state, &captures, "x");
    assert!(state.send.plan_error.is_none());
}

#[test]
fn marked_captures_survive_filtering_and_a_bulk_replay_asks_for_its_pace() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    press(&mut state, &captures, " kk ");
    assert_eq!(
        state.list.marked.iter().copied().collect::<Vec<_>>(),
        [3, 5]
    );
    assert!(
        screen(&state)
            .lines()
            .any(|l| l.contains("•") && l.contains("/evil"))
    );
    // A filter that hides #3 keeps its mark.
    state.list.start_filter();
    state.list.add_matches(&[5]);
    state.list.end_filter();
    assert_eq!(state.list.marked.len(), 2);

    press(&mut state, &captures, "r");
    type_target(&mut state, &captures, "http://localhost:4000");
    let Overlay::ConfirmReplay(choice) = &state.overlay else {
        panic!("a bulk replay asks first");
    };
    assert_eq!(choice.ids, [3, 5], "in capture order");
    assert!(screen(&state).contains("keeping the original gaps"));
    press(&mut state, &captures, "+");
    let effects = press_key(&mut state, &captures, Key::char('o'));
    let [Effect::Run(Job::Replay { ids, options, .. })] = &effects[..] else {
        panic!("expected one replay, got {effects:?}");
    };
    assert_eq!(ids, &[3, 5]);
    assert_eq!((options.pace, options.speed), (Pace::Original, 2.0));

    state.replay_started(9);
    let tally = Tally {
        answered: 1,
        failed: 0,
        total: 2,
    };
    state.update(
        Message::Replay(ReplayReport::Progress { job: 9, tally }),
        &mut Vec::new(),
    );
    let shown = screen(&state);
    assert!(
        shown.contains("replaying") && shown.contains("1/2") && shown.contains("1 left"),
        "{shown}"
    );
    // Esc stops it rather than leaving the detail pane.
    let effects = press_key(&mut state, &captures, Key::plain(KeyCode::Esc));
    assert!(matches!(effects[..], [Effect::CancelJob(9)]), "{effects:?}");

    let done = Tally {
        answered: 1,
        failed: 1,
        total: 2,
    };
    state.update(finished(9, None, done), &mut Vec::new());
    let message = &state.status.message.as_ref().unwrap().text;
    assert!(message.contains("1 answered, 1 failed"), "{message}");

    // A deleted capture loses its mark.
    state.update(
        Message::Store(StoreEvent::Deleted { id: 5 }),
        &mut Vec::new(),
    );
    assert_eq!(state.list.marked.iter().copied().collect::<Vec<_>>(), [3]);
}

#[test]
fn capital_a_replays_every_capture_the_list_shows() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    press(&mut state, &captures, "A");
    type_target(&mut state, &captures, "http://localhost:4000");
    let Overlay::ConfirmReplay(choice) = &state.overlay else {
        panic!("a bulk replay asks first");
    };
    assert_eq!(choice.ids, [1, 2, 3, 4, 5]);
    let effects = press_key(&mut state, &captures, Key::char('q'));
    assert!(effects.is_empty(), "any other key cancels");
    assert!(matches!(state.overlay, Overlay::None));
}

#[test]
fn the_copy_menu_copies_the_chosen_item_and_an_osc52_copy_reaches_the_terminal() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    press(&mut state, &captures, "kky");
    assert!(matches!(state.overlay, Overlay::CopyMenu));
    assert!(screen(&state).contains("curl command"));
    let effects = press_key(&mut state, &captures, Key::char('v'));
    let [Effect::Run(Job::Copy { item, id, pointer })] = &effects[..] else {
        panic!("expected a copy, got {effects:?}");
    };
    assert_eq!((*item, *id), (CopyItem::PointerValue, 3));
    let first_finding = state.detail.view.as_ref().unwrap().findings[0]
        .pointer
        .clone();
    assert_eq!(pointer.as_deref(), Some(first_finding.as_str()));

    let mut effects = Vec::new();
    state.update(
        Message::Copied(Ok(CopyReport {
            message: "copied the curl command (1 KiB) through the terminal".into(),
            sequence: Some("\u{1b}]52;c;aGk=\u{7}".into()),
        })),
        &mut effects,
    );
    assert!(matches!(&effects[..], [Effect::WriteTerminal(s)] if s.starts_with("\u{1b}]52;")));
    assert!(
        state
            .status
            .message
            .as_ref()
            .unwrap()
            .text
            .starts_with("copied")
    );
    state.update(
        Message::Copied(Err("the body is binary".into())),
        &mut Vec::new(),
    );
    assert!(
        state
            .status
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("binary")
    );
}

#[test]
fn compare_needs_two_marked_captures() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    let effects = press_key(&mut state, &captures, Key::char('='));
    assert!(effects.is_empty());
    assert!(
        state
            .status
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("mark two captures")
    );
    press(&mut state, &captures, " k ");
    let effects = press_key(&mut state, &captures, Key::char('='));
    assert!(
        matches!(effects[..], [Effect::Diff(DiffRequest::Captures(4, 5))]),
        "{effects:?}"
    );
}

#[test]
fn an_edited_request_that_does_not_parse_can_be_edited_again_and_nothing_is_sent() {
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    press(&mut state, &captures, "R");
    let effects = type_target(&mut state, &captures, "http://localhost:4000");
    let [
        Effect::Edit {
            id: 5, text: None, ..
        },
    ] = &effects[..]
    else {
        panic!("expected the editor, got {effects:?}");
    };
    let target = crate::replay::Target::parse("http://localhost:4000").unwrap();
    let mut effects = Vec::new();
    state.update(
        Message::Edited(EditOutcome::Unparsable {
            id: 5,
            text: b"POST\n".to_vec(),
            target: target.clone(),
            error: "line 1: not a request line".into(),
        }),
        &mut effects,
    );
    assert!(effects.is_empty(), "nothing is sent");
    assert!(screen(&state).contains("line 1: not a request line"));
    let effects = press_key(&mut state, &captures, Key::char('e'));
    assert!(
        matches!(&effects[..], [Effect::Edit { id: 5, text: Some(text), .. }] if text == b"POST\n"),
        "the same text opens again: {effects:?}"
    );

    state.update(Message::Edited(EditOutcome::Unchanged), &mut Vec::new());
    assert!(
        state
            .status
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("nothing was sent")
    );
    assert!(state.send.running.is_none());
}

#[test]
fn forward_outcomes_show_in_the_list_and_failures_in_the_header() {
    use crate::attempt::{AttemptBrief, AttemptKind};
    let captures = fixtures();
    let mut state = loaded(160, 40, &captures);
    state.session.forwards = vec!["http://localhost:3000".into()];
    let brief = |id, capture_id, status| AttemptBrief {
        id,
        capture_id,
        kind: AttemptKind::Forward,
        status,
    };
    let briefs: Arc<[AttemptBrief]> = vec![brief(1, 4, Some(202)), brief(2, 5, None)].into();
    state.update(
        Message::Store(StoreEvent::Attempted(briefs)),
        &mut Vec::new(),
    );
    let shown = screen(&state);
    let header = shown.lines().next().unwrap();
    assert!(
        header.contains("→ http://localhost:3000 · 1 failed"),
        "{header}"
    );
    // The list's own column: the rows begin with their id.
    let row = |id: i64| {
        let prefix = format!("│  {id} ");
        let line = shown.lines().find(|l| l.starts_with(&prefix)).unwrap();
        line.split("││").next().unwrap().to_owned()
    };
    assert!(row(4).contains(" 202 "), "{shown}");
    assert!(row(5).contains("✗"), "{shown}");
    assert!(
        !row(3).contains(" 202 ") && !row(3).contains(" ✗ "),
        "{shown}"
    );
}
