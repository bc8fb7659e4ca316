//! Configured response header names sent in the case they were written (`X-Request-Id`),
//! not in hyper's lower case.
//!
//! hyper 1 writes a response's header names from a case map found in the response's
//! extensions, but the map's type is private (hyperium/hyper#2695): the one supported way to
//! get one is to let hyper parse a message with `preserve_header_case` on, as a proxy does.
//! So the names are written into a request head once, parsed by hyper's own HTTP/1 server,
//! and the parsed request's extensions are added to every configured response. Names not in
//! the map (`date`, a relayed app's headers) stay lower case.

use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use http::Extensions;
use http_body_util::Empty;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::AsyncWriteExt;
use tokio::sync::OnceCell;

/// Parsing a few header names in memory takes microseconds.
const PARSE_TIMEOUT: Duration = Duration::from_secs(1);

/// The spellings of the configured response header names, and hyper's case map for them
/// once the first response needs it.
#[derive(Debug, Clone, Default)]
pub struct HeaderCase {
    names: Vec<String>,
    parsed: OnceCell<Extensions>,
}

impl HeaderCase {
    /// One name per configured header, in order, as written (`X-A` twice for two `X-A`s);
    /// without one, a name goes out lower case.
    pub fn as_written<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        Self {
            names: names.into_iter().map(Into::into).collect(),
            parsed: OnceCell::new(),
        }
    }

    /// Extensions that make hyper write these names as written; empty when there are none,
    /// or when hyper did not take them (then they go out lower case, as before).
    pub async fn extensions(&self) -> Option<&Extensions> {
        if self.names.is_empty() {
            return None;
        }
        Some(self.parsed.get_or_init(|| parse(&self.names)).await)
    }
}

/// hyper's case map for `names`, in the extensions of a request head made of them.
async fn parse(names: &[String]) -> Extensions {
    let mut head = b"GET / HTTP/1.1\r\n".to_vec();
    // hyper would check framing headers' values; it frames responses itself anyway.
    let framing = ["content-length", "transfer-encoding"];
    let spelled: Vec<&String> = names
        .iter()
        .filter(|name| !framing.iter().any(|f| name.eq_ignore_ascii_case(f)))
        .collect();
    for name in &spelled {
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": x\r\n");
    }
    head.extend_from_slice(b"\r\n");
    // Room for the head and hyper's short answer, so neither side waits on the other.
    let (mut client, server) = tokio::io::duplex(head.len() + 4096);
    if client.write_all(&head).await.is_err() {
        return Extensions::new();
    }
    let parsed = Mutex::new(None);
    let service = hyper::service::service_fn(|request: http::Request<_>| {
        if let Ok(mut slot) = parsed.lock() {
            *slot = Some(request.extensions().clone());
        }
        async { Ok::<_, std::convert::Infallible>(http::Response::new(Empty::<Bytes>::new())) }
    });
    let mut http = http1::Builder::new();
    http.preserve_header_case(true)
        .keep_alive(false)
        .header_read_timeout(None)
        .max_headers(spelled.len() + 1);
    // A name hyper rejects only means the names go out lower case; the bound is a guard, as
    // every response would wait on this.
    let connection = http.serve_connection(TokioIo::new(server), service);
    let _ = tokio::time::timeout(PARSE_TIMEOUT, connection).await;
    drop(client);
    parsed
        .into_inner()
        .ok()
        .flatten()
        .unwrap_or_else(Extensions::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn no_names_add_nothing() {
        assert!(HeaderCase::default().extensions().await.is_none());
    }

    #[tokio::test]
    async fn names_hyper_rejects_fall_back_to_lower_case() {
        let case = HeaderCase::as_written(["Not A Name"]);
        let extensions = case.extensions().await.unwrap();
        assert!(extensions.is_empty());
    }

    #[tokio::test]
    async fn names_give_hyper_its_case_map() {
        let case = HeaderCase::as_written(["X-A", "Content-Length"]);
        let extensions = case.extensions().await.unwrap();
        assert!(!extensions.is_empty());
    }
}
