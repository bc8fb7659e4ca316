//! The embedded HTTP listener: accepts any method on any path and captures it.

mod body_read;
mod connection;
mod connections;
mod error_reply;
mod handler;
mod head_check;
mod header_case;
mod limits;
mod stream;
mod wire_log;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

use connections::Connections;
use handler::{ConnectionInfo, capture_request};
pub use handler::{ListenerState, Rejection, ResponseConfig};
use head_check::HeadLimits;
pub use header_case::HeaderCase;
pub use limits::{
    BODY_IDLE_TIMEOUT, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_HEADERS, HEAD_TIMEOUT, ListenerLimits,
};
use stream::RecordingStream;
use wire_log::WireLog;

/// How long shutdown waits for requests in flight to be answered.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error("{0} is already in use (is another hookscope running?); choose another address with --listen, e.g. --listen 127.0.0.1:{port}", port = next_port(.0))]
    InUse(SocketAddr),
    #[error(
        "no permission to listen on {0}; ports below 1024 need privileges, choose another with --listen"
    )]
    Denied(SocketAddr),
    #[error("{0} is not an address of this machine; choose another with --listen")]
    Unavailable(SocketAddr),
    #[error("cannot listen on {0}: {1}")]
    Other(SocketAddr, std::io::Error),
}

fn next_port(addr: &SocketAddr) -> u16 {
    addr.port().checked_add(1).unwrap_or(9876)
}

/// A bound socket, not yet serving. Binding first lets a busy port be reported before
/// anything else starts.
pub struct Listener {
    tcp: TcpListener,
    addr: SocketAddr,
    drain_timeout: Duration,
}

impl Listener {
    pub async fn bind(addr: SocketAddr) -> Result<Self, BindError> {
        let tcp = TcpListener::bind(addr).await.map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => BindError::InUse(addr),
            std::io::ErrorKind::PermissionDenied => BindError::Denied(addr),
            std::io::ErrorKind::AddrNotAvailable => BindError::Unavailable(addr),
            _ => BindError::Other(addr, e),
        })?;
        let addr = tcp.local_addr().map_err(|e| BindError::Other(addr, e))?;
        Ok(Self {
            tcp,
            addr,
            drain_timeout: DRAIN_TIMEOUT,
        })
    }

    /// How long shutdown waits for open connections before closing them (default 10 s).
    pub fn with_drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// The address actually bound (the real port when port 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `shutdown` resolves, then stops accepting and waits (up to a limit) for
    /// the requests in flight to be committed and answered.
    pub async fn serve(self, state: ListenerState, shutdown: impl Future<Output = ()>) {
        let limits = state.limits.clone();
        let rejections = state.rejections.clone();
        let router = Router::new().fallback(capture_request).with_state(state);
        let http = http1_builder(&limits);
        let head_limits = HeadLimits {
            max_headers: limits.max_headers,
            max_header_bytes: limits.max_header_bytes,
        };
        let open = Connections::new(
            limits.raise_file_limit_for_connections(),
            rejections.clone(),
        );
        let (drain, draining) = watch::channel(false);
        // Connection tasks hold the writer (through the router): they are kept here so the
        // ones still open when the drain time is up can be ended, letting the store close.
        let mut connections = tokio::task::JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            while connections.try_join_next().is_some() {}
            let (stream, peer) = tokio::select! {
                accepted = self.tcp.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: wait a moment rather than spin.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            // At the cap, the connection idle the longest goes first.
            tokio::select! {
                () = open.make_room() => {}
                () = &mut shutdown => break,
            }
            let _ = stream.set_nodelay(true);
            let tracked = open.track(peer);
            let wire = Arc::new(WireLog::new(head_limits));
            let info = ConnectionInfo {
                peer,
                wire: wire.clone(),
                activity: tracked.activity.clone(),
            };
            let router = router.clone();
            let service =
                hyper::service::service_fn(move |mut request: http::Request<Incoming>| {
                    request.extensions_mut().insert(info.clone());
                    router.clone().oneshot(request)
                });
            let stream = RecordingStream::new(stream, wire.clone(), tracked.activity.clone());
            let served = http.serve_connection(TokioIo::new(stream), service);
            connections.spawn(connection::drive(
                served,
                connection::Watched {
                    peer,
                    wire,
                    tracked,
                    draining: draining.clone(),
                    rejections: rejections.clone(),
                    limits: limits.clone(),
                },
            ));
        }
        drop(self.tcp);
        let _ = drain.send(true);
        let drained = tokio::time::timeout(self.drain_timeout, async {
            while connections.join_next().await.is_some() {}
        });
        if drained.await.is_err() {
            tracing::warn!(
                "some connections were still open after {:?}; closing them",
                self.drain_timeout
            );
        }
        connections.abort_all();
        while connections.join_next().await.is_some() {}
    }
}

/// hyper's connection settings, from the limits.
fn http1_builder(limits: &ListenerLimits) -> http1::Builder {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        // hyper restarts this when a response is written, so it also closes a keep-alive
        // connection that sends nothing more.
        .header_read_timeout(limits.head_timeout)
        // A sender that shuts its side after a complete request still reads the answer.
        .half_close(true)
        // The same limits the wire log checks first; hyper's are what remains if a head gets
        // past it (one pipelined behind another request).
        .max_header_size(limits.max_header_bytes)
        // What makes hyper write a response's names from its case map (`HeaderCase`).
        .preserve_header_case(true);
    if limits.max_headers != DEFAULT_MAX_HEADERS {
        // Any other number costs hyper a heap allocation per head, so only when asked for.
        http.max_headers(limits.max_headers);
    }
    if limits.max_header_bytes > DEFAULT_MAX_HEADER_BYTES {
        // A head has to fit in hyper's read buffer too.
        http.max_buf_size(limits.max_header_bytes);
    }
    http
}
