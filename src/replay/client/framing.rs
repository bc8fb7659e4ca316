//! The response body: framed by Content-Length, by chunks (decoded here) or by the end of
//! the connection, and whether the connection can carry another request afterwards.

use bytes::{Buf, Bytes, BytesMut};

use super::error::Failure;
use super::response::Head;
use super::stream::Connection;
use crate::units::format_bytes;

/// A chunk size line or trailer block longer than this is not a real server talking.
const MAX_LINE: usize = 4 * 1024;
const MAX_TRAILERS: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Framing {
    Empty,
    Length(u64),
    Chunked,
    UntilClose,
}

impl Framing {
    /// How the body after `head` ends (RFC 9112 §6.3).
    pub(super) fn of(head: &Head, request_was_head: bool) -> Result<Self, Failure> {
        if request_was_head || (100..200).contains(&head.status) || matches!(head.status, 204 | 304)
        {
            return Ok(Framing::Empty);
        }
        let codings: Vec<String> = tokens(head, "transfer-encoding").collect();
        if let Some(last) = codings.last() {
            return Ok(if last == "chunked" {
                Framing::Chunked
            } else {
                Framing::UntilClose
            });
        }
        let mut length = None;
        for value in tokens(head, "content-length") {
            let parsed = parse_length(&value).ok_or_else(|| {
                Failure::Protocol(format!("Content-Length `{value}` is not a length"))
            })?;
            if length.is_some_and(|known| known != parsed) {
                return Err(Failure::Protocol(
                    "two different Content-Length values".into(),
                ));
            }
            length = Some(parsed);
        }
        Ok(length.map_or(Framing::UntilClose, Framing::Length))
    }
}

/// Whether the connection may carry the next request once this body is read.
pub(super) fn keeps_alive(head: &Head, framing: Framing) -> bool {
    head.version == "HTTP/1.1"
        && head.status != 101
        && framing != Framing::UntilClose
        && !tokens(head, "connection").any(|t| t == "close")
}

/// The comma-separated, lowercased tokens of every header with this name.
fn tokens<'a>(head: &'a Head, name: &'a str) -> impl Iterator<Item = String> + 'a {
    head.headers
        .iter()
        .filter(move |h| h.name.eq_ignore_ascii_case(name))
        .flat_map(|h| {
            String::from_utf8_lossy(&h.value)
                .split(',')
                .map(|t| t.trim().to_ascii_lowercase())
                .collect::<Vec<_>>()
        })
        .filter(|t| !t.is_empty())
}

