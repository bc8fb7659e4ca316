//! The interface's state, and the one place it changes: [`State::update`] takes a message,
//! changes the state, says whether the screen must be redrawn, and lists the work it needs
//! done (loading a capture, highlighting, scanning for a filter, deleting).

mod actions;
pub mod colour_cache;
pub mod detail;
pub mod filter;
mod input;
pub mod list;
pub mod prompt;
pub mod rate;
pub mod send;
pub mod status;

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, FixedOffset, Utc};
use ratatui::layout::Rect;

use super::keymap::Keymap;
use super::layout::Areas;
use super::message::{Effect, Message};
use crate::capture::CaptureId;
use crate::escape::visible_line;
use crate::store::StoreEvent;
use detail::DetailState;
use filter::FilterState;
use list::ListState;
use prompt::Prompt;
use rate::RateHistory;
use status::StatusLine;

/// Which pane keys move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    List,
    Detail,
}

/// What covers the panes.
#[derive(Debug, Clone, Default)]
pub enum Overlay {
    #[default]
    None,
    Help {
        scroll: usize,
    },
    /// `D` asks before deleting everything.
    ConfirmClear,
    /// `y`: what to copy.
    CopyMenu,
    /// A bulk replay asks for its pace before it starts.
    ConfirmReplay(send::BulkChoice),
    /// An edited request did not parse; it can be edited again.
    EditFailed(send::EditRetry),
    /// `=`: two requests compared.
    Diff {
        view: Arc<crate::tui::diff_view::DiffView>,
        scroll: usize,
    },
}

/// Lines in the help overlay: each section's title, its actions and a blank line, then the
/// filter summary (two lines) and where the keys come from.
pub fn help_length() -> usize {
    use crate::tui::action::{Action, Section};
    Action::ALL.len() + 2 * Section::ALL.len() + 3
}

/// Fixed facts shown in the header.
#[derive(Debug, Clone)]
pub struct Session {
    pub listen_url: String,
    pub store: String,
    /// Where `--forward-to` sends each webhook.
    pub forwards: Vec<String>,
    /// Open to other machines without `--require-auth`.
    pub exposed: bool,
}

/// The wall clock as of the message being handled, and the local offset times are shown in;
/// both fixed in tests.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub now: DateTime<Utc>,
    pub instant: Instant,
    pub offset: FixedOffset,
}

impl Clock {
    pub fn system() -> Self {
        Self {
            now: Utc::now(),
            instant: Instant::now(),
            offset: *chrono::Local::now().offset(),
        }
    }
}

pub struct State {
    pub session: Session,
    pub keymap: Keymap,
    pub clock: Clock,
    pub size: Rect,
    pub list: ListState,
    pub detail: DetailState,
    pub filter: FilterState,
    pub prompt: Option<Prompt>,
    pub overlay: Overlay,
    pub focus: Focus,
    pub zoom: bool,
    pub relative_time: bool,
    pub status: StatusLine,
    pub rate: RateHistory,
    /// Whether bodies are highlighted at all (not under NO_COLOR).
    pub highlight: Option<crate::highlight::Theme>,
    pub colours: colour_cache::ColourCache,
    pub send: send::SendState,
    /// Whether the store takes captures; anything but `Writing` is shown in red on top.
    pub store_health: crate::store::StoreHealth,
    /// Tokens, cookies, keys and signatures shown as received (`--show-secrets`, or `S`).
    pub show_secrets: bool,
    pub quit: bool,
}

impl State {
    pub fn new(session: Session, keymap: Keymap, clock: Clock, size: Rect) -> Self {
        Self {
            session,
            keymap,
            clock,
            size,
            list: ListState::new(Vec::new()),
            detail: DetailState::default(),
            filter: FilterState::default(),
            prompt: None,
            overlay: Overlay::None,
            focus: Focus::List,
            zoom: false,
            relative_time: false,
            status: StatusLine::default(),
            rate: RateHistory::new(clock.now.timestamp()),
            highlight: None,
            colours: Default::default(),
            send: send::SendState::default(),
            store_health: crate::store::StoreHealth::Writing,
            show_secrets: false,
            quit: false,
        }
    }

    pub fn areas(&self) -> Option<Areas> {
        Areas::new(self.size, self.zoom)
    }

    pub fn list_rows(&self) -> usize {
        self.areas().map_or(1, |a| a.list_rows().max(1))
    }

