//! What every load driver needs: the address a server announces, and figures from samples.
// Each driver uses the part it needs.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::time::Duration;

/// The `ADDR` of the first `http://ADDR` in `text` (a log line, a screen).
pub fn address_in(text: &str) -> Option<SocketAddr> {
    text.split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|a| a.parse().ok())
}

/// Reads lines until one mentions `http://ADDR`, then keeps draining in the background so the
/// child never blocks on a full pipe.
pub fn first_address(stream: impl std::io::Read + Send + 'static) -> SocketAddr {
    let mut lines = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            lines.read_line(&mut line).unwrap() > 0,
            "server exited early"
        );
        if let Some(addr) = address_in(&line) {
            std::thread::spawn(move || std::io::copy(&mut lines, &mut std::io::sink()));
            return addr;
        }
    }
}

pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

pub fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
