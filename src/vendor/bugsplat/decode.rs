//! BugSplat crash webhook: one flat camelCase crash record per POST. The shape changed over
//! five doc versions (V1 2023 … V5 2026); `notificationType` (`NewReport`/`NewGroup`) only
//! exists from V3, and ids are numbers or, from some senders, numeric strings.

use serde_json::{Map, Value};

use crate::vendor::text::{collapse, headline, is_http, line, push, scalar};
use crate::vendor::{Decoded, Link, Table};

/// A BugSplat body has a crash-group id (`stackKeyId`, number or numeric string) next to
/// `application` and either `database` or `stackKeyName`; every version sends these and no
/// common webhook uses `stackKeyId`.
pub fn detect(value: &Value) -> bool {
    let Some(root) = value.as_object() else {
        return false;
    };
    root.get("stackKeyId")
        .is_some_and(|id| id.is_number() || id.is_string())
        && root.get("application").is_some_and(Value::is_string)
        && (root.contains_key("database") || root.contains_key("stackKeyName"))
}

/// `notificationType`, or `report` for the versions before it existed.
pub fn kind(value: &Value) -> String {
    match value.get("notificationType") {
        // Before V3 the body had no discriminator: every notification is a crash report.
        None => "report".to_owned(),
        Some(kind) => line(Some(kind)).unwrap_or_else(|| "unknown".into()),
    }
}

pub fn decode(value: &Value) -> Decoded {
    let empty = Map::new();
    let root = value.as_object().unwrap_or(&empty);
    let text = |key: &str| line(root.get(key));
    let kind = kind(value);

    let app_version = match (text("application"), text("version")) {
        (Some(app), Some(version)) => Some(format!("{app} {version}")),
        (app, version) => app.or(version),
    };
    let exception = match (text("exceptionCode"), text("exceptionMessage")) {
        (Some(code), Some(message)) => Some(format!("{code}: {message}")),
        (code, message) => message.or(code),
    };

    let mut fields = Vec::new();
    push(&mut fields, "Application", text("application"));
    push(&mut fields, "Version", text("version"));
    push(&mut fields, "Database", text("database"));
    push(&mut fields, "Stack key", text("stackKeyName"));
    push(&mut fields, "Stack key id", scalar(root.get("stackKeyId")));
    push(&mut fields, "Stack id", scalar(root.get("stackId")));
    push(&mut fields, "Exception", exception);
    push(&mut fields, "Platform", text("platform"));
    push(&mut fields, "Crash type", crash_type(root));
    push(&mut fields, "User", text("user"));
    push(&mut fields, "Email", text("email"));
    push(&mut fields, "IP address", text("ipAddress"));
    push(&mut fields, "Application key", text("key"));
    push(&mut fields, "Report id", scalar(root.get("id")));
    push(&mut fields, "Crash time", text("crashTime"));
    push(&mut fields, "Received", text("received"));
    push(&mut fields, "User description", text("userDescription"));
    push(
        &mut fields,
        "Call stack hash",
        text("hash").or_else(|| text("mfa")),
    );
    push(
        &mut fields,
        "Attributes",
        attributes(root.get("attributes")),
    );
    push(
        &mut fields,
        "Parent stack key id",
        scalar(root.get("parentStackKeyId")),
    );
    if let Some(new) = root.get("newStackKeyId").and_then(Value::as_bool) {
        push(
            &mut fields,
            "New group",
            Some(if new { "yes" } else { "no" }.into()),
        );
    }

    let links = root
        .get("crashFileUrl")
        .and_then(Value::as_str)
        .filter(|url| is_http(url))
        .map(|url| Link {
            label: "Crash file".into(),
            url: url.to_owned(),
        })
        .into_iter()
        .collect();

    Decoded {
        headline: headline(
            &kind,
            &[
                app_version,
                text("stackKeyName"),
                text("exceptionMessage").or_else(|| text("exceptionCode")),
            ],
        ),
        kind,
        fields,
        links,
        tables: callstack(root.get("callstack")).into_iter().collect(),
        dedupe_key: None,
    }
}

/// V3's `crashType` string, else V1/V4's numeric `crashTypeId` with its name when known
/// (ids from BugSplat's import API docs; the list is open).
fn crash_type(root: &Map<String, Value>) -> Option<String> {
    if let Some(name) = line(root.get("crashType")) {
        return Some(name);
    }
    let id = scalar(root.get("crashTypeId"))?;
    let name = match id.as_str() {
        "1" => "Windows Native",
        "6" => "Breakpad/Crashpad",
        "8" => ".NET Framework",
        "15" => "Unity Native Windows",
        "16" => "Unreal Engine (Linux Server)",
        "17" => "Unreal Engine",
        _ => return Some(id),
    };
    Some(format!("{id} ({name})"))
}

/// The call stack as rows of (level, function, file:line). V4+ sends frame objects, V3
/// plain strings; a single newline-joined string (seen in hand-made payloads) is split.
fn callstack(value: Option<&Value>) -> Option<Table> {
    let rows: Vec<Vec<String>> = match value? {
        Value::String(joined) => joined
            .lines()
            .map(collapse)
            .filter(|frame| !frame.is_empty())
            .enumerate()
            .map(|(level, frame)| vec![level.to_string(), frame, String::new()])
            .collect(),
        Value::Array(frames) => frames
            .iter()
            .enumerate()
            .filter_map(|(index, frame)| match frame {
                Value::String(name) => Some(vec![index.to_string(), collapse(name), String::new()]),
                Value::Object(frame) => Some(vec![
                    scalar(frame.get("stackFrameLevel")).unwrap_or_else(|| index.to_string()),
                    line(frame.get("functionName")).unwrap_or_default(),
                    file_line(frame),
                ]),
                _ => None,
            })
            .collect(),
        _ => return None,
    };
    (!rows.is_empty()).then(|| Table {
        title: "Callstack".into(),
        columns: vec!["Level".into(), "Function".into(), "File".into()],
        rows,
    })
}

