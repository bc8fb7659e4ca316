//! The open connections, so there are never more than the cap: at the cap, the connection
//! idle the longest (waiting for a head, or stalled in a body) is closed to make room for a
//! new one. A flood of slow senders cannot keep webhooks out, and is reported once per
//! episode, not once per connection.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, broadcast};

use super::Rejection;
use crate::units::group_digits;

/// An episode is over once this long passes without closing a connection for room...
const EPISODE_QUIET: Duration = Duration::from_secs(10);

/// When a connection last received bytes, and whether a request on it is being handled.
pub struct Activity {
    origin: Instant,
    /// Milliseconds from `origin`.
    last: AtomicU64,
    busy: AtomicBool,
}

impl Activity {
    fn new(origin: Instant) -> Self {
        let activity = Self {
            origin,
            last: AtomicU64::new(0),
            busy: AtomicBool::new(false),
        };
        activity.touch();
        activity
    }

    pub fn touch(&self) {
        let now = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(now, Ordering::Relaxed);
    }

    /// Marks the connection busy (its request is being stored and answered) until the
    /// guard is dropped: a busy connection is never closed to make room.
    pub fn busy(self: &Arc<Self>) -> Busy {
        self.busy.store(true, Ordering::Relaxed);
        Busy(self.clone())
    }

    /// Since when it has been idle, `None` while busy.
    fn idle_since(&self) -> Option<u64> {
        (!self.busy.load(Ordering::Relaxed)).then(|| self.last.load(Ordering::Relaxed))
    }
}

pub struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.busy.store(false, Ordering::Relaxed);
    }
}

pub struct Connections {
    cap: usize,
    origin: Instant,
    table: Mutex<Table>,
    /// Woken whenever a connection ends.
    ended: Notify,
    rejections: broadcast::Sender<Rejection>,
}

#[derive(Default)]
struct Table {
    open: HashMap<u64, Open>,
    next_id: u64,
    /// How many of `open` were told to close and have not ended yet.
    closing: usize,
    episode: Option<Episode>,
}

struct Open {
    peer: SocketAddr,
    activity: Arc<Activity>,
    close: Arc<Notify>,
    closing: bool,
}

/// A run of connections closed for room.
struct Episode {
    closed: u64,
    last_closed: Instant,
    last_peer: SocketAddr,
}

/// One open connection: ends its entry when dropped.
pub struct Tracked {
    id: u64,
    connections: Arc<Connections>,
    pub activity: Arc<Activity>,
    /// Notified when the connection is to close for room.
    pub close: Arc<Notify>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.connections.ended(self.id);
    }
}

impl Connections {
    pub fn new(cap: usize, rejections: broadcast::Sender<Rejection>) -> Arc<Self> {
        Arc::new(Self {
            cap: cap.max(1),
            origin: Instant::now(),
            table: Mutex::default(),
            ended: Notify::new(),
            rejections,
        })
    }

    #[cfg(test)]
    fn open_count(&self) -> usize {
        self.lock().open.len()
    }

    /// Returns once a new connection fits under the cap: at once below it, else after the
    /// connection idle the longest has closed (or, when every one is busy, the first to end).
    pub async fn make_room(&self) {
        loop {
            let ended = self.ended.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            if !self.close_one_if_full() {
                return;
            }
            ended.await;
        }
    }

    pub fn track(self: &Arc<Self>, peer: SocketAddr) -> Tracked {
        let activity = Arc::new(Activity::new(self.origin));
        let close = Arc::new(Notify::new());
        let mut table = self.lock();
        let id = table.next_id;
        table.next_id += 1;
        table.open.insert(
            id,
            Open {
                peer,
                activity: activity.clone(),
                close: close.clone(),
                closing: false,
            },
        );
        Tracked {
            id,
            connections: self.clone(),
            activity,
            close,
        }
    }

