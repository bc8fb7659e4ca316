//! The active list filter and how far its scan of the store has got.

use std::sync::Arc;

use crate::capture::CaptureId;
use crate::filter::Filter;

#[derive(Debug, Default)]
pub struct FilterState {
    /// The filter text as typed.
    pub query: String,
    /// The parsed filter; `None` shows every capture.
    pub active: Option<Arc<Filter>>,
    /// Why the text being typed is not a filter (the previous filter stays active).
    pub error: Option<String>,
    /// Bumped for every new filter, so results of an older scan are recognised and dropped.
    pub generation: u64,
    /// Every capture up to this id has been checked.
    pub scanned_through: CaptureId,
    /// A scan is running.
    pub scanning: bool,
}

impl FilterState {
    /// Sets a new filter (or none); its scan starts from the beginning.
    pub fn replace(&mut self, query: &str, filter: Option<Filter>) {
        self.query = query.to_owned();
        self.active = filter.map(Arc::new);
        self.error = None;
        self.restart();
    }

    /// Forgets how far the scan got, and any scan still running (its results will carry
    /// an older generation and be dropped).
    pub fn restart(&mut self) {
        self.generation += 1;
        self.scanned_through = 0;
        self.scanning = false;
    }
}
