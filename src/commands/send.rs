//! `hookscope send`: posts sample vendor payloads to a running hookscope or to the user's own
//! endpoint, one line per request, and `send --list` shows the catalogue with what
//! hookscope's analysis makes of each sample.

use std::io::{ErrorKind, IsTerminal, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use reqwest::Url;
use reqwest::header::USER_AGENT;
use serde::Serialize;

use super::{CommandError, exit, ignore_broken_pipe};
use crate::cli::SendArgs;
use crate::escape::{json_line, visible_line};
use crate::samples::{self, Group, Judgement, Sample};
use crate::vendor::Vendor;

const TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a response body the second output line shows.
const PREVIEW_CHARS: usize = 200;
/// Enough bytes for `PREVIEW_CHARS` characters however they are encoded; the rest is not read.
const PREVIEW_BYTES: usize = PREVIEW_CHARS * 4 + 1;

/// `listen` is where `hookscope listen` would listen (its config and environment), where the
/// samples go without `--to`.
pub fn run(args: SendArgs, listen: SocketAddr) -> Result<(), CommandError> {
    if args.list {
        if args.warnings {
            return Err(usage(
                "--list lists every sample with its verdict; leave out --warnings",
            ));
        }
        return list(args.vendor, args.json);
    }
    let Some(vendor) = args.vendor else {
        return Err(usage("name a vendor to send a sample of, or pass --list"));
    };
    let target = Target::new(vendor, args.to.as_deref(), listen)?;
    let group = if args.broken {
        Group::Broken
    } else if args.warnings {
        Group::Warnings
    } else {
        Group::Valid
    };
    let chosen: Vec<&Sample> = if args.all {
        samples::for_vendor(vendor)
            .filter(|s| s.group == group)
            .collect()
    } else {
        let sample = samples::find_in(vendor, args.kind.as_deref(), group)
            .map_err(|e| usage(e.to_string()))?;
        vec![sample]
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::new(exit::FAILURE, format!("cannot start: {e}")))?;
    runtime.block_on(send_all(&target, &chosen))
}

/// The address to post to for a listener bound to `listen`: one bound to every interface
/// (`0.0.0.0`, `::`) is reached on loopback.
fn reachable(listen: SocketAddr) -> SocketAddr {
    match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, listen.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, listen.port()).into(),
        _ => listen,
    }
}

fn usage(message: impl Into<String>) -> CommandError {
    CommandError::new(exit::USAGE, message)
}

/// Where the samples go, and whether that is hookscope's default address (so a refused
/// connection most likely means hookscope is not running).
struct Target {
    url: Url,
    is_default: bool,
    /// Where hookscope listens, for the message when nothing does.
    listen: SocketAddr,
}

impl Target {
    fn new(vendor: Vendor, to: Option<&str>, listen: SocketAddr) -> Result<Self, CommandError> {
        let Some(text) = to else {
            let default = format!("http://{}/webhooks/{}", reachable(listen), vendor.id());
            let url = Url::parse(&default).expect("the default target is a valid URL");
            return Ok(Self {
                url,
                is_default: true,
                listen,
            });
        };
        let url = Url::parse(text)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
            .ok_or_else(|| {
                usage(format!(
                    "--to {text:?} is not an http:// or https:// URL; \
                     write e.g. http://localhost:3000/hooks/{}",
                    vendor.id()
                ))
            })?;
        Ok(Self {
            url,
            is_default: false,
            listen,
        })
    }

    /// Loopback targets bypass proxies from the environment: a proxy cannot reach this
    /// machine's hookscope, and a developer's own endpoint on localhost is meant directly.
    fn is_loopback(&self) -> bool {
        let host = self.url.host_str().unwrap_or_default();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        match bare.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback(),
            Err(_) => host.eq_ignore_ascii_case("localhost") || host.ends_with(".localhost"),
        }
    }
}

