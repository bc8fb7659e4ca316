//! When the interface draws next.
//!
//! A change the user made (a key, the mouse, a result they asked for) is drawn within
//! [`FRAME`]. So is a webhook that arrives while the store is quiet, or a few a second: it
//! should be on screen before the developer's eyes move from the terminal that sent it.
//! While webhooks flood in, drawing that often would take the cores from capturing (and
//! from the terminal, which has to parse every frame), so store changes are then drawn at
//! most every [`FLOOD_FRAME`]: about fourteen times a second, which still reads as live.

use std::time::{Duration, Instant};

/// The longest a change waits for its frame while webhooks trickle in or the user acts.
pub const FRAME: Duration = Duration::from_millis(33);
/// The longest a store change waits for its frame under a flood.
pub const FLOOD_FRAME: Duration = Duration::from_millis(70);
/// Store changes are counted over windows of this length ...
const WINDOW: Duration = Duration::from_millis(100);
/// ... and a window with more than this many is a flood (a hundred events a second: about
/// fifty webhooks, each inserted and then analysed).
const FLOOD_CHANGES: u32 = 10;

/// Where a change came from, which decides how soon it is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A key, the mouse, a resize or a result the user waits for.
    User,
    /// Webhooks captured, analysed, trimmed: what the store's feed delivers.
    Store,
    /// Anything else that moves on its own (relative times).
    Background,
}

#[derive(Debug)]
pub struct Pace {
    last_draw: Instant,
    /// Something changed since the last frame; `urgent` if the user made it.
    dirty: bool,
    urgent: bool,
    window_start: Instant,
    window_changes: u32,
    flooding: bool,
}

impl Pace {
    /// Starts with a frame due at once.
    pub fn new(now: Instant) -> Self {
        Self {
            last_draw: now.checked_sub(FRAME).unwrap_or(now),
            dirty: true,
            urgent: true,
            window_start: now,
            window_changes: 0,
            flooding: false,
        }
    }

    pub fn changed(&mut self, now: Instant, change: Change) {
        self.dirty = true;
        match change {
            Change::User => self.urgent = true,
            Change::Store => {
                self.roll_window(now);
                self.window_changes += 1;
            }
            Change::Background => {}
        }
    }

    /// Whether the user is waiting for the next frame.
    pub fn urgent(&self) -> bool {
        self.urgent
    }

    /// When the next frame is due, if anything changed.
    pub fn due(&mut self, now: Instant) -> Option<Instant> {
        if !self.dirty {
            return None;
        }
        self.roll_window(now);
        let interval = if self.flooding && !self.urgent {
            FLOOD_FRAME
        } else {
            FRAME
        };
        Some(self.last_draw + interval)
    }

    pub fn drawn(&mut self, now: Instant) {
        self.last_draw = now;
        self.dirty = false;
        self.urgent = false;
    }

    /// Closes the windows that are over: a flood is judged on the last whole window, so one
    /// burst of a few events does not slow the screen, and the end of a flood is noticed
    /// within two windows.
    fn roll_window(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.window_start);
        if elapsed < WINDOW {
            return;
        }
        self.flooding = elapsed < 2 * WINDOW && self.window_changes > FLOOD_CHANGES;
        self.window_start = now;
        self.window_changes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_first_frame_is_due_at_once() {
        let start = Instant::now();
        let mut pace = Pace::new(start);
        assert!(pace.due(start).unwrap() <= start);
    }

    #[test]
    fn nothing_is_due_until_something_changes() {
        let start = Instant::now();
        let mut pace = Pace::new(start);
        pace.drawn(start);
        assert_eq!(pace.due(start + ms(500)), None);
        pace.changed(start + ms(500), Change::Background);
        assert!(pace.due(start + ms(500)).is_some());
    }

    /// Runs the loop the interface runs: each change at its time, a frame whenever one is
    /// due before the next change. Returns the frames' times.
    fn frames_for(start: Instant, changes: &[(Duration, Change)]) -> Vec<Instant> {
        let mut pace = Pace::new(start);
        pace.drawn(start);
        let (mut now, mut next, mut frames) = (start, 0, Vec::new());
        loop {
            let due = pace.due(now).map(|due| due.max(now));
            let change = changes.get(next).map(|(at, change)| (start + *at, *change));
            match (due, change) {
                (Some(due), Some((at, _))) if due <= at => {
                    now = due;
                    pace.drawn(now);
                    frames.push(now);
                }
                (_, Some((at, change))) => {
                    now = at;
                    pace.changed(now, change);
                    next += 1;
                }
                (Some(due), None) => {
                    now = due;
                    pace.drawn(now);
                    frames.push(now);
                }
                (None, None) => return frames,
            }
        }
    }

    #[test]
    fn webhooks_fifty_milliseconds_apart_are_each_drawn_within_a_frame() {
        let start = Instant::now();
        // Each inserted, then analysed 5 ms later.
        let changes: Vec<(Duration, Change)> = (1..40)
            .flat_map(|n| [(ms(50 * n), Change::Store), (ms(50 * n + 5), Change::Store)])
            .collect();
        let frames = frames_for(start, &changes);
        for (at, _) in changes.iter().step_by(2) {
            let arrived = start + *at;
            let shown = frames.iter().find(|frame| **frame >= arrived).unwrap();
            assert!(
                *shown - arrived <= FRAME,
                "a webhook at {at:?} waited {:?}",
                *shown - arrived
            );
        }
    }

    #[test]
    fn a_flood_is_drawn_less_often_but_within_the_flood_frame() {
        let start = Instant::now();
        // A store event every 2 ms for a second.
        let changes: Vec<(Duration, Change)> =
            (1..500).map(|n| (ms(2 * n), Change::Store)).collect();
        let frames = frames_for(start, &changes);
        let gaps: Vec<Duration> = frames.windows(2).map(|w| w[1] - w[0]).collect();
        let late = &gaps[gaps.len() / 2..gaps.len() - 1];
        assert!(
            late.iter().all(|gap| *gap == FLOOD_FRAME),
            "frames during the flood came {late:?} apart"
        );
    }

    #[test]
    fn the_user_is_not_kept_waiting_by_a_flood() {
        let start = Instant::now();
        let mut pace = Pace::new(start);
        pace.drawn(start);
        for n in 1..=100 {
            pace.changed(start + ms(n * 2), Change::Store);
        }
        let now = start + ms(200);
        pace.drawn(now);
        pace.changed(now, Change::Store);
        assert_eq!(pace.due(now), Some(now + FLOOD_FRAME));
        pace.changed(now, Change::User);
        assert!(pace.urgent());
        assert_eq!(pace.due(now), Some(now + FRAME));
    }

    #[test]
    fn the_end_of_a_flood_brings_back_the_quick_frame() {
        let start = Instant::now();
        let mut pace = Pace::new(start);
        for n in 1..=100 {
            pace.changed(start + ms(n), Change::Store);
        }
        let flooded = start + ms(150);
        pace.drawn(flooded);
        pace.changed(flooded, Change::Store);
        assert_eq!(pace.due(flooded), Some(flooded + FLOOD_FRAME));
        // Quiet for a while, then one webhook.
        let later = flooded + ms(400);
        pace.drawn(later);
        pace.changed(later + ms(10), Change::Store);
        assert_eq!(pace.due(later + ms(10)), Some(later + FRAME));
    }
}
