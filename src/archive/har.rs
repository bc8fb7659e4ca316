//! HTTP Archive 1.2 (http://www.softwareishard.com/blog/har-12-spec/), the format browser
//! devtools and most HTTP tools export and import. hookscope's own details (capture id, peer,
//! exact request target) ride along in `_hookscope`, as the format allows for custom fields.

use std::io::Write;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::plain::{no_ascii_controls, no_controls};
use super::{
    ArchiveError, Encoding, Imported, LeftOut, Unit, decode_bytes, encode_bytes, storable_headers,
};
use crate::capture::{Capture, Header, format_timestamp, truncate_to_micros};
use crate::escape::json_line;

/// Writes a HAR document one entry at a time, so an export never holds every body at once.
pub struct HarWriter<W: Write> {
    out: W,
    entries: usize,
}

impl<W: Write> HarWriter<W> {
    pub fn start(mut out: W) -> std::io::Result<Self> {
        let creator = json!({ "name": "hookscope", "version": env!("CARGO_PKG_VERSION") });
        write!(
            out,
            "{{\"log\":{{\"version\":\"1.2\",\"creator\":{creator},\"entries\":["
        )?;
        Ok(Self { out, entries: 0 })
    }

    pub fn entry(&mut self, capture: &Capture) -> std::io::Result<()> {
        let separator = if self.entries == 0 { "\n" } else { ",\n" };
        write!(self.out, "{separator}{}", json_line(&entry(capture)))?;
        self.entries += 1;
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        writeln!(self.out, "\n]}}}}")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn entry(capture: &Capture) -> Value {
    let headers: Vec<Value> = capture
        .headers
        .iter()
        .map(|h| match encode_bytes(&h.value) {
            (value, Encoding::Utf8) => json!({ "name": h.name, "value": value }),
            (value, Encoding::Base64) => {
                json!({ "name": h.name, "value": value, "_encoding": "base64" })
            }
        })
        .collect();
    let query_string: Vec<Value> =
        form_urlencoded::parse(capture.query().unwrap_or_default().as_bytes())
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect();
    let mut request = json!({
        "method": capture.method,
        "url": absolute_url(capture),
        "httpVersion": capture.version,
        "cookies": [],
        "headers": headers,
        "queryString": query_string,
        "headersSize": -1,
        "bodySize": capture.body.len(),
    });
    if !capture.body.is_empty() {
        let (text, encoding) = encode_bytes(&capture.body);
        let mut post_data = json!({
            "mimeType": capture.content_type().unwrap_or_default(),
            "text": text,
        });
        if encoding == Encoding::Base64 {
            post_data["encoding"] = json!("base64");
        }
        request["postData"] = post_data;
    }
    json!({
        "startedDateTime": format_timestamp(capture.received_at),
        "time": 0,
        "request": request,
        "response": {
            "status": capture.response_status,
            "statusText": http::StatusCode::from_u16(capture.response_status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or(""),
            "httpVersion": capture.version,
            "cookies": [],
            "headers": [],
            "content": { "size": 0, "mimeType": "" },
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": { "send": 0, "wait": 0, "receive": 0 },
        "_hookscope": { "id": capture.id, "peer": capture.peer, "uri": capture.uri },
    })
}

/// HAR wants an absolute URL; the Host header says which host the sender addressed.
fn absolute_url(capture: &Capture) -> String {
    if capture.uri.contains("://") {
        return capture.uri.clone();
    }
    let host = capture
        .header_values("host")
        .next()
        .and_then(|v| std::str::from_utf8(v).ok())
        .unwrap_or("localhost");
    format!("http://{host}{}", capture.uri)
}

#[derive(Deserialize)]
struct Har {
    log: HarLog,
}

#[derive(Deserialize)]
struct HarLog {
    /// Read one by one, so a bad entry is named by its number.
    #[serde(default)]
    entries: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HarEntry {
    started_date_time: String,
    request: HarRequest,
    #[serde(default)]
    response: Option<HarResponse>,
    #[serde(default, rename = "_hookscope")]
    hookscope: Option<HookscopeExtra>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HarRequest {
    method: String,
    url: String,
    #[serde(default)]
    http_version: String,
    #[serde(default)]
    headers: Vec<HarHeader>,
    #[serde(default)]
    post_data: Option<HarPostData>,
}

#[derive(Deserialize)]
struct HarHeader {
    name: String,
    value: String,
    #[serde(default, rename = "_encoding")]
    encoding: Option<Encoding>,
}

#[derive(Deserialize)]
struct HarPostData {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    params: Vec<HarParam>,
}

#[derive(Deserialize)]
struct HarParam {
    name: String,
    #[serde(default)]
    value: String,
}

#[derive(Deserialize)]
struct HarResponse {
    #[serde(default)]
    status: i64,
}

#[derive(Deserialize)]
struct HookscopeExtra {
    #[serde(default)]
    id: i64,
    peer: Option<String>,
    uri: Option<String>,
}

/// Reads the entries of a HAR document already parsed as JSON. All or nothing: the first bad
/// entry stops the import, and its error says how many entries that leaves out.
pub fn read_har(document: Value) -> Result<Imported, ArchiveError> {
    let har: Har = serde_json::from_value(document)
        .map_err(|e| ArchiveError::Unrecognised(format!("not a valid HAR document: {e}")))?;
    let mut imported = Imported::default();
    let total = har.log.entries.len();
    for (index, entry) in har.log.entries.into_iter().enumerate() {
        if let Err(message) = read_entry(entry, &mut imported) {
            return Err(ArchiveError::Entry {
                entry: index + 1,
                message,
                left_out: LeftOut {
                    good_before: index,
                    after: total - index - 1,
                    unit: Unit::Entry,
                },
            });
        }
    }
    Ok(imported)
}

fn read_entry(entry: Value, imported: &mut Imported) -> Result<(), String> {
    let entry: HarEntry =
        serde_json::from_value(entry).map_err(|e| format!("not a HAR entry: {e}"))?;
    let capture = capture_from_entry(entry, &mut imported.skipped_headers)?;
    imported.captures.push(capture);
    Ok(())
}

fn capture_from_entry(entry: HarEntry, skipped_headers: &mut usize) -> Result<Capture, String> {
    let received_at = DateTime::parse_from_rfc3339(&entry.started_date_time)
        .map_err(|e| format!("startedDateTime {:?}: {e}", entry.started_date_time))?
        .with_timezone(&Utc);
    let request = entry.request;
    let extra = entry.hookscope;
    check_plain_fields(&request, extra.as_ref())?;
    let uri = match extra.as_ref().and_then(|x| x.uri.clone()) {
        Some(uri) => uri,
        None => origin_form(&request.url)?,
    };
    let mut headers = Vec::with_capacity(request.headers.len());
    for h in request.headers {
        let value = decode_bytes(&h.value, h.encoding.unwrap_or(Encoding::Utf8))
            .map_err(|e| format!("header {}: {e}", h.name))?;
        headers.push(Header::new(h.name, value));
    }
    let body = match request.post_data {
        None => Vec::new(),
        Some(post) => match (post.text, post.encoding.as_deref()) {
            (Some(text), Some("base64")) => decode_bytes(&text, Encoding::Base64)?,
            (Some(text), _) => text.into_bytes(),
            (None, _) => form_urlencoded::Serializer::new(String::new())
                .extend_pairs(post.params.iter().map(|p| (&p.name, &p.value)))
                .finish()
                .into_bytes(),
        },
    };
    let version = match request.http_version.to_ascii_uppercase() {
        v if v.starts_with("HTTP/") => v,
        _ => "HTTP/1.1".to_owned(),
    };
    Ok(Capture {
        id: extra.as_ref().map_or(0, |x| x.id),
        received_at: truncate_to_micros(received_at),
        peer: extra
            .and_then(|x| x.peer)
            .unwrap_or_else(|| "imported".to_owned()),
        method: request.method,
        uri,
        version,
        headers: storable_headers(headers, skipped_headers),
        body: Bytes::from(body),
        response_status: entry
            .response
            .and_then(|r| u16::try_from(r.status).ok())
            .filter(|s| (100..=599).contains(s))
            .unwrap_or(200),
        unauthenticated: false,
        verdict: None,
    })
}

/// The fields that [`super::plain`] explains, by their names in the HAR.
fn check_plain_fields(request: &HarRequest, extra: Option<&HookscopeExtra>) -> Result<(), String> {
    no_controls("request.method", &request.method)?;
    no_controls("request.httpVersion", &request.http_version)?;
    if let Some(peer) = extra.and_then(|x| x.peer.as_deref()) {
        no_controls("_hookscope.peer", peer)?;
    }
    if let Some(uri) = extra.and_then(|x| x.uri.as_deref()) {
        no_ascii_controls("_hookscope.uri", uri)?;
    }
    Ok(())
}

/// `https://host/a/b?c` -> `/a/b?c`.
fn origin_form(url: &str) -> Result<String, String> {
    let uri: http::Uri = url
        .parse()
        .map_err(|e| format!("url {url:?} is not a valid URL: {e}"))?;
    Ok(uri
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()))
}
