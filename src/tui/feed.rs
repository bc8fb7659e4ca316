//! Carries the store's events to the interface thread, in batches while webhooks flood in.
//!
//! Every delivery wakes the interface thread. One per commit meant thousands of wake-ups a
//! second under load, each a context switch that took CPU from the threads capturing, and
//! the interface draws at most thirty times a second anyway. So the first event after a
//! quiet spell goes at once, and then whatever else arrives goes together, at most every
//! [`BATCH_INTERVAL`]: short enough that a webhook arriving just after another one still
//! reaches the screen within its frame.

use std::sync::mpsc::Sender;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use super::message::Message;
use crate::store::StoreEvent;

/// The shortest time between two deliveries.
const BATCH_INTERVAL: Duration = Duration::from_millis(10);

/// Starts the thread. It ends when the store closes its feed or the interface is gone.
pub fn spawn(
    events: Receiver<StoreEvent>,
    outbox: Sender<Message>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("store-feed".into())
        .spawn(move || run(events, &outbox, BATCH_INTERVAL))
}

fn run(mut events: Receiver<StoreEvent>, outbox: &Sender<Message>, interval: Duration) {
    loop {
        let first = match events.blocking_recv() {
            Ok(event) => Message::Store(event),
            Err(RecvError::Lagged(_)) => Message::StoreLagged,
            Err(RecvError::Closed) => return,
        };
        if outbox.send(first).is_err() {
            return;
        }
        loop {
            let message = match events.try_recv() {
                Ok(event) => Message::Store(event),
                Err(TryRecvError::Lagged(_)) => Message::StoreLagged,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Closed) => return,
            };
            if outbox.send(message).is_err() {
                return;
            }
        }
        std::thread::sleep(interval);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Instant;

    use tokio::sync::broadcast;

    use super::*;

    fn trimmed(through: i64) -> StoreEvent {
        StoreEvent::Trimmed { through }
    }

    fn through(message: Message) -> i64 {
        match message {
            Message::Store(StoreEvent::Trimmed { through }) => through,
            _ => panic!("expected a Trimmed event"),
        }
    }

    #[test]
    fn the_first_event_goes_at_once_and_a_burst_waits_for_the_interval() {
        let (events, receiver) = broadcast::channel(64);
        let (outbox, inbox) = mpsc::channel();
        let interval = Duration::from_millis(500);
        let feed = std::thread::spawn(move || run(receiver, &outbox, interval));

        let sent = Instant::now();
        events.send(trimmed(1)).unwrap();
        assert_eq!(through(inbox.recv().unwrap()), 1);
        assert!(sent.elapsed() < interval, "the first event was held back");
        // Events sent while the feed is still taking in the first batch join it; these come
        // once it has gone to wait out the interval.
        std::thread::sleep(Duration::from_millis(50));
        for n in 2..=4 {
            events.send(trimmed(n)).unwrap();
        }
        let batch: Vec<i64> = (0..3).map(|_| through(inbox.recv().unwrap())).collect();
        assert_eq!(batch, [2, 3, 4], "the burst came out of order");
        assert!(
            sent.elapsed() >= interval,
            "the burst was delivered before the interval was over"
        );

        drop(events);
        feed.join().unwrap();
        assert!(
            inbox.try_recv().is_err(),
            "nothing follows the end of the feed"
        );
    }

    #[test]
    fn falling_behind_the_store_is_reported_not_skipped() {
        let (events, receiver) = broadcast::channel(2);
        let (outbox, inbox) = mpsc::channel();
        for n in 1..=5 {
            events.send(trimmed(n)).unwrap();
        }
        drop(events);
        run(receiver, &outbox, Duration::ZERO);
        let messages: Vec<Message> = inbox.try_iter().collect();
        assert!(matches!(messages[0], Message::StoreLagged));
        assert_eq!(
            messages
                .into_iter()
                .skip(1)
                .map(through)
                .collect::<Vec<_>>(),
            [4, 5]
        );
    }

    #[test]
    fn ends_when_the_interface_is_gone() {
        let (events, receiver) = broadcast::channel(4);
        let (outbox, inbox) = mpsc::channel();
        drop(inbox);
        events.send(trimmed(1)).unwrap();
        // Returns instead of waiting for more events, though the store is still open.
        run(receiver, &outbox, Duration::ZERO);
    }
}
