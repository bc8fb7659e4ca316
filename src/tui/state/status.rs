//! The status bar's message: a confirmation or an error that goes away by itself after a
//! while, or at the next key.

use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub level: Level,
    pub text: String,
    pub until: Instant,
}

#[derive(Debug, Default)]
pub struct StatusLine {
    pub message: Option<Message>,
}

impl StatusLine {
    pub fn info(&mut self, now: Instant, text: impl Into<String>) {
        self.set(Level::Info, now + Duration::from_secs(4), text.into());
    }

    /// Errors stay longer: they are what someone most needs to read.
    pub fn error(&mut self, now: Instant, text: impl Into<String>) {
        self.set(Level::Error, now + Duration::from_secs(10), text.into());
    }

    fn set(&mut self, level: Level, until: Instant, text: String) {
        self.message = Some(Message { level, text, until });
    }

    /// Drops the message once its time is up; true when that changed the screen.
    pub fn expire(&mut self, now: Instant) -> bool {
        if self.message.as_ref().is_some_and(|m| now >= m.until) {
            self.message = None;
            return true;
        }
        false
    }

    pub fn dismiss(&mut self) -> bool {
        self.message.take().is_some()
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.message.as_ref().map(|m| m.until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_expire_and_errors_last_longer() {
        let now = Instant::now();
        let mut status = StatusLine::default();
        status.info(now, "deleted");
        assert!(!status.expire(now + Duration::from_secs(3)));
        assert!(status.expire(now + Duration::from_secs(5)));
        status.error(now, "failed");
        assert!(!status.expire(now + Duration::from_secs(5)));
        assert!(status.dismiss());
        assert!(!status.dismiss());
    }
}