fn parse_length(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Keeps the first `limit` bytes of a body and counts all of them.
struct BodySink {
    kept: BytesMut,
    limit: usize,
    size: u64,
}

impl BodySink {
    fn push(&mut self, bytes: &[u8]) {
        let room = self.limit.saturating_sub(self.kept.len()).min(bytes.len());
        self.kept.extend_from_slice(&bytes[..room]);
        self.size = self.size.saturating_add(bytes.len() as u64);
    }
}

/// Reads the whole body (reading on past `limit`, so the size is known and the connection
/// stays usable) and returns its first `limit` bytes and its full size.
pub(super) async fn read_body(
    connection: &mut Connection,
    framing: Framing,
    limit: usize,
) -> Result<(Bytes, u64), Failure> {
    let mut sink = BodySink {
        kept: BytesMut::new(),
        limit,
        size: 0,
    };
    match framing {
        Framing::Empty => {}
        Framing::Length(length) => copy_exactly(connection, length, &mut sink).await?,
        Framing::Chunked => read_chunks(connection, &mut sink).await?,
        Framing::UntilClose => loop {
            sink.push(&connection.buffer);
            connection.buffer.clear();
            if connection.fill().await.map_err(Failure::Io)? == 0 {
                break;
            }
        },
    }
    Ok((sink.kept.freeze(), sink.size))
}

async fn read_chunks(connection: &mut Connection, sink: &mut BodySink) -> Result<(), Failure> {
    loop {
        let line = read_line(connection).await?;
        let size = chunk_size(&line)?;
        if size == 0 {
            return skip_trailers(connection).await;
        }
        copy_exactly(connection, size, sink).await?;
        if !read_line(connection).await?.is_empty() {
            return Err(Failure::Protocol(
                "a chunk is longer than its size says".into(),
            ));
        }
    }
}

async fn skip_trailers(connection: &mut Connection) -> Result<(), Failure> {
    let mut total = 0;
    loop {
        let line = read_line(connection).await?;
        if line.is_empty() {
            return Ok(());
        }
        total += line.len();
        if total > MAX_TRAILERS {
            return Err(Failure::Protocol(format!(
                "trailers over {}",
                format_bytes(MAX_TRAILERS as u64)
            )));
        }
    }
}

/// `1a3f` or `1a3f;name=value` (extensions are ignored).
pub(super) fn chunk_size(line: &[u8]) -> Result<u64, Failure> {
    let digits = line
        .split(|&b| b == b';')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    let text = String::from_utf8_lossy(digits);
    let bad = || Failure::Protocol(format!("`{text}` is not a chunk size"));
    if digits.is_empty() || digits.len() > 16 || !digits.iter().all(u8::is_ascii_hexdigit) {
        return Err(bad());
    }
    u64::from_str_radix(&text, 16).map_err(|_| bad())
}

/// The next line without its line ending (a bare LF is accepted too).
async fn read_line(connection: &mut Connection) -> Result<BytesMut, Failure> {
    loop {
        if let Some(end) = memchr::memchr(b'\n', &connection.buffer) {
            let mut line = connection.buffer.split_to(end + 1);
            line.truncate(end);
            if line.last() == Some(&b'\r') {
                line.truncate(end - 1);
            }
            return Ok(line);
        }
        if connection.buffer.len() > MAX_LINE {
            return Err(Failure::Protocol(format!(
                "a chunk size line over {}",
                format_bytes(MAX_LINE as u64)
            )));
        }
        fill_or_cut_short(connection).await?;
    }
}

async fn copy_exactly(
    connection: &mut Connection,
    length: u64,
    sink: &mut BodySink,
) -> Result<(), Failure> {
    let mut left = length;
    while left > 0 {
        if connection.buffer.is_empty() {
            fill_or_cut_short(connection).await?;
        }
        let take = left.min(connection.buffer.len() as u64) as usize;
        sink.push(&connection.buffer[..take]);
        connection.buffer.advance(take);
        left -= take as u64;
    }
    Ok(())
}

async fn fill_or_cut_short(connection: &mut Connection) -> Result<(), Failure> {
    match connection.fill().await {
        Ok(0) => Err(Failure::CutShort),
        Ok(_) => Ok(()),
        Err(e) => Err(Failure::Io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Header;

    fn head(status: u16, headers: &[(&str, &str)]) -> Head {
        Head {
            version: "HTTP/1.1".into(),
            status,
            reason: String::new(),
            headers: headers.iter().map(|(n, v)| Header::new(*n, *v)).collect(),
        }
    }

    #[test]
    fn framing_follows_the_rules_for_responses() {
        let framing =
            |status, headers: &[(&str, &str)]| Framing::of(&head(status, headers), false).unwrap();
        assert_eq!(
            framing(200, &[("Content-Length", "12")]),
            Framing::Length(12)
        );
        assert_eq!(
            framing(200, &[("content-length", "3, 3")]),
            Framing::Length(3)
        );
        assert_eq!(
            framing(
                200,
                &[
                    ("Transfer-Encoding", "gzip, Chunked"),
                    ("Content-Length", "9")
                ]
            ),
            Framing::Chunked
        );
        assert_eq!(
            framing(200, &[("Transfer-Encoding", "gzip")]),
            Framing::UntilClose
        );
        assert_eq!(framing(200, &[]), Framing::UntilClose);
        assert_eq!(framing(204, &[("Content-Length", "5")]), Framing::Empty);
        assert_eq!(framing(304, &[]), Framing::Empty);
        assert_eq!(
            Framing::of(&head(200, &[("Content-Length", "5")]), true).unwrap(),
            Framing::Empty
        );
    }

    #[test]
    fn bad_lengths_are_protocol_errors() {
        for value in ["-1", "abc", "1 2", "3, 4", "99999999999999999999999"] {
            let result = Framing::of(&head(200, &[("Content-Length", value)]), false);
            assert!(matches!(result, Err(Failure::Protocol(_))), "{value}");
        }
    }

    #[test]
    fn only_http_1_1_without_close_and_with_a_framed_body_keeps_alive() {
        assert!(keeps_alive(&head(200, &[]), Framing::Length(0)));
        assert!(keeps_alive(&head(200, &[]), Framing::Chunked));
        assert!(!keeps_alive(&head(200, &[]), Framing::UntilClose));
        assert!(!keeps_alive(
            &head(200, &[("Connection", "Keep-Alive, Close")]),
            Framing::Length(0)
        ));
        let mut old = head(200, &[]);
        old.version = "HTTP/1.0".into();
        assert!(!keeps_alive(&old, Framing::Length(0)));
    }

    #[test]
    fn chunk_sizes_are_hex_with_optional_extensions() {
        assert_eq!(chunk_size(b"1a").unwrap(), 26);
        assert_eq!(chunk_size(b"FF ; name=value").unwrap(), 255);
        assert_eq!(chunk_size(b"0").unwrap(), 0);
        for bad in [&b""[..], b"zz", b"-1", b"11111111111111111"] {
            assert!(
                matches!(chunk_size(bad), Err(Failure::Protocol(_))),
                "{bad:?}"
            );
        }
    }

    /// A connection to a server that sends `bytes` and then keeps the connection open.
    async fn connection_sending(bytes: Vec<u8>) -> Connection {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            tokio::io::AsyncWriteExt::write_all(&mut socket, &bytes)
                .await
                .unwrap();
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        });
        let stream = tokio::net::TcpStream::connect(address).await.unwrap();
        Connection::new(super::super::stream::Stream::Plain(stream))
    }

    fn protocol_error(result: Result<impl std::fmt::Debug, Failure>) -> String {
        match result {
            Err(Failure::Protocol(detail)) => detail,
            other => panic!("not a protocol error: {other:?}"),
        }
    }

    /// Sizes in the limit messages are written as everywhere else (`crate::units`).
    #[tokio::test]
    async fn limits_are_reported_with_sizes_written_one_way() {
        let mut long_line = connection_sending(vec![b'a'; MAX_LINE + 100]).await;
        assert_eq!(
            protocol_error(read_line(&mut long_line).await),
            "a chunk size line over 4.0 KiB"
        );
        let trailer = format!("X-Pad: {}\r\n", "p".repeat(1000));
        let mut trailers = connection_sending(trailer.repeat(70).into_bytes()).await;
        assert_eq!(
            protocol_error(skip_trailers(&mut trailers).await),
            "trailers over 64 KiB"
        );
    }

    #[test]
    fn the_sink_keeps_the_first_bytes_and_counts_them_all() {
        let mut sink = BodySink {
            kept: BytesMut::new(),
            limit: 4,
            size: 0,
        };
        sink.push(b"abc");
        sink.push(b"defg");
        assert_eq!((&sink.kept[..], sink.size), (&b"abcd"[..], 7));
    }
}
