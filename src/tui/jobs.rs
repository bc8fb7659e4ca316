//! Background work for the interface, on threads of its own, with two policies:
//!
//! - [`Latest`]: only the newest job runs (loading a capture's detail, highlighting a body,
//!   scanning for a filter). Scrolling fast through 100 captures runs one load, not 100, and
//!   a job that has been superseded sees `cancelled()` and stops early.
//! - [`Queued`]: every job runs, in the order given (copy, replay, bulk replay, delete), and
//!   each can be cancelled by its id; long ones report progress as messages of their own.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
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

/// Told when a job panics, with what it said: the worker carries on with the next job.
pub type OnPanic = Box<dyn Fn(String) + Send>;

/// Runs one job; a panic in it is reported, not the end of the worker.
fn survive(on_panic: &OnPanic, job: impl FnOnce()) {
    if let Err(payload) = std::panic::catch_unwind(AssertUnwindSafe(job)) {
        let said = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_owned());
        on_panic(said);
    }
}

impl<T: Send + 'static> Latest<T> {
    pub fn spawn(
        name: &str,
        on_panic: OnPanic,
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
                    survive(&on_panic, || run(job, &cancelled));
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

/// Names a queued job, to cancel it.
pub type JobId = u64;

/// What a queued job can ask while it runs.
pub struct JobControl {
    pub id: JobId,
    cancelled: Arc<AtomicBool>,
}

impl JobControl {
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
    }

    /// The flag itself, for work the job hands to async tasks.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancelled.clone()
    }
}

type Cancels = Arc<Mutex<HashMap<JobId, Arc<AtomicBool>>>>;

/// Runs every job, one after another, on one worker thread.
pub struct Queued<T> {
    queue: std::sync::mpsc::Sender<(JobControl, T)>,
    cancels: Cancels,
    next_id: AtomicU64,
}

impl<T: Send + 'static> Queued<T> {
    pub fn spawn(
        name: &str,
        on_panic: OnPanic,
        mut run: impl FnMut(T, &JobControl) + Send + 'static,
    ) -> std::io::Result<Self> {
        let (queue, jobs) = std::sync::mpsc::channel::<(JobControl, T)>();
        let cancels: Cancels = Arc::default();
        let finished = cancels.clone();
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                for (control, job) in jobs {
                    if !control.is_cancelled() {
                        survive(&on_panic, || run(job, &control));
                    }
                    lock(&finished).remove(&control.id);
                }
            })?;
        Ok(Self {
            queue,
            cancels,
            next_id: AtomicU64::new(1),
        })
    }

    /// Queues a job behind the others; its id cancels it.
    pub fn submit(&self, job: T) -> JobId {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let cancelled = Arc::new(AtomicBool::new(false));
        lock(&self.cancels).insert(id, cancelled.clone());
        // The worker only ends when this handle is dropped, so the send cannot fail first.
        let _ = self.queue.send((JobControl { id, cancelled }, job));
        id
    }

    /// Stops the job: it never starts if still queued, and a running one sees
    /// `is_cancelled()`. A job that already finished is not affected.
    pub fn cancel(&self, id: JobId) {
        if let Some(flag) = lock(&self.cancels).get(&id) {
            flag.store(true, Ordering::Release);
        }
    }
}

impl<T> Drop for Queued<T> {
    fn drop(&mut self) {
        for flag in lock(&self.cancels).values() {
            flag.store(true, Ordering::Release);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
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
        let worker = Latest::spawn(
            "test-worker",
            Box::new(|_| {}),
            move |job: u32, cancelled| {
                if job == 1 {
                    started.send(()).unwrap();
                    released.recv().unwrap();
                    done.send((job, cancelled())).unwrap();
                } else {
                    done.send((job, cancelled())).unwrap();
                }
            },
        )
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

    #[test]
    fn queued_jobs_all_run_in_order_and_a_cancelled_one_never_starts() {
        let (done, results) = mpsc::channel();
        let (started, wait_started) = mpsc::channel();
        let (release, released) = mpsc::channel::<()>();
        let worker = Queued::spawn(
            "test-queue",
            Box::new(|_| {}),
            move |job: u32, control: &JobControl| {
                if job == 1 {
                    started.send(()).unwrap();
                    released.recv().unwrap();
                }
                done.send((job, control.is_cancelled())).unwrap();
            },
        )
        .unwrap();
        let first = worker.submit(1);
        worker.submit(2);
        let third = worker.submit(3);
        worker.submit(4);
        worker.cancel(third);
        wait_started.recv().unwrap();
        // Cancelling the running job tells it; it still reports back.
        worker.cancel(first);
        release.send(()).unwrap();
        let timeout = Duration::from_secs(5);
        let got: Vec<(u32, bool)> = (0..3)
            .map(|_| results.recv_timeout(timeout).unwrap())
            .collect();
        assert_eq!(got, [(1, true), (2, false), (4, false)]);
        assert!(
            results.recv_timeout(Duration::from_millis(100)).is_err(),
            "3 ran"
        );
    }

    #[test]
    fn a_job_that_panics_is_reported_and_the_worker_takes_the_next_one() {
        let (said, panics) = mpsc::channel();
        let (done, results) = mpsc::channel();
        let worker = Queued::spawn(
            "test-panics",
            Box::new(move |message| said.send(message).unwrap()),
            move |job: u32, _: &JobControl| {
                assert_ne!(job, 1, "job one is broken");
                done.send(job).unwrap();
            },
        )
        .unwrap();
        worker.submit(1);
        worker.submit(2);
        let message = panics.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(message.contains("job one is broken"), "{message}");
        assert_eq!(results.recv_timeout(Duration::from_secs(5)).unwrap(), 2);

        let (said, panics) = mpsc::channel();
        let latest = Latest::spawn(
            "test-latest-panics",
            Box::new(move |message| said.send(message).unwrap()),
            |job: u32, _| panic!("latest {job}"),
        )
        .unwrap();
        latest.submit(7);
        assert_eq!(
            panics.recv_timeout(Duration::from_secs(5)).unwrap(),
            "latest 7"
        );
        latest.submit(8);
        assert_eq!(
            panics.recv_timeout(Duration::from_secs(5)).unwrap(),
            "latest 8"
        );
    }
}
