//! The socket as hyper sees it: every byte read goes into the connection's [`WireLog`] and
//! counts as activity; a head the log refuses is answered here, and hyper is told the
//! stream ended.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

use super::connections::Activity;
use super::wire_log::WireLog;

/// After answering a refused head, how long what the sender still sends is read and thrown
/// away: closing with unread bytes would reset the connection, and a reset can destroy the
/// answer before the sender reads it.
const LINGER: Duration = Duration::from_secs(2);
/// And how much of it, at most.
const LINGER_BYTES: usize = 1 << 20;

/// A socket that copies every byte read into a [`WireLog`].
pub struct RecordingStream<S> {
    inner: S,
    log: Arc<WireLog>,
    activity: Arc<Activity>,
    answer: Answer,
    /// hyper wrote bytes it has not flushed yet: a response of its own, which must go out
    /// before hookscope's answer.
    hyper_unflushed: bool,
    /// The read waiting for hyper's flush.
    waiting_read: Option<Waker>,
    /// The write side was shut after an answer; hyper's own shutdown is then a no-op.
    shut: bool,
}

/// Where the stream is in answering a refused head.
enum Answer {
    /// Nothing refused: bytes pass through to hyper.
    None,
    /// Writing hookscope's answer, once hyper's last response is out.
    Writing { bytes: Vec<u8>, written: usize },
    /// Answered; reading what the sender still sends (see [`LINGER`]).
    Lingering { until: Pin<Box<Sleep>>, left: usize },
    /// hyper sees the end of the stream.
    Ended,
}

impl<S> RecordingStream<S> {
    pub fn new(inner: S, log: Arc<WireLog>, activity: Arc<Activity>) -> Self {
        Self {
            inner,
            log,
            activity,
            answer: Answer::None,
            hyper_unflushed: false,
            waiting_read: None,
            shut: false,
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> RecordingStream<S> {
    /// Writes the answer, lingers, then reports the end of the stream to hyper. An answer
    /// that cannot be written (the sender is gone) is given up.
    fn poll_answer(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            match &mut self.answer {
                Answer::None | Answer::Ended => return Poll::Ready(Ok(())),
                Answer::Writing { bytes, written } => {
                    if self.hyper_unflushed {
                        self.waiting_read = Some(cx.waker().clone());
                        return Poll::Pending;
                    }
                    while *written < bytes.len() {
                        match ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..])) {
                            Ok(0) | Err(_) => {
                                self.answer = Answer::Ended;
                                return Poll::Ready(Ok(()));
                            }
                            Ok(n) => *written += n,
                        }
                    }
                    // The sender sees the answer end, so it closes too.
                    let _ = ready!(Pin::new(&mut self.inner).poll_shutdown(cx));
                    self.shut = true;
                    self.answer = Answer::Lingering {
                        until: Box::pin(tokio::time::sleep(LINGER)),
                        left: LINGER_BYTES,
                    };
                }
                Answer::Lingering { until, left } => {
                    if until.as_mut().poll(cx).is_ready() {
                        self.answer = Answer::Ended;
                        continue;
                    }
                    let mut scratch = [0; 4096];
                    let mut discard = ReadBuf::new(&mut scratch);
                    let read = ready!(Pin::new(&mut self.inner).poll_read(cx, &mut discard));
                    let n = discard.filled().len();
                    match read {
                        Ok(()) if n > 0 && n < *left => *left -= n,
                        _ => self.answer = Answer::Ended,
                    }
                }
            }
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for RecordingStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !matches!(this.answer, Answer::None) {
            return this.poll_answer(cx);
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let read = &buf.filled()[before..];
        if read.is_empty() {
            return Poll::Ready(Ok(()));
        }
        this.activity.touch();
        if let Some(answer) = this.log.record(read) {
            // hyper never sees the bytes that broke the limit.
            buf.set_filled(before);
            this.answer = Answer::Writing {
                bytes: answer,
                written: 0,
            };
            return this.poll_answer(cx);
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> RecordingStream<S> {
    fn wrote(&mut self, result: Poll<io::Result<usize>>) -> Poll<io::Result<usize>> {
        if let Poll::Ready(Ok(n)) = result
            && n > 0
        {
            self.hyper_unflushed = true;
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for RecordingStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.wrote(result)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.wrote(result)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    /// hyper flushes the socket only once its own buffer is written out.
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(Pin::new(&mut self.inner).poll_flush(cx))?;
        self.hyper_unflushed = false;
        if let Some(read) = self.waiting_read.take() {
            read.wake();
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.shut {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
