//! The catch-all route: read the request, commit it to the store, then answer.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use chrono::Utc;
use http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderName, HeaderValue, StatusCode};
use tokio::sync::broadcast;

use super::body_read::{BodyError, read_body};
use super::connections::Activity;
use super::header_case::HeaderCase;
use super::limits::ListenerLimits;
use super::wire_log::WireLog;
use crate::capture::{Capture, Header, truncate_to_micros};
use crate::replay::forward::{ForwardHandle, ReplyError};
use crate::replay::{Response as AppResponse, is_hop_by_hop};
use crate::store::WriterHandle;
use crate::units::format_bytes;

/// What the sender gets back for every captured request.
#[derive(Debug, Clone)]
pub struct ResponseConfig {
    pub status: StatusCode,
    /// Replaces the default `{"ok":true,"id":N}`; `{id}` in it becomes the capture id.
    pub body: Option<String>,
    /// Added to the response; a `Content-Type` here replaces the default one.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// How the names in `headers` are spelled on the wire (as the user wrote them); by
    /// default lower case, as `HeaderName` keeps them.
    pub header_case: HeaderCase,
    /// Wait this long after the capture is committed before answering.
    pub delay: Duration,
    /// The Content-Type the body gets unless a header replaces it: decided on the first
    /// response, not parsed again for every request.
    pub default_type: OnceLock<&'static str>,
}

impl ResponseConfig {
    fn default_type(&self) -> &'static str {
        self.default_type.get_or_init(|| match &self.body {
            // `{id}` always becomes a number, so `0` stands in for every id.
            Some(template) if !looks_like_json(&template.replace("{id}", "0")) => {
                "text/plain; charset=utf-8"
            }
            _ => "application/json",
        })
    }
}

impl Default for ResponseConfig {
    fn default() -> Self {
        Self {
            status: StatusCode::OK,
            body: None,
            headers: Vec::new(),
            header_case: HeaderCase::default(),
            delay: Duration::ZERO,
            default_type: OnceLock::new(),
        }
    }
}

/// A request hookscope answered without capturing it, so the user can be told why.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub peer: SocketAddr,
    /// `METHOD target`, when the request got far enough to have one.
    pub request: Option<String>,
    pub reason: String,
    /// A word about the listener itself (connections closed to make room), not about a
    /// request that was refused: shown without "not captured".
    pub notice: bool,
}

#[derive(Clone)]
pub struct ListenerState {
    pub writer: WriterHandle,
    pub response: Arc<ResponseConfig>,
    pub max_body: usize,
    pub rejections: broadcast::Sender<Rejection>,
    /// `--forward-to`: where each committed capture also goes.
    pub forward: Option<ForwardHandle>,
    /// `--require-auth`: what a request must carry to be answered as configured.
    pub auth: Option<Arc<crate::auth::AuthRule>>,
    /// How many headers, how large a head, how long a sender may pause, how many
    /// connections.
    pub limits: ListenerLimits,
}

/// Per-connection facts, placed in every request's extensions by the accept loop.
#[derive(Clone)]
pub struct ConnectionInfo {
    pub peer: SocketAddr,
    pub wire: Arc<WireLog>,
    pub activity: Arc<Activity>,
}

