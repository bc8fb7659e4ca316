//! Forward mode (`--forward-to`): every captured webhook also goes, exactly as it arrived,
//! to the developer's own app. The capture is committed first, and forwarding never holds
//! up the listener: each target has a bounded queue and a few senders; when the app is
//! slow or down and its queue is full, the webhook is recorded as not forwarded instead of
//! piling up in memory. Every outcome is stored as an attempt of the capture.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinSet;

use super::exchange::{exchange_prepared, not_sent};
use super::{Client, Response, SendOptions, Target, resign};
use crate::attempt::AttemptKind;
use crate::capture::Capture;
use crate::filter::{Candidate, Filter};
use crate::store::WriterHandle;

/// Webhooks waiting for one target's senders by default; past this they are not forwarded.
pub const QUEUE: usize = 8192;
/// Requests in flight to one target at once.
const SENDERS: usize = 8;

/// One `--forward-to`.
#[derive(Debug, Clone)]
pub struct ForwardRoute {
    pub target: Target,
    pub filter: Filter,
    /// As the user typed it, for the header; empty: everything.
    pub filter_text: String,
}

#[derive(Debug, Clone)]
pub struct ForwardConfig {
    pub routes: Vec<ForwardRoute>,
    pub timeout: Duration,
    /// Answer the sender with the first matching target's response.
    pub reply: bool,
    /// Webhooks that may wait for one target; past this they are recorded as not forwarded.
    pub queue: usize,
    /// Accept any TLS certificate (a local app with a self-signed one).
    pub insecure: bool,
    /// Sign each webhook afresh for its vendor (`--resign`).
    pub resign: bool,
}

impl Default for ForwardConfig {
    fn default() -> Self {
        Self {
            routes: Vec::new(),
            timeout: Duration::from_secs(10),
            reply: false,
            queue: QUEUE,
            insecure: false,
            resign: false,
        }
    }
}

/// The running forwarder: its senders, and how the listener reaches them.
pub struct Forwarder {
    handle: ForwardHandle,
    senders: JoinSet<()>,
    stopping: Arc<AtomicBool>,
    timeout: Duration,
}

struct Route {
    config: ForwardRoute,
    queue: mpsc::Sender<Arc<Capture>>,
}

/// What the listener holds: cheap to clone.
#[derive(Clone)]
pub struct ForwardHandle {
    routes: Arc<[Route]>,
    client: Client,
    writer: WriterHandle,
    reply: bool,
    resign: bool,
}

/// Why the sender got no response of the app's, with `--forward-reply`.
pub enum ReplyError {
    /// No target's filter matches this webhook: it is answered as usual.
    NoRoute,
    /// The app did not answer: the message says why.
    Failed(String),
}

impl Forwarder {
    /// Starts the senders; `None` without any `--forward-to`.
    pub fn start(config: ForwardConfig, writer: WriterHandle) -> Option<Self> {
        if config.routes.is_empty() {
            return None;
        }
        let client = Client::new(SendOptions {
            timeout: config.timeout,
            insecure: config.insecure,
            ..SendOptions::default()
        });
        let stopping = Arc::new(AtomicBool::new(false));
        let mut senders = JoinSet::new();
        let mut routes = Vec::with_capacity(config.routes.len());
        for route in config.routes {
            let (queue, incoming) = mpsc::channel(config.queue.max(1));
            let incoming = Arc::new(Mutex::new(incoming));
            for _ in 0..SENDERS {
                senders.spawn(send_queued(
                    route.clone(),
                    incoming.clone(),
                    client.clone(),
                    writer.clone(),
                    stopping.clone(),
                    config.resign,
                ));
            }
            routes.push(Route {
                config: route,
                queue,
            });
        }
        let handle = ForwardHandle {
            routes: routes.into(),
            client,
            writer,
            reply: config.reply,
            resign: config.resign,
        };
        Some(Self {
            handle,
            senders,
            stopping,
            timeout: config.timeout,
        })
    }

    pub fn handle(&self) -> ForwardHandle {
        self.handle.clone()
    }

    /// Once the listener has stopped: what is being sent finishes (each send is bounded by
    /// the timeout) and is recorded; what is still queued is recorded as not forwarded.
    pub async fn finish(self) {
        let Self {
            handle,
            mut senders,
            stopping,
            timeout,
        } = self;
        stopping.store(true, Ordering::Release);
        drop(handle);
        let drained = tokio::time::timeout(timeout + Duration::from_secs(1), async {
            while senders.join_next().await.is_some() {}
        });
        if drained.await.is_err() {
            tracing::warn!("forwarding did not finish in time; the rest is not recorded");
            senders.abort_all();
        }
    }
}

