//! The detail pane: which tab is open, how far each tab is scrolled, the text search, the
//! cursor in the findings list, and the loaded view of the selected capture.

use std::ops::Range;
use std::sync::Arc;

use crate::capture::CaptureId;
use crate::highlight::Highlighted;
use crate::tui::detail_view::DetailView;
use crate::tui::text_doc::{TextDoc, WrapMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Summary,
    Body,
    Headers,
    Validation,
    Raw,
    Replays,
}

impl Tab {
    pub const ALL: [Tab; 6] = [
        Tab::Summary,
        Tab::Body,
        Tab::Headers,
        Tab::Validation,
        Tab::Raw,
        Tab::Replays,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Summary => "Summary",
            Tab::Body => "Body",
            Tab::Headers => "Headers",
            Tab::Validation => "Validation",
            Tab::Raw => "Raw",
            Tab::Replays => "Replays",
        }
    }

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    pub fn next(self) -> Tab {
        Tab::ALL[(self.index() + 1) % Tab::ALL.len()]
    }

    pub fn prev(self) -> Tab {
        Tab::ALL[(self.index() + Tab::ALL.len() - 1) % Tab::ALL.len()]
    }
}

/// A search in the open text tab.
#[derive(Debug, Clone, Default)]
pub struct TextSearch {
    pub query: String,
    /// (line, byte range in that line), in order.
    pub matches: Vec<(usize, Range<usize>)>,
    pub current: Option<usize>,
}

/// How far a tab is scrolled. In a wrapped text tab, `y` is the line at the top and `sub`
/// the row within it, so the same text stays on top when a resize rewraps it; elsewhere `y`
/// is the top row. `x` is the column at the left edge when not wrapping.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scroll {
    pub y: usize,
    pub x: usize,
    pub sub: usize,
}

/// What of the open tab fits on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewport {
    pub rows: usize,
    /// The pane's inner width.
    pub columns: usize,
}

/// A text tab (Body, Raw, a response) in the rows it is drawn in: wrapped rows at the
/// pane's width, or one row per line.
pub struct DocRows<'a> {
    doc: &'a TextDoc,
    wrapped: Option<Arc<WrapMap>>,
}

impl<'a> DocRows<'a> {
    pub fn new(doc: &'a TextDoc, wrap: bool, pane_width: usize) -> Self {
        let wrapped = wrap.then(|| doc.wrap_map(doc.text_columns(pane_width)));
        Self { doc, wrapped }
    }

    pub fn total(&self) -> usize {
        match &self.wrapped {
            Some(map) => map.rows(),
            None => self.doc.line_count(),
        }
    }

    pub fn wrap_map(&self) -> Option<&WrapMap> {
        self.wrapped.as_deref()
    }

    /// The first row in view, never so far down that the end of the text is not at the
    /// bottom of a full view.
    pub fn top(&self, scroll: Scroll, height: usize) -> usize {
        let anchored = match &self.wrapped {
            Some(map) => map.row(scroll.y, scroll.sub),
            None => scroll.y,
        };
        anchored.min(self.total().saturating_sub(height.max(1)))
    }

    pub fn set_top(&self, scroll: &mut Scroll, row: usize) {
        match &self.wrapped {
            Some(map) => (scroll.y, scroll.sub) = map.position(row),
            None => (scroll.y, scroll.sub) = (row, 0),
        }
    }

    /// The row showing byte `at` of `line`.
    pub fn row_of(&self, line: usize, at: usize) -> usize {
        match &self.wrapped {
            Some(map) => map.row_of_byte(line, at),
            None => line,
        }
    }

    /// Moves the view by `delta` rows, within the text.
    pub fn scroll_by(&self, scroll: &mut Scroll, delta: isize, height: usize) {
        let max = self.total().saturating_sub(height.max(1));
        let row = self
            .top(*scroll, height)
            .saturating_add_signed(delta)
            .min(max);
        self.set_top(scroll, row);
    }

    /// Shows `row`: left alone when already in view, else placed `above` rows below the top
    /// (and never past the end).
    pub fn reveal(&self, scroll: &mut Scroll, row: usize, height: usize, above: usize) {
        let top = self.top(*scroll, height);
        if row >= top && row < top + height.max(1) {
            return;
        }
        let max = self.total().saturating_sub(height.max(1));
        self.set_top(scroll, row.saturating_sub(above).min(max));
    }
}

#[derive(Debug, Default)]
pub struct DetailState {
    pub tab: Tab,
    /// The selected capture's view, once loaded.
    pub view: Option<Arc<DetailView>>,
    /// The capture a view is being loaded for.
    pub loading: Option<CaptureId>,
    /// Why the selected capture could not be shown.
    pub error: Option<String>,
    /// The capture `error` is about: shown (as the error), so not loaded again and again.
    pub failed: Option<CaptureId>,
    /// The body's colours, once highlighted.
    pub highlighted: Option<Arc<Highlighted>>,
    /// Highlighting is running for the open body.
    pub highlighting: bool,
    scroll: [Scroll; 6],
    pub wrap: bool,
    pub search: Option<TextSearch>,
    /// The selected finding in the Validation tab.
    pub finding: usize,
    /// The selected attempt in the Replays tab.
    pub attempt: usize,
    /// The body line a finding jump landed on, marked until the view changes.
    pub marked_line: Option<usize>,
}