async fn send_all(target: &Target, chosen: &[&Sample]) -> Result<(), CommandError> {
    let client = client(target)?;
    let mut out = std::io::stdout();
    let mut not_ok = Vec::new();
    for sample in chosen {
        let answer = post(&client, &target.url, sample)
            .await
            .map_err(|e| unreachable(target, &e))?;
        ignore_broken_pipe(out.write_all(report(sample, &target.url, &answer).as_bytes()))?;
        if !answer.status.is_success() {
            not_ok.push(status_text(answer.status));
        }
    }
    match not_ok.as_slice() {
        [] => Ok(()),
        [status] if chosen.len() == 1 => Err(CommandError::new(
            exit::FAILURE,
            format!("{} answered {status}", target.url),
        )),
        _ => Err(CommandError::new(
            exit::FAILURE,
            format!(
                "{} of {} requests to {} were not answered with a 2xx status",
                not_ok.len(),
                chosen.len(),
                target.url
            ),
        )),
    }
}

fn client(target: &Target) -> Result<reqwest::Client, CommandError> {
    let mut builder = reqwest::Client::builder()
        .timeout(TIMEOUT)
        // A webhook sender does not follow redirects; show the 3xx instead.
        .redirect(reqwest::redirect::Policy::none())
        // Header names as vendors write them (`Content-Type`), not hyper's lower case.
        .http1_title_case_headers();
    if target.is_loopback() {
        builder = builder.no_proxy();
    }
    builder.build().map_err(|e| {
        CommandError::new(
            exit::FAILURE,
            format!("cannot set up the HTTP client: {}", innermost(&e)),
        )
    })
}

/// What came back: the status, how long the exchange took, and the start of the body.
struct Answer {
    status: reqwest::StatusCode,
    elapsed: Duration,
    body_head: Vec<u8>,
}

async fn post(client: &reqwest::Client, url: &Url, sample: &Sample) -> reqwest::Result<Answer> {
    let mut request = client.post(url.clone()).body(sample.body);
    for (name, value) in &sample.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    // A sample that carries the vendor's own User-Agent keeps it.
    if !sample
        .headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case(USER_AGENT.as_str()))
    {
        request = request.header(
            USER_AGENT,
            concat!("hookscope/", env!("CARGO_PKG_VERSION"), " (sample)"),
        );
    }
    let started = Instant::now();
    let mut response = request.send().await?;
    let status = response.status();
    let mut body_head = Vec::new();
    // The status is the answer; a body that stalls or breaks off only shortens the preview.
    while body_head.len() < PREVIEW_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => body_head.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    Ok(Answer {
        status,
        elapsed: started.elapsed(),
        body_head,
    })
}

/// `bitdrift alert (alert.json) → URL: 200 OK, 4 ms`, for a broken or warning sample followed
/// by what is wrong with it, and an indented preview of the response body when there is one.
fn report(sample: &Sample, url: &Url, answer: &Answer) -> String {
    let mut line = format!(
        "{} {} ({}) → {url}: {}, {} ms",
        sample.vendor,
        sample.kind,
        sample.file,
        status_text(answer.status),
        answer.elapsed.as_millis()
    );
    let what = match sample.group {
        Group::Valid => None,
        Group::Warnings => Some("; warnings: "),
        Group::Broken => Some("; broken: "),
    };
    if let Some(what) = what {
        line.push_str(what);
        line.push_str(&sample.description);
    }
    line.push('\n');
    let body = answer.body_head.trim_ascii_end();
    if !body.is_empty() {
        line.push_str("  ");
        line.push_str(&preview(body, PREVIEW_CHARS));
        line.push('\n');
    }
    line
}

fn status_text(status: reqwest::StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// The first `max_chars` characters of `body` (a byte that is not UTF-8 counts as one) on one
/// line, controls escaped, with `…` when there is more.
fn preview(body: &[u8], max_chars: usize) -> String {
    let mut cut = 0;
    let mut chars = 0;
    'chunks: for chunk in body.utf8_chunks() {
        let lengths = chunk.valid().chars().map(char::len_utf8);
        for length in lengths.chain(chunk.invalid().iter().map(|_| 1)) {
            if chars == max_chars {
                break 'chunks;
            }
            chars += 1;
            cut += length;
        }
    }
    let mut text = visible_line(&body[..cut]).into_owned();
    if cut < body.len() {
        text.push('…');
    }
    text
}

