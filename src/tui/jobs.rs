//! Background work for the interface, on threads of its own: loading a capture's detail,
//! highlighting a body, scanning the store for a filter, deleting. A "latest" worker keeps
//! only the newest job: scrolling fast through 100 captures runs one load, not 100, and a
//! job that has been superseded sees `cancelled()` and stops early.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

struct Slot<T> {
    job: Mutex<Option<(u64, T)>>,
    ready: Condvar,
    generation: AtomicU64,
    closed: AtomicBool,
}

/// Hands jobs to one worker thread, newest only.
pub struct Latest<T> {
    slot: Arc<Slot<T>>,
}

impl<T: Send + 'static> Latest<T> {
    pub fn spawn(
        name: &str,
        mut run: impl FnMut(T, &dyn Fn() -> bool) + Send + 'static,
    ) -> std::io::Result<Self> {
        let slot = Arc::new(Slot {
            job: Mutex::new(None),
            ready: Condvar::new(),
            generation: AtomicU64::new(0),
            closed: AtomicBool::new(false),
        });
        let worker = slot.clone();
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                while let Some((generation, job)) = next_job(&worker) {
                    let cancelled = || {
                        worker.generation.load(Ordering::Acquire) != generation
                            || worker.closed.load(Ordering::Acquire)
                    };
                    run(job, &cancelled);
                }
            })?;
        Ok(Self { slot })
    }

    /// Replaces any job not started yet, and tells a running one it is superseded.
    pub fn submit(&self, job: T) {
        let generation = self.slot.generation.fetch_add(1, Ordering::AcqRel) + 1;
        let mut pending = self.slot.job.lock().unwrap_or_else(|p| p.into_inner());
        *pending = Some((generation, job));
        self.slot.ready.notify_one();
    }

    /// Drops the pending job and tells a running one to stop.
    pub fn cancel(&self) {
        self.slot.generation.fetch_add(1, Ordering::AcqRel);
        self.slot
            .job
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
    }
}

impl<T> Drop for Latest<T> {
    fn drop(&mut self) {
        self.slot.closed.store(true, Ordering::Release);
        self.slot.ready.notify_one();
    }
}

fn next_job<T>(slot: &Slot<T>) -> Option<(u64, T)> {
    let mut pending = slot.job.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        if slot.closed.load(Ordering::Acquire) {
            return None;
        }
        if let Some(job) = pending.take() {
            return Some(job);
        }
        pending = slot.ready.wait(pending).unwrap_or_else(|p| p.into_inner());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn only_the_newest_pending_job_runs_and_a_superseded_one_is_told() {
        let (done, results) = mpsc::channel();
        let (started, wait_started) = mpsc::channel();
        let (release, released) = mpsc::channel::<()>();
        let worker = Latest::spawn("test-worker", move |job: u32, cancelled| {
            if job == 1 {
                started.send(()).unwrap();
                released.recv().unwrap();
                done.send((job, cancelled())).unwrap();
            } else {
                done.send((job, cancelled())).unwrap();
            }
        })
        .unwrap();
        worker.submit(1);
        wait_started.recv().unwrap();
        // While job 1 runs, 2 and 3 arrive: 2 is replaced by 3 before it can start.
        worker.submit(2);
        worker.submit(3);
        release.send(()).unwrap();
        let timeout = Duration::from_secs(5);
        assert_eq!(
            results.recv_timeout(timeout).unwrap(),
            (1, true),
            "1 was told"
        );
        assert_eq!(results.recv_timeout(timeout).unwrap(), (3, false));
        assert!(
            results.recv_timeout(Duration::from_millis(100)).is_err(),
            "2 never ran"
        );
    }
}
