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
mod feed;
pub mod jobs;
pub mod keymap;
pub mod layout;
pub mod message;
pub mod state;
mod terminal;
#[cfg(test)]
mod test_support;
pub mod text_doc;
pub mod theme;
pub mod ui;

use std::sync::Arc;
use std::sync::mpsc;

use crate::cli::ListenArgs;
use crate::commands::listen::{Session, shutdown_requested};
use crate::commands::{CommandError, exit};
use keymap::Keymap;
use message::Message;
use state::{Clock, State};
use theme::Theme;

/// What the interface needs from the command line and the environment.
pub struct Options {
    pub theme: Theme,
    pub keymap_file: Option<std::path::PathBuf>,
}

impl Options {
    pub fn from_args(args: &ListenArgs) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let colorfgbg = std::env::var("COLORFGBG").ok();
        Self {
            theme: Theme::new(args.theme, no_color, colorfgbg.as_deref()),
            keymap_file: crate::paths::keymap_file(),
        }
    }
}

/// Runs the interface until the user quits (or SIGTERM), then stops the listener and
/// closes the store, so every acknowledged capture is committed.
pub async fn run(session: Session, options: Options) -> Result<(), CommandError> {
    let Session {
        listener,
        store,
        state: listener_state,
        mut rejected,
        log: _log,
        existing: _,
    } = session;
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        CommandError::new(exit::FAILURE, format!("{what}: {e}"))
    };

    let (keymap, keymap_problems) = Keymap::load(options.keymap_file.as_deref());
    let session_info = state::Session {
        listen_url: format!("http://{}", listener.local_addr()),
        store: store_label(&store),
    };
    let mut ui_state = State::new(
        session_info,
        keymap,
        Clock::system(),
        ratatui::layout::Rect::default(),
    );
    ui_state.highlight = options.theme.syntax();
    for problem in keymap_problems {
        ui_state.status.error(ui_state.clock.instant, problem);
    }

    let (outbox, inbox) = mpsc::channel();
    feed::spawn(store.subscribe(), outbox.clone())
        .map_err(|e| fail("cannot start the interface", &e))?;
    let send = outbox.clone();
    let forward_rejections = tokio::spawn(async move {
        while let Ok(rejection) = rejected.recv().await {
            if send.send(Message::Rejected(rejection)).is_err() {
                return;
            }
        }
    });

    let (quit_tx, quit_rx) = tokio::sync::watch::channel(false);
    let send = outbox.clone();
    let signals = tokio::spawn(async move {
        shutdown_requested(std::future::pending()).await;
        let _ = send.send(Message::Terminate);
    });
    let serve = tokio::spawn(listener.serve(listener_state, async move {
        let mut quit_rx = quit_rx;
        let _ = quit_rx.wait_for(|quit| *quit).await;
    }));

    let connect = Arc::new(store.connector());
    let context = app::Context {
        db: connect().map_err(|e| fail("cannot read the store", &e))?,
        connect,
        theme: options.theme,
    };
    let ui = std::thread::Builder::new()
        .name("interface".into())
        .spawn(move || app::run(ui_state, context, inbox, outbox))
        .map_err(|e| fail("cannot start the interface", &e))?;
    let ui_result = tokio::task::spawn_blocking(move || ui.join())
        .await
        .map_err(|e| fail("the interface stopped", &e))?;

    let _ = quit_tx.send(true);
    let _ = serve.await;
    signals.abort();
    forward_rejections.abort();
    tokio::task::spawn_blocking(move || store.close())
        .await
        .map_err(|e| fail("cannot close the store", &e))?;
    match ui_result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(fail("the interface failed", &error)),
        Err(_) => Err(CommandError::new(
            exit::FAILURE,
            "the interface crashed (see the message above); every capture received so far is stored",
        )),
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
