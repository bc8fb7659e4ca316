//! Reading back criterion's figures of this run, so a bench can print ratios against a
//! baseline measured in the same run.

use std::path::PathBuf;

/// Criterion's estimate for one benchmark of this run, in nanoseconds: the slope, which is
/// what criterion prints for iterated benchmarks, else the mean.
pub fn mean_ns(group: &str, id: &str) -> Option<f64> {
    let path = PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into()))
        .join("criterion")
        .join(group)
        .join(id)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let estimates: serde_json::Value = serde_json::from_str(&text).ok()?;
    estimates["slope"]["point_estimate"]
        .as_f64()
        .or_else(|| estimates["mean"]["point_estimate"].as_f64())
}
