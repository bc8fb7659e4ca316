//! What each action does, given where the focus is.

use super::detail::Tab;
use super::prompt::{Prompt, PromptKind};
use super::{Focus, Overlay, State};
use crate::tui::action::Action;
use crate::tui::message::{Effect, Job};

impl State {
    pub fn apply(&mut self, action: Action, effects: &mut Vec<Effect>) {
        let page = match self.focus {
            Focus::List => self.list_rows(),
            Focus::Detail => self.detail_rows(),
        } as isize;
        match action {
            Action::Up => self.step(-1),
            Action::Down => self.step(1),
            Action::PageUp => self.step(-page.max(1)),
            Action::PageDown => self.step(page.max(1)),
            Action::Left => self.scroll_sideways(-8),
            Action::Right => self.scroll_sideways(8),
            Action::Top => match self.focus {
                Focus::List => {
                    self.list.follow = false;
                    self.list.select_index(0);
                }
                Focus::Detail => self.scroll_detail(isize::MIN),
            },
            Action::Bottom => match self.focus {
                Focus::List => {
                    self.list.follow = true;
                    self.list.select_newest();
                }
                Focus::Detail => self.scroll_detail(isize::MAX),
            },
            Action::NextTab => self.detail.tab = self.detail.tab.next(),
            Action::PrevTab => self.detail.tab = self.detail.tab.prev(),
            Action::Open => self.open(),
            Action::Back => self.back(effects),
            Action::Search => self.open_prompt(),
            Action::NextMatch => self.detail.step_match(true, self.detail_rows()),
            Action::PrevMatch => self.detail.step_match(false, self.detail_rows()),
            Action::Follow => {
                self.list.follow = !self.list.follow;
                if self.list.follow {
                    self.list.select_newest();
                }
                let word = if self.list.follow { "on" } else { "off" };
                self.status
                    .info(self.clock.instant, format!("follow new captures: {word}"));
            }
            Action::RelativeTime => self.relative_time = !self.relative_time,
            Action::Wrap => {
                self.detail.wrap = !self.detail.wrap;
                for tab in Tab::ALL {
                    self.detail.scroll_mut(tab).x = 0;
                }
            }
            Action::Zoom => {
                self.zoom = !self.zoom;
                self.focus = if self.zoom {
                    Focus::Detail
                } else {
                    Focus::List
                };
            }
            Action::Pause => {
                self.list.paused = !self.list.paused;
                if self.list.paused {
                    self.status.info(
                        self.clock.instant,
                        "display paused: captures are still stored",
                    );
                } else {
                    let unseen = std::mem::take(&mut self.list.unseen);
                    self.status.info(
                        self.clock.instant,
                        format!(
                            "display resumed: {} arrived meanwhile",
                            crate::units::plural(unseen, "capture")
                        ),
                    );
                    effects.push(Effect::ReloadIds);
                }
            }
            Action::Delete => match self.list.selected {
                Some(id) => effects.push(Effect::Run(Job::Delete(id))),
                None => self.status.info(self.clock.instant, "nothing to delete"),
            },
            Action::ClearAll => {
                if self.list.total() == 0 {
                    self.status.info(self.clock.instant, "the store is empty");
                } else {
                    self.overlay = Overlay::ConfirmClear;
                }
            }
            Action::Mark => {
                if self.list.toggle_mark() {
                    let count = self.list.marked.len();
                    self.status.info(
                        self.clock.instant,
                        format!("{} marked", crate::units::plural(count, "capture")),
                    );
                }
            }
            Action::Copy => self.open_copy_menu(),
            Action::Replay => self.start_replay(),
            Action::EditReplay => self.start_edit_replay(),
            Action::ReplayShown => self.start_replay_shown(),
            Action::Diff => self.start_diff(effects),
            Action::Help => self.overlay = Overlay::Help { scroll: 0 },
            Action::Quit => {
                self.quit = true;
                effects.push(Effect::Quit);
            }
        }
    }

