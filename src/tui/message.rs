//! What reaches the UI thread (input, store changes, results of background work) and what
//! the UI asks for in return. State changes happen in one place, `State::update`; the work
//! it asks for is done by the app loop and its workers.

use std::sync::Arc;

use crossterm::event::MouseEvent;

use crate::capture::{CaptureId, CaptureSummary};
use crate::filter::Filter;
use crate::highlight::Highlighted;
use crate::listener::Rejection;
use crate::store::{Scan, StoreEvent};

use super::detail_view::DetailView;
use super::keymap::Key;

#[derive(Debug)]
pub enum Message {
    Key(Key),
    Paste(String),
    Mouse(MouseEvent),
    Resize {
        width: u16,
        height: u16,
    },
    Store(StoreEvent),
    /// The store feed ran ahead of the UI; what was missed is read back.
    StoreLagged,
    Rejected(Rejection),
    /// Summaries of rows the list needs, read from the store.
    Rows(Vec<CaptureSummary>),
    /// Every id in the store, oldest first (at start, after a pause, after a lag).
    Ids(Vec<CaptureId>),
    Detail(Result<Arc<DetailView>, DetailError>),
    Highlighted {
        id: CaptureId,
        highlighted: Arc<Highlighted>,
    },
    Scanned {
        generation: u64,
        result: Result<Scan, String>,
    },
    Deleted {
        id: CaptureId,
        result: Result<bool, String>,
    },
    Cleared(Result<u64, String>),
    /// Time passed: messages expire, the rate sparkline and relative times move.
    Tick,
    /// SIGTERM or SIGINT from outside.
    Terminate,
}

#[derive(Debug, Clone)]
pub struct DetailError {
    pub id: CaptureId,
    pub message: String,
}

/// Work the UI asks for.
#[derive(Debug, Clone)]
pub enum Effect {
    LoadDetail(CaptureId),
    Highlight(Arc<DetailView>),
    Scan {
        generation: u64,
        filter: Arc<Filter>,
        after: CaptureId,
    },
    CancelScan,
    Delete(CaptureId),
    Clear,
    ReloadIds,
    Quit,
}
