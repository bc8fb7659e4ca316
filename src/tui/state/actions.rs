//! What each action does, given where the focus is.

use super::detail::{DocRows, Tab, Viewport, doc_of};
use super::prompt::{Prompt, PromptKind};
use super::{Focus, Overlay, State};
use crate::tui::action::Action;
use crate::tui::message::{Effect, Job};
use crate::tui::wrap;

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
            Action::TabSummary => self.detail.tab = Tab::Summary,
            Action::TabBody => self.detail.tab = Tab::Body,
            Action::TabHeaders => self.detail.tab = Tab::Headers,
            Action::TabValidation => self.detail.tab = Tab::Validation,
            Action::TabRaw => self.detail.tab = Tab::Raw,
            Action::TabReplays => self.detail.tab = Tab::Replays,
            Action::Open => self.open(),
            Action::Back => self.back(effects),
            Action::Search => self.open_prompt(),
            Action::NextMatch => self.detail.step_match(true, self.detail_viewport()),
            Action::PrevMatch => self.detail.step_match(false, self.detail_viewport()),
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
            Action::Wrap => self.toggle_wrap(),
            Action::Secrets => self.toggle_secrets(effects),
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
                self.keep_finding_in_view();
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

    /// The top finding shown is moved just enough for the selected one to fit, wrapped
    /// messages and all.
    fn keep_finding_in_view(&mut self) {
        let Some(view) = self.detail.view.clone() else {
            return;
        };
        let viewport = self.detail_viewport();
        let heights = crate::tui::ui::findings::heights(&view, viewport.columns);
        let selected = self.detail.finding;
        let scroll = self.detail.scroll_mut(Tab::Validation);
        if selected < scroll.y {
            scroll.y = selected;
        }
        while scroll.y < selected
            && heights[scroll.y..=selected].iter().sum::<usize>() > viewport.rows
        {
            scroll.y += 1;
        }
    }

    pub(super) fn scroll_detail(&mut self, delta: isize) {
        let viewport = self.detail_viewport();
        let (tab, wrap) = (self.detail.tab, self.detail.wrap);
        if let Some(view) = self.detail.view.clone()
            && let Some(doc) = doc_of(&view, tab, self.detail.attempt, viewport.columns)
        {
            let rows = DocRows::new(doc, wrap, viewport.columns);
            rows.scroll_by(self.detail.scroll_mut(tab), delta, viewport.rows);
            return;
        }
        let length = self.detail_length(viewport);
        let max = length.saturating_sub(viewport.rows.min(length));
        let scroll = self.detail.scroll_mut(tab);
        scroll.y = scroll.y.min(max).saturating_add_signed(delta).min(max);
    }

    fn scroll_sideways(&mut self, delta: isize) {
        if self.focus != Focus::Detail || self.detail.wrap {
            return;
        }
        let viewport = self.detail_viewport();
        let room = match self.detail.scroll_doc(viewport.columns) {
            Some(doc) => doc
                .widest()
                .saturating_sub(doc.text_columns(viewport.columns)),
            None => self.small_tab().map_or(0, |paras| {
                wrap::widest(&paras).saturating_sub(viewport.columns)
            }),
        };
        let tab = self.detail.tab;
        let scroll = self.detail.scroll_mut(tab);
        // A step that would pass the end stops at it, so the last columns can be reached.
        scroll.x = scroll.x.min(room).saturating_add_signed(delta).min(room);
    }

    /// Wrapping on or off: a text tab keeps the line at its top, the others start over.
    /// Secrets are masked unless `--show-secrets`; the key changes it until quit. The open
    /// capture is read again, since its view was built masked (or not).
    fn toggle_secrets(&mut self, effects: &mut Vec<Effect>) {
        self.show_secrets = !self.show_secrets;
        if let Some(shown) = self.detail.shown_id() {
            self.detail.loading = Some(shown);
            effects.push(Effect::LoadDetail(shown));
        }
        let word = if self.show_secrets {
            "secrets shown until you quit (press S again to mask them)"
        } else {
            "secrets masked"
        };
        self.status.info(self.clock.instant, word);
    }

    fn toggle_wrap(&mut self) {
        self.detail.wrap = !self.detail.wrap;
        let columns = self.detail_viewport().columns;
        let keeps_line = self.detail.scroll_doc(columns).is_some();
        for tab in Tab::ALL {
            let scroll = self.detail.scroll_mut(tab);
            scroll.x = 0;
            scroll.sub = 0;
        }
        if !keeps_line {
            let tab = self.detail.tab;
            self.detail.scroll_mut(tab).y = 0;
        }
    }

    /// The Summary or Headers tab's paragraphs, for measuring them.
    fn small_tab(&self) -> Option<Vec<wrap::Para>> {
        let view = self.detail.view.as_deref()?;
        let theme = crate::tui::theme::Theme {
            colour: false,
            dark: true,
        };
        match self.detail.tab {
            Tab::Summary => Some(crate::tui::ui::summary::paras(view, &self.clock, theme)),
            Tab::Headers => Some(crate::tui::ui::headers_tab::paras(view, theme)),
            _ => None,
        }
    }

    /// Rows in the open tab, for clamping the scroll.
    fn detail_length(&self, viewport: Viewport) -> usize {
        let Some(view) = self.detail.view.as_deref() else {
            return 0;
        };
        if let Some(paras) = self.small_tab() {
            return if self.detail.wrap {
                wrap::layout(&paras, viewport.columns, true, 0).len()
            } else {
                paras.len()
            };
        }
        match self.detail.tab {
            Tab::Validation => view.findings.len(),
            _ => 0,
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
                        let viewport = self.detail_viewport();
                        let doc = view.body.doc_at(viewport.columns);
                        let rows = DocRows::new(doc, self.detail.wrap, viewport.columns);
                        // Near the top, with two lines above it for context.
                        let max = rows.total().saturating_sub(viewport.rows);
                        let row = rows.row_of(line, 0).saturating_sub(2).min(max);
                        rows.set_top(self.detail.scroll_mut(Tab::Body), row);
                        self.detail.scroll_mut(Tab::Body).x = 0;
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
