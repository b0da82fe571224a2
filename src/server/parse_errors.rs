//! Requests hyper refuses before any router sees them, answered in the API's JSON
//! shape.
//!
//! hyper parses each HTTP/1 request head itself and, when it cannot, writes an answer
//! of its own and closes the connection: 414 for a URI over its fixed limit of
//! 65 534 bytes (not configurable), 431 for a head over its read buffer, 400 for a
//! request line or header it cannot parse. Those answers have an empty body. A
//! client of this API expects `{"error", "message"}` with a French message, as for
//! every other error (issue 18).
//!
//! [`JsonParseErrors`] wraps the listener; each connection's writes go through
//! [`ParseErrorAnswers`], which recognises hyper's own answer — a status head of 400,
//! 414 or 431 with `content-length: 0`, written alone — and writes ours in its place.
//! None of our answers looks like that: every error the application writes has a JSON
//! body, so a non-zero length. Only what is written changes; when and how hyper closes
//! the connection does not.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::api::error::ApiError;

/// The TCP listener, each connection wrapped in [`ParseErrorAnswers`].
pub struct JsonParseErrors(pub TcpListener);

impl axum::serve::Listener for JsonParseErrors {
    type Io = ParseErrorAnswers<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (io, addr) = axum::serve::Listener::accept(&mut self.0).await;
        (ParseErrorAnswers::new(io), addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// A connection whose hyper-made error answers are rewritten as JSON.
pub struct ParseErrorAnswers<T> {
    inner: T,
    /// Our answer being written in place of hyper's: bytes, how many are written,
    /// and the length of hyper's buffer, reported as written once ours is.
    replacing: Option<(Vec<u8>, usize, usize)>,
}

impl<T> ParseErrorAnswers<T> {
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            replacing: None,
        }
    }

    /// The wrapped connection.
    pub fn get_ref(&self) -> &T {
        &self.inner
    }
}

/// Our answer in place of `head` when `head` is one of hyper's own error answers.
fn replacement(head: &[u8]) -> Option<Vec<u8>> {
    let error = if head.starts_with(b"HTTP/1.1 414 ") {
        ApiError::UriTooLong
    } else if head.starts_with(b"HTTP/1.1 431 ") {
        ApiError::HeadersTooLarge
    } else if head.starts_with(b"HTTP/1.1 400 ") {
        ApiError::BadRequest("requête HTTP mal formée".into())
    } else {
        return None;
    };
    let text = std::str::from_utf8(head).ok()?;
    let (lines, rest) = text.split_once("\r\n\r\n")?;
    let empty = lines
        .lines()
        .any(|l| l.eq_ignore_ascii_case("content-length: 0"));
    if !rest.is_empty() || !empty {
        return None;
    }
    let (status, kind, message, _) = error.into_parts();
    let body = serde_json::json!({"error": kind, "message": message}).to_string();
    let mut answer = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for line in lines.lines().skip(1) {
        if line.len() > 5 && line[..5].eq_ignore_ascii_case("date:") {
            answer.push_str(line);
            answer.push_str("\r\n");
        }
    }
    answer.push_str("\r\n");
    answer.push_str(&body);
    Some(answer.into_bytes())
}

impl<T: AsyncRead + Unpin> AsyncRead for ParseErrorAnswers<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ParseErrorAnswers<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.replacing.is_none()
            && let Some(ours) = replacement(buf)
        {
            tracing::debug!("hyper refused a request; answering in JSON");
            this.replacing = Some((ours, 0, buf.len()));
        }
        let Some((ours, written, theirs)) = &mut this.replacing else {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        };
        while *written < ours.len() {
            match Pin::new(&mut this.inner).poll_write(cx, &ours[*written..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => *written += n,
                other => return other,
            }
        }
        let theirs = *theirs;
        this.replacing = None;
        Poll::Ready(Ok(theirs))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // hyper's own answers are one head alone: let `poll_write` look at it.
        let first = bufs.iter().find(|b| !b.is_empty());
        match first {
            Some(b) if self.replacing.is_some() || replacement(b).is_some() => {
                self.poll_write(cx, b)
            }
            _ => Pin::new(&mut self.inner).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::replacement;

    #[test]
    fn only_hypers_empty_error_heads_are_replaced() {
        let hyper = b"HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\ndate: Fri, 04 Dec 2026 19:00:00 GMT\r\n\r\n";
        let ours = String::from_utf8(replacement(hyper).unwrap()).unwrap();
        assert!(ours.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{ours}");
        assert!(ours.contains("date: Fri, 04 Dec 2026"), "{ours}");
        assert!(
            ours.ends_with('}') && ours.contains("\"uri_too_long\""),
            "{ours}"
        );
        // An answer of the application: a body, or a length that is not 0.
        assert!(replacement(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 54\r\n\r\n").is_none());
        assert!(replacement(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n{}").is_none());
        assert!(replacement(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").is_none());
    }
}