impl DetailState {
    pub fn scroll(&self, tab: Tab) -> Scroll {
        self.scroll[tab.index()]
    }

    pub fn scroll_mut(&mut self, tab: Tab) -> &mut Scroll {
        &mut self.scroll[tab.index()]
    }

    /// A different capture is selected: its view is loading, every tab starts at the top.
    pub fn start_loading(&mut self, id: CaptureId) {
        self.loading = Some(id);
        self.view = None;
        self.error = None;
        self.failed = None;
        self.highlighted = None;
        self.highlighting = false;
        self.scroll = Default::default();
        self.finding = 0;
        self.attempt = 0;
        self.marked_line = None;
        if let Some(search) = &mut self.search {
            search.matches.clear();
            search.current = None;
        }
    }

    /// Nothing is selected (an empty list): the tab and wrap setting stay.
    pub fn show_nothing(&mut self) {
        self.start_loading(0);
        self.loading = None;
    }

    pub fn shown_id(&self) -> Option<CaptureId> {
        self.loading
            .or(self.view.as_ref().map(|v| v.id()))
            .or(self.failed)
    }

    /// The text the open tab searches, in a pane `pane_width` wide: Body or Raw.
    pub fn text_doc(&self, pane_width: usize) -> Option<&TextDoc> {
        let view = self.view.as_deref()?;
        match self.tab {
            Tab::Body => Some(view.body.doc_at(pane_width)),
            Tab::Raw => Some(&view.raw),
            _ => None,
        }
    }

    /// Runs `query` over the open text tab and moves to the first match at or after the
    /// top of the view.
    pub fn search_for(&mut self, query: &str, viewport: Viewport) {
        let top = self.scroll(self.tab).y;
        let matches = self
            .text_doc(viewport.columns)
            .map(|doc| doc.find_all(query))
            .unwrap_or_default();
        let current = (!matches.is_empty()).then(|| {
            matches
                .iter()
                .position(|(line, _)| *line >= top)
                .unwrap_or(0)
        });
        self.search = Some(TextSearch {
            query: query.to_owned(),
            matches,
            current,
        });
        self.show_current_match(viewport);
    }

    /// Re-runs the search on a newly loaded view.
    pub fn refresh_search(&mut self, viewport: Viewport) {
        if let Some(query) = self.search.as_ref().map(|s| s.query.clone()) {
            self.search_for(&query, viewport);
        }
    }

    pub fn step_match(&mut self, forward: bool, viewport: Viewport) {
        let Some(search) = &mut self.search else {
            return;
        };
        let count = search.matches.len();
        if count == 0 {
            return;
        }
        search.current = Some(match (search.current, forward) {
            (Some(i), true) => (i + 1) % count,
            (Some(i), false) => (i + count - 1) % count,
            (None, _) => 0,
        });
        self.show_current_match(viewport);
    }

    /// Scrolls the current match into view, a third of the way down when it was not.
    fn show_current_match(&mut self, viewport: Viewport) {
        let Some((line, range)) = self
            .search
            .as_ref()
            .and_then(|s| s.current.and_then(|i| s.matches.get(i)))
            .cloned()
        else {
            return;
        };
        let (tab, wrap) = (self.tab, self.wrap);
        let Some(view) = self.view.clone() else {
            return;
        };
        let Some(doc) = doc_of(&view, tab, self.attempt, viewport.columns) else {
            return;
        };
        let rows = DocRows::new(doc, wrap, viewport.columns);
        let row = rows.row_of(line, range.start);
        rows.reveal(self.scroll_mut(tab), row, viewport.rows, viewport.rows / 3);
        if !wrap {
            // Sideways too: a match past the right edge is brought in.
            let columns = doc.text_columns(viewport.columns);
            let start = crate::tui::wrap::width_of_raw(&doc.line(line)[..range.start]);
            let scroll = self.scroll_mut(tab);
            if start < scroll.x || start >= scroll.x + columns {
                scroll.x = start.saturating_sub(columns / 3);
            }
        }
    }

    /// The text the open tab scrolls through by rows: Body, Raw, or the selected response.
    pub fn scroll_doc(&self, pane_width: usize) -> Option<&TextDoc> {
        doc_of(self.view.as_deref()?, self.tab, self.attempt, pane_width)
    }
}

/// The text `tab` scrolls through by rows, if it is a text tab.
pub fn doc_of(view: &DetailView, tab: Tab, attempt: usize, pane_width: usize) -> Option<&TextDoc> {
    match tab {
        Tab::Body => Some(view.body.doc_at(pane_width)),
        Tab::Raw => Some(&view.raw),
        Tab::Replays => view.attempts.get(attempt).map(|a| &a.response),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_cycle_both_ways() {
        assert_eq!(Tab::Replays.next(), Tab::Summary);
        assert_eq!(Tab::Summary.prev(), Tab::Replays);
        assert_eq!(Tab::Body.next(), Tab::Headers);
    }
}
