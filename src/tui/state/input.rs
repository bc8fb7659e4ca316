//! Keys and the mouse: a prompt or a dialog takes keys first; anything else goes through
//! the keymap to an action.

use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::prompt::PromptKind;
use super::{Focus, Overlay, State};
use crate::filter;
use crate::tui::action::Action;
use crate::tui::keymap::Key;
use crate::tui::layout::contains;
use crate::tui::message::{Effect, Job};
use crate::tui::ui::tabs;

/// Lines a wheel notch moves.
const WHEEL_STEP: isize = 3;

impl State {
    pub(super) fn on_key(&mut self, key: Key, effects: &mut Vec<Effect>) {
        if self.prompt.is_some() {
            self.prompt_key(key, effects);
            return;
        }
        match self.overlay {
            Overlay::ConfirmClear => {
                self.overlay = Overlay::None;
                if matches!(key.code, KeyCode::Char('y' | 'Y') | KeyCode::Enter) {
                    effects.push(Effect::Run(Job::Clear));
                } else {
                    self.status.info(self.clock.instant, "nothing deleted");
                }
                return;
            }
            Overlay::Help { .. } => {
                self.help_key(key, effects);
                return;
            }
            Overlay::CopyMenu => {
                match key.code {
                    KeyCode::Char(c) if key.modifiers.is_empty() => self.copy_menu_key(c, effects),
                    _ => self.overlay = Overlay::None,
                }
                return;
            }
            Overlay::ConfirmReplay(_) => {
                let c = match key.code {
                    KeyCode::Enter => '\n',
                    KeyCode::Char(c) => c,
                    _ => '\u{1b}',
                };
                self.bulk_choice_key(c, effects);
                return;
            }
            Overlay::EditFailed(_) => {
                let again = matches!(key.code, KeyCode::Char('e') | KeyCode::Enter);
                self.edit_retry_key(again, effects);
                return;
            }
            Overlay::Diff { .. } => {
                self.diff_key(key, effects);
                return;
            }
            Overlay::None => {}
        }
        if let Some(action) = self.keymap.action(key) {
            self.apply(action, effects);
        }
    }

    fn help_key(&mut self, key: Key, effects: &mut Vec<Effect>) {
        // As the overlay draws it: the help's lines in a box as tall as the space between
        // the header and the status bar allows.
        let space = self.areas().map_or(0, |a| a.between().height);
        let rows = usize::from(space.saturating_sub(2)).min(super::help_length());
        let last = super::help_length().saturating_sub(rows);
        let Overlay::Help { scroll } = &mut self.overlay else {
            return;
        };
        match self.keymap.action(key) {
            Some(Action::Down) => *scroll = (*scroll + 1).min(last),
            Some(Action::Up) => *scroll = scroll.saturating_sub(1),
            Some(Action::PageDown) => *scroll = (*scroll + 10).min(last),
            Some(Action::PageUp) => *scroll = scroll.saturating_sub(10),
            Some(Action::Quit) if key == Key::ctrl('c') => self.apply(Action::Quit, effects),
            _ => self.overlay = Overlay::None,
        }
    }

    fn diff_key(&mut self, key: Key, effects: &mut Vec<Effect>) {
        let Overlay::Diff { view, scroll } = &mut self.overlay else {
            return;
        };
        let last = view.lines.len().saturating_sub(1);
        match self.keymap.action(key) {
            Some(Action::Down) => *scroll = (*scroll + 1).min(last),
            Some(Action::Up) => *scroll = scroll.saturating_sub(1),
            Some(Action::PageDown) => *scroll = (*scroll + 10).min(last),
            Some(Action::PageUp) => *scroll = scroll.saturating_sub(10),
            Some(Action::Top) => *scroll = 0,
            Some(Action::Bottom) => *scroll = last,
            Some(Action::Quit) if key == Key::ctrl('c') => self.apply(Action::Quit, effects),
            _ => self.overlay = Overlay::None,
        }
    }