    /// Up and down: the selection in the list, the findings cursor in Validation, else the
    /// detail's scroll.
    fn step(&mut self, delta: isize) {
        match self.focus {
            Focus::List => self.list.move_by(delta),
            Focus::Detail if self.detail.tab == Tab::Validation => {
                let count = self.detail.view.as_ref().map_or(0, |v| v.findings.len());
                let target = self.detail.finding.saturating_add_signed(delta);
                self.detail.finding = target.min(count.saturating_sub(1));
                let rows = self.detail_rows();
                let finding = self.detail.finding;
                let scroll = self.detail.scroll_mut(Tab::Validation);
                if finding < scroll.y {
                    scroll.y = finding;
                } else if finding >= scroll.y + rows {
                    scroll.y = finding + 1 - rows;
                }
            }
            Focus::Detail if self.detail.tab == Tab::Replays && delta.abs() == 1 => {
                let count = self.detail.view.as_ref().map_or(0, |v| v.attempts.len());
                let target = self.detail.attempt.saturating_add_signed(delta);
                self.detail.attempt = target.min(count.saturating_sub(1));
                self.detail.scroll_mut(Tab::Replays).y = 0;
            }
            Focus::Detail => self.scroll_detail(delta),
        }
    }

    pub(super) fn scroll_detail(&mut self, delta: isize) {
        let max = self
            .detail_length()
            .saturating_sub(self.detail_rows().min(self.detail_length()));
        let tab = self.detail.tab;
        let scroll = self.detail.scroll_mut(tab);
        scroll.y = scroll.y.saturating_add_signed(delta).min(max);
    }

    fn scroll_sideways(&mut self, delta: isize) {
        if self.focus != Focus::Detail || self.detail.wrap {
            return;
        }
        let widest = self.detail.text_doc().map_or(0, |doc| doc.widest());
        let tab = self.detail.tab;
        let scroll = self.detail.scroll_mut(tab);
        scroll.x = scroll.x.saturating_add_signed(delta).min(widest);
    }

    /// Lines in the open tab, for clamping the scroll.
    fn detail_length(&self) -> usize {
        let Some(view) = self.detail.view.as_deref() else {
            return 0;
        };
        match self.detail.tab {
            Tab::Summary => crate::tui::ui::summary::line_count(view, &self.clock),
            Tab::Body => view.body.doc.line_count(),
            Tab::Headers => view.capture.headers.len(),
            Tab::Validation => view.findings.len(),
            Tab::Raw => view.raw.line_count(),
            Tab::Replays => view
                .attempts
                .get(self.detail.attempt)
                .map_or(0, |a| a.response.line_count()),
        }
    }

    /// Enter: from the list into the detail; in Validation, to the finding's line in Body.
    fn open(&mut self) {
        match self.focus {
            Focus::List => self.focus = Focus::Detail,
            Focus::Detail if self.detail.tab == Tab::Validation => {
                let Some(view) = self.detail.view.clone() else {
                    return;
                };
                let Some(line) = view.finding_lines.get(self.detail.finding).copied() else {
                    return;
                };
                match line {
                    Some(line) => {
                        self.detail.tab = Tab::Body;
                        self.detail.marked_line = Some(line);
                        let rows = self.detail_rows();
                        self.detail.scroll_mut(Tab::Body).y = line.saturating_sub(rows / 3);
                    }
                    None => self.status.info(
                        self.clock.instant,
                        "this finding has no line in the body to show",
                    ),
                }
            }
            Focus::Detail => {}
        }
    }

    /// Esc: undoes the innermost thing: a search, the detail focus, the zoom, the filter.
    fn back(&mut self, effects: &mut Vec<Effect>) {
        if self.cancel_replay(effects) {
            return;
        }
        if self.detail.search.is_some() && self.focus == Focus::Detail {
            self.detail.search = None;
        } else if self.detail.marked_line.is_some() && self.focus == Focus::Detail {
            self.detail.marked_line = None;
        } else if self.zoom {
            self.zoom = false;
            self.focus = Focus::List;
        } else if self.focus == Focus::Detail {
            self.focus = Focus::List;
        } else if self.filter.active.is_some() || self.filter.error.is_some() {
            self.set_filter("", effects);
        }
    }

    /// `/`: the filter prompt in the list, the search prompt in the detail.
    fn open_prompt(&mut self) {
        self.prompt = Some(match self.focus {
            Focus::List => Prompt::new(PromptKind::Filter, &self.filter.query),
            Focus::Detail => {
                if !matches!(self.detail.tab, Tab::Body | Tab::Raw) {
                    self.detail.tab = Tab::Body;
                }
                let current = self
                    .detail
                    .search
                    .as_ref()
                    .map_or(String::new(), |s| s.query.clone());
                Prompt::new(PromptKind::Search, &current)
            }
        });
    }
}
