//! Placeholder until the decoder lands.

use serde_json::Value;

use crate::vendor::Decoded;

pub fn detect(_value: &Value) -> bool {
    false
}

pub fn decode(_value: &Value) -> Decoded {
    Decoded::default()
}
