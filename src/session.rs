//! A capture session: bind, open the store, serve, and on the way out drain the
//! connections, finish forwarding and close the store. The interface and headless mode run
//! on the same session and leave it the same way, so every acknowledged capture is committed
//! whichever way hookscope was used.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use crate::listener::{BindError, Listener, ListenerState, Rejection, ResponseConfig};
use crate::logging::LogGuard;
use crate::replay::forward::{ForwardConfig, Forwarder};
use crate::store::{Store, StoreError, StoreLocation, StoreOptions};

/// Where hookscope listens unless told otherwise: this machine only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9876";

/// Everything a session is started with.
pub struct SessionConfig {
    pub listen: SocketAddr,
    /// `None`: a throwaway store, removed on exit.
    pub store: Option<PathBuf>,
    pub store_options: StoreOptions,
    pub response: ResponseConfig,
    pub max_body: usize,
    /// `--forward-to` targets; none: nothing is forwarded.
    pub forward: ForwardConfig,
    /// `--require-auth`: requests without these credentials are answered 401 (and captured).
    pub auth: Option<crate::auth::AuthRule>,
    /// `--max-headers`, `--max-header-bytes`, timeouts and the connection cap.
    pub limits: crate::listener::ListenerLimits,
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Bind(#[from] BindError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot start: {0}")]
    Start(String),
}

/// A bound listener and an open store, not serving yet.
pub struct Session {
    listener: Listener,
    store: Store,
    state: ListenerState,
    forwarder: Option<Forwarder>,
    log: Option<LogGuard>,
    /// Captures already in the store when the session started.
    pub existing: u64,
}

impl Session {
    /// Binds first, so a busy port is a plain message before anything else happens.
    pub async fn open(config: SessionConfig) -> Result<Self, SessionError> {
        let listener = Listener::bind(config.listen).await?;
        let location = match config.store {
            Some(path) => StoreLocation::file(path),
            None => StoreLocation::throwaway().map_err(|e| {
                SessionError::Start(format!("cannot create a temporary store: {e}"))
            })?,
        };
        let store = Store::open(location, config.store_options)?;
        let log = crate::logging::init();
        let existing = store.reader().lock().count()?;
        let (rejections, _) = broadcast::channel(256);
        let forwarder = Forwarder::start(config.forward, store.writer());
        let state = ListenerState {
            writer: store.writer(),
            response: Arc::new(config.response),
            max_body: config.max_body,
            rejections,
            forward: forwarder.as_ref().map(Forwarder::handle),
            auth: config.auth.map(Arc::new),
            limits: config.limits,
        };
        tracing::info!(addr = %listener.local_addr(), store = %store.path().display(), "listening");
        Ok(Self {
            listener,
            store,
            state,
            forwarder,
            log,
            existing,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn log_path(&self) -> Option<&std::path::Path> {
        self.log.as_ref().map(|l| l.path.as_path())
    }

    /// Requests answered without being captured (too large, unparseable), from now on.
    pub fn rejections(&self) -> broadcast::Receiver<Rejection> {
        self.state.rejections.subscribe()
    }

    /// Starts serving in the background, until [`Serving::shutdown`].
    pub fn serve(self) -> Serving {
        let Self {
            listener,
            store,
            state,
            forwarder,
            log,
            existing: _,
        } = self;
        let addr = listener.local_addr();
        let (quit, mut quit_rx) = watch::channel(false);
        let task = tokio::spawn(listener.serve(state, async move {
            let _ = quit_rx.wait_for(|quit| *quit).await;
        }));
        Serving {
            addr,
            task,
            quit,
            store,
            forwarder,
            _log: log,
        }
    }
}

/// A session that is serving.
pub struct Serving {
    addr: SocketAddr,
    task: JoinHandle<()>,
    quit: watch::Sender<bool>,
    store: Store,
    forwarder: Option<Forwarder>,
    _log: Option<LogGuard>,
}

impl Serving {
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Stops accepting, waits for the requests in flight to be answered, lets the
    /// forwarder record what it was sending, then commits every queued write and closes
    /// the store. Subscribers see the store's feed end after the last event.
    pub async fn shutdown(self) -> Result<(), SessionError> {
        let Self {
            addr: _,
            task,
            quit,
            store,
            forwarder,
            _log,
        } = self;
        let _ = quit.send(true);
        let _ = task.await;
        if let Some(forwarder) = forwarder {
            forwarder.finish().await;
        }
        tokio::task::spawn_blocking(move || store.close())
            .await
            .map_err(|e| SessionError::Start(format!("cannot close the store: {e}")))
    }
}

/// Resolves on Ctrl-C, SIGTERM, or when `also` resolves (headless: stdout went away; the
/// interface: the user quit).
pub async fn shutdown_requested(also: impl Future<Output = ()>) {
    ShutdownSignals::install().requested(also).await;
}

/// Ctrl-C and SIGTERM, caught from the moment this is made: a script that sends SIGTERM as
/// soon as the address line appears gets a clean stop, not the default of dying on it.
pub struct ShutdownSignals {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl ShutdownSignals {
    pub fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Self {
                interrupt: signal(SignalKind::interrupt()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        Self {}
    }

    /// Resolves on either signal, or when `also` resolves.
    pub async fn requested(self, also: impl Future<Output = ()>) {
        #[cfg(unix)]
        {
            let Self {
                interrupt,
                terminate,
            } = self;
            let wait = |signal: Option<tokio::signal::unix::Signal>| async move {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = wait(interrupt) => {}
                () = wait(terminate) => {}
                () = also => {}
            }
        }
        #[cfg(not(unix))]
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = also => {}
        }
    }
}
