//! Terminal input, read on a thread of its own. It can be paused, so that a program the
//! terminal is handed to (the user's editor) gets every key instead of this reader.

use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crossterm::event::{self, Event};

use super::keymap::Key;
use super::message::Message;

/// How long one wait for input lasts: also how long pausing or stopping may take.
const POLL: Duration = Duration::from_millis(100);

#[derive(Default)]
struct Gate {
    paused: bool,
    /// The reader has seen `paused` and is not reading.
    parked: bool,
    stopped: bool,
}

/// The reader's controls, held by the UI loop.
#[derive(Clone, Default)]
pub struct InputGate {
    inner: Arc<(Mutex<Gate>, Condvar)>,
}

impl InputGate {
    fn lock(&self) -> MutexGuard<'_, Gate> {
        self.inner.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Returns once the reader has stopped reading (within one poll).
    pub fn pause(&self) {
        let mut gate = self.lock();
        gate.paused = true;
        while !gate.parked && !gate.stopped {
            gate = self.inner.1.wait(gate).unwrap_or_else(|p| p.into_inner());
        }
    }

    pub fn resume(&self) {
        self.lock().paused = false;
        self.inner.1.notify_all();
    }

    pub fn stop(&self) {
        self.lock().stopped = true;
        self.inner.1.notify_all();
    }

    /// For the reader: waits while paused; false once stopped.
    fn may_read(&self) -> bool {
        let mut gate = self.lock();
        while gate.paused && !gate.stopped {
            gate.parked = true;
            self.inner.1.notify_all();
            gate = self.inner.1.wait(gate).unwrap_or_else(|p| p.into_inner());
        }
        gate.parked = false;
        !gate.stopped
    }
}

pub fn spawn_reader(outbox: Sender<Message>, gate: InputGate) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("terminal-input".into())
        .spawn(move || {
            while gate.may_read() {
                match event::poll(POLL) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(_) => break,
                }
                let message = match event::read() {
                    Ok(Event::Key(key)) => Key::from_event(&key).map(Message::Key),
                    Ok(Event::Mouse(mouse)) => Some(Message::Mouse(mouse)),
                    Ok(Event::Resize(width, height)) => Some(Message::Resize { width, height }),
                    Ok(Event::Paste(text)) => Some(Message::Paste(text)),
                    Ok(_) => None,
                    Err(_) => break,
                };
                if let Some(message) = message
                    && outbox.send(message).is_err()
                {
                    break;
                }
            }
            // A pause waiting for this thread must not wait forever.
            gate.stop();
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pausing_waits_until_the_reader_has_parked_and_resuming_lets_it_read_again() {
        let gate = InputGate::default();
        let reader = gate.clone();
        let (reads, read) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            while reader.may_read() {
                reads.send(()).unwrap();
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        read.recv().unwrap();
        gate.pause();
        assert!(
            gate.lock().parked,
            "pause returned before the reader parked"
        );
        while read.try_recv().is_ok() {}
        std::thread::sleep(Duration::from_millis(30));
        assert!(read.try_recv().is_err(), "the reader read while paused");
        gate.resume();
        read.recv_timeout(Duration::from_secs(5)).unwrap();
        gate.stop();
        thread.join().unwrap();
    }
}
