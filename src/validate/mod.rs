//! Checking a vendor payload against the vendor's documented schema.

mod finding;

pub use finding::{Finding, Severity, push_token};
