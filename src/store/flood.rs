//! Whether ingest is under a flood, as the writer sees it, for the analyser to stand aside.
//!
//! Analysing a payload costs about as much CPU as storing it. Under a flood every core is
//! already busy with senders and ingest (on a developer's machine the sender is often on the
//! same one), so the analyser waits for the flood to pass, at most [`MAX_LAG`] at a time, and
//! then catches up on every core.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A commit of at least this many captures means they are arriving faster than one commit
/// takes: a flood.
const FLOOD_BATCH: usize = 8;
/// A flood is taken to go on for this long after its last large commit.
const FLOOD_TAIL: Duration = Duration::from_millis(30);
/// The longest the analyser stands aside before it analyses a batch anyway, so verdicts
/// never fall more than this far behind.
pub const MAX_LAG: Duration = Duration::from_millis(500);

pub struct FloodGauge {
    started: Instant,
    /// Microseconds after `started` until which ingest counts as flooded.
    until: AtomicU64,
}

impl Default for FloodGauge {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            until: AtomicU64::new(0),
        }
    }
}

impl FloodGauge {
    fn now(&self) -> u64 {
        self.started.elapsed().as_micros() as u64
    }

    /// The writer, after committing `captures` together.
    pub fn committed(&self, captures: usize) {
        if captures >= FLOOD_BATCH {
            let until = self.now() + FLOOD_TAIL.as_micros() as u64;
            self.until.store(until, Ordering::Relaxed);
        }
    }

    pub fn flooded(&self) -> bool {
        self.now() < self.until.load(Ordering::Relaxed)
    }

    /// Waits while ingest is flooded, up to [`MAX_LAG`] (or until `stop` says to finish).
    pub fn wait_out(&self, stop: &dyn Fn() -> bool) {
        let since = Instant::now();
        while self.flooded() && since.elapsed() < MAX_LAG && !stop() {
            std::thread::sleep(FLOOD_TAIL / 3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_commit_floods_for_a_moment_and_small_ones_do_not() {
        let gauge = FloodGauge::default();
        gauge.committed(FLOOD_BATCH - 1);
        assert!(!gauge.flooded());
        gauge.committed(FLOOD_BATCH);
        assert!(gauge.flooded());
        std::thread::sleep(FLOOD_TAIL + Duration::from_millis(5));
        assert!(
            !gauge.flooded(),
            "the flood is over once large commits stop"
        );
    }

    #[test]
    fn the_analyser_waits_no_longer_than_the_flood_or_the_lag_limit() {
        let gauge = FloodGauge::default();
        gauge.committed(FLOOD_BATCH);
        let started = Instant::now();
        gauge.wait_out(&|| false);
        let waited = started.elapsed();
        assert!(waited >= FLOOD_TAIL / 2, "waited {waited:?}");
        assert!(
            waited < MAX_LAG,
            "waited {waited:?} after a flood of one commit"
        );
        // Stopping ends the wait at once.
        gauge.committed(FLOOD_BATCH);
        let started = Instant::now();
        gauge.wait_out(&|| true);
        assert!(started.elapsed() < FLOOD_TAIL / 2);
    }
}
