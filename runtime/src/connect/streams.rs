//! The read side of a channel as a `tokio::io::AsyncRead`: the connection's driver task
//! sends what arrives on the channel, and an error ends the stream with that error.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;

/// How many messages a channel buffers before the driver waits for the reader.
pub(crate) const CHANNEL_BUFFER: usize = 16;

/// The data of one channel (stdout, stderr, a forwarded port). Ends (reads 0) when the
/// channel closes; a failure reported for it ends the stream with an `io::Error` whose
/// inner error is a [`super::Error`].
#[derive(Debug)]
pub struct ChannelReader {
    rx: mpsc::Receiver<Result<Bytes, io::Error>>,
    current: Bytes,
}

/// The driver's end of a [`ChannelReader`].
pub(crate) type ChannelSender = mpsc::Sender<Result<Bytes, io::Error>>;

impl ChannelReader {
    pub(crate) fn new() -> (ChannelSender, Self) {
        let (tx, rx) = mpsc::channel(CHANNEL_BUFFER);
        (
            tx,
            Self {
                rx,
                current: Bytes::new(),
            },
        )
    }
}

impl AsyncRead for ChannelReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        while self.current.is_empty() {
            match self.rx.poll_recv(cx) {
                Poll::Ready(Some(Ok(data))) => self.current = data,
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Err(e)),
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
        let n = self.current.len().min(buf.remaining());
        buf.put_slice(&self.current[..n]);
        self.current.advance(n);
        Poll::Ready(Ok(()))
    }
}
