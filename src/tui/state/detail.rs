//! The detail pane: which tab is open, how far each tab is scrolled, the text search, the
//! cursor in the findings list, and the loaded view of the selected capture.

use std::ops::Range;
use std::sync::Arc;

use crate::capture::CaptureId;
use crate::highlight::Highlighted;
use crate::tui::detail_view::DetailView;
use crate::tui::text_doc::TextDoc;

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

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scroll {
    pub y: usize,
    pub x: usize,
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
        self.loading.or(self.view.as_ref().map(|v| v.id()))
    }

    /// The text the open tab searches and scrolls sideways: Body or Raw.
    pub fn text_doc(&self) -> Option<&TextDoc> {
        let view = self.view.as_deref()?;
        match self.tab {
            Tab::Body => Some(&view.body.doc),
            Tab::Raw => Some(&view.raw),
            _ => None,
        }
    }

    /// Runs `query` over the open text tab and moves to the first match at or after the
    /// top of the view.
    pub fn search_for(&mut self, query: &str, height: usize) {
        let top = self.scroll(self.tab).y;
        let matches = self
            .text_doc()
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
        self.show_current_match(height);
    }

    /// Re-runs the search on a newly loaded view.
    pub fn refresh_search(&mut self, height: usize) {
        if let Some(query) = self.search.as_ref().map(|s| s.query.clone()) {
            self.search_for(&query, height);
        }
    }

    pub fn step_match(&mut self, forward: bool, height: usize) {
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
        self.show_current_match(height);
    }

    fn show_current_match(&mut self, height: usize) {
        let Some((line, _)) = self
            .search
            .as_ref()
            .and_then(|s| s.current.and_then(|i| s.matches.get(i)))
            .cloned()
        else {
            return;
        };
        let tab = self.tab;
        let scroll = self.scroll_mut(tab);
        if line < scroll.y || line >= scroll.y + height.max(1) {
            scroll.y = line.saturating_sub(height / 3);
        }
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