/// One line saying why nothing was answered.
fn unreachable(target: &Target, error: &reqwest::Error) -> CommandError {
    let refused = io_kinds(error).any(|kind| kind == ErrorKind::ConnectionRefused);
    if refused && target.is_default {
        return CommandError::new(
            exit::FAILURE,
            format!(
                "nothing is listening on {}; start hookscope in another terminal \
                 (`hookscope`) or pass --to URL",
                target.listen
            ),
        );
    }
    CommandError::new(
        exit::FAILURE,
        format!("cannot send to {}: {}", target.url, reason(target, error)),
    )
}

fn reason(target: &Target, error: &reqwest::Error) -> String {
    let url = &target.url;
    let host = url.host_str().unwrap_or_default();
    let detail = innermost(error);
    if error.is_timeout() {
        return format!("no answer within {} s", TIMEOUT.as_secs());
    }
    let kinds: Vec<ErrorKind> = io_kinds(error).collect();
    if kinds.contains(&ErrorKind::ConnectionRefused) {
        let port = url.port_or_known_default().unwrap_or_default();
        return format!("connection refused (nothing is listening on {host}:{port})");
    }
    if chain(error).any(|e| e.to_string() == "dns error") {
        return format!("the host name {host} cannot be resolved (DNS: {detail})");
    }
    let network = [
        ErrorKind::NetworkUnreachable,
        ErrorKind::HostUnreachable,
        ErrorKind::ConnectionReset,
        ErrorKind::ConnectionAborted,
    ];
    if kinds.iter().any(|kind| network.contains(kind)) {
        return detail;
    }
    // What is left of a failed https connection is the handshake: rustls reports a bad
    // certificate or a peer that does not speak TLS as an I/O error of its own.
    if url.scheme() == "https" && error.is_connect() {
        // rustls's words for a first answer that is not TLS at all.
        let hint = if detail.contains("InvalidContentType") {
            " (the server does not speak TLS; try http://)"
        } else {
            ""
        };
        return format!("TLS handshake failed: {detail}{hint}");
    }
    detail
}

fn chain<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |&e| e.source())
}

fn io_kinds(error: &reqwest::Error) -> impl Iterator<Item = ErrorKind> + '_ {
    chain(error).filter_map(|e| e.downcast_ref::<std::io::Error>().map(|io| io.kind()))
}

/// The most specific message in the chain (`connection refused`, `invalid peer certificate:
/// UnknownIssuer`), made safe to print.
fn innermost(error: &reqwest::Error) -> String {
    let last = chain(error)
        .last()
        .map(|e| e.to_string())
        .unwrap_or_default();
    visible_line(last.as_bytes()).into_owned()
}

// --list

#[derive(Serialize)]
struct Listed<'a> {
    vendor: Vendor,
    name: &'a str,
    file: &'a str,
    kind: &'a str,
    broken: bool,
    description: &'a str,
    /// `valid`, `warnings` or `invalid`, from hookscope's own analysis.
    verdict: &'static str,
    errors: usize,
    warnings: usize,
}