pub async fn capture_request(State(state): State<ListenerState>, request: Request) -> Response {
    let received_at = truncate_to_micros(Utc::now());
    let (parts, body) = request.into_parts();
    let Some(connection) = parts.extensions.get::<ConnectionInfo>().cloned() else {
        return plain_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "connection details missing",
        );
    };
    let head = connection.wire.take_head(parts.method.as_str(), &parts.uri);
    let reject = |status: StatusCode, reason: String| {
        connection.wire.abandon();
        let _ = state.rejections.send(Rejection {
            peer: connection.peer,
            request: Some(format!("{} {}", parts.method, parts.uri)),
            reason: reason.clone(),
            notice: false,
        });
        let mut response = plain_error(status, &reason);
        // What is left of this request on the connection is not worth reading.
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        response
    };

    let too_large = || {
        format!(
            "the request body is larger than hookscope's {} limit (raise it with --max-body)",
            format_bytes(state.max_body as u64)
        )
    };
    let declared_len = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared_len.is_some_and(|len| len > state.max_body as u64) {
        return reject(StatusCode::PAYLOAD_TOO_LARGE, too_large());
    }
    let idle = state.limits.body_idle_timeout;
    let body = match read_body(body, state.max_body, idle, declared_len).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => return reject(StatusCode::PAYLOAD_TOO_LARGE, too_large()),
        Err(error) => return reject(error.status(), error.reason()),
    };
    // From here on the request is hookscope's to store and answer: the connection is not
    // one to close for room.
    let _busy = connection.activity.busy();

    let (uri, headers) = match head {
        Some(head) => {
            connection.wire.finish(&head);
            (head.target, head.headers)
        }
        None => (parts.uri.to_string(), headers_from_map(&parts.headers)),
    };
    // Captured all the same: what a misconfigured sender sent is what the user debugs.
    let refused_by = state.auth.as_deref().filter(|rule| !rule.admits(&headers));
    let capture = Capture {
        id: 0,
        received_at,
        peer: connection.peer.to_string(),
        method: parts.method.to_string(),
        uri,
        version: format!("{:?}", parts.version),
        headers,
        body,
        response_status: match refused_by {
            Some(_) => StatusCode::UNAUTHORIZED.as_u16(),
            None => state.response.status.as_u16(),
        },
        unauthenticated: refused_by.is_some(),
        // Analysed by the store's analyser, off the path the reply waits on.
        verdict: None,
    };
    // Forwarding needs the capture after the store has it; only then is it kept. A
    // request without the credentials is not passed on to the app.
    let forward = state.forward.as_ref().filter(|_| refused_by.is_none());
    let kept = forward.map(|_| capture.clone());
    match state.writer.insert(capture).await {
        Ok(id) if let Some(rule) = refused_by => unauthorized(rule, id),
        Ok(id) => {
            let mut reply = None;
            if let (Some(forward), Some(mut capture)) = (forward, kept) {
                capture.id = id;
                reply = forward_committed(forward, capture).await;
            }
            if !state.response.delay.is_zero() {
                tokio::time::sleep(state.response.delay).await;
            }
            match reply {
                Some(reply) => reply,
                None => configured_response(&state.response, id).await,
            }
        }
        Err(error) => reject(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("hookscope could not store this request: {error}"),
        ),
    }
}

/// Hands a committed capture to the forwarder. With `--forward-reply`, waits for the first
/// matching app's answer and returns it for the sender (or a 502 saying why there is none).
async fn forward_committed(forward: &ForwardHandle, capture: Capture) -> Option<Response> {
    if !forward.replies() {
        forward.submit(Arc::new(capture), false);
        return None;
    }
    let reply = match forward.exchange_first(&capture).await {
        Ok(response) => Some(relayed(response)),
        Err(ReplyError::NoRoute) => None,
        Err(ReplyError::Failed(why)) => Some(plain_error(
            StatusCode::BAD_GATEWAY,
            &format!("hookscope stored this request but could not forward it: {why}"),
        )),
    };
    forward.submit(Arc::new(capture), reply.is_some());
    reply
}

/// The app's response as the original sender gets it: its status, headers (less those
/// about its own connection and length) and body.
fn relayed(app: AppResponse) -> Response {
    let mut response = Response::new(Body::from(app.body));
    *response.status_mut() = StatusCode::from_u16(app.status).unwrap_or(StatusCode::BAD_GATEWAY);
    for header in &app.headers {
        if is_hop_by_hop(&header.name) || header.name.eq_ignore_ascii_case("content-length") {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(header.name.as_str()),
            HeaderValue::from_bytes(&header.value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

async fn configured_response(config: &ResponseConfig, id: i64) -> Response {
    let body = match &config.body {
        Some(template) => template.replace("{id}", &id.to_string()),
        None => format!(r#"{{"ok":true,"id":{id}}}"#),
    };
    let default_type = config.default_type();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = config.status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(default_type));
    let mut replaced = Vec::new();
    for (name, value) in &config.headers {
        // The first configured value of a name replaces the default; further ones add to it.
        if replaced.contains(name) {
            headers.append(name.clone(), value.clone());
        } else {
            headers.insert(name.clone(), value.clone());
            replaced.push(name.clone());
        }
    }
    if let Some(case) = config.header_case.extensions().await {
        response.extensions_mut().extend(case.clone());
    }
    response
}

/// The 401 for a request without the `--require-auth` credentials: what was missing (never
/// the expected value), the capture's id, and the challenge where the scheme has one.
fn unauthorized(rule: &crate::auth::AuthRule, id: crate::capture::CaptureId) -> Response {
    let body = serde_json::json!({"ok": false, "error": rule.refusal(), "id": id});
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(challenge) = rule.challenge() {
        headers.insert(
            http::header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
    }
    response
}

fn plain_error(status: StatusCode, message: &str) -> Response {
    let mut response = Response::new(Body::from(super::error_reply::body(message)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn looks_like_json(text: &str) -> bool {
    matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'['))
        && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

/// Used only when the wire bytes could not be matched: names come lowercased from hyper.
fn headers_from_map(map: &http::HeaderMap) -> Vec<Header> {
    map.iter()
        .map(|(name, value)| Header::new(name.as_str(), value.as_bytes()))
        .collect()
}
