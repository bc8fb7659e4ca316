//! The live inspector: the listener keeps capturing on the async runtime while the interface
//! runs on a thread of its own, fed by channels. Ingestion never waits for the screen.
//!
//! - `state/`: the state and `State::update`, the one place it changes
//! - `ui/`: drawing, a pure function of the state
//! - `app`: the loop that connects input, store events and workers to the state
//! - `jobs`: background workers that keep only the newest job

pub mod action;
mod app;
pub mod detail_view;
pub mod diff_view;
mod edit;
mod feed;
mod input;
pub mod jobs;
pub mod keymap;
pub mod layout;
pub mod message;
mod pace;
pub mod state;
mod terminal;
#[cfg(test)]
mod test_support;
pub mod text_doc;
pub mod theme;
pub mod ui;
mod work;
pub mod wrap;

use std::sync::Arc;
use std::sync::mpsc;

use anyhow::Context as _;

use crate::copy::ClipboardMode;
use crate::replay::forward::ForwardRoute;
use crate::session::{Session, shutdown_requested};
use keymap::Keymap;
use message::Message;
use state::{Clock, State};
use theme::{Theme, ThemeChoice};

/// What the interface needs from the command line and the environment.
pub struct Options {
    pub theme: Theme,
    pub keymap_file: Option<std::path::PathBuf>,
    pub clipboard: ClipboardMode,
    /// The `--forward-to` targets, as the header shows them.
    pub forwards: Vec<String>,
    /// Where `r` offers to replay to first: the first `--forward-to` target.
    pub forward_target: Option<String>,
    /// Replays accept any TLS certificate (`--insecure`).
    pub insecure: bool,
    /// Replays are signed afresh for their vendor (`--resign`).
    pub resign: bool,
    /// Secrets shown as received from the start (`--show-secrets`).
    pub show_secrets: bool,
    /// Listening beyond loopback without `--require-auth`: the header says so.
    pub exposed: bool,
    /// Said in the status bar at start, with any problems of the keymap or vendors.
    pub warnings: Vec<String>,
}

impl Options {
    pub fn new(theme: ThemeChoice, clipboard: ClipboardMode, forwards: &[ForwardRoute]) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let colorfgbg = std::env::var("COLORFGBG").ok();
        Self {
            theme: Theme::new(theme, no_color, colorfgbg.as_deref()),
            keymap_file: crate::paths::keymap_file(),
            clipboard,
            forwards: forwards.iter().map(ForwardRoute::describe).collect(),
            forward_target: forwards.first().map(|route| route.target.to_string()),
            insecure: false,
            resign: false,
            show_secrets: false,
            exposed: false,
            warnings: Vec::new(),
        }
    }
}

/// Runs the interface until the user quits (or SIGTERM), then ends the session the same
/// way headless mode does, so every acknowledged capture is committed.
pub async fn run(session: Session, options: Options) -> anyhow::Result<()> {
    let (keymap, keymap_problems) = Keymap::load(options.keymap_file.as_deref());
    let session_info = state::Session {
        listen_url: format!("http://{}", session.local_addr()),
        store: store_label(session.store()),
        forwards: options.forwards.clone(),
        exposed: options.exposed,
    };
    let mut ui_state = State::new(
        session_info,
        keymap,
        Clock::system(),
        ratatui::layout::Rect::default(),
    );
    ui_state.highlight = options.theme.syntax();
    ui_state.show_secrets = options.show_secrets;
    ui_state.send.forward_target = options.forward_target.clone();
    // Problems in the keymap and in vendor definitions (the rest of each loaded), in one
    // message, as the status bar holds one at a time.
    let problems: Vec<String> = keymap_problems
        .into_iter()
        .chain(
            crate::vendor::user::startup_problems()
                .iter()
                .map(|p| format!("vendor definition {p}")),
        )
        .chain(options.warnings.iter().cloned())
        .collect();
    if !problems.is_empty() {
        ui_state
            .status
            .error(ui_state.clock.instant, problems.join(" · "));
    }

    let (outbox, inbox) = mpsc::channel();
    let store = session.store();
    feed::spawn(store.subscribe(), outbox.clone()).context("cannot start the interface")?;
    let send = outbox.clone();
    let mut rejected = session.rejections();
    let forward_rejections = tokio::spawn(async move {
        while let Ok(rejection) = rejected.recv().await {
            if send.send(Message::Rejected(rejection)).is_err() {
                return;
            }
        }
    });
    let send = outbox.clone();
    let signals = tokio::spawn(async move {
        shutdown_requested(std::future::pending()).await;
        let _ = send.send(Message::Terminate);
    });

    let connect = Arc::new(store.connector());
    let context = app::Context {
        db: connect().context("cannot read the store")?,
        connect,
        writer: store.writer(),
        runtime: tokio::runtime::Handle::current(),
        theme: options.theme,
        clipboard: options.clipboard,
        insecure: options.insecure,
        resign: options.resign,
    };
    let serving = session.serve();
    let ui = std::thread::Builder::new()
        .name("interface".into())
        .spawn(move || app::run(ui_state, context, inbox, outbox))
        .context("cannot start the interface")?;
    let ui_result = tokio::task::spawn_blocking(move || ui.join()).await;

    signals.abort();
    forward_rejections.abort();
    serving.shutdown().await?;
    match ui_result {
        Ok(Ok(result)) => result.context("the interface failed"),
        _ => anyhow::bail!(
            "the interface crashed (see the message above); every capture received so far is stored"
        ),
    }
}

/// The store as the header shows it: the home folder as `~`.
fn store_label(store: &crate::store::Store) -> String {
    if store.is_throwaway() {
        return "throwaway store".to_owned();
    }
    let path = store.path();
    if let Some(home) = directories::BaseDirs::new().map(|d| d.home_dir().to_owned())
        && let Ok(rest) = path.strip_prefix(&home)
    {
        return format!("~/{}", rest.display());
    }
    path.display().to_string()
}