    pub fn detail_rows(&self) -> usize {
        self.areas().map_or(1, |a| a.detail_rows().max(1))
    }

    /// What of the open tab fits: its rows (a response's, under the attempts, in Replays)
    /// and the pane's inner width.
    pub fn detail_viewport(&self) -> detail::Viewport {
        let columns = self
            .areas()
            .map_or(1, |a| usize::from(a.detail.width.saturating_sub(2)).max(1));
        let mut rows = self.detail_rows();
        if self.detail.tab == detail::Tab::Replays
            && let Some(view) = &self.detail.view
        {
            rows = crate::tui::ui::replays_tab::response_rows(view.attempts.len(), rows);
        }
        detail::Viewport { rows, columns }
    }

    /// Handles one message; true when the screen needs redrawing.
    pub fn update(&mut self, message: Message, effects: &mut Vec<Effect>) -> bool {
        let before = self.list.selected;
        let changed = match message {
            Message::Key(key) => {
                self.status.dismiss();
                self.on_key(key, effects);
                true
            }
            Message::Paste(text) => match &mut self.prompt {
                Some(prompt) => {
                    prompt.insert(&text);
                    self.prompt_changed(effects);
                    true
                }
                None => false,
            },
            Message::Mouse(event) => self.on_mouse(event),
            Message::Resize { width, height } => {
                self.size = Rect::new(0, 0, width, height);
                // A hex dump may now have a different number of bytes to a row.
                self.detail.refresh_search(self.detail_viewport());
                true
            }
            Message::Store(event) => self.on_store(event, effects),
            Message::StoreLagged => {
                effects.push(Effect::ReloadIds);
                false
            }
            Message::Rejected(rejection) if rejection.notice => {
                let text = visible_line(rejection.reason.as_bytes()).into_owned();
                self.status.error(self.clock.instant, text);
                true
            }
            Message::Rejected(rejection) => {
                let what = rejection.request.as_deref().map_or_else(
                    || "a request".to_owned(),
                    |r| visible_line(r.as_bytes()).into_owned(),
                );
                self.status.error(
                    self.clock.instant,
                    format!(
                        "not captured: {what} from {}: {}",
                        rejection.peer,
                        visible_line(rejection.reason.as_bytes())
                    ),
                );
                true
            }
            Message::Rows(rows) => {
                for row in rows {
                    self.list.rows.insert(row.id, row);
                }
                true
            }
            Message::Ids(ids) => {
                self.list.reset_ids(ids);
                self.restart_filter(effects);
                true
            }
            Message::Detail(result) => self.on_detail(result, effects),
            Message::Highlighted { id, highlighted } => {
                self.colours.insert(id, highlighted.clone());
                if self.detail.view.as_ref().is_some_and(|v| v.id() == id) {
                    self.detail.highlighted = Some(highlighted);
                    self.detail.highlighting = false;
                    true
                } else {
                    false
                }
            }
            Message::Scanned { generation, result } => self.on_scanned(generation, result, effects),
            Message::Deleted { id, result } => {
                match result {
                    Ok(true) => {
                        self.list.remove(id);
                        self.colours.forget(id);
                        self.status
                            .info(self.clock.instant, format!("deleted capture #{id}"));
                    }
                    Ok(false) => self.list.remove(id),
                    Err(error) => self
                        .status
                        .error(self.clock.instant, format!("cannot delete #{id}: {error}")),
                }
                true
            }
            Message::Cleared(result) => {
                match result {
                    Ok(count) => {
                        self.list.reset_ids(Vec::new());
                        self.colours.clear();
                        self.restart_filter(effects);
                        self.status.info(
                            self.clock.instant,
                            format!(
                                "deleted {}",
                                crate::units::plural(count as usize, "capture")
                            ),
                        );
                    }
                    Err(error) => self.status.error(
                        self.clock.instant,
                        format!("cannot clear the store: {error}"),
                    ),
                }
                true
            }
            Message::Copied(result) => {
                self.on_copied(result, effects);
                true
            }
            Message::Replay(report) => {
                self.on_replay(report);
                true
            }
            Message::Edited(outcome) => {
                self.after_edit(outcome, effects);
                true
            }
            Message::Diffed(result) => {
                match result {
                    Ok(view) => self.overlay = Overlay::Diff { view, scroll: 0 },
                    Err(error) => self.status.error(self.clock.instant, error),
                }
                true
            }
            Message::Panicked { work, said } => {
                self.on_panicked(work, &said);
                true
            }
            Message::ReadFailed(error) => {
                self.status.error(
                    self.clock.instant,
                    format!("cannot read the store: {error}; the list may be out of date"),
                );
                true
            }
            Message::Tick => {
                let expired = self.status.expire(self.clock.instant);
                let moved = self.rate.advance(self.clock.now.timestamp());
                let summary_ages =
                    self.detail.tab == detail::Tab::Summary && self.detail.view.is_some();
                expired || moved || self.relative_time || summary_ages
            }
            Message::Terminate => {
                self.quit = true;
                effects.push(Effect::Quit);
                true
            }
        };
        self.after_change(before, effects);
        changed
    }