impl ForwardHandle {
    /// Whether the sender waits for the app's answer (`--forward-reply`).
    pub fn replies(&self) -> bool {
        self.reply
    }

    /// Queues a committed capture for every target whose filter matches; returns at once.
    /// With `skip_first_match`, the first matching target is left out (it was already
    /// sent to, for `--forward-reply`).
    pub fn submit(&self, capture: Arc<Capture>, skip_first_match: bool) {
        let mut skipping = skip_first_match;
        for route in self.routes.iter() {
            if skipping && route.matches(&capture) {
                skipping = false;
                continue;
            }
            if let Err(mpsc::error::TrySendError::Full(capture)) =
                route.queue.try_send(capture.clone())
                && route.matches(&capture)
            {
                let attempt = not_sent(
                    AttemptKind::Forward,
                    capture.id,
                    &route.config.target,
                    format!(
                        "not forwarded: {} webhooks were already waiting for {} (the app is slow or down)",
                        route.queue.max_capacity(),
                        route.config.target
                    ),
                );
                let writer = self.writer.clone();
                tokio::spawn(async move { writer.queue_attempt(attempt).await });
            }
        }
    }

    /// `--forward-reply`: sends the capture to the first matching target now, records the
    /// attempt, and hands back the app's response for the original sender.
    pub async fn exchange_first(&self, capture: &Capture) -> Result<Response, ReplyError> {
        let route = self
            .routes
            .iter()
            .find(|r| r.matches(capture))
            .ok_or(ReplyError::NoRoute)?;
        let target = &route.config.target;
        let request = resign::outgoing(capture, target, self.resign, Utc::now());
        let (attempt, response) = exchange_prepared(
            &self.client,
            AttemptKind::Forward,
            capture.id,
            target,
            request,
        )
        .await;
        let error = attempt.error.clone();
        if let Err(store_error) = self.writer.queue_attempt(attempt).await {
            tracing::warn!(%store_error, "cannot record a forward");
        }
        response.ok_or_else(|| ReplyError::Failed(error.unwrap_or_default()))
    }

    /// The targets, for the interface's header and the start-up line.
    pub fn describe(&self) -> Vec<String> {
        self.routes.iter().map(|r| r.config.describe()).collect()
    }
}

impl ForwardRoute {
    /// `http://localhost:3001 (vendor:octopus)`.
    pub fn describe(&self) -> String {
        if self.filter_text.is_empty() {
            self.target.to_string()
        } else {
            format!("{} ({})", self.target, self.filter_text)
        }
    }
}

impl Route {
    fn matches(&self, capture: &Capture) -> bool {
        route_matches(&self.config.filter, capture)
    }
}

/// The filter decides on the capture as the analyser would see it: a vendor or kind term
/// needs the verdict, which is computed here (the analyser runs just behind, on its own).
fn route_matches(filter: &Filter, capture: &Capture) -> bool {
    if filter.is_empty() {
        return true;
    }
    let analysed;
    let capture = if filter.needs_verdict() && capture.verdict.is_none() {
        analysed = Capture {
            verdict: Some(crate::inspect::capture_verdict(capture)),
            ..capture.clone()
        };
        &analysed
    } else {
        capture
    };
    let decoded;
    let body: &[u8] = if filter.needs_content() {
        decoded = crate::body::without_content_codings(
            &capture.headers,
            &capture.body,
            crate::body::BodyLimits::default(),
        );
        decoded.as_ref()
    } else {
        &[]
    };
    filter.matches(&Candidate::new(capture, body))
}

async fn send_queued(
    route: ForwardRoute,
    incoming: Arc<Mutex<mpsc::Receiver<Arc<Capture>>>>,
    client: Client,
    writer: WriterHandle,
    stopping: Arc<AtomicBool>,
    resign: bool,
) {
    loop {
        let Some(capture) = incoming.lock().await.recv().await else {
            return;
        };
        if !route_matches(&route.filter, &capture) {
            continue;
        }
        let attempt = if stopping.load(Ordering::Acquire) {
            not_sent(
                AttemptKind::Forward,
                capture.id,
                &route.target,
                "not forwarded: hookscope was stopping",
            )
        } else {
            let request = resign::outgoing(&capture, &route.target, resign, Utc::now());
            exchange_prepared(
                &client,
                AttemptKind::Forward,
                capture.id,
                &route.target,
                request,
            )
            .await
            .0
        };
        if writer.queue_attempt(attempt).await.is_err() {
            return;
        }
    }
}
