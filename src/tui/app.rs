//! The UI thread's loop: wait for a message, let the state handle it (and everything else
//! already queued), do the work it asked for, and draw when something changed, at most once
//! per frame interval. Nothing ticks while nothing changes.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use ratatui::layout::Rect;

use super::detail_view::DetailView;
use super::diff_view::DiffView;
use super::edit::{Edited, edit, editor_command};
use super::input::{InputGate, spawn_reader};
use super::jobs::{Latest, Queued};
use super::message::Job;
use super::message::{Background, DetailError, DiffRequest, EditOutcome, Effect, Message};
use super::pace::{Change, Pace};
use super::state::{Clock, State};
use super::terminal::Screen;
use super::theme::Theme;
use super::work::Worker;
use crate::capture::CaptureId;
use crate::copy::ClipboardMode;
use crate::filter::Filter;
use crate::replay::{OutgoingRequest, Target};
use crate::store::{Database, StoreError, WriterHandle};

/// While only webhooks arrive, the newest capture's detail is read at most this often:
/// every read holds a snapshot of the store, and under a flood frequent readers keep the
/// write-ahead log from being recycled, which slows the writer.
const FEED_DETAIL_INTERVAL: Duration = Duration::from_millis(500);
/// Messages handled before a frame is considered, so a flood cannot starve the screen.
const DRAIN_LIMIT: usize = 4096;
/// Captures a filter scan checks before reporting back (so counts grow as it goes).
const SCAN_PAGE: usize = 5000;

/// How the UI thread reaches the store and its workers.
pub struct Context {
    /// For the list's rows and ids: small reads, done before drawing.
    pub db: Database,
    /// Opens more connections, for the workers.
    pub connect: Arc<dyn Fn() -> Result<Database, StoreError> + Send + Sync>,
    /// Every write (deletes, replays) goes through the store's writer.
    pub writer: WriterHandle,
    /// For the HTTP work of replays.
    pub runtime: tokio::runtime::Handle,
    pub theme: Theme,
    pub clipboard: ClipboardMode,
    /// Replays accept any TLS certificate.
    pub insecure: bool,
    /// Replays are signed afresh for their vendor.
    pub resign: bool,
}

/// The background work: latest-only lanes for what the screen shows, one queue for what
/// the user asked to be done.
struct Workers {
    /// A capture to load, and whether its view masks secrets.
    detail: Latest<(CaptureId, bool)>,
    highlight: Latest<Arc<DetailView>>,
    scan: Latest<(u64, Arc<Filter>, CaptureId)>,
    diff: Latest<DiffRequest>,
    queued: Queued<Job>,
}

/// The terminal and its input reader, which hand over to the user's editor together.
struct Terminal {
    screen: Screen,
    input: InputGate,
}

pub fn run(
    mut state: State,
    context: Context,
    inbox: Receiver<Message>,
    outbox: Sender<Message>,
) -> anyhow::Result<()> {
    let workers = start_workers(&context, &state, &outbox)?;
    let screen = Screen::take()?;
    let input = InputGate::default();
    spawn_reader(outbox.clone(), input.clone())?;
    let mut terminal = Terminal { screen, input };
    let size = terminal.screen.terminal.size()?;
    state.size = Rect::new(0, 0, size.width, size.height);

    let mut effects = Vec::new();
    state.update(Message::Ids(context.db.all_ids()?), &mut effects);
    let mut pace = Pace::new(Instant::now());
    let mut pending_detail = None;
    let mut last_detail = Instant::now() - FEED_DETAIL_INTERVAL;
    let result = loop {
        let performed = perform(
            &mut effects,
            &mut pending_detail,
            &mut state,
            &context,
            &workers,
            &mut terminal,
        );
        if let Err(error) = performed {
            break Err(error);
        }
        if state.quit {
            break Ok(());
        }
        let now = Instant::now();
        if let Some(id) = pending_detail
            && (pace.urgent() || now >= last_detail + FEED_DETAIL_INTERVAL)
        {
            workers.detail.submit((id, !state.show_secrets));
            pending_detail = None;
            last_detail = now;
        }
        if pace.due(now).is_some_and(|due| now >= due) {
            if let Err(error) = draw(&mut terminal.screen, &mut state, &context) {
                break Err(error);
            }
            pace.drawn(Instant::now());
        }
        let draw_at = pace.due(Instant::now());
        let detail_at = pending_detail.map(|_| last_detail + FEED_DETAIL_INTERVAL);
        // Taken before the clock moves on: asked after, the next tick is always ahead.
        let tick_at = state.next_tick();
        let deadline = [draw_at, detail_at, tick_at].into_iter().flatten().min();
        let first = match deadline {
            Some(deadline) => {
                match inbox.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                    Ok(message) => Some(message),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => break Ok(()),
                }
            }
            None => match inbox.recv() {
                Ok(message) => Some(message),
                Err(_) => break Ok(()),
            },
        };
        state.clock = Clock {
            offset: state.clock.offset,
            ..Clock::system()
        };
        let now = Instant::now();
        if tick_at.is_some_and(|tick| now >= tick) && state.update(Message::Tick, &mut effects) {
            pace.changed(now, Change::Background);
        }
        if let Some(message) = first {
            for message in std::iter::once(message).chain(inbox.try_iter().take(DRAIN_LIMIT)) {
                let change = change_of(&message);
                if state.update(message, &mut effects) {
                    pace.changed(now, change);
                }
            }
        }
    };
    terminal.input.stop();
    drop(terminal);
    drop(workers);
    result
}

