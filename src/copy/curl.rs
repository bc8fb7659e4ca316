//! A `curl` command that sends a request again exactly: the same method, every header in
//! wire order with its original case and duplicates, and the body byte for byte. It is
//! POSIX shell, and everything in it is single-quoted, so nothing the sender chose can be
//! expanded or run by the shell it is pasted into.

use super::CopyError;
use crate::capture::{Capture, Header};
use crate::replay::{OutgoingRequest, Target};

/// Past this size a text body goes through `printf` too: one argument to a program may
/// not exceed 128 KiB on Linux, and `printf` is built into every shell, so it has no limit.
const INLINE_BODY_LIMIT: usize = 64 * 1024;

/// How wide a line of `printf` escapes gets before it is continued on the next line.
const PRINTF_LINE_WIDTH: usize = 76;

/// The command for `request` sent to `url` (which already holds its path and query). The
/// request must pass [`OutgoingRequest::check`]: curl sends a method and headers as given.
pub fn curl_command(request: &OutgoingRequest, url: &str) -> String {
    let mut head = String::from("curl ");
    if request.method == "HEAD" {
        // `--request HEAD` would make curl wait for a body that never comes.
        head.push_str("--head");
    } else {
        head.push_str("--request ");
        head.push_str(&shell_word(&request.method));
    }
    head.push(' ');
    head.push_str(&quote(url));

    let mut options = url_options(url);
    let sent: Vec<&Header> = request
        .headers
        .iter()
        .filter(|h| !is_set_by_curl(&h.name))
        .collect();
    options.extend(sent.iter().map(|h| header_option(h)));
    let data = data_option(request);
    let has = |name: &str| sent.iter().any(|h| h.name.eq_ignore_ascii_case(name));
    // curl adds these on its own; an empty `Name:` tells it not to.
    let mut added_by_curl = vec!["Accept", "User-Agent"];
    if data.is_some() {
        added_by_curl.extend(["Content-Type", "Expect"]);
    }
    for name in added_by_curl.into_iter().filter(|name| !has(name)) {
        options.push(format!("--header {}", quote(&format!("{name}:"))));
    }

    let mut command = String::new();
    match data {
        Some(Data::Inline(text)) => options.push(format!("--data-binary {}", quote(text))),
        Some(Data::Piped(bytes)) => {
            command.push_str(&printf_pipe(bytes));
            command.push_str(" | ");
            options.push("--data-binary @-".to_owned());
        }
        None => {}
    }
    command.push_str(&head);
    for option in options {
        command.push_str(" \\\n  ");
        command.push_str(&option);
    }
    command
}

/// The command for a capture: to `to`, or where it was first sent
/// (`http://{its Host header}{its path and query}`). Refused for a capture whose method,
/// target or headers curl would write as they are, adding lines of their own.
pub fn curl_for_capture(capture: &Capture, to: Option<&Target>) -> Result<String, CopyError> {
    let target = match to {
        Some(target) => target.clone(),
        None => original_target(capture)?,
    };
    let request = OutgoingRequest::for_capture(capture, &target);
    request.check().map_err(|reason| CopyError::UnsafeRequest {
        id: capture.id,
        reason,
    })?;
    Ok(curl_command(&request, &target.url_for(&capture.uri)))
}

fn original_target(capture: &Capture) -> Result<Target, CopyError> {
    let raw = capture
        .header_values("host")
        .next()
        .ok_or(CopyError::NoHost)?;
    let bad = || CopyError::BadHost {
        host: String::from_utf8_lossy(raw).into_owned(),
    };
    let host = std::str::from_utf8(raw).map_err(|_| bad())?.trim();
    // Only a host and a port: `a@b` or `a/b` would send the request somewhere else.
    let host_chars = |c: char| c.is_ascii_alphanumeric() || ".-_:[]".contains(c);
    if host.is_empty() || !host.chars().all(host_chars) {
        return Err(bad());
    }
    Target::parse(&format!("http://{host}")).map_err(|_| bad())
}

/// curl writes `Host` from the URL and `Content-Length` from the body itself.
fn is_set_by_curl(name: &str) -> bool {
    name.eq_ignore_ascii_case("host") || name.eq_ignore_ascii_case("content-length")
}

