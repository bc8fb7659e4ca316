//! Where copied text goes: the system clipboard through one long-lived arboard handle, or
//! the terminal's clipboard through OSC 52, chosen by `--clipboard` and the environment.

use super::{ClipboardMode, CopyError, osc52};
use crate::units::format_bytes;

/// What the environment says about reaching a clipboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Env {
    /// `DISPLAY` or `WAYLAND_DISPLAY` is set.
    pub display: bool,
    /// `SSH_CONNECTION` or `SSH_TTY` is set.
    pub ssh: bool,
    /// `TMUX` is set.
    pub tmux: bool,
}

impl Env {
    pub fn from_process() -> Self {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        Self {
            display: set("DISPLAY") || set("WAYLAND_DISPLAY"),
            ssh: set("SSH_CONNECTION") || set("SSH_TTY"),
            tmux: set("TMUX"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    System,
    Osc52 { tmux: bool },
}

/// A successful copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub delivery: Delivery,
    /// The size of the copied text.
    pub bytes: usize,
    /// With `Delivery::Osc52`: the escape sequence the caller must write to the terminal
    /// (nothing reaches the clipboard until it does).
    pub sequence: Option<String>,
}

/// One handle for the whole session: on X11 the copied text is served by the process that
/// owns the selection, and disappears when the arboard handle is dropped. It is opened on
/// the first copy, so starting hookscope never waits on a display.
pub struct Clipboard {
    mode: ClipboardMode,
    env: Env,
    /// `None` until the first copy to it; a failure to open is kept and not retried, the
    /// environment does not change.
    system: Option<Result<arboard::Clipboard, CopyError>>,
}

impl Clipboard {
    pub fn new(mode: ClipboardMode) -> Self {
        Self::with_env(mode, Env::from_process())
    }

    pub fn with_env(mode: ClipboardMode, env: Env) -> Self {
        Self {
            mode,
            env,
            system: None,
        }
    }

    pub fn copy(&mut self, text: &str) -> Result<Copied, CopyError> {
        match self.mode {
            ClipboardMode::Off => Err(CopyError::Off),
            ClipboardMode::Osc52 => Ok(self.through_terminal(text)),
            ClipboardMode::System => self.copy_to_system(text),
            // Over SSH the system clipboard, if any, is the remote machine's: useless.
            ClipboardMode::Auto if self.env.ssh && !self.env.display => {
                Ok(self.through_terminal(text))
            }
            ClipboardMode::Auto => self
                .copy_to_system(text)
                .or_else(|_| Ok(self.through_terminal(text))),
        }
    }

    fn copy_to_system(&mut self, text: &str) -> Result<Copied, CopyError> {
        let display = self.env.display;
        let handle = self
            .system
            .get_or_insert_with(|| arboard::Clipboard::new().map_err(|e| explain(&e, display)))
            .as_mut()
            .map_err(|error| error.clone())?;
        handle
            .set_text(text)
            .map_err(|error| explain(&error, display))?;
        Ok(Copied {
            delivery: Delivery::System,
            bytes: text.len(),
            sequence: None,
        })
    }

    fn through_terminal(&self, text: &str) -> Copied {
        Copied {
            delivery: Delivery::Osc52 {
                tmux: self.env.tmux,
            },
            bytes: text.len(),
            sequence: Some(osc52::sequence(text.as_bytes(), self.env.tmux)),
        }
    }
}

fn explain(error: &arboard::Error, display: bool) -> CopyError {
    // Without a display variable the cause is nearly always that: say so rather than relay
    // the X11 connection error. (macOS and Windows need no such variable.)
    if !display && cfg!(all(unix, not(target_os = "macos"))) {
        return CopyError::NoSystemClipboard;
    }
    CopyError::SystemClipboard {
        why: error.to_string().trim_end_matches('.').replace('\n', " "),
    }
}

/// The status line after a copy, e.g. "copied the curl command (1.2 KiB) to the clipboard";
/// `what` names the content ("the curl command").
pub fn describe(copied: &Copied, what: &str) -> String {
    let size = format_bytes(copied.bytes as u64);
    let mut line = match copied.delivery {
        Delivery::System => format!("copied {what} ({size}) to the clipboard"),
        Delivery::Osc52 { tmux: false } => {
            format!("copied {what} ({size}) through the terminal (OSC 52)")
        }
        Delivery::Osc52 { tmux: true } => format!(
            "copied {what} ({size}) through tmux to the terminal (OSC 52; \
             tmux needs `set -g allow-passthrough on`)"
        ),
    };
    if matches!(copied.delivery, Delivery::Osc52 { .. }) && osc52::may_be_too_large(copied.bytes) {
        line.push_str(": it may be too large for the terminal, which can drop it");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    const SSH: Env = Env {
        display: false,
        ssh: true,
        tmux: false,
    };
    const SSH_IN_TMUX: Env = Env {
        display: false,
        ssh: true,
        tmux: true,
    };
    const HEADLESS: Env = Env {
        display: false,
        ssh: false,
        tmux: false,
    };

    fn copy(mode: ClipboardMode, env: Env) -> Result<Copied, CopyError> {
        Clipboard::with_env(mode, env).copy("hello")
    }

    #[test]
    fn auto_over_ssh_without_a_display_goes_through_the_terminal() {
        let copied = copy(ClipboardMode::Auto, SSH).unwrap();
        assert_eq!(copied.delivery, Delivery::Osc52 { tmux: false });
        assert_eq!(copied.sequence.as_deref(), Some("\x1b]52;c;aGVsbG8=\x07"));
        assert_eq!(copied.bytes, 5);
        let in_tmux = copy(ClipboardMode::Auto, SSH_IN_TMUX).unwrap();
        assert_eq!(in_tmux.delivery, Delivery::Osc52 { tmux: true });
        assert!(in_tmux.sequence.unwrap().starts_with("\x1bPtmux;"));
    }

    #[test]
    fn osc52_mode_always_gives_the_sequence() {
        for env in [
            SSH,
            HEADLESS,
            Env {
                display: true,
                ..HEADLESS
            },
        ] {
            let copied = copy(ClipboardMode::Osc52, env).unwrap();
            assert_eq!(copied.delivery, Delivery::Osc52 { tmux: false });
            assert!(copied.sequence.is_some());
        }
    }

    #[test]
    fn off_mode_refuses_and_says_how_to_turn_it_on() {
        let error = copy(ClipboardMode::Off, HEADLESS).unwrap_err();
        assert_eq!(error, CopyError::Off);
        assert!(error.to_string().contains("--clipboard"));
    }

    // The next two need no display to be absent from the machine: with `display: false`,
    // whatever arboard finds, a failure is explained and Auto falls back.
    #[test]
    fn auto_without_a_system_clipboard_falls_back_to_the_terminal() {
        if std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some() {
            return; // arboard would reach the real clipboard
        }
        let mut clipboard = Clipboard::with_env(ClipboardMode::Auto, HEADLESS);
        for _ in 0..2 {
            let copied = clipboard.copy("hello").unwrap();
            assert_eq!(copied.delivery, Delivery::Osc52 { tmux: false });
        }
    }

    #[test]
    fn system_mode_without_a_display_explains_what_to_do() {
        if std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some() {
            return;
        }
        if cfg!(any(target_os = "macos", windows)) {
            return; // these always have a clipboard
        }
        let error = copy(ClipboardMode::System, HEADLESS).unwrap_err();
        assert_eq!(
            error.to_string(),
            "no system clipboard (no display): try --clipboard osc52"
        );
    }

    #[test]
    fn the_status_line_names_what_where_and_how_much() {
        let copied = |delivery, bytes| Copied {
            delivery,
            bytes,
            sequence: None,
        };
        assert_eq!(
            describe(&copied(Delivery::System, 1229), "the curl command"),
            "copied the curl command (1.2 KiB) to the clipboard"
        );
        assert_eq!(
            describe(&copied(Delivery::Osc52 { tmux: false }, 10), "the headers"),
            "copied the headers (10 B) through the terminal (OSC 52)"
        );
        assert!(
            describe(&copied(Delivery::Osc52 { tmux: true }, 10), "the body")
                .contains("allow-passthrough")
        );
        let large = describe(
            &copied(Delivery::Osc52 { tmux: false }, 200_000),
            "the body",
        );
        assert!(large.contains("may be too large"), "{large}");
        let large_system = describe(&copied(Delivery::System, 200_000), "the body");
        assert!(!large_system.contains("too large"));
    }
}