fn list(vendor: Option<Vendor>, json: bool) -> Result<(), CommandError> {
    let vendors: Vec<Vendor> = match vendor {
        Some(vendor) => vec![vendor],
        None => Vendor::ALL.to_vec(),
    };
    let mut out = std::io::stdout().lock();
    let written = if json {
        vendors
            .iter()
            .flat_map(|v| samples::for_vendor(*v))
            .try_for_each(|s| {
                let judgement = s.judge();
                let listed = Listed {
                    vendor: s.vendor,
                    name: s.name,
                    file: s.file,
                    kind: &s.kind,
                    broken: s.is_broken(),
                    description: &s.description,
                    verdict: judgement.verdict(),
                    errors: judgement.errors,
                    warnings: judgement.warnings,
                };
                writeln!(out, "{}", json_line(&listed))
            })
    } else {
        // Full descriptions when piped; cut to the terminal's width when read on one.
        let width = std::io::stdout().is_terminal().then(terminal_width);
        write_catalogue(&mut out, &vendors, width)
    };
    ignore_broken_pipe(written.and_then(|()| out.flush()))
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&c| c >= 40)
        .unwrap_or(80)
}

/// Vendor by vendor, kind by kind (in order of first appearance), one sample a line:
/// name, verdict (`✓ valid`, `⚠ 2 warnings`, `✗ 1 error`: what hookscope's analysis makes of
/// the sample as sent), description. The kind is a heading rather than a column because
/// names and kinds as long as `ManualInterventionInterruptionRaised` side by side would
/// leave no room for the description on an 80-column terminal.
fn write_catalogue(
    out: &mut impl Write,
    vendors: &[Vendor],
    width: Option<usize>,
) -> std::io::Result<()> {
    for (index, &vendor) in vendors.iter().enumerate() {
        if index > 0 {
            writeln!(out)?;
        }
        let judged: Vec<(&Sample, Judgement)> = samples::for_vendor(vendor)
            .map(|s| (s, s.judge()))
            .collect();
        let count = |group: Group| judged.iter().filter(|(s, _)| s.group == group).count();
        let name = vendor.display_name();
        let title = if name.eq_ignore_ascii_case(vendor.id()) {
            vendor.id().to_owned()
        } else {
            format!("{} ({name})", vendor.id())
        };
        writeln!(
            out,
            "{title}: {} valid, {} with warnings, {} broken; \
             hookscope send {} [KIND|NAME] [--warnings|--broken]",
            count(Group::Valid),
            count(Group::Warnings),
            count(Group::Broken),
            vendor.id()
        )?;
        let name_width = judged
            .iter()
            .map(|(s, _)| s.name.chars().count())
            .max()
            .unwrap_or(0);
        let verdict_width = judged
            .iter()
            .map(|(_, j)| j.to_string().chars().count())
            .max()
            .unwrap_or(0);
        // Indent, name, gap, verdict, gap.
        let description_at = 4 + name_width + 2 + verdict_width + 2;
        let room = width.map(|w| w.saturating_sub(description_at).max(20));
        for kind in samples::kinds(vendor) {
            writeln!(out, "  {kind}")?;
            for (sample, judgement) in judged.iter().filter(|(s, _)| s.kind == kind) {
                writeln!(
                    out,
                    "    {:<name_width$}  {judgement:<verdict_width$}  {}",
                    sample.name,
                    fit(&sample.description, room)
                )?;
            }
        }
    }
    Ok(())
}