    fn prompt_key(&mut self, key: Key, effects: &mut Vec<Effect>) {
        let Some(prompt) = &mut self.prompt else {
            return;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let for_target = prompt.kind == PromptKind::ReplayTarget;
        match key.code {
            KeyCode::Esc => {
                let before = prompt.before.clone();
                prompt.input = before;
                self.prompt_changed(effects);
                if for_target {
                    self.send.plan = None;
                    self.send.plan_error = None;
                    self.status.info(self.clock.instant, "nothing was replayed");
                }
                self.prompt = None;
                return;
            }
            KeyCode::Enter => {
                if for_target {
                    let text = prompt.input.clone();
                    // A target that is not a URL keeps the prompt open, with the reason.
                    if !self.target_entered(&text, effects) {
                        return;
                    }
                }
                self.prompt = None;
                return;
            }
            KeyCode::Char('c') if ctrl => {
                self.apply(Action::Quit, effects);
                return;
            }
            KeyCode::Char('u') if ctrl => prompt.clear(),
            KeyCode::Char('w') if ctrl => prompt.delete_word(),
            KeyCode::Char('a') if ctrl => prompt.home(),
            KeyCode::Char('e') if ctrl => prompt.end(),
            KeyCode::Char(c) if !ctrl => prompt.insert(c.encode_utf8(&mut [0; 4])),
            KeyCode::Backspace => prompt.backspace(),
            KeyCode::Delete => prompt.delete(),
            KeyCode::Left => prompt.left(),
            KeyCode::Right => prompt.right(),
            KeyCode::Home => prompt.home(),
            KeyCode::End => prompt.end(),
            _ => return,
        }
        self.prompt_changed(effects);
    }

    /// Applies the prompt's text as it is typed: the filter or the search follows it live.
    pub(super) fn prompt_changed(&mut self, effects: &mut Vec<Effect>) {
        let Some(prompt) = &self.prompt else {
            return;
        };
        let input = prompt.input.clone();
        match prompt.kind {
            PromptKind::Filter => self.set_filter(&input, effects),
            PromptKind::ReplayTarget => self.send.plan_error = None,
            PromptKind::Search => {
                let viewport = self.detail_viewport();
                if input.is_empty() {
                    self.detail.search = None;
                } else {
                    self.detail.search_for(&input, viewport);
                }
            }
        }
    }

    pub(super) fn set_filter(&mut self, input: &str, effects: &mut Vec<Effect>) {
        if input.trim() == self.filter.query.trim() && self.filter.error.is_none() {
            self.filter.query = input.to_owned();
            return;
        }
        match filter::parse(input) {
            Ok(parsed) if parsed.is_empty() => {
                self.filter.replace(input, None);
                self.list.end_filter();
                effects.push(Effect::CancelScan);
            }
            Ok(parsed) => {
                self.filter.replace(input, Some(parsed));
                self.rescan(effects);
            }
            Err(error) => {
                self.filter.query = input.to_owned();
                self.filter.error = Some(error.to_string());
            }
        }
    }

    pub(super) fn on_mouse(&mut self, event: MouseEvent) -> bool {
        if self.prompt.is_some() || !matches!(self.overlay, Overlay::None) {
            return false;
        }
        let Some(areas) = self.areas() else {
            return false;
        };
        let (column, row) = (event.column, event.row);
        let over_list = areas.list.is_some_and(|list| contains(list, column, row));
        let over_detail = contains(areas.detail, column, row);
        match event.kind {
            MouseEventKind::Down(MouseButton::Left) if over_list => {
                self.focus = Focus::List;
                let Some(first) = areas.first_list_row_y() else {
                    return true;
                };
                if row >= first {
                    let index = self.list.offset + usize::from(row - first);
                    if index < self.list.shown().len() {
                        self.list.select_index(index);
                        self.list.follow = false;
                    }
                }
                true
            }
            MouseEventKind::Down(MouseButton::Left) if over_detail => {
                self.focus = Focus::Detail;
                if row == areas.tab_bar_y()
                    && let Some(tab) = tabs::at_column(
                        column.saturating_sub(areas.detail.x + 1),
                        self.detail.view.as_deref(),
                    )
                {
                    self.detail.tab = tab;
                }
                true
            }
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let step = if event.kind == MouseEventKind::ScrollDown {
                    WHEEL_STEP
                } else {
                    -WHEEL_STEP
                };
                if over_list {
                    self.list.move_by(step);
                } else if over_detail {
                    self.scroll_detail(step);
                } else {
                    return false;
                }
                true
            }
            _ => false,
        }
    }
}
