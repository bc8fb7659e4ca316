//! Two requests compared, worked out off the UI thread: the lines the diff overlay shows.

use crate::attempt::Attempt;
use crate::capture::Capture;
use crate::diff::{DiffLine, Side, diff};
use crate::wire::parse_request;

#[derive(Debug)]
pub struct DiffView {
    pub title: String,
    pub lines: Vec<DiffLine>,
}

impl DiffView {
    pub fn captures(a: &Capture, b: &Capture) -> Self {
        let differences = diff(&Side::of_capture(a), &Side::of_capture(b));
        Self {
            title: format!("#{} compared with #{}", a.id, b.id),
            lines: differences.lines(),
        }
    }

    /// What a replay or forward sent, against the capture it came from.
    pub fn attempt(capture: &Capture, attempt: &Attempt) -> Result<Self, String> {
        if attempt.request.is_empty() {
            return Err(format!(
                "{} {} was never sent, so there is nothing to compare",
                attempt.kind.id(),
                attempt.id
            ));
        }
        let sent = parse_request(&attempt.request)
            .map_err(|e| format!("the recorded request does not parse: {e}"))?;
        let label = format!("{} {} of #{}", attempt.kind.id(), attempt.id, capture.id);
        let mut theirs = Side::of_capture(capture);
        theirs.label = format!("#{}", capture.id);
        let ours = Side {
            label: label.clone(),
            method: &sent.method,
            uri: &sent.target,
            headers: &sent.headers,
            body: &sent.body,
        };
        Ok(Self {
            title: format!("#{} compared with its {label}", capture.id),
            lines: diff(&theirs, &ours).lines(),
        })
    }
}
