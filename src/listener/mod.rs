//! The embedded HTTP listener: accepts any method on any path and captures it.

mod handler;
mod header_case;
mod wire_log;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tower::ServiceExt;

use handler::{ConnectionInfo, capture_request};
pub use handler::{ListenerState, Rejection, ResponseConfig};
pub use header_case::HeaderCase;
use wire_log::{RecordingStream, WireLog};

/// How long shutdown waits for requests in flight to be answered.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// A sender that opens a connection and never finishes its head is dropped after this.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

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

/// A sender whose request hyper could not parse was answered 400 (or 431) and never reached
/// the handler; say so, since "my webhook never shows up" is exactly what people debug.
/// Connections that were idle or closed early are not worth a word.
fn report_connection_error(
    rejections: &broadcast::Sender<Rejection>,
    peer: SocketAddr,
    error: &hyper::Error,
) {
    tracing::debug!(%peer, %error, "connection ended with an error");
    if !error.is_parse() && !error.is_parse_too_large() {
        return;
    }
    let reason = if error.is_parse_too_large() {
        "the request head (request line and headers) is too large".to_owned()
    } else {
        format!("not a valid HTTP/1 request ({error}); it was answered 400")
    };
    let _ = rejections.send(Rejection {
        peer,
        request: None,
        reason,
    });
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
        let rejections = state.rejections.clone();
        let router = Router::new().fallback(capture_request).with_state(state);
        let graceful = GracefulShutdown::new();
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            // What makes hyper write a response's names from its case map (`HeaderCase`).
            .preserve_header_case(true);
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
            let _ = stream.set_nodelay(true);
            let wire = Arc::new(WireLog::default());
            let info = ConnectionInfo {
                peer,
                wire: wire.clone(),
            };
            let router = router.clone();
            let service =
                hyper::service::service_fn(move |mut request: http::Request<Incoming>| {
                    request.extensions_mut().insert(info.clone());
                    router.clone().oneshot(request)
                });
            let connection =
                http.serve_connection(TokioIo::new(RecordingStream::new(stream, wire)), service);
            let connection = graceful.watch(connection);
            let rejections = rejections.clone();
            connections.spawn(async move {
                if let Err(error) = connection.await {
                    report_connection_error(&rejections, peer, &error);
                }
            });
        }
        drop(self.tcp);
        if tokio::time::timeout(self.drain_timeout, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!(
                "some connections were still open after {:?}; closing them",
                self.drain_timeout
            );
        }
        connections.abort_all();
        while connections.join_next().await.is_some() {}
    }
}
