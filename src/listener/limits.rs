//! What a sender may do before hookscope stops reading its request: how many headers, how
//! large a head, how long a head or a pause in a body may take, and how many connections may
//! be open at once.

use std::time::Duration;

/// hyper's own default, which was the limit before it was an option.
pub const DEFAULT_MAX_HEADERS: usize = 100;
/// hyper's default read buffer (8 KiB + 100 × 4 KiB = 408 KiB) was what bounded a head
/// before this was an option: a head that filled it was answered 431.
pub const DEFAULT_MAX_HEADER_BYTES: usize = 8192 + 4096 * 100;
/// A sender that opens a connection and never finishes its head is dropped after this.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(30);
/// A body that stops arriving for this long is answered 408, like a head that never ends.
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// The most hyper reads of a request target (it answers 414 beyond that).
pub const MAX_TARGET_BYTES: usize = u16::MAX as usize - 1;

/// Files hookscope needs besides its connections: the store and its WAL, segment files,
/// the log, the terminal, forwarding and replay sockets.
const FILE_HEADROOM: u64 = 64;
/// Beyond this many connections the machine, not the file limit, is what gives out.
const MOST_CONNECTIONS: usize = 16_384;

/// The listener's limits; [`Default`] is what `hookscope listen` uses unless told otherwise.
#[derive(Debug, Clone)]
pub struct ListenerLimits {
    /// More headers than this are answered 431 (`--max-headers`).
    pub max_headers: usize,
    /// A head (request line and headers) larger than this is answered 431
    /// (`--max-header-bytes`).
    pub max_header_bytes: usize,
    /// The whole head must arrive within this, counted from the connection opening or from
    /// the previous response: it is also what closes an idle keep-alive connection.
    pub head_timeout: Duration,
    /// The longest pause between two pieces of a body before it is answered 408.
    pub body_idle_timeout: Duration,
    /// The most connections open at once; `None`: just below the open-file limit, which is
    /// first raised as far as the system allows.
    pub max_connections: Option<usize>,
}

impl Default for ListenerLimits {
    fn default() -> Self {
        Self {
            max_headers: DEFAULT_MAX_HEADERS,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            head_timeout: HEAD_TIMEOUT,
            body_idle_timeout: BODY_IDLE_TIMEOUT,
            max_connections: None,
        }
    }
}

impl ListenerLimits {
    /// The connection cap to serve with. Without one set, raises the soft open-file limit
    /// towards the hard one and keeps enough files free for everything but connections.
    pub fn raise_file_limit_for_connections(&self) -> usize {
        if let Some(cap) = self.max_connections {
            return cap.max(1);
        }
        let Some(files) = raise_open_file_limit() else {
            tracing::debug!("the open-file limit is unknown; at most 1,024 connections at once");
            return 1024;
        };
        let cap = cap_below(files);
        tracing::debug!(
            open_files = files,
            cap,
            "connections capped below the open-file limit"
        );
        cap
    }
}

/// `30 s`, `300 ms`, `1.5 s`.
pub fn short_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis < 1000 {
        format!("{millis} ms")
    } else if millis.is_multiple_of(1000) {
        format!("{} s", millis / 1000)
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}

/// Connections allowed under a limit of `files` open files.
fn cap_below(files: u64) -> usize {
    let cap = if files > 2 * FILE_HEADROOM {
        files - FILE_HEADROOM
    } else {
        files / 2
    };
    usize::try_from(cap)
        .unwrap_or(MOST_CONNECTIONS)
        .clamp(1, MOST_CONNECTIONS)
}

/// Raises the soft `RLIMIT_NOFILE` towards the hard limit, as far as the cap can use;
/// returns the soft limit in force afterwards.
#[cfg(unix)]
// `rlim_t` is `u64` on Linux and macOS, but not on every Unix.
#[allow(clippy::unnecessary_cast)]
fn raise_open_file_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return None;
    }
    let before = limit.rlim_cur;
    let wanted = (MOST_CONNECTIONS as u64 + FILE_HEADROOM) as libc::rlim_t;
    let target = if limit.rlim_max == libc::RLIM_INFINITY {
        wanted
    } else {
        limit.rlim_max.min(wanted)
    };
    if before != libc::RLIM_INFINITY && target > before {
        limit.rlim_cur = target;
        // SAFETY: setrlimit only reads the struct it is given.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } == 0 {
            tracing::debug!(from = before, to = target, "raised the open-file limit");
            return Some(target as u64);
        }
        let error = std::io::Error::last_os_error();
        tracing::debug!(%error, limit = before, "could not raise the open-file limit");
    }
    Some(before as u64)
}

#[cfg(not(unix))]
fn raise_open_file_limit() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_room_for_the_store_and_the_terminal() {
        assert_eq!(cap_below(1024), 960);
        assert_eq!(cap_below(100), 50);
        assert_eq!(cap_below(1), 1);
        assert_eq!(cap_below(1 << 20), MOST_CONNECTIONS);
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(short_duration(Duration::from_secs(30)), "30 s");
        assert_eq!(short_duration(Duration::from_millis(300)), "300 ms");
        assert_eq!(short_duration(Duration::from_millis(1500)), "1.5 s");
    }

    #[cfg(unix)]
    #[test]
    #[allow(clippy::unnecessary_cast)]
    fn raising_the_limit_never_lowers_it() {
        let Some(after) = raise_open_file_limit() else {
            return;
        };
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        assert_eq!(
            unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
            0
        );
        assert_eq!(limit.rlim_cur as u64, after);
        assert!(ListenerLimits::default().raise_file_limit_for_connections() <= MOST_CONNECTIONS);
    }
}
