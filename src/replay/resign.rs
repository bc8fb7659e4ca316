//! `--resign`: a capture of a vendor whose signing secret is configured goes out with a
//! fresh timestamp and signature, so an app that enforces a tolerance accepts an old
//! capture. The body is never changed; only the signature headers are.

use chrono::{DateTime, Utc};

use super::{OutgoingRequest, Target};
use crate::capture::Capture;
use crate::signature;
use crate::vendor::{Vendor, user};

/// The request for `capture` to `target`, signed afresh at `now` when `resign` is asked.
/// `Err` says why it cannot be re-signed (no secret, an unreadable secret file): sending
/// it with its old signature would only be refused, so it is not sent.
pub fn outgoing(
    capture: &Capture,
    target: &Target,
    resign: bool,
    now: DateTime<Utc>,
) -> Result<OutgoingRequest, String> {
    let mut request = OutgoingRequest::for_capture(capture, target);
    if resign {
        resign_request(&mut request, crate::inspect::vendor_of(capture), now)?;
    }
    Ok(request)
}

/// Replaces the signature headers of `request` (a capture of `vendor`) with ones made now.
/// A vendor without a signature scheme leaves the request as it is.
pub fn resign_request(
    request: &mut OutgoingRequest,
    vendor: Option<Vendor>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let Some(Vendor::User(id)) = vendor else {
        return Ok(());
    };
    let definition = user::get(id);
    let Some(config) = &definition.signature else {
        return Ok(());
    };
    let secret = config
        .usable_secret()
        .map_err(|why| format!("not sent: cannot re-sign for {}: {why}", definition.name()))?;
    let fresh = signature::sign(config, &secret, &request.headers, &request.body, now);
    signature::replace_headers(&mut request.headers, &fresh);
    Ok(())
}

/// For `--resign` at start: a line for each vendor that has a signature scheme but no secret
/// to sign with, whose webhooks will not be sent.
pub fn missing_secrets() -> Vec<String> {
    user::registered()
        .filter_map(|(_, vendor)| {
            let why = vendor.signature.as_ref()?.usable_secret().err()?;
            Some(format!(
                "--resign has no {} secret, so its webhooks will not be sent ({why})",
                vendor.name()
            ))
        })
        .collect()
}
