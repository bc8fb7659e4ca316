//! One connection's task: serves it until it ends, drains it on shutdown, closes it when
//! told to make room, and then says what went wrong, if anything did.

use std::net::SocketAddr;
use std::sync::Arc;

use hyper_util::server::graceful::GracefulConnection;
use tokio::sync::{broadcast, watch};

use super::Rejection;
use super::connections::Tracked;
use super::limits::{ListenerLimits, short_duration};
use super::wire_log::WireLog;
use crate::units::group_digits;

/// What the task keeps beside the connection.
pub struct Watched {
    pub peer: SocketAddr,
    pub wire: Arc<WireLog>,
    /// Its entry in the open connections, ended when the task ends (or is aborted).
    pub tracked: Tracked,
    /// Becomes true on shutdown: finish the request in flight, then close.
    pub draining: watch::Receiver<bool>,
    pub rejections: broadcast::Sender<Rejection>,
    pub limits: ListenerLimits,
}

pub async fn drive<C>(connection: C, mut watched: Watched)
where
    C: GracefulConnection<Error = hyper::Error>,
{
    tokio::pin!(connection);
    let close = watched.tracked.close.clone();
    let mut draining = *watched.draining.borrow();
    if draining {
        connection.as_mut().graceful_shutdown();
    }
    let ended = loop {
        tokio::select! {
            ended = connection.as_mut() => break ended,
            _ = watched.draining.changed(), if !draining => {
                draining = true;
                connection.as_mut().graceful_shutdown();
            }
            // Closed for room: counted in the episode, not reported one by one.
            () = close.notified() => return,
        }
    };
    let report = |request: Option<String>, reason: String| {
        let _ = watched.rejections.send(Rejection {
            peer: watched.peer,
            request,
            reason,
            notice: false,
        });
    };
    if let Some(refusal) = watched.wire.take_refusal() {
        report(refusal.request, refusal.reason);
    } else if let Err(error) = ended {
        tracing::debug!(peer = %watched.peer, %error, "connection ended with an error");
        if let Some((request, reason)) = explain(&error, &watched.wire, &watched.limits) {
            report(request, reason);
        }
    }
}

/// Why a connection ended without its request reaching the handler, when that is worth
/// telling: "my webhook never shows up" is exactly what people debug. Connections that
/// were idle or closed between requests are not worth a word.
fn explain(
    error: &hyper::Error,
    wire: &WireLog,
    limits: &ListenerLimits,
) -> Option<(Option<String>, String)> {
    let unfinished = wire.unfinished_len();
    if error.is_parse_version_h2() {
        return Some((
            None,
            "the connection sent the HTTP/2 prior-knowledge preface after a request; \
             hookscope speaks HTTP/1.1 only and closed it without an answer"
                .to_owned(),
        ));
    }
    if error.is_parse_too_large() {
        // hyper found it first, so the answer was its bare 431 (or 414).
        return Some(match wire.limit_broken_at_front() {
            Some(refusal) => (refusal.request, refusal.reason),
            None => (None, head_limits_text(limits)),
        });
    }
    if error.is_parse() {
        return Some((
            None,
            format!("not a valid HTTP/1 request ({error}); it was answered 400"),
        ));
    }
    if unfinished == 0 {
        return None;
    }
    let bytes = group_digits(unfinished as u64);
    if error.is_timeout() {
        return Some((
            None,
            format!(
                "the request head was not complete after {} ({bytes} bytes arrived); the \
                 connection was closed",
                short_duration(limits.head_timeout)
            ),
        ));
    }
    if error.is_incomplete_message() {
        return Some((
            None,
            format!(
                "the sender closed its side after {bytes} bytes of the request head; nothing \
                 was stored"
            ),
        ));
    }
    None
}

fn head_limits_text(limits: &ListenerLimits) -> String {
    format!(
        "the request head is larger than {} bytes or has more than {} headers (raise them \
         with --max-header-bytes and --max-headers); it was answered 431",
        group_digits(limits.max_header_bytes as u64),
        group_digits(limits.max_headers as u64)
    )
}
