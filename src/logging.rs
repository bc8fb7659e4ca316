//! Diagnostics go to a log file, never to the terminal (which belongs to the interface or to
//! the JSON lines). `HOOKSCOPE_LOG` sets the filter, e.g. `HOOKSCOPE_LOG=debug`.

use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Keeps the log writer alive; logging stops when it is dropped.
pub struct LogGuard {
    _worker: WorkerGuard,
    pub path: PathBuf,
}

/// Starts logging to `hookscope.log` in the state folder. Returns `None` (and logs nothing)
/// when that folder cannot be created: a missing log must not stop a capture session.
pub fn init() -> Option<LogGuard> {
    let dir = crate::paths::log_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(&dir, "hookscope.log");
    let (writer, worker) = tracing_appender::non_blocking(appender);
    let filter =
        EnvFilter::try_from_env("HOOKSCOPE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(LogGuard {
        _worker: worker,
        path: dir.join("hookscope.log"),
    })
}