    /// Keeps the list window on the selection and the detail on the selected capture.
    fn after_change(&mut self, before: Option<CaptureId>, effects: &mut Vec<Effect>) {
        // While zoomed the list is not drawn; scrolling it to a one-row window would move
        // it when it comes back.
        if self.areas().is_some_and(|a| a.list.is_some()) {
            let rows = self.list_rows();
            self.list.scroll_to_selection(rows);
        }
        let selected = self.list.selected;
        if selected != before || selected != self.detail.shown_id() {
            match selected {
                Some(id) if self.detail.shown_id() != Some(id) => {
                    self.detail.start_loading(id);
                    effects.push(Effect::LoadDetail(id));
                }
                None => self.detail.show_nothing(),
                _ => {}
            }
        }
    }

    fn on_store(&mut self, event: StoreEvent, effects: &mut Vec<Effect>) -> bool {
        match event {
            StoreEvent::Inserted(batch) => {
                self.rate
                    .record(self.clock.now.timestamp(), batch.len() as u64);
                self.list.on_inserted(&batch);
                self.continue_filter(effects);
            }
            StoreEvent::Analysed(batch) => {
                self.list.on_analysed(&batch);
                self.continue_filter(effects);
            }
            StoreEvent::Trimmed { through } => self.list.on_trimmed(through),
            StoreEvent::Deleted { id } => {
                self.list.remove(id);
                self.colours.forget(id);
            }
            StoreEvent::Cleared => {
                self.list.reset_ids(Vec::new());
                self.colours.clear();
                self.restart_filter(effects);
            }
            StoreEvent::ChangedElsewhere => {
                effects.push(Effect::ReloadIds);
                self.list.rows.clear();
                // The open capture may be gone, or have new replays: read it again.
                if let Some(shown) = self.detail.shown_id() {
                    self.detail.loading = Some(shown);
                    effects.push(Effect::LoadDetail(shown));
                }
                self.status.info(
                    self.clock.instant,
                    "the store was changed by another program; the list is read again",
                );
            }
            StoreEvent::Health(health) => self.store_health = health,
            StoreEvent::Attempted(briefs) => {
                for brief in briefs.iter() {
                    if brief.kind != crate::attempt::AttemptKind::Forward {
                        continue;
                    }
                    if brief.status.is_none() {
                        self.send.forward_failures += 1;
                    }
                    if let Some(row) = self.list.rows.get_mut(&brief.capture_id) {
                        row.forward = Some(match brief.status {
                            Some(status) => crate::attempt::ForwardMark::Answered(status),
                            None => crate::attempt::ForwardMark::Failed,
                        });
                    }
                }
                // The open capture's Replays tab shows the new attempts.
                if let Some(shown) = self.detail.view.as_ref().map(|v| v.id())
                    && briefs.iter().any(|b| b.capture_id == shown)
                    && self.detail.loading.is_none()
                {
                    self.detail.loading = Some(shown);
                    effects.push(Effect::LoadDetail(shown));
                }
            }
        }
        true
    }

    /// A worker's job panicked: whatever waited for it stops waiting, and the user is told.
    fn on_panicked(&mut self, work: super::message::Background, said: &str) {
        use super::message::Background;
        match work {
            Background::DetailLoader => {
                if let Some(id) = self.detail.loading.take() {
                    self.detail.view = None;
                    self.detail.failed = Some(id);
                    self.detail.error = Some(format!(
                        "capture #{id} could not be shown: hookscope hit a bug ({}). \
                         It is stored; `hookscope show {id}` may still print it",
                        visible_line(said.as_bytes())
                    ));
                }
            }
            Background::Highlighter => self.detail.highlighting = false,
            Background::FilterScan => self.filter.scanning = false,
            Background::Diff | Background::Jobs => {}
        }
        self.status.error(
            self.clock.instant,
            format!(
                "hookscope hit a bug while {}: {}. It keeps running; the log has the details",
                work.doing(),
                visible_line(said.as_bytes())
            ),
        );
    }