fn url_options(url: &str) -> Vec<String> {
    let mut options = Vec::new();
    if url.starts_with("https://") {
        // Over HTTP/2 header names go out lower-cased.
        options.push("--http1.1".to_owned());
    }
    if url.contains(['[', ']', '{', '}']) {
        // Otherwise curl reads these as its URL globbing patterns.
        options.push("--globoff".to_owned());
    }
    let path = url.split(['?', '#']).next().unwrap_or_default();
    if path
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        // Otherwise curl resolves `/./` and `/../` before sending.
        options.push("--path-as-is".to_owned());
    }
    options
}

/// `--header 'Name: value'`; an empty value is written `Name;`, curl's way of sending an
/// empty header (`Name:` would remove it).
fn header_option(header: &Header) -> String {
    let value = String::from_utf8_lossy(&header.value);
    let line = if value.is_empty() {
        format!("{};", header.name)
    } else {
        format!("{}: {value}", header.name)
    };
    format!("--header {}", quote(&line))
}

enum Data<'a> {
    /// Readable text, given as the argument itself.
    Inline(&'a str),
    /// Anything else, written by `printf` and read by curl from standard input.
    Piped(&'a [u8]),
}

fn data_option(request: &OutgoingRequest) -> Option<Data<'_>> {
    let body = &request.body[..];
    if body.is_empty() {
        // A POST that said `Content-Length: 0` says it again: some servers refuse a POST
        // without a length.
        let has_length = request
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("content-length"));
        return has_length.then_some(Data::Inline(""));
    }
    match std::str::from_utf8(body) {
        Ok(text) if is_inline_text(text) => Some(Data::Inline(text)),
        _ => Some(Data::Piped(body)),
    }
}

/// Text that reads well and pastes safely inside single quotes: no control characters but
/// newlines (a pasted tab or carriage return is taken as a key; bidi overrides would show
/// the command other than it is), and no leading `@`, which curl takes for a file name.
fn is_inline_text(text: &str) -> bool {
    text.len() <= INLINE_BODY_LIMIT
        && !text.starts_with('@')
        && !text
            .chars()
            .any(|c| c != '\n' && crate::escape::is_hidden_control(c))
}

/// `printf '...'` writing `bytes` exactly: printable ASCII as itself, `%` and `\` escaped,
/// newlines kept, every other byte as a three-digit octal escape (POSIX printf). Long
/// lines are continued with `'\` newline `'`, which the shell joins back into one word.
fn printf_pipe(bytes: &[u8]) -> String {
    let mut out = String::from("printf '");
    let mut line_width = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        let unit = match byte {
            b'\n' => "\n".to_owned(),
            b'%' => "%%".to_owned(),
            b'\\' => "\\\\".to_owned(),
            // A leading `-` would read as an option to printf.
            b'-' if i == 0 => "\\055".to_owned(),
            b'\'' => "\\047".to_owned(),
            b' '..=b'~' => char::from(byte).to_string(),
            _ => format!("\\{byte:03o}"),
        };
        if line_width + unit.len() > PRINTF_LINE_WIDTH && unit != "\n" {
            out.push_str("'\\\n'");
            line_width = 0;
        }
        out.push_str(&unit);
        line_width = if unit == "\n" {
            0
        } else {
            line_width + unit.len()
        };
    }
    out.push('\'');
    out
}

