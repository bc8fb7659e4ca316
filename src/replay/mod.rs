//! Sending a capture back out, exactly as it arrived: to a URL the user names (replay),
//! or to the developer's own app as each webhook arrives (forwarding).

pub mod bulk;
mod client;
pub mod exchange;
pub mod forward;
mod request;
pub mod resign;
mod target;

pub use client::{Client, Response, SendError, SendOptions};
pub use request::{OutgoingRequest, is_hop_by_hop};
pub use target::{Target, TargetError};