/// Where a change from this message came from: the user waits for most of them.
fn change_of(message: &Message) -> Change {
    match message {
        Message::Store(_) | Message::StoreLagged => Change::Store,
        Message::Rows(_) | Message::Tick => Change::Background,
        _ => Change::User,
    }
}

fn draw(screen: &mut Screen, state: &mut State, context: &Context) -> anyhow::Result<()> {
    // The rows about to be shown are read now, so drawing itself reads nothing.
    let rows = state.list_rows();
    let missing = state.list.missing_rows(rows);
    if !missing.is_empty() {
        for summary in context.db.summaries_for(&missing)? {
            state.list.rows.insert(summary.id, summary);
        }
    }
    state.list.trim_cache(rows);
    let theme = context.theme;
    screen
        .terminal
        .draw(|frame| super::ui::draw(frame, state, theme))?;
    Ok(())
}

fn perform(
    effects: &mut Vec<Effect>,
    pending_detail: &mut Option<CaptureId>,
    state: &mut State,
    context: &Context,
    workers: &Workers,
    terminal: &mut Terminal,
) -> anyhow::Result<()> {
    for effect in std::mem::take(effects) {
        match effect {
            // Loaded from the loop: at once after a key, at a measured pace while a flood
            // keeps selecting the newest capture (not once per batch of webhooks).
            Effect::LoadDetail(id) => *pending_detail = Some(id),
            Effect::Highlight(view) => workers.highlight.submit(view),
            Effect::Scan {
                generation,
                filter,
                after,
            } => workers.scan.submit((generation, filter, after)),
            Effect::CancelScan => workers.scan.cancel(),
            Effect::Run(job) => {
                let replay = job.is_replay();
                let id = workers.queued.submit(job);
                if replay {
                    state.replay_started(id);
                }
            }
            Effect::CancelJob(job) => workers.queued.cancel(job),
            Effect::Diff(request) => workers.diff.submit(request),
            Effect::Edit { id, target, text } => {
                let outcome = edit_in_terminal(terminal, context, id, target, text);
                let mut more = Vec::new();
                state.update(Message::Edited(outcome), &mut more);
                effects.extend(more);
            }
            Effect::WriteTerminal(sequence) => {
                terminal.screen.write_raw(sequence.as_bytes())?;
            }
            // A store that cannot be read now is said so; the interface stays up.
            Effect::ReloadIds => {
                let message = match context.db.all_ids() {
                    Ok(ids) => Message::Ids(ids),
                    Err(error) => Message::ReadFailed(error.to_string()),
                };
                let mut more = Vec::new();
                state.update(message, &mut more);
                effects.extend(more);
            }
            Effect::Quit => state.quit = true,
        }
    }
    // Effects of the reload above.
    if !effects.is_empty() {
        return perform(effects, pending_detail, state, context, workers, terminal);
    }
    Ok(())
}

/// Edit, then replay: the request as it would go to `target` (or the text of a failed
/// attempt) opens in the user's editor, with the terminal and every key handed over.
fn edit_in_terminal(
    terminal: &mut Terminal,
    context: &Context,
    id: CaptureId,
    target: Target,
    text: Option<Vec<u8>>,
) -> EditOutcome {
    let text = match text {
        Some(text) => text,
        None => match context.db.get(id) {
            Ok(Some(capture)) => match OutgoingRequest::for_capture(&capture, &target).wire_bytes()
            {
                Ok(bytes) => bytes,
                Err(reason) => {
                    return EditOutcome::Failed(format!(
                        "capture #{id} cannot be written as an HTTP request: {reason}"
                    ));
                }
            },
            Ok(None) => {
                return EditOutcome::Failed(format!("capture #{id} is no longer in the store"));
            }
            Err(error) => {
                return EditOutcome::Failed(format!("cannot read capture #{id}: {error}"));
            }
        },
    };
    terminal.input.pause();
    let handed = terminal.screen.hand_over();
    let edited = handed
        .map_err(|e| format!("cannot hand the terminal to the editor: {e}"))
        .and_then(|()| edit(&text, &editor_command()));
    let taken_back = terminal.screen.take_back();
    terminal.input.resume();
    if let Err(error) = taken_back {
        return EditOutcome::Failed(format!("cannot take the terminal back: {error}"));
    }
    match edited {
        Err(error) => EditOutcome::Failed(error),
        Ok(Edited::NotSaved) => EditOutcome::Unchanged,
        Ok(Edited::Saved(saved)) => match crate::wire::parse_request(&saved) {
            Ok(parsed) => EditOutcome::Ready {
                id,
                request: OutgoingRequest::edited(
                    &parsed.method,
                    parsed.target,
                    &parsed.headers,
                    parsed.body,
                    &target,
                ),
                target,
            },
            Err(error) => EditOutcome::Unparsable {
                id,
                text: saved,
                target,
                error: error.to_string(),
            },
        },
    }
}

