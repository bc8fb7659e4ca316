//! Highlighted bodies kept per capture, so going back to a capture shows its colours at once
//! instead of highlighting it again. Bounded by total lines, so a few large bodies cannot
//! hold memory.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::capture::CaptureId;
use crate::highlight::Highlighted;

/// About 8 bytes a span; a million lines of JSON is some tens of MB at most.
const MAX_LINES: usize = 1_000_000;

#[derive(Debug, Default)]
pub struct ColourCache {
    /// Most recently used last.
    entries: VecDeque<(CaptureId, Arc<Highlighted>)>,
}

impl ColourCache {
    pub fn get(&mut self, id: CaptureId) -> Option<Arc<Highlighted>> {
        let at = self.entries.iter().position(|(e, _)| *e == id)?;
        let entry = self.entries.remove(at)?;
        let highlighted = entry.1.clone();
        self.entries.push_back(entry);
        Some(highlighted)
    }

    pub fn insert(&mut self, id: CaptureId, highlighted: Arc<Highlighted>) {
        self.entries.retain(|(e, _)| *e != id);
        self.entries.push_back((id, highlighted));
        while self.entries.len() > 1 && self.lines() > MAX_LINES {
            self.entries.pop_front();
        }
    }

    /// A deleted capture's colours are of no use any more.
    pub fn forget(&mut self, id: CaptureId) {
        self.entries.retain(|(e, _)| *e != id);
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    fn lines(&self) -> usize {
        self.entries.iter().map(|(_, h)| h.line_count()).sum()
    }
}