/// `'text'`, with each `'` written `'\''`: inside single quotes the shell expands nothing.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// A word left bare when it holds nothing the shell treats specially, else quoted.
fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-.,:/=+@%".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_owned()
    } else {
        quote(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn capture(method: &str, headers: Vec<Header>, body: &[u8]) -> Capture {
        Capture::new(
            method,
            "/hooks/in?a=1",
            headers,
            Bytes::copy_from_slice(body),
        )
    }

    fn host(value: &str) -> Header {
        Header::new("Host", value)
    }

    #[test]
    fn a_json_capture_becomes_a_readable_command_aimed_where_it_was_sent() {
        let c = capture(
            "POST",
            vec![
                host("127.0.0.1:9000"),
                Header::new("Content-Type", "application/json"),
                Header::new("Content-Length", "8"),
                Header::new("X-Quote", "it's"),
            ],
            b"{\"a\": 1}",
        );
        assert_eq!(
            curl_for_capture(&c, None).unwrap(),
            "curl --request POST 'http://127.0.0.1:9000/hooks/in?a=1' \\\n  \
             --header 'Content-Type: application/json' \\\n  \
             --header 'X-Quote: it'\\''s' \\\n  \
             --header 'Accept:' \\\n  \
             --header 'User-Agent:' \\\n  \
             --header 'Expect:' \\\n  \
             --data-binary '{\"a\": 1}'"
        );
    }

    #[test]
    fn a_target_replaces_the_original_host() {
        let c = capture(
            "GET",
            vec![host("example.test"), Header::new("Accept", "*/*")],
            b"",
        );
        let to = Target::parse("https://app.test/endpoint").unwrap();
        assert_eq!(
            curl_for_capture(&c, Some(&to)).unwrap(),
            "curl --request GET 'https://app.test/endpoint?a=1' \\\n  --http1.1 \\\n  \
             --header 'Accept: */*' \\\n  --header 'User-Agent:'"
        );
    }

    #[test]
    fn without_a_usable_host_header_a_target_is_needed() {
        let none = capture("GET", vec![], b"");
        assert_eq!(curl_for_capture(&none, None), Err(CopyError::NoHost));
        for bad in ["evil@example.test", "a/b", "", "a b", "x'y"] {
            let c = capture("GET", vec![host(bad)], b"");
            assert!(
                matches!(curl_for_capture(&c, None), Err(CopyError::BadHost { .. })),
                "{bad:?}"
            );
        }
        let to = Target::parse("http://localhost:1").unwrap();
        assert!(curl_for_capture(&none, Some(&to)).is_ok());
    }

    #[test]
    fn empty_header_values_and_head_requests_use_curls_own_spelling() {
        let c = capture("HEAD", vec![host("h"), Header::new("X-Empty", "")], b"");
        let command = curl_for_capture(&c, None).unwrap();
        assert!(
            command.starts_with("curl --head 'http://h/hooks/in?a=1'"),
            "{command}"
        );
        assert!(command.contains("--header 'X-Empty;'"), "{command}");
    }

    #[test]
    fn an_empty_post_still_says_its_length_is_zero() {
        let c = capture("POST", vec![host("h")], b"");
        assert!(
            curl_for_capture(&c, None)
                .unwrap()
                .ends_with("--data-binary ''")
        );
        let get = capture("GET", vec![host("h")], b"");
        assert!(!curl_for_capture(&get, None).unwrap().contains("--data"));
    }

    #[test]
    fn bodies_that_are_not_plain_text_are_piped_through_printf() {
        for body in [
            &b"@/etc/passwd"[..],
            b"a\0b",
            b"line\r\n",
            b"\xff\xfe",
            b"tab\there",
        ] {
            let c = capture("POST", vec![host("h")], body);
            let command = curl_for_capture(&c, None).unwrap();
            assert!(command.starts_with("printf '"), "{command}");
            assert!(command.ends_with("--data-binary @-"), "{command}");
        }
    }

    #[test]
    fn printf_escapes_what_printf_and_the_shell_would_read() {
        assert_eq!(
            printf_pipe(b"-50% of \\ it's\n\x00\xff"),
            "printf '\\05550%% of \\\\ it\\047s\n\\000\\377'"
        );
        let long = printf_pipe(&[0u8; 40]);
        assert!(long.contains("'\\\n'"), "{long}");
        assert!(
            long.lines()
                .all(|line| line.len() <= PRINTF_LINE_WIDTH + 10)
        );
    }

    #[test]
    fn urls_curl_would_rewrite_get_the_options_that_stop_it() {
        assert_eq!(
            url_options("http://h/a/../b?x=[1]"),
            ["--globoff", "--path-as-is"]
        );
        assert!(url_options("http://h/a.b/c").is_empty());
    }

    #[test]
    fn odd_methods_are_quoted() {
        assert_eq!(shell_word("PATCH"), "PATCH");
        assert_eq!(shell_word("X;rm"), "'X;rm'");
    }
}
