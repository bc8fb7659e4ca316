//! Where a replayed or forwarded request goes, and the one path rule used everywhere (the
//! interface, `replay`, `show --curl --to`, forwarding): a target with a path is the
//! endpoint itself, and the original query is added; a target without one gets the
//! original path and query, as a reverse proxy would.

use std::fmt;

use reqwest::Url;

use crate::capture::split_uri;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    url: Url,
    /// Whether the URL names a path of its own (`http://h:3000/hooks`), not just `/`.
    has_path: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{text:?} is not an http:// or https:// URL to send to; write e.g. http://localhost:3000/webhooks"
)]
pub struct TargetError {
    pub text: String,
}

impl Target {
    /// `http://localhost:3000`, `https://app.test/hooks/octopus?token=1`; a bare
    /// `localhost:3000` is read as http.
    pub fn parse(text: &str) -> Result<Self, TargetError> {
        let error = || TargetError {
            text: text.to_owned(),
        };
        let trimmed = text.trim();
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_owned()
        } else if looks_like_host_and_port(trimmed) {
            format!("http://{trimmed}")
        } else {
            return Err(error());
        };
        let url = Url::parse(&with_scheme).map_err(|_| error())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(error());
        }
        // `http://h:3000` and `http://h:3000/` both name no endpoint of their own.
        let has_path = url.path() != "/";
        Ok(Self { url, has_path })
    }

    pub fn is_https(&self) -> bool {
        self.url.scheme() == "https"
    }

    pub fn host(&self) -> &str {
        self.url.host_str().unwrap_or_default()
    }

    /// The host as a TLS server name and as a socket address takes it: IPv6 without brackets.
    pub fn host_for_connect(&self) -> &str {
        self.host().trim_start_matches('[').trim_end_matches(']')
    }

    pub fn port(&self) -> u16 {
        self.url.port_or_known_default().unwrap_or(80)
    }

    /// The `Host` header for this target: the port only when it is not the scheme's default.
    pub fn host_header(&self) -> String {
        match self.url.port() {
            Some(port) => format!("{}:{port}", self.host()),
            None => self.host().to_owned(),
        }
    }

    /// The request target (path and query) a request first sent to `original_uri` gets.
    pub fn request_target(&self, original_uri: &str) -> String {
        let (original_path, original_query) = split_uri(original_uri);
        if !self.has_path {
            return match original_query {
                Some(query) => format!("{original_path}?{query}"),
                None => original_path.to_owned(),
            };
        }
        let mut target = self.url.path().to_owned();
        let queries: Vec<&str> = [self.url.query(), original_query]
            .into_iter()
            .flatten()
            .filter(|q| !q.is_empty())
            .collect();
        if !queries.is_empty() {
            target.push('?');
            target.push_str(&queries.join("&"));
        }
        target
    }

    /// The whole URL a request first sent to `original_uri` goes to.
    pub fn url_for(&self, original_uri: &str) -> String {
        self.url_for_request(&self.request_target(original_uri))
    }

    /// The whole URL of a request with this request target, sent to this target's host.
    pub fn url_for_request(&self, request_target: &str) -> String {
        format!(
            "{}://{}{request_target}",
            self.url.scheme(),
            self.host_header()
        )
    }
}

/// `localhost:3000/hooks`, `127.0.0.1`, `[::1]:8080`: what a bare target may be written as
/// (not `mailto:a@b`, which a URL parser would take as a user and a host).
fn looks_like_host_and_port(text: &str) -> bool {
    let authority = text.split(['/', '?']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return false;
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => {
            !host.is_empty() && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
        }
        None => true,
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.url.as_str();
        // `Url` adds a `/` to a URL without a path; show what the user typed.
        if !self.has_path && self.url.query().is_none() {
            f.write_str(text.trim_end_matches('/'))
        } else {
            f.write_str(text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(text: &str) -> Target {
        Target::parse(text).unwrap()
    }

    #[test]
    fn a_target_without_a_path_gets_the_original_path_and_query() {
        let t = target("http://localhost:3000");
        assert_eq!(
            t.request_target("/webhooks/octopus?a=1"),
            "/webhooks/octopus?a=1"
        );
        assert_eq!(t.request_target("/x"), "/x");
        assert_eq!(target("localhost:3000/").request_target("/in"), "/in");
        assert_eq!(t.url_for("/in?q"), "http://localhost:3000/in?q");
    }

    #[test]
    fn a_target_with_a_path_is_the_endpoint_and_keeps_the_original_query() {
        let t = target("http://localhost:3000/webhooks/octopus");
        assert_eq!(
            t.request_target("/hooks/x?a=1&b=2"),
            "/webhooks/octopus?a=1&b=2"
        );
        assert_eq!(t.request_target("/hooks/x"), "/webhooks/octopus");
        let with_query = target("https://app.test/in?token=s");
        assert_eq!(with_query.request_target("/h?a=1"), "/in?token=s&a=1");
        assert_eq!(with_query.url_for("/h"), "https://app.test/in?token=s");
    }

    #[test]
    fn host_header_and_port_follow_the_scheme() {
        assert_eq!(
            target("http://localhost:3000").host_header(),
            "localhost:3000"
        );
        assert_eq!(target("https://app.test/x").host_header(), "app.test");
        assert_eq!(target("https://app.test/x").port(), 443);
        assert_eq!(target("http://[::1]:8080").host_for_connect(), "::1");
        assert_eq!(target("http://[::1]:8080").host_header(), "[::1]:8080");
    }

    #[test]
    fn only_http_urls_are_targets() {
        for bad in ["ftp://x", "http://", "", "not a url at all", "mailto:a@b"] {
            assert!(Target::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(
            target("localhost:3000").to_string(),
            "http://localhost:3000"
        );
    }
}
