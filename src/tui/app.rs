//! The UI thread's loop: wait for a message, let the state handle it (and everything else
//! already queued), do the work it asked for, and draw when something changed, at most once
//! per frame interval. Nothing ticks while nothing changes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use crossterm::event::{self, Event};
use ratatui::layout::Rect;

use super::detail_view::DetailView;
use super::jobs::Latest;
use super::keymap::Key;
use super::message::{DetailError, Effect, Message};
use super::state::{Clock, State};
use super::terminal::Screen;
use super::theme::Theme;
use crate::capture::CaptureId;
use crate::filter::Filter;
use crate::store::{Database, StoreError};

/// After a key, the mouse or a result the user waits for, the screen is redrawn within this.
const FRAME: Duration = Duration::from_millis(33);
/// When only webhooks arrived, within this: a flood redraws ten times a second, which reads
/// as live and leaves the cores to capturing.
const FEED_FRAME: Duration = Duration::from_millis(100);
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
    /// Opens more connections, for the workers and for deletes.
    pub connect: Arc<dyn Fn() -> Result<Database, StoreError> + Send + Sync>,
    pub theme: Theme,
}

struct Workers {
    detail: Latest<CaptureId>,
    highlight: Latest<Arc<DetailView>>,
    scan: Latest<(u64, Arc<Filter>, CaptureId)>,
}

pub fn run(
    mut state: State,
    context: Context,
    inbox: Receiver<Message>,
    outbox: Sender<Message>,
) -> anyhow::Result<()> {
    let workers = start_workers(&context, &state, &outbox)?;
    let mut screen = Screen::take()?;
    let stop_input = Arc::new(AtomicBool::new(false));
    spawn_input_reader(outbox.clone(), stop_input.clone())?;
    let size = screen.terminal.size()?;
    state.size = Rect::new(0, 0, size.width, size.height);

    let mut effects = Vec::new();
    state.update(Message::Ids(context.db.all_ids()?), &mut effects);
    let mut dirty = true;
    let mut urgent = true;
    let mut pending_detail = None;
    let mut last_detail = Instant::now() - FEED_DETAIL_INTERVAL;
    let mut last_draw = Instant::now() - FRAME;
    let result = loop {
        let performed = perform(
            &mut effects,
            &mut pending_detail,
            &mut state,
            &context,
            &workers,
            &outbox,
        );
        if let Err(error) = performed {
            break Err(error);
        }
        if state.quit {
            break Ok(());
        }
        let now = Instant::now();
        let interval = if urgent { FRAME } else { FEED_FRAME };
        if let Some(id) = pending_detail
            && (urgent || now >= last_detail + FEED_DETAIL_INTERVAL)
        {
            workers.detail.submit(id);
            pending_detail = None;
            last_detail = now;
        }
        if dirty && now >= last_draw + interval {
            if let Err(error) = draw(&mut screen, &mut state, &context) {
                break Err(error);
            }
            last_draw = Instant::now();
            dirty = false;
            urgent = false;
        }
        let draw_at = dirty.then_some(last_draw + interval);
        let detail_at = pending_detail.map(|_| last_detail + FEED_DETAIL_INTERVAL);
        let deadline = [draw_at, detail_at, state.next_tick()]
            .into_iter()
            .flatten()
            .min();
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
        if state.next_tick().is_some_and(|tick| Instant::now() >= tick) {
            dirty |= state.update(Message::Tick, &mut effects);
        }
        if let Some(message) = first {
            for message in std::iter::once(message).chain(inbox.try_iter().take(DRAIN_LIMIT)) {
                let from_user = is_urgent(&message);
                let changed = state.update(message, &mut effects);
                dirty |= changed;
                urgent |= changed && from_user;
            }
        }
    };
    stop_input.store(true, Ordering::Release);
    drop(screen);
    drop(workers);
    result
}

/// Whether a change from this message is something the user is waiting to see.
fn is_urgent(message: &Message) -> bool {
    !matches!(
        message,
        Message::Store(_) | Message::StoreLagged | Message::Rows(_) | Message::Tick
    )
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
    outbox: &Sender<Message>,
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
            Effect::Delete(id) => write_off_thread(context, outbox, "delete", move |db| {
                let result = db.and_then(|mut db| db.delete(id));
                Message::Deleted {
                    id,
                    result: result.map_err(|e| e.to_string()),
                }
            })?,
            Effect::Clear => write_off_thread(context, outbox, "clear", |db| {
                Message::Cleared(db.and_then(|mut db| db.clear()).map_err(|e| e.to_string()))
            })?,
            Effect::ReloadIds => {
                let ids = context.db.all_ids()?;
                let mut more = Vec::new();
                state.update(Message::Ids(ids), &mut more);
                effects.extend(more);
            }
            Effect::Quit => state.quit = true,
        }
    }
    // Effects of the reload above.
    if !effects.is_empty() {
        return perform(effects, pending_detail, state, context, workers, outbox);
    }
    Ok(())
}

/// A write the user asked for (rare, and it may wait on the store's writer), on a thread of
/// its own with a connection of its own; its outcome comes back as a message.
fn write_off_thread(
    context: &Context,
    outbox: &Sender<Message>,
    name: &str,
    write: impl FnOnce(Result<Database, StoreError>) -> Message + Send + 'static,
) -> std::io::Result<()> {
    let connect = context.connect.clone();
    let outbox = outbox.clone();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let _ = outbox.send(write(connect()));
        })?;
    Ok(())
}

fn start_workers(
    context: &Context,
    state: &State,
    outbox: &Sender<Message>,
) -> anyhow::Result<Workers> {
    let detail_db = (context.connect)()?;
    let send = outbox.clone();
    let detail = Latest::spawn("detail-loader", move |id: CaptureId, cancelled| {
        let result = match detail_db.get(id) {
            Ok(Some(capture)) if !cancelled() => Ok(Arc::new(DetailView::build(capture))),
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
    })?;

    let send = outbox.clone();
    let theme = state.highlight;
    let highlight = Latest::spawn("highlighter", move |view: Arc<DetailView>, cancelled| {
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
    })?;

    let scan_db = (context.connect)()?;
    let send = outbox.clone();
    let scan = Latest::spawn(
        "filter-scan",
        move |(generation, filter, after): (u64, Arc<Filter>, CaptureId), cancelled| {
            let result = scan_db
                .scan_matches(&filter, after, SCAN_PAGE, cancelled)
                .map_err(|e| e.to_string());
            let _ = send.send(Message::Scanned { generation, result });
        },
    )?;
    Ok(Workers {
        detail,
        highlight,
        scan,
    })
}

/// Terminal input on a thread of its own, polled so it can stop when the interface does.
fn spawn_input_reader(outbox: Sender<Message>, stop: Arc<AtomicBool>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("terminal-input".into())
        .spawn(move || {
            while !stop.load(Ordering::Acquire) {
                match event::poll(Duration::from_millis(200)) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(_) => return,
                }
                let message = match event::read() {
                    Ok(Event::Key(key)) => Key::from_event(&key).map(Message::Key),
                    Ok(Event::Mouse(mouse)) => Some(Message::Mouse(mouse)),
                    Ok(Event::Resize(width, height)) => Some(Message::Resize { width, height }),
                    Ok(Event::Paste(text)) => Some(Message::Paste(text)),
                    Ok(_) => None,
                    Err(_) => return,
                };
                if let Some(message) = message
                    && outbox.send(message).is_err()
                {
                    return;
                }
            }
        })?;
    Ok(())
}