    /// Whether the table is full; if so, and not enough are closing already, tells the
    /// connection idle the longest to close.
    fn close_one_if_full(&self) -> bool {
        let mut table = self.lock();
        let quiet = table
            .episode
            .as_ref()
            .is_some_and(|e| e.last_closed.elapsed() >= EPISODE_QUIET);
        if quiet {
            self.end_episode(&mut table);
        }
        if table.open.len() < self.cap {
            return false;
        }
        if table.open.len() - table.closing >= self.cap
            && let Some(peer) = table.close_oldest_idle()
        {
            tracing::debug!(%peer, "closed an idle connection to make room");
            let started = table.episode.is_none();
            let episode = table.episode.get_or_insert(Episode {
                closed: 0,
                last_closed: Instant::now(),
                last_peer: peer,
            });
            episode.closed += 1;
            episode.last_closed = Instant::now();
            episode.last_peer = peer;
            if started {
                let cap = group_digits(self.cap as u64);
                let reason = format!(
                    "hookscope has {cap} connections open, its limit: closing idle ones \
                     (waiting for a request, or for a body that stopped coming), oldest first, \
                     so that new webhooks still get in"
                );
                tracing::warn!(%peer, "{reason}");
                self.report(peer, reason);
            }
        }
        true
    }

    fn ended(&self, id: u64) {
        let mut table = self.lock();
        if let Some(open) = table.open.remove(&id)
            && open.closing
        {
            table.closing -= 1;
        }
        // Over when enough room is free again that the next few do not start another.
        if table.open.len() <= self.cap * 3 / 4 {
            self.end_episode(&mut table);
        }
        drop(table);
        self.ended.notify_waiters();
    }

    fn end_episode(&self, table: &mut Table) {
        let Some(episode) = table.episode.take() else {
            return;
        };
        let closed = episode.closed;
        let reason = format!(
            "closed {} idle connection{} to stay under {} open",
            group_digits(closed),
            if closed == 1 { "" } else { "s" },
            group_digits(self.cap as u64)
        );
        tracing::warn!(last_peer = %episode.last_peer, "{reason}");
        self.report(episode.last_peer, reason);
    }

    fn report(&self, peer: SocketAddr, reason: String) {
        let _ = self.rejections.send(Rejection {
            peer,
            request: None,
            reason,
            notice: true,
        });
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        self.table
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Table {
    /// Tells the connection idle the longest to close; its peer, if there was one.
    fn close_oldest_idle(&mut self) -> Option<SocketAddr> {
        let oldest = self
            .open
            .values_mut()
            .filter(|open| !open.closing)
            .filter_map(|open| Some((open.activity.idle_since()?, open)))
            .min_by_key(|(since, _)| *since)
            .map(|(_, open)| open)?;
        oldest.closing = true;
        oldest.close.notify_one();
        let peer = oldest.peer;
        self.closing += 1;
        Some(peer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(port: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    #[tokio::test]
    async fn at_the_cap_the_longest_idle_connection_closes_and_busy_ones_stay() {
        let (rejections, mut reported) = broadcast::channel(16);
        let connections = Connections::new(2, rejections);
        let first = connections.track(peer(1));
        tokio::time::sleep(Duration::from_millis(5)).await;
        let second = connections.track(peer(2));
        let _busy = first.activity.busy();

        let making_room = {
            let connections = connections.clone();
            tokio::spawn(async move { connections.make_room().await })
        };
        // The second is told to close, although the first is older: the first is busy.
        tokio::time::timeout(Duration::from_secs(1), second.close.notified())
            .await
            .unwrap();
        assert!(!making_room.is_finished());
        drop(second);
        tokio::time::timeout(Duration::from_secs(1), making_room)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(connections.open_count(), 1);

        let started = reported.try_recv().unwrap();
        assert!(started.reason.contains("2 connections open, its limit"));
        assert_eq!(started.peer, peer(2));
        // With one of two open, there is room again: the episode is over.
        let summary = reported.try_recv().unwrap();
        assert_eq!(
            summary.reason,
            "closed 1 idle connection to stay under 2 open"
        );
        drop(first);
        assert!(reported.try_recv().is_err(), "one line each way");
    }

    #[tokio::test]
    async fn below_the_cap_nothing_is_closed() {
        let (rejections, _) = broadcast::channel(4);
        let connections = Connections::new(2, rejections);
        let only = connections.track(peer(1));
        connections.make_room().await;
        assert!(
            tokio::time::timeout(Duration::from_millis(20), only.close.notified())
                .await
                .is_err()
        );
    }
}