    fn on_detail(
        &mut self,
        result: Result<Arc<super::detail_view::DetailView>, super::message::DetailError>,
        effects: &mut Vec<Effect>,
    ) -> bool {
        match result {
            Ok(view) if self.detail.loading == Some(view.id()) => {
                self.detail.loading = None;
                // A refresh that brought new replays shows the newest one.
                let before = self
                    .detail
                    .view
                    .as_ref()
                    .filter(|old| old.id() == view.id());
                if before.is_some_and(|old| view.attempts.len() > old.attempts.len()) {
                    self.detail.attempt = view.attempts.len() - 1;
                }
                if let Some(cached) = self.colours.get(view.id()) {
                    self.detail.highlighted = Some(cached);
                } else if self.highlight.is_some() && view.body.colourable().is_some() {
                    self.detail.highlighting = true;
                    effects.push(Effect::Highlight(view.clone()));
                }
                self.detail.view = Some(view);
                self.detail.refresh_search(self.detail_viewport());
                true
            }
            Err(error) if self.detail.loading == Some(error.id) => {
                self.detail.loading = None;
                // A refresh that found the capture gone must not leave the old view up.
                self.detail.view = None;
                self.detail.error = Some(error.message);
                self.detail.failed = Some(error.id);
                true
            }
            _ => false,
        }
    }

    fn on_scanned(
        &mut self,
        generation: u64,
        result: Result<crate::store::Scan, String>,
        effects: &mut Vec<Effect>,
    ) -> bool {
        if generation != self.filter.generation {
            return false;
        }
        match result {
            Ok(scan) => {
                self.list.add_matches(&scan.matched);
                self.filter.scanned_through = self.filter.scanned_through.max(scan.scanned_through);
                self.filter.scanning = false;
                // A scan that reached a capture not analysed yet resumes on `Analysed`.
                if !scan.complete && !scan.awaiting_analysis {
                    self.continue_filter(effects);
                }
            }
            Err(error) => {
                self.filter.scanning = false;
                self.status
                    .error(self.clock.instant, format!("filter failed: {error}"));
            }
        }
        true
    }

    /// Scans what the active filter has not seen yet, unless a scan is already running.
    fn continue_filter(&mut self, effects: &mut Vec<Effect>) {
        if self.filter.scanning || self.list.paused {
            return;
        }
        if let Some(filter) = &self.filter.active {
            self.filter.scanning = true;
            effects.push(Effect::Scan {
                generation: self.filter.generation,
                filter: filter.clone(),
                after: self.filter.scanned_through,
            });
        }
    }

    /// Scans the whole store again for the active filter (after the ids were reloaded).
    fn restart_filter(&mut self, effects: &mut Vec<Effect>) {
        if self.filter.active.is_some() {
            self.filter.restart();
            self.rescan(effects);
        }
    }

    /// Shows no matches until the scan of the active filter, started afresh, reports them.
    fn rescan(&mut self, effects: &mut Vec<Effect>) {
        self.list.start_filter();
        effects.push(Effect::CancelScan);
        self.continue_filter(effects);
    }

    /// The deadline of the next tick: a message to expire, a sparkline to move, relative
    /// times to advance. `None`: nothing changes with time alone, so nothing wakes the loop.
    pub fn next_tick(&self) -> Option<Instant> {
        let second = self.clock.instant
            + std::time::Duration::from_millis(
                1000 - u64::from(self.clock.now.timestamp_subsec_millis()).min(999),
            );
        // The Summary tab says how long ago the capture came ("48s ago").
        let summary_ages = self.detail.tab == detail::Tab::Summary && self.detail.view.is_some();
        let timed = (self.rate.is_moving() || self.relative_time || summary_ages).then_some(second);
        [timed, self.status.deadline()].into_iter().flatten().min()
    }
}

#[cfg(test)]
mod send_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod wrap_tests;
