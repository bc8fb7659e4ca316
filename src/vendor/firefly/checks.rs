//! Placeholder until the checks land.

use serde_json::Value;

use crate::capture::Header;
use crate::validate::Finding;

pub fn check(_value: &Value, _headers: Option<&[Header]>, _findings: &mut Vec<Finding>) {}
