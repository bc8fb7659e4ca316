//! Idle keep-alive connections, kept per server so the next request skips the handshake.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use super::stream::Connection;

/// Enough for a busy forward to one app; more would only hold sockets open.
const MAX_IDLE_PER_SERVER: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct ServerKey {
    pub(super) https: bool,
    /// As a socket address takes it: IPv6 without brackets.
    pub(super) host: String,
    pub(super) port: u16,
}

#[derive(Default)]
pub(super) struct Pool {
    idle: Mutex<HashMap<ServerKey, Vec<Connection>>>,
}

impl Pool {
    /// The most recently used idle connection: the likeliest to be still open.
    pub(super) fn take(&self, key: &ServerKey) -> Option<Connection> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        idle.get_mut(key)?.pop()
    }

    pub(super) fn give_back(&self, key: &ServerKey, connection: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let connections = idle.entry(key.clone()).or_default();
        if connections.len() < MAX_IDLE_PER_SERVER {
            connections.push(connection);
        }
    }
}