/// `file:line`, without a line when BugSplat sends none or 0 (no symbol information).
fn file_line(frame: &Map<String, Value>) -> String {
    let file = line(frame.get("fileName")).unwrap_or_default();
    match scalar(frame.get("lineNumber")) {
        Some(number) if number != "0" && !file.is_empty() => format!("{file}:{number}"),
        _ => file,
    }
}

/// Custom report attributes as `k=v, …`; non-string values shown as JSON.
fn attributes(value: Option<&Value>) -> Option<String> {
    let pairs: Vec<String> = value?
        .as_object()?
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={}", collapse(s)),
            other => format!("{k}={other}"),
        })
        .collect();
    (!pairs.is_empty()).then(|| pairs.join(", "))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    fn sample(file: &str) -> Value {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/samples/bugsplat")
            .join(file);
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn field<'a>(decoded: &'a Decoded, label: &str) -> Option<&'a str> {
        decoded
            .fields
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.value.as_str())
    }

    #[test]
    fn new_group_shows_crash_facts_link_and_frames() {
        let decoded = decode(&sample("NewGroup.json"));
        assert_eq!(
            decoded.headline,
            "NewGroup · NorthwindRenderNode 2.8.3 · libnwcore.so!nw::AssetCache::evict(233) · Segmentation fault (address…"
        );
        assert_eq!(field(&decoded, "Application"), Some("NorthwindRenderNode"));
        assert_eq!(field(&decoded, "Version"), Some("2.8.3"));
        assert_eq!(field(&decoded, "Database"), Some("northwind_studio"));
        assert_eq!(
            field(&decoded, "Stack key"),
            Some("libnwcore.so!nw::AssetCache::evict(233)")
        );
        assert_eq!(field(&decoded, "Stack key id"), Some("8045"));
        assert_eq!(
            field(&decoded, "Exception"),
            Some("SIGSEGV: Segmentation fault (address 0x0000000000000010)")
        );
        assert_eq!(field(&decoded, "Platform"), Some("Crashpad/Breakpad"));
        assert_eq!(field(&decoded, "Crash type"), Some("6 (Breakpad/Crashpad)"));
        assert_eq!(field(&decoded, "User"), Some("render-node-17"));
        assert_eq!(field(&decoded, "Email"), None, "empty email is left out");
        assert_eq!(
            field(&decoded, "Attributes"),
            Some("nodePool=gpu-a, jobId=render-77120")
        );
        assert_eq!(decoded.links.len(), 1);
        assert_eq!(decoded.links[0].label, "Crash file");
        assert!(
            decoded.links[0]
                .url
                .starts_with("https://bugsplat-crashreports-prod.s3.")
        );

        let stack = &decoded.tables[0];
        assert_eq!(stack.columns, ["Level", "Function", "File"]);
        assert_eq!(
            stack.rows[0],
            ["0", "nw::AssetCache::evict", "core/asset_cache.cc:233"]
        );
        assert_eq!(stack.rows.len(), 3);
    }

    #[test]
    fn older_versions_and_string_frames() {
        let v1 = decode(&sample("report-v1.json"));
        assert_eq!(v1.kind, "report");
        assert_eq!(
            v1.headline,
            "report · NorthwindStudio 4.2.0.1130 · NorthwindStudio!RenderQueue::flush(412) · Access violation"
        );
        assert_eq!(field(&v1, "Exception"), Some("c0000005: Access violation"));
        assert_eq!(
            field(&v1, "Email"),
            Some("jordan.lee@northwind-traders.example")
        );
        assert_eq!(
            field(&v1, "Call stack hash"),
            Some("9b3e7c1d04f2a86e5c1b9d7f3a0e2c48")
        );
        assert!(v1.tables.is_empty() && v1.links.is_empty());

        let v3 = decode(&sample("NewReport-v3.json"));
        assert_eq!(field(&v3, "Crash type"), Some("Windows Native"));
        let rows = &v3.tables[0].rows;
        assert_eq!(rows[3], ["3", "kernel32!BaseThreadInitThunk", ""]);

        let joined = decode(&sample("broken-callstack-string.json"));
        assert_eq!(joined.tables[0].rows.len(), 4);
        assert!(
            joined.links.is_empty(),
            "crashFileUrl without a scheme is not a link"
        );

        // A frame without symbols has no file:line.
        let current = decode(&sample("NewReport.json"));
        assert_eq!(
            current.tables[0].rows[3],
            ["3", "kernel32!BaseThreadInitThunk", ""]
        );
    }

    #[test]
    fn ids_display_as_numbers_or_strings() {
        let decoded = decode(&sample("warning-numeric-strings.json"));
        assert_eq!(field(&decoded, "Stack key id"), Some("7711"));
        assert_eq!(field(&decoded, "Crash type"), Some("1 (Windows Native)"));
        assert_eq!(field(&decoded, "Report id"), Some("436218"));
    }

    #[test]
    fn kind_rules() {
        let base = json!({"stackKeyId": 1, "application": "a", "database": "d"});
        assert!(detect(&base));
        assert_eq!(decode(&base).kind, "report");
        let mut typed = base.clone();
        typed["notificationType"] = json!(3);
        assert_eq!(decode(&typed).kind, "unknown");
        typed["notificationType"] = json!("NewGroup");
        assert_eq!(decode(&typed).kind, "NewGroup");
        assert!(!detect(
            &json!({"stackKeyId": [], "application": "a", "database": "d"})
        ));
        assert!(!detect(&json!({"stackKeyId": 1, "application": "a"})));
    }
}
