//! hookscope: a terminal webhook inspector. The library holds everything but argument
//! dispatch, so every part can be tested without a terminal.

pub mod archive;
pub mod attempt;
pub mod auth;
pub mod body;
pub mod capture;
pub mod cli;
pub mod commands;
pub mod config;
pub mod copy;
pub mod diff;
pub mod escape;
pub mod filter;
pub mod highlight;
pub mod inspect;
pub mod listener;
pub mod logging;
pub mod paths;
pub mod replay;
pub mod samples;
pub mod secrets;
pub mod session;
pub mod signature;
pub mod store;
pub mod tui;
pub mod units;
pub mod validate;
pub mod vendor;
pub mod wire;
