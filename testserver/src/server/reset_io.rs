//! A TCP stream that closes with an RST when its connection was asked to reset.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::http::ConnReset;

/// Wraps a connection's stream; dropped after [`ConnReset::reset`], it sets `SO_LINGER` to
/// zero first so the kernel aborts the connection (RST) instead of closing it (FIN).
pub(crate) struct ResettableStream {
    inner: TcpStream,
    reset: ConnReset,
}

impl ResettableStream {
    pub(crate) fn new(inner: TcpStream, reset: ConnReset) -> Self {
        Self { inner, reset }
    }
}

impl Drop for ResettableStream {
    fn drop(&mut self) {
        if self.reset.requested() {
            if let Err(e) = socket2::SockRef::from(&self.inner).set_linger(Some(Duration::ZERO)) {
                tracing::debug!(error = %e, "SO_LINGER for an injected reset");
            }
        }
    }
}

impl AsyncRead for ResettableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
