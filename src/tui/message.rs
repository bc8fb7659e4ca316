//! What reaches the UI thread (input, store changes, results of background work) and what
//! the UI asks for in return. State changes happen in one place, `State::update`; the work
//! it asks for is done by the app loop and its workers.

use std::sync::Arc;

use crossterm::event::MouseEvent;

use crate::capture::{CaptureId, CaptureSummary};
use crate::copy::CopyItem;
use crate::filter::Filter;
use crate::highlight::Highlighted;
use crate::listener::Rejection;
use crate::replay::bulk::{BulkOptions, Sent, Tally};
use crate::replay::{OutgoingRequest, Target};
use crate::store::{Scan, StoreEvent};

use super::detail_view::DetailView;
use super::diff_view::DiffView;
use super::jobs::JobId;
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
    Copied(Result<CopyReport, String>),
    Replay(ReplayReport),
    /// The user's editor closed (or could not start) for an edit-then-replay.
    Edited(EditOutcome),
    Diffed(Result<Arc<DiffView>, String>),
    /// A background job panicked (a bug): the interface says so and carries on.
    Panicked {
        work: Background,
        said: String,
    },
    /// Reading the store failed (the list could not be read again).
    ReadFailed(String),
    /// Time passed: messages expire, the rate sparkline and relative times move.
    Tick,
    /// SIGTERM or SIGINT from outside.
    Terminate,
}

/// The interface's background workers, to say which one failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Background {
    DetailLoader,
    Highlighter,
    FilterScan,
    Diff,
    Jobs,
}

impl Background {
    /// What it was doing, for "hookscope hit a bug while …".
    pub fn doing(self) -> &'static str {
        match self {
            Background::DetailLoader => "loading a capture",
            Background::Highlighter => "colouring a body",
            Background::FilterScan => "filtering the store",
            Background::Diff => "comparing two requests",
            Background::Jobs => "copying, replaying or deleting",
        }
    }
}

/// A copy that worked: what to tell the user, and for OSC 52 the sequence the terminal
/// must be sent.
#[derive(Debug, Clone)]
pub struct CopyReport {
    pub message: String,
    pub sequence: Option<String>,
}

/// How a replay (one capture, or many) is going.
#[derive(Debug, Clone)]
pub enum ReplayReport {
    Progress {
        job: JobId,
        tally: Tally,
    },
    Finished {
        job: JobId,
        target: String,
        tally: Tally,
        cancelled: bool,
        elapsed: std::time::Duration,
        /// For a replay of one capture: what happened to it.
        single: Option<Arc<Sent>>,
    },
}

/// What came back from `$EDITOR`.
#[derive(Debug, Clone)]
pub enum EditOutcome {
    /// Saved and parsed: ready to send.
    Ready {
        id: CaptureId,
        request: OutgoingRequest,
        target: Target,
    },
    /// Saved, but not a request; the text is kept so the editor can open it again.
    Unparsable {
        id: CaptureId,
        text: Vec<u8>,
        target: Target,
        error: String,
    },
    /// Quit without saving: nothing is sent.
    Unchanged,
    /// The editor could not be started, or the file not written or read.
    Failed(String),
}

/// What the user asked to be done that writes, copies or sends: run one after another off
/// the UI thread (`work.rs`), each reporting back as a message.
#[derive(Debug, Clone)]
pub enum Job {
    Delete(CaptureId),
    Clear,
    Copy {
        item: CopyItem,
        id: CaptureId,
        /// The selected finding's JSON Pointer, for [`CopyItem::PointerValue`].
        pointer: Option<String>,
    },
    /// Send these captures (one, the marked ones, or the filter's) to the target, in
    /// capture order.
    Replay {
        ids: Vec<CaptureId>,
        target: Target,
        options: BulkOptions,
    },
    /// A request the user edited in `$EDITOR`, sent as edited.
    SendEdited {
        id: CaptureId,
        request: OutgoingRequest,
        target: Target,
    },
}

impl Job {
    /// Replays show progress, and esc cancels them.
    pub fn is_replay(&self) -> bool {
        matches!(self, Job::Replay { .. } | Job::SendEdited { .. })
    }
}

/// What `=` compares.
#[derive(Debug, Clone)]
pub enum DiffRequest {
    Captures(CaptureId, CaptureId),
    Attempt {
        capture: CaptureId,
        attempt: Arc<crate::attempt::Attempt>,
    },
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
    /// Work for the queue: what writes, copies or sends.
    Run(Job),
    /// Open the capture, as it would go to the target, in `$EDITOR` (or `text` again,
    /// after a failed parse).
    Edit {
        id: CaptureId,
        target: Target,
        text: Option<Vec<u8>>,
    },
    CancelJob(JobId),
    Diff(DiffRequest),
    /// Write this escape sequence to the terminal (OSC 52 copy).
    WriteTerminal(String),
    ReloadIds,
    Quit,
}
