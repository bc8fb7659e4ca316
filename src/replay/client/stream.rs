//! One connection to a server, plain or TLS, with the bytes read but not used yet.

use std::io;

use bytes::BytesMut;
use futures_util::FutureExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// How much room each read asks for.
const READ_CHUNK: usize = 64 * 1024;

pub(super) enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

pub(super) struct Connection {
    stream: Stream,
    /// Read from the socket, not yet consumed by the response reader.
    pub(super) buffer: BytesMut,
}

impl Connection {
    pub(super) fn new(stream: Stream) -> Self {
        Self {
            stream,
            buffer: BytesMut::new(),
        }
    }

    pub(super) async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.stream {
            Stream::Plain(tcp) => tcp.write_all(bytes).await,
            Stream::Tls(tls) => {
                tls.write_all(bytes).await?;
                // rustls holds the last records until flushed.
                tls.flush().await
            }
        }
    }

    /// Whether an idle connection is still open and has said nothing since its last
    /// answer. A server may close it, or even write an unasked-for `408` before closing:
    /// either would be mistaken for the answer to the next request.
    pub(super) fn is_quiet(&mut self) -> bool {
        // One poll without waiting: pending means nothing arrived, not even an EOF.
        self.buffer.is_empty() && self.fill().now_or_never().is_none()
    }

    /// Reads more into `buffer`; 0 at the end of the stream.
    pub(super) async fn fill(&mut self) -> io::Result<usize> {
        self.buffer.reserve(READ_CHUNK);
        match &mut self.stream {
            Stream::Plain(tcp) => tcp.read_buf(&mut self.buffer).await,
            // Many servers close without a TLS close_notify; for a body read to the end
            // of the connection that is still the end.
            Stream::Tls(tls) => match tls.read_buf(&mut self.buffer).await {
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
                other => other,
            },
        }
    }
}
