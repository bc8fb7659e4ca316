//! Captures per second over the last minute, for the header's sparkline.

/// Seconds the sparkline covers.
pub const SECONDS: usize = 60;

#[derive(Debug, Clone)]
pub struct RateHistory {
    /// Captures in each of the last `SECONDS` seconds; the last entry is `newest_second`.
    counts: [u64; SECONDS],
    newest_second: i64,
}

impl RateHistory {
    pub fn new(now_second: i64) -> Self {
        Self {
            counts: [0; SECONDS],
            newest_second: now_second,
        }
    }

    /// Moves the window to `now_second`; true when that changed what is shown.
    pub fn advance(&mut self, now_second: i64) -> bool {
        let steps = now_second - self.newest_second;
        if steps <= 0 {
            return false;
        }
        let had_any = self.counts.iter().any(|c| *c > 0);
        let steps = (steps as usize).min(SECONDS);
        self.counts.rotate_left(steps);
        self.counts[SECONDS - steps..].fill(0);
        self.newest_second = now_second;
        had_any
    }

    pub fn record(&mut self, now_second: i64, captures: u64) {
        self.advance(now_second);
        self.counts[SECONDS - 1] += captures;
    }

    /// Oldest first.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The rate over the last full second.
    pub fn last_second(&self) -> u64 {
        self.counts[SECONDS - 2]
    }

    /// Whether the sparkline still moves as time passes (anything in the last minute).
    pub fn is_moving(&self) -> bool {
        self.counts.iter().any(|c| *c > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_second_and_slides() {
        let mut rate = RateHistory::new(100);
        rate.record(100, 3);
        rate.record(100, 2);
        rate.record(101, 7);
        assert_eq!(&rate.counts()[SECONDS - 2..], &[5, 7]);
        assert_eq!(rate.last_second(), 5);
        assert!(rate.advance(103));
        assert_eq!(&rate.counts()[SECONDS - 4..], &[5, 7, 0, 0]);
        assert!(rate.advance(100_000));
        assert!(!rate.is_moving());
        assert!(!rate.advance(100_001), "nothing to move");
    }
}
