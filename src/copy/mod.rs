//! Copying what a capture holds: the body, the headers, a ready `curl` command, the raw
//! request, a value from the body; to the system clipboard or, where there is none (SSH,
//! no display), to the terminal's own clipboard through OSC 52.

/// Where copied text goes: `auto` tries the system clipboard and falls back to OSC 52.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ClipboardMode {
    /// The system clipboard when there is one, else the terminal's (OSC 52).
    #[default]
    Auto,
    /// Only the system clipboard (X11, Wayland, macOS, Windows).
    System,
    /// Only the terminal's clipboard, through the OSC 52 escape sequence (works over SSH
    /// and inside tmux).
    Osc52,
    /// Copying is turned off.
    Off,
}

mod clipboard;
mod content;
mod curl;
pub mod osc52;

pub use clipboard::{Clipboard, Copied, Delivery, Env, describe};
pub use content::{CopyItem, content};
pub use curl::{curl_command, curl_for_capture};

use crate::capture::CaptureId;

/// Why something could not be copied. Shown in the status bar: plain words, one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CopyError {
    #[error(
        "the body is binary ({size}): copy the curl command instead, \
         or run `hookscope show {id} --body > file`"
    )]
    BinaryBody { id: CaptureId, size: String },
    #[error(
        "the body is {coding}-compressed, so it is binary ({size}): copy the pretty body or \
         the curl command instead, or run `hookscope show {id} --body > file`"
    )]
    CompressedBody {
        id: CaptureId,
        coding: String,
        size: String,
    },
    #[error("the body is empty: nothing to copy")]
    EmptyBody,
    #[error("the request has no headers: nothing to copy")]
    NoHeaders,
    #[error("no JSON pointer to copy from: pick a finding that points into the body")]
    NoPointer,
    #[error("the body is not JSON, so there is no value at {pointer}")]
    NotJson { pointer: String },
    #[error("the body is not valid JSON, so there is no value at {pointer}")]
    MalformedJson { pointer: String },
    #[error("nothing at {pointer} in the body")]
    NothingAtPointer { pointer: String },
    #[error(
        "the request has no Host header, so there is nowhere to aim the curl command: \
         give a target URL"
    )]
    NoHost,
    #[error("the Host header {host:?} is not a host curl can send to: give a target URL")]
    BadHost { host: String },
    #[error(
        "capture #{id} cannot be written as an HTTP request: {reason}; `hookscope show {id}` \
         shows it escaped"
    )]
    UnsafeRequest {
        id: CaptureId,
        reason: crate::wire::UnsafeRequest,
    },
    #[error("copying is off (--clipboard off); start with --clipboard auto to copy")]
    Off,
    #[error("no system clipboard (no display): try --clipboard osc52")]
    NoSystemClipboard,
    #[error("the system clipboard failed ({why}): try --clipboard osc52")]
    SystemClipboard { why: String },
}
