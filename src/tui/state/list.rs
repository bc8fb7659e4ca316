//! The capture list: every id in the store (a few bytes each, so 100,000 are cheap), the
//! matches of the active filter, the selection, and summaries of the rows around the
//! visible window only.

use std::collections::{BTreeSet, HashMap};

use crate::capture::{CaptureId, CaptureSummary};

/// Rows kept beyond the visible window, so small moves need no store read.
const CACHE_MARGIN: usize = 200;

#[derive(Debug, Default)]
pub struct ListState {
    /// Every capture id in the store, oldest first.
    ids: Vec<CaptureId>,
    /// The filter's matches, oldest first, while a filter is active.
    filtered: Option<Vec<CaptureId>>,
    /// Summaries of the rows in and around the visible window.
    pub rows: HashMap<CaptureId, CaptureSummary>,
    pub selected: Option<CaptureId>,
    /// The first visible row, as an index into what is shown.
    pub offset: usize,
    /// Keep the newest capture selected as captures arrive.
    pub follow: bool,
    /// New captures are stored but not shown until the display is resumed.
    pub paused: bool,
    /// Captures that arrived while paused.
    pub unseen: usize,
    /// Captures marked with space, for bulk replay and diff; kept while scrolling and
    /// filtering, dropped when the capture is deleted.
    pub marked: BTreeSet<CaptureId>,
}

impl ListState {
    pub fn new(ids: Vec<CaptureId>) -> Self {
        let mut list = Self {
            ids,
            follow: true,
            ..Self::default()
        };
        list.selected = list.ids.last().copied();
        list
    }

    /// What the list shows: the filter's matches, or every capture.
    pub fn shown(&self) -> &[CaptureId] {
        self.filtered.as_deref().unwrap_or(&self.ids)
    }

    pub fn total(&self) -> usize {
        self.ids.len()
    }

    pub fn is_filtered(&self) -> bool {
        self.filtered.is_some()
    }

    pub fn selected_index(&self) -> Option<usize> {
        let id = self.selected?;
        self.shown().binary_search(&id).ok()
    }

    /// Selects the row at `index` (clamped); `None` when nothing is shown.
    pub fn select_index(&mut self, index: usize) {
        let shown = self.shown();
        self.selected = shown.get(index.min(shown.len().saturating_sub(1))).copied();
    }

    /// Moves the selection; moving stops following unless it lands on the newest.
    pub fn move_by(&mut self, delta: isize) {
        let Some(current) = self.selected_index() else {
            self.select_index(if delta < 0 { 0 } else { usize::MAX });
            return;
        };
        let target = current.saturating_add_signed(delta);
        self.select_index(target);
        self.follow = self.is_last_selected() && delta > 0 && self.follow;
    }

    pub fn select_newest(&mut self) {
        self.select_index(usize::MAX);
    }

    fn is_last_selected(&self) -> bool {
        self.selected.is_some() && self.selected == self.shown().last().copied()
    }