/// `text` cut to `room` characters, ending in `…` when cut.
fn fit(text: &str, room: Option<usize>) -> String {
    match room {
        Some(room) if text.chars().count() > room => {
            let mut cut: String = text.chars().take(room - 1).collect();
            cut.truncate(cut.trim_end().len());
            cut.push('…');
            cut
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_listen() -> SocketAddr {
        crate::cli::parse_listen_addr(crate::cli::DEFAULT_LISTEN).unwrap()
    }

    #[test]
    fn without_to_the_samples_go_where_hookscope_is_configured_to_listen() {
        let at = |listen: &str| {
            let listen = crate::cli::parse_listen_addr(listen).unwrap();
            Target::new(Vendor::Octopus, None, listen)
                .unwrap()
                .url
                .to_string()
        };
        assert_eq!(at("8080"), "http://127.0.0.1:8080/webhooks/octopus");
        assert_eq!(at("0.0.0.0:8081"), "http://127.0.0.1:8081/webhooks/octopus");
        assert_eq!(at("[::]:8082"), "http://[::1]:8082/webhooks/octopus");
        assert_eq!(at("192.0.2.7:80"), "http://192.0.2.7/webhooks/octopus");
    }

    #[test]
    fn preview_counts_characters_and_escapes_controls() {
        assert_eq!(preview(b"{\"ok\":true}", 200), "{\"ok\":true}");
        assert_eq!(preview("héllo wörld".as_bytes(), 5), "héllo…");
        assert_eq!(preview(b"a\x1b[2Jb\nc", 200), "a\\x1b[2Jb\\nc");
        assert_eq!(preview(b"\xff\xfeab", 3), "\\xff\\xfea…");
        let long = "x".repeat(500);
        assert_eq!(preview(long.as_bytes(), 200).chars().count(), 201);
    }

    #[test]
    fn report_shows_status_time_what_is_broken_and_the_body() {
        let sample = samples::find(Vendor::Bitdrift, Some("broken-two-members"), false).unwrap();
        let warning = samples::find(Vendor::Firefly, Some("warning-drifts-on-ghost"), false);
        let warning = warning.unwrap();
        let url = Url::parse("http://127.0.0.1:9876/webhooks/bitdrift").unwrap();
        let answer = Answer {
            status: reqwest::StatusCode::INTERNAL_SERVER_ERROR,
            elapsed: Duration::from_millis(4),
            body_head: b"{\"ok\":false}\r\n".to_vec(),
        };
        assert_eq!(
            report(sample, &url, &answer),
            "bitdrift alert (broken-two-members.json) → http://127.0.0.1:9876/webhooks/bitdrift: \
             500 Internal Server Error, 4 ms; broken: Two notification members at once \
             (alert and test)\n  {\"ok\":false}\n"
        );
        let valid = samples::find(Vendor::Bitdrift, Some("alert"), false).unwrap();
        let empty = Answer {
            status: reqwest::StatusCode::NO_CONTENT,
            body_head: Vec::new(),
            ..answer
        };
        assert!(report(warning, &url, &empty).ends_with(
            "204 No Content, 4 ms; warnings: drifts attached to a GhostResource notification\n"
        ));
        assert_eq!(
            report(valid, &url, &empty),
            "bitdrift alert (alert.json) → http://127.0.0.1:9876/webhooks/bitdrift: \
             204 No Content, 4 ms\n"
        );
    }

    #[test]
    fn to_must_be_an_http_url() {
        for bad in [
            "localhost:3000/x",
            "ftp://example.com/",
            "http://",
            "/hooks",
            "",
        ] {
            let error = Target::new(Vendor::Firefly, Some(bad), default_listen())
                .err()
                .unwrap();
            assert_eq!(error.code, exit::USAGE, "{bad}");
            assert!(error.message.contains("http:// or https://"), "{bad}");
        }
        let target = Target::new(
            Vendor::Firefly,
            Some("HTTPS://example.com/h?x=1"),
            default_listen(),
        )
        .unwrap();
        assert_eq!(target.url.as_str(), "https://example.com/h?x=1");
        assert!(!target.is_default && !target.is_loopback());
        let default = Target::new(Vendor::Firefly, None, default_listen()).unwrap();
        assert_eq!(
            default.url.as_str(),
            "http://127.0.0.1:9876/webhooks/firefly"
        );
        assert!(default.is_default && default.is_loopback());
        for local in [
            "http://localhost:1/",
            "http://[::1]:1/",
            "http://127.0.0.2/",
        ] {
            assert!(
                Target::new(Vendor::Firefly, Some(local), default_listen())
                    .unwrap()
                    .is_loopback()
            );
        }
    }

    #[test]
    fn the_catalogue_fits_80_columns_on_a_terminal_and_is_complete_when_piped() {
        let mut narrow = Vec::new();
        write_catalogue(&mut narrow, &Vendor::ALL, Some(80)).unwrap();
        let narrow = String::from_utf8(narrow).unwrap();
        for line in narrow.lines().filter(|l| l.starts_with("    ")) {
            assert!(line.chars().count() <= 80, "{line}");
        }
        assert!(narrow.contains('…'));
        let mut full = Vec::new();
        write_catalogue(&mut full, &Vendor::ALL, None).unwrap();
        let full = String::from_utf8(full).unwrap();
        for sample in samples::all() {
            assert!(full.contains(&sample.description), "{}", sample.name);
            assert!(
                narrow.contains(&format!("    {} ", sample.name)),
                "{}",
                sample.name
            );
        }
        assert!(
            full.starts_with(
                "bitdrift: 9 valid, 3 with warnings, 6 broken; \
                 hookscope send bitdrift [KIND|NAME] [--warnings|--broken]\n  test\n    test "
            ),
            "{full}"
        );
        assert!(full.contains("\noctopus (Octopus Deploy): 5 valid, 5 with warnings, 4 broken;"));
    }

    /// Each line shows what the analysis makes of the sample, in a column of its own.
    #[test]
    fn the_catalogue_shows_each_samples_verdict() {
        let mut out = Vec::new();
        write_catalogue(&mut out, &[Vendor::Firefly], None).unwrap();
        let out = String::from_utf8(out).unwrap();
        let line = |name: &str| {
            out.lines()
                .find(|l| l.starts_with(&format!("    {name} ")))
                .unwrap_or_else(|| panic!("{name} in\n{out}"))
                .to_owned()
        };
        // Names are padded to the longest, broken-missing-notification-type (32).
        let at = 4 + 32 + 2;
        let verdict_of = |name: &str| line(name)[at..].split("  ").next().unwrap().to_owned();
        assert_eq!(verdict_of("Drift"), "✓ valid");
        assert_eq!(verdict_of("warning-drifts-on-ghost"), "⚠ 1 warning");
        assert_eq!(verdict_of("broken-boolean-types"), "✗ 2 errors");
        assert_eq!(verdict_of("broken-timestamps"), "✗ 1 error");
        // Descriptions start in one column.
        let starts: Vec<usize> = ["Drift", "warning-drifts-on-ghost", "broken-timestamps"]
            .iter()
            .map(|name| {
                let line = line(name);
                let description = &samples::find_in(Vendor::Firefly, Some(name), Group::Valid)
                    .unwrap()
                    .description;
                line[..line.find(description.as_str()).unwrap()]
                    .chars()
                    .count()
            })
            .collect();
        assert!(starts.windows(2).all(|w| w[0] == w[1]), "{starts:?}\n{out}");
    }

    /// A closed port: bound, then released.
    fn closed_port_url() -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        format!("http://{addr}/hook")
    }

    async fn refusal(target: &Target) -> CommandError {
        let sample = samples::find(Vendor::Bitdrift, None, false).unwrap();
        let error = post(&client(target).unwrap(), &target.url, sample)
            .await
            .err()
            .unwrap();
        unreachable(target, &error)
    }

    #[tokio::test]
    async fn a_refused_default_target_says_to_start_hookscope() {
        let mut target =
            Target::new(Vendor::Bitdrift, Some(&closed_port_url()), default_listen()).unwrap();
        let error = refusal(&target).await;
        assert_eq!(error.code, exit::FAILURE);
        assert_eq!(
            error.message,
            format!(
                "cannot send to {}: connection refused (nothing is listening on 127.0.0.1:{})",
                target.url,
                target.url.port().unwrap()
            )
        );
        // The same refusal on hookscope's own address means hookscope is not running.
        target.is_default = true;
        assert_eq!(
            refusal(&target).await.message,
            "nothing is listening on 127.0.0.1:9876; start hookscope in another terminal \
             (`hookscope`) or pass --to URL"
        );
    }

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        assert_eq!(fit("short", Some(20)), "short");
        assert_eq!(fit("a b c d e f", Some(6)), "a b c…");
        assert_eq!(fit("a b c d e f", None), "a b c d e f");
    }
}
