//! The HTTP/1.1 client replay and forwarding send with: it writes the request's exact bytes
//! (client libraries lowercase, reorder or merge headers) and reads the answer itself.
//! Connections are kept alive and reused, since forwarding may send thousands a second.

mod error;
mod framing;
mod pool;
mod response;
mod stream;
mod tls;

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

pub use error::SendError;
pub use response::Response;

use super::{OutgoingRequest, Target};
use error::Failure;
use framing::Framing;
use pool::{Pool, ServerKey};
use stream::{Connection, Stream};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendOptions {
    /// Bounds the whole exchange: connect, write, response head and body.
    pub timeout: Duration,
    /// How much of a response body is kept; the rest is read and counted.
    pub max_response_body: usize,
    /// Accept any TLS certificate (a local app with a self-signed one), like `curl -k`.
    pub insecure: bool,
}

impl Default for SendOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            max_response_body: 1 << 20,
            insecure: false,
        }
    }
}

/// Sends requests and keeps their connections for the next ones. Cheap to clone; clones
/// share the connections.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

struct Inner {
    options: SendOptions,
    /// Built on the first https request (loading the system's roots takes a moment).
    tls: OnceLock<Result<TlsConnector, String>>,
    pool: Pool,
}

/// Where a request goes, as a pool key and as messages name it.
struct Server {
    key: ServerKey,
    /// `host:port`, IPv6 in brackets.
    label: String,
}

impl Server {
    fn of(target: &Target) -> Self {
        Self {
            key: ServerKey {
                https: target.is_https(),
                host: target.host_for_connect().to_owned(),
                port: target.port(),
            },
            label: format!("{}:{}", target.host(), target.port()),
        }
    }
}

impl Client {
    pub fn new(options: SendOptions) -> Self {
        Self {
            inner: Arc::new(Inner {
                options,
                tls: OnceLock::new(),
                pool: Pool::default(),
            }),
        }
    }

    pub fn options(&self) -> &SendOptions {
        &self.inner.options
    }

    /// Writes `request` to `target` and reads the answer, within the configured timeout. A
    /// request whose head cannot be written as it is ([`OutgoingRequest::check`]) is
    /// refused before connecting.
    pub async fn send(
        &self,
        target: &Target,
        request: &OutgoingRequest,
    ) -> Result<Response, SendError> {
        let started = Instant::now();
        let server = Server::of(target);
        let bytes = request.wire_bytes().map_err(|reason| SendError::NotSent {
            endpoint: server.label.clone(),
            reason,
        })?;
        let is_head = request.method.eq_ignore_ascii_case("HEAD");
        let timeout = self.inner.options.timeout;
        match tokio::time::timeout(timeout, self.exchange(&server, &bytes, is_head)).await {
            Ok(Ok(mut response)) => {
                response.elapsed = started.elapsed();
                Ok(response)
            }
            Ok(Err(error)) => Err(error),
            Err(_) => Err(SendError::Timeout {
                endpoint: server.label,
                timeout,
            }),
        }
    }

    async fn exchange(
        &self,
        server: &Server,
        bytes: &[u8],
        is_head: bool,
    ) -> Result<Response, SendError> {
        if let Some(idle) = self.idle_connection(&server.key) {
            match self.attempt(idle, server, bytes, is_head).await {
                // The server closed the idle connection in the meantime: nothing was
                // answered, so a fresh connection gets the request once more.
                Err(Failure::Unanswered(_)) => {}
                result => return result.map_err(|f| f.into_send_error(&server.label)),
            }
        }
        let fresh = self.connect(server).await?;
        self.attempt(fresh, server, bytes, is_head)
            .await
            .map_err(|f| f.into_send_error(&server.label))
    }

    /// A pooled connection that still looks usable; the others are dropped.
    fn idle_connection(&self, key: &ServerKey) -> Option<Connection> {
        while let Some(mut idle) = self.inner.pool.take(key) {
            if idle.is_quiet() {
                return Some(idle);
            }
        }
        None
    }

    async fn attempt(
        &self,
        mut connection: Connection,
        server: &Server,
        bytes: &[u8],
        is_head: bool,
    ) -> Result<Response, Failure> {
        connection
            .write_all(bytes)
            .await
            .map_err(|e| Failure::Unanswered(Some(e)))?;
        let head = response::read_head(&mut connection).await?;
        let framing = Framing::of(&head, is_head)?;
        let limit = self.inner.options.max_response_body;
        let (body, body_size) = framing::read_body(&mut connection, framing, limit).await?;
        // Left-over bytes would be read as the next answer.
        if framing::keeps_alive(&head, framing) && connection.buffer.is_empty() {
            self.inner.pool.give_back(&server.key, connection);
        }
        Ok(Response {
            version: head.version,
            status: head.status,
            reason: head.reason,
            headers: head.headers,
            body,
            body_size,
            elapsed: Duration::ZERO,
        })
    }

    async fn connect(&self, server: &Server) -> Result<Connection, SendError> {
        let tcp = connect_tcp(server).await?;
        // Requests are written whole; do not hold back the last segment.
        let _ = tcp.set_nodelay(true);
        if !server.key.https {
            return Ok(Connection::new(Stream::Plain(tcp)));
        }
        let host = &server.key.host;
        let tls_error = |detail: String| SendError::Tls {
            host: host.clone(),
            detail,
        };
        let connector = self
            .inner
            .tls
            .get_or_init(|| tls::connector(self.inner.options.insecure))
            .as_ref()
            .map_err(|detail| tls_error(detail.clone()))?;
        let name = tls::server_name(host).map_err(tls_error)?;
        let stream = connector
            .connect(name, tcp)
            .await
            .map_err(|e| tls_error(tls::handshake_failure(&e)))?;
        Ok(Connection::new(Stream::Tls(Box::new(stream))))
    }
}

/// Tries each address the host resolves to, in order.
async fn connect_tcp(server: &Server) -> Result<TcpStream, SendError> {
    let host = server.key.host.as_str();
    let dns_error = || SendError::Dns {
        host: host.to_owned(),
    };
    let addresses = tokio::net::lookup_host((host, server.key.port))
        .await
        .map_err(|_| dns_error())?;
    let mut last_error = None;
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(tcp) => return Ok(tcp),
            Err(e) => last_error = Some(e),
        }
    }
    let endpoint = server.label.clone();
    Err(match last_error {
        None => dns_error(),
        Some(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            SendError::Refused { endpoint }
        }
        Some(e) => SendError::Io {
            endpoint,
            detail: e.to_string(),
        },
    })
}
