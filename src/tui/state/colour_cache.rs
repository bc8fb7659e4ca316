//! Highlighted bodies kept per capture, so going back to a capture shows its colours at once
//! instead of highlighting it again. Bounded by count and by total lines: while the list
//! follows a flood, every newest capture is highlighted, and a cache bounded by lines alone
//! grew by 20 MB of colours nobody went back to.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::capture::CaptureId;
use crate::highlight::Highlighted;

/// About 8 bytes a span: 200,000 lines of JSON is a few MB.
const MAX_LINES: usize = 200_000;
/// Captures one goes back to are the last few looked at.
const MAX_ENTRIES: usize = 64;

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
        while self.entries.len() > MAX_ENTRIES
            || (self.entries.len() > 1 && self.lines() > MAX_LINES)
        {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn highlighted(lines: usize) -> Arc<Highlighted> {
        let text = "{\"a\": 1}\n".repeat(lines);
        Arc::new(
            crate::highlight::highlight(
                &text,
                crate::highlight::Language::Json,
                crate::highlight::Theme::Dark,
                &|| false,
            )
            .unwrap(),
        )
    }

    #[test]
    fn following_a_flood_keeps_only_the_last_few_captures_colours() {
        let mut cache = ColourCache::default();
        let one = highlighted(3);
        for id in 1..=1000 {
            cache.insert(id, one.clone());
        }
        assert_eq!(cache.entries.len(), MAX_ENTRIES);
        assert!(cache.get(1000).is_some() && cache.get(1000 - MAX_ENTRIES as i64).is_none());
        // The one looked at again is kept when newer ones come.
        assert!(cache.get(1000 - MAX_ENTRIES as i64 + 1).is_some());
        cache.insert(1001, one);
        assert!(cache.get(1000 - MAX_ENTRIES as i64 + 1).is_some());
    }
}
