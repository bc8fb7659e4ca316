//! Replaying many captures: in capture order, either as fast as the target takes them (a few
//! in flight at once) or keeping the gaps they originally arrived with. Used by
//! `hookscope replay` and by the interface's bulk replay; both record every attempt.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;

use chrono::Utc;

use super::exchange::exchange_prepared;
use super::{Client, Target, resign};
use crate::attempt::{Attempt, AttemptKind};
use crate::capture::{Capture, CaptureId};
use crate::store::{StoreError, WriterHandle};

/// How the requests are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Pace {
    /// As fast as the target takes them (up to the concurrency at once).
    Fast,
    /// One at a time, keeping the original gaps between captures (divided by the speed).
    Original,
}

#[derive(Debug, Clone)]
pub struct BulkOptions {
    pub pace: Pace,
    /// With [`Pace::Original`]: gaps are divided by this.
    pub speed: f64,
    /// With [`Pace::Fast`]: requests in flight at once.
    pub concurrency: usize,
    /// Sign each capture afresh for its vendor (`--resign`).
    pub resign: bool,
}

impl Default for BulkOptions {
    fn default() -> Self {
        Self {
            pace: Pace::Fast,
            speed: 1.0,
            concurrency: 4,
            resign: false,
        }
    }
}

/// The outcome of one capture of a bulk replay.
#[derive(Debug, Clone)]
pub enum Sent {
    /// Sent (answered or not) and recorded with this id.
    Attempted(Box<Attempt>),
    /// The capture is no longer in the store.
    Missing(CaptureId),
}

impl Sent {
    pub fn answered(&self) -> bool {
        matches!(self, Sent::Attempted(a) if a.response.is_some())
    }
}

/// Counts so far, for a progress gauge and the closing summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub answered: usize,
    pub failed: usize,
    pub total: usize,
}

impl Tally {
    pub fn done(&self) -> usize {
        self.answered + self.failed
    }

    pub fn left(&self) -> usize {
        self.total.saturating_sub(self.done())
    }
}

/// Where and how a bulk replay sends, and where it records.
pub struct Bulk<'a> {
    pub target: &'a Target,
    pub options: &'a BulkOptions,
    pub client: &'a Client,
    pub writer: &'a WriterHandle,
}

/// Sends every capture in `ids` (in the order given, which callers make capture order),
/// records each attempt, and reports each outcome to `each` as it comes. Stops starting new
/// requests once `cancel` is set. `load` reads a capture.
pub async fn replay_all(
    bulk: &Bulk<'_>,
    ids: &[CaptureId],
    mut load: impl FnMut(CaptureId) -> Result<Option<Capture>, StoreError>,
    cancel: &AtomicBool,
    mut each: impl FnMut(&Sent, Tally),
) -> Tally {
    let Bulk {
        target,
        options,
        client,
        writer,
    } = *bulk;
    let mut tally = Tally {
        total: ids.len(),
        ..Tally::default()
    };
    let mut count = |sent: Sent, tally: &mut Tally| {
        if sent.answered() {
            tally.answered += 1;
        } else {
            tally.failed += 1;
        }
        each(&sent, *tally);
    };
    match options.pace {
        Pace::Fast => {
            let mut requests =
                futures_util::stream::iter(ids.iter().copied())
                    .take_while(|_| std::future::ready(!cancel.load(Ordering::Acquire)))
                    .map(|id| {
                        let capture = load(id);
                        async move {
                            replay_one(id, capture, target, client, writer, options.resign).await
                        }
                    })
                    .buffered(options.concurrency.max(1));
            while let Some(sent) = requests.next().await {
                count(sent, &mut tally);
            }
        }
        Pace::Original => {
            let started = Instant::now();
            let mut first_received = None;
            for &id in ids {
                if cancel.load(Ordering::Acquire) {
                    break;
                }
                let capture = load(id);
                if let Ok(Some(capture)) = &capture {
                    let first = *first_received.get_or_insert(capture.received_at);
                    let offset = (capture.received_at - first).to_std().unwrap_or_default();
                    let due = started + offset.div_f64(options.speed);
                    if !sleep_until(due, cancel).await {
                        break;
                    }
                }
                let sent = replay_one(id, capture, target, client, writer, options.resign).await;
                count(sent, &mut tally);
            }
        }
    }
    tally
}

/// Sleeps until `due`, waking now and then to see whether the replay was cancelled; false
/// when it was.
async fn sleep_until(due: Instant, cancel: &AtomicBool) -> bool {
    loop {
        if cancel.load(Ordering::Acquire) {
            return false;
        }
        let left = due.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        tokio::time::sleep(left.min(Duration::from_millis(100))).await;
    }
}

/// Sends one capture and records the attempt. A capture that could not be read counts as
/// failed.
pub async fn replay_one(
    id: CaptureId,
    capture: Result<Option<Capture>, StoreError>,
    target: &Target,
    client: &Client,
    writer: &WriterHandle,
    resign: bool,
) -> Sent {
    let capture = match capture {
        Ok(Some(capture)) => capture,
        Ok(None) | Err(_) => return Sent::Missing(id),
    };
    let request = resign::outgoing(&capture, target, resign, Utc::now());
    let (mut attempt, _) =
        exchange_prepared(client, AttemptKind::Replay, id, target, request).await;
    match writer.record_attempt(attempt.clone()).await {
        Ok(stored) => attempt.id = stored,
        Err(error) => tracing::warn!(%error, "cannot record a replay"),
    }
    Sent::Attempted(Box::new(attempt))
}
