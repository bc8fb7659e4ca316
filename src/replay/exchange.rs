//! One request out and its response back, as an [`Attempt`] ready to store: what replay
//! (the interface, `hookscope replay`) and forwarding all do.

use bytes::Bytes;
use chrono::Utc;

use super::{Client, OutgoingRequest, Response, SendError, Target};
use crate::attempt::{Attempt, AttemptKind, AttemptResponse};
use crate::capture::CaptureId;

/// Sends `request` to `target` and describes what happened. Never fails: a refused
/// connection or a timeout is an attempt with an error, and so is a request the client
/// refused to write ([`SendError::NotSent`]), recorded with nothing sent and the target
/// without the request's own path (which is what was refused).
pub async fn exchange(
    client: &Client,
    kind: AttemptKind,
    capture_id: CaptureId,
    target: &Target,
    request: &OutgoingRequest,
) -> (Attempt, Option<Response>) {
    let started_at = Utc::now();
    let clock = std::time::Instant::now();
    let result = client.send(target, request).await;
    let (url, sent) = match &result {
        Err(SendError::NotSent { .. }) => (target.to_string(), Bytes::new()),
        _ => (
            target.url_for_request(&request.target),
            request.to_bytes().into(),
        ),
    };
    let mut attempt = Attempt {
        id: 0,
        capture_id,
        kind,
        target: url,
        request: sent,
        started_at,
        elapsed: clock.elapsed(),
        response: None,
        error: None,
    };
    match result {
        Ok(response) => {
            attempt.elapsed = response.elapsed;
            attempt.response = Some(AttemptResponse {
                status: response.status,
                reason: response.reason.clone(),
                headers: response.headers.clone(),
                body: response.body.clone(),
                body_size: response.body_size,
            });
            (attempt, Some(response))
        }
        Err(error) => {
            attempt.error = Some(error.to_string());
            (attempt, None)
        }
    }
}

/// [`exchange`] for a request that may not have been made ready (`--resign` without a
/// secret): one that was not is recorded as not sent, saying why.
pub async fn exchange_prepared(
    client: &Client,
    kind: AttemptKind,
    capture_id: CaptureId,
    target: &Target,
    prepared: Result<OutgoingRequest, String>,
) -> (Attempt, Option<Response>) {
    match prepared {
        Ok(request) => exchange(client, kind, capture_id, target, &request).await,
        Err(why) => (not_sent(kind, capture_id, target, why), None),
    }
}

/// An attempt that never went out (the queue to a slow app was full, hookscope stopped).
pub fn not_sent(
    kind: AttemptKind,
    capture_id: CaptureId,
    target: &Target,
    reason: impl Into<String>,
) -> Attempt {
    Attempt {
        id: 0,
        capture_id,
        kind,
        target: target.to_string(),
        request: Bytes::new(),
        started_at: Utc::now(),
        elapsed: std::time::Duration::ZERO,
        response: None,
        error: Some(reason.into()),
    }
}