fn start_workers(
    context: &Context,
    state: &State,
    outbox: &Sender<Message>,
) -> anyhow::Result<Workers> {
    let detail_db = (context.connect)()?;
    let send = outbox.clone();
    let colours = state.highlight;
    let detail = Latest::spawn(
        "detail-loader",
        reporter(outbox, Background::DetailLoader),
        move |(id, mask): (CaptureId, bool), cancelled| {
            let result = match detail_db.get(id) {
                Ok(Some(capture)) if !cancelled() => {
                    // A capture without its attempts still shows; the error says why they are missing.
                    let attempts = detail_db.attempts_for(id).unwrap_or_else(|error| {
                        tracing::warn!(%error, id, "cannot read the capture's replays");
                        Vec::new()
                    });
                    Ok(Arc::new(
                        DetailView::build(capture, mask).with_attempts(attempts, colours),
                    ))
                }
                Ok(Some(_)) => return,
                Ok(None) => Err(DetailError {
                    id,
                    message: format!("capture #{id} is no longer in the store"),
                }),
                Err(error) => Err(DetailError {
                    id,
                    message: format!("cannot read capture #{id}: {error}"),
                }),
            };
            let _ = send.send(Message::Detail(result));
        },
    )?;

    let send = outbox.clone();
    let theme = state.highlight;
    let highlight = Latest::spawn(
        "highlighter",
        reporter(outbox, Background::Highlighter),
        move |view: Arc<DetailView>, cancelled| {
            let (Some(theme), Some(language)) = (theme, view.body.colourable()) else {
                return;
            };
            if let Some(highlighted) =
                crate::highlight::highlight(view.body.doc.text(), language, theme, cancelled)
            {
                let _ = send.send(Message::Highlighted {
                    id: view.id(),
                    highlighted: Arc::new(highlighted),
                });
            }
        },
    )?;

    let scan_db = (context.connect)()?;
    let send = outbox.clone();
    let scan = Latest::spawn(
        "filter-scan",
        reporter(outbox, Background::FilterScan),
        move |(generation, filter, after): (u64, Arc<Filter>, CaptureId), cancelled| {
            let result = scan_db
                .scan_matches(&filter, after, SCAN_PAGE, cancelled)
                .map_err(|e| e.to_string());
            let _ = send.send(Message::Scanned { generation, result });
        },
    )?;
    let diff_db = (context.connect)()?;
    let send = outbox.clone();
    let diff = Latest::spawn(
        "diff",
        reporter(outbox, Background::Diff),
        move |request: DiffRequest, cancelled| {
            let result = compare(&diff_db, &request);
            if !cancelled() {
                let _ = send.send(Message::Diffed(result.map(Arc::new)));
            }
        },
    )?;

    let mut worker = Worker::new(
        (context.connect)()?,
        context.writer.clone(),
        context.runtime.clone(),
        outbox.clone(),
        context.clipboard,
        context.insecure,
        context.resign,
    );
    let queued = Queued::spawn(
        "interface-jobs",
        reporter(outbox, Background::Jobs),
        move |job, control| worker.run(job, control),
    )?;
    Ok(Workers {
        detail,
        highlight,
        scan,
        diff,
        queued,
    })
}

/// Tells the interface that a job of `work` panicked.
fn reporter(outbox: &Sender<Message>, work: Background) -> crate::tui::jobs::OnPanic {
    let outbox = outbox.clone();
    Box::new(move |said| {
        let _ = outbox.send(Message::Panicked { work, said });
    })
}

fn compare(db: &Database, request: &DiffRequest) -> Result<DiffView, String> {
    let load = |id: CaptureId| {
        db.get(id)
            .map_err(|e| format!("cannot read capture #{id}: {e}"))?
            .ok_or_else(|| format!("capture #{id} is no longer in the store"))
    };
    match request {
        DiffRequest::Captures(a, b) => Ok(DiffView::captures(&load(*a)?, &load(*b)?)),
        DiffRequest::Attempt { capture, attempt } => DiffView::attempt(&load(*capture)?, attempt),
    }
}