    /// Keeps the selection inside a window of `height` rows.
    pub fn scroll_to_selection(&mut self, height: usize) {
        let len = self.shown().len();
        let height = height.max(1);
        if let Some(index) = self.selected_index() {
            if index < self.offset {
                self.offset = index;
            } else if index >= self.offset + height {
                self.offset = index + 1 - height;
            }
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }

    /// The ids of the visible rows.
    pub fn window(&self, height: usize) -> &[CaptureId] {
        let shown = self.shown();
        let start = self.offset.min(shown.len());
        &shown[start..(start + height).min(shown.len())]
    }

    /// Visible rows whose summary is not loaded yet.
    pub fn missing_rows(&self, height: usize) -> Vec<CaptureId> {
        self.window(height)
            .iter()
            .filter(|id| !self.rows.contains_key(id))
            .copied()
            .collect()
    }

    /// Forgets summaries far from the window, so memory stays flat however many captures
    /// the store holds.
    pub fn trim_cache(&mut self, height: usize) {
        if self.rows.len() <= height + 2 * CACHE_MARGIN {
            return;
        }
        let shown = self.shown();
        let from = self.offset.saturating_sub(CACHE_MARGIN);
        let to = (self.offset + height + CACHE_MARGIN).min(shown.len());
        let (low, high) = match (shown.get(from), shown.get(to.saturating_sub(1))) {
            (Some(low), Some(high)) => (*low, *high),
            _ => (CaptureId::MAX, CaptureId::MIN),
        };
        self.rows.retain(|id, _| (low..=high).contains(id));
    }

    /// Newly stored captures. While paused they are only counted.
    pub fn on_inserted(&mut self, batch: &[CaptureSummary]) {
        if self.paused {
            self.unseen += batch.len();
            return;
        }
        for summary in batch {
            if self.ids.last().is_none_or(|last| summary.id > *last) {
                self.ids.push(summary.id);
            }
            self.rows.insert(summary.id, summary.clone());
        }
        if self.follow && self.filtered.is_none() {
            self.select_newest();
        }
    }

    /// Verdicts for loaded rows (vendor, kind, validity).
    pub fn on_analysed(&mut self, batch: &[CaptureSummary]) {
        if self.paused {
            return;
        }
        for summary in batch {
            if let Some(row) = self.rows.get_mut(&summary.id) {
                *row = summary.clone();
            }
        }
    }

    /// Retention removed every capture up to `through`.
    pub fn on_trimmed(&mut self, through: CaptureId) {
        let selected_index = self.selected_index();
        let cut = self.ids.partition_point(|id| *id <= through);
        self.ids.drain(..cut);
        if let Some(filtered) = &mut self.filtered {
            let cut = filtered.partition_point(|id| *id <= through);
            filtered.drain(..cut);
        }
        self.rows.retain(|id, _| *id > through);
        self.marked.retain(|id| *id > through);
        self.reselect_after_removal(selected_index);
    }

    /// One capture was deleted.
    pub fn remove(&mut self, id: CaptureId) {
        let selected_index = self.selected_index();
        if let Ok(at) = self.ids.binary_search(&id) {
            self.ids.remove(at);
        }
        if let Some(filtered) = &mut self.filtered
            && let Ok(at) = filtered.binary_search(&id)
        {
            filtered.remove(at);
        }
        self.rows.remove(&id);
        self.marked.remove(&id);
        self.reselect_after_removal(selected_index);
    }

    /// Marks the selected capture, or unmarks it; false when nothing is selected.
    pub fn toggle_mark(&mut self) -> bool {
        let Some(id) = self.selected else {
            return false;
        };
        if !self.marked.remove(&id) {
            self.marked.insert(id);
        }
        true
    }

    /// When the selected capture is gone, the one that took its place is selected.
    fn reselect_after_removal(&mut self, previous_index: Option<usize>) {
        if self.selected_index().is_none() {
            match previous_index {
                Some(index) => self.select_index(index),
                None => self.select_newest(),
            }
        }
    }

    /// Every id again (after a pause, or when the event feed was missed).
    pub fn reset_ids(&mut self, ids: Vec<CaptureId>) {
        let selected_index = self.selected_index();
        self.ids = ids;
        self.rows.clear();
        let ids = &self.ids;
        self.marked.retain(|id| ids.binary_search(id).is_ok());
        if self.follow && self.filtered.is_none() {
            self.select_newest();
        } else {
            self.reselect_after_removal(selected_index);
        }
    }

    /// Starts showing a filter's matches (none yet: they arrive as the scan goes).
    pub fn start_filter(&mut self) {
        self.filtered = Some(Vec::new());
    }

    /// Shows every capture again, keeping the selection.
    pub fn end_filter(&mut self) {
        self.filtered = None;
        if self.selected_index().is_none() || self.follow {
            self.select_newest();
        }
    }

    /// More matches of the active filter, in id order.
    pub fn add_matches(&mut self, matched: &[CaptureId]) {
        let Some(filtered) = &mut self.filtered else {
            return;
        };
        for id in matched {
            if filtered.last().is_none_or(|last| id > last) && self.ids.binary_search(id).is_ok() {
                filtered.push(*id);
            }
        }
        if self.follow || self.selected_index().is_none() {
            self.select_newest();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(id: CaptureId) -> CaptureSummary {
        CaptureSummary {
            id,
            received_at: String::new(),
            method: "POST".into(),
            path: format!("/{id}"),
            query: None,
            size: 0,
            content_type: None,
            peer: String::new(),
            vendor: None,
            kind: None,
            valid: None,
            errors: 0,
            warnings: 0,
            duplicate_of: None,
            unauthenticated: false,
            analysed: false,
            forward: None,
        }
    }

    #[test]
    fn follows_the_newest_until_the_user_moves() {
        let mut list = ListState::new(vec![1, 2, 3]);
        assert_eq!(list.selected, Some(3));
        list.on_inserted(&[summary(4)]);
        assert_eq!(list.selected, Some(4));
        list.move_by(-1);
        assert!(!list.follow);
        list.on_inserted(&[summary(5)]);
        assert_eq!(
            list.selected,
            Some(3),
            "the selection stays where the user put it"
        );
        list.follow = true;
        list.select_newest();
        list.on_inserted(&[summary(6)]);
        assert_eq!(list.selected, Some(6));
    }

    #[test]
    fn pausing_counts_instead_of_showing() {
        let mut list = ListState::new(vec![1]);
        list.paused = true;
        list.on_inserted(&[summary(2), summary(3)]);
        assert_eq!((list.total(), list.unseen, list.selected), (1, 2, Some(1)));
    }

    #[test]
    fn the_window_follows_the_selection() {
        let mut list = ListState::new((1..=100).collect());
        list.scroll_to_selection(10);
        assert_eq!(list.offset, 90);
        assert_eq!(list.window(10).first(), Some(&91));
        list.select_index(5);
        list.scroll_to_selection(10);
        assert_eq!(list.offset, 5);
        assert_eq!(list.missing_rows(10).len(), 10);
    }

    #[test]
    fn removal_selects_the_row_that_took_its_place() {
        let mut list = ListState::new(vec![1, 2, 3, 4]);
        list.select_index(1);
        list.remove(2);
        assert_eq!(list.selected, Some(3));
        list.on_trimmed(3);
        assert_eq!((list.shown(), list.selected), (&[4][..], Some(4)));
        list.remove(4);
        assert_eq!(list.selected, None);
    }

    #[test]
    fn a_filter_shows_only_its_matches() {
        let mut list = ListState::new(vec![1, 2, 3, 4]);
        list.start_filter();
        assert!(list.shown().is_empty());
        list.add_matches(&[2, 4, 9]);
        assert_eq!(list.shown(), &[2, 4], "9 is not in the store");
        assert_eq!(list.selected, Some(4));
        list.end_filter();
        assert_eq!(list.shown().len(), 4);
    }

    #[test]
    fn the_cache_keeps_only_rows_near_the_window() {
        let mut list = ListState::new((1..=2000).collect());
        for id in 1..=2000 {
            list.rows.insert(id, summary(id));
        }
        list.scroll_to_selection(20);
        list.trim_cache(20);
        assert!(list.rows.len() <= 20 + CACHE_MARGIN * 2);
        assert!(list.rows.contains_key(&2000));
        assert!(!list.rows.contains_key(&1));
    }
}
