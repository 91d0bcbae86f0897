//! Port-forward over WebSocket (`v4.channel.k8s.io` port-forward framing, as the kubelet
//! serves it): one WebSocket per forwarded connection, a data channel (0) and an error
//! channel (1), each opened by the port number as two little-endian bytes.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, DuplexStream, ReadBuf};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use super::frames::{self, V4};
use super::process::deliver;
use super::streams::{ChannelReader, ChannelSender};
use super::upgrade::{self, Socket};
use super::{spdy, Error, StreamProtocol};
use crate::rest::Client;

const DATA: u8 = 0;
const ERROR: u8 = 1;
/// Bytes written toward the pod buffered between the caller and the connection.
pub(crate) const WRITE_BUFFER: usize = 64 * 1024;

/// One connection to a pod's port: read what the pod sends, write what it receives.
/// A failure the server reports (nothing listens on the port, say) ends reading with an
/// `io::Error` whose inner error is an [`Error::PortForward`].
#[derive(Debug)]
pub struct PortStream {
    reader: ChannelReader,
    writer: DuplexStream,
    driver: JoinHandle<()>,
    protocol: StreamProtocol,
}

impl PortStream {
    pub(crate) fn new(
        reader: ChannelReader,
        writer: DuplexStream,
        driver: JoinHandle<()>,
        protocol: StreamProtocol,
    ) -> Self {
        Self {
            reader,
            writer,
            driver,
            protocol,
        }
    }

    /// The protocol the connection speaks: [`StreamProtocol::WebSocket`] or
    /// [`StreamProtocol::Spdy`].
    pub fn protocol(&self) -> StreamProtocol {
        self.protocol
    }
}

impl Drop for PortStream {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

impl AsyncRead for PortStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().reader).poll_read(cx, buf)
    }
}

impl AsyncWrite for PortStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().writer).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().writer).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().writer).poll_shutdown(cx)
    }
}

impl Client {
    /// Opens a connection to `port` of a pod (`pods/portforward`), over WebSocket or,
    /// where the server does not offer it, SPDY/3.1.
    pub async fn port_forward(
        &self,
        namespace: &str,
        pod: &str,
        port: u16,
    ) -> Result<PortStream, Error> {
        self.port_forward_with(namespace, pod, port, StreamProtocol::Auto)
            .await
    }

    /// [`Client::port_forward`] over the given stream protocol.
    pub async fn port_forward_with(
        &self,
        namespace: &str,
        pod: &str,
        port: u16,
        protocol: StreamProtocol,
    ) -> Result<PortStream, Error> {
        if port == 0 {
            return Err(
                crate::rest::Error::InvalidRequest("port 0 cannot be forwarded".into()).into(),
            );
        }
        let url = self
            .pod_subresource(namespace, pod, "portforward")
            .param("ports", port)
            .url()?;
        let target = format!("{namespace}/{pod}");
        match protocol {
            StreamProtocol::WebSocket => websocket(self, &url, target, port).await,
            StreamProtocol::Spdy => spdy::portforward::connect(self, &url, target, port).await,
            StreamProtocol::Auto => match websocket(self, &url, target.clone(), port).await {
                Err(e) if e.is_websocket_unsupported() => {
                    tracing::debug!(error = %e, "port-forward: no WebSocket here, trying SPDY/3.1");
                    spdy::portforward::connect(self, &url, target, port).await
                }
                other => other,
            },
        }
    }
}

async fn websocket(
    client: &Client,
    url: &http::Uri,
    pod: String,
    port: u16,
) -> Result<PortStream, Error> {
    let upgrade = upgrade::websocket(client, url, &[V4]).await?;
    let (to_reader, reader) = ChannelReader::new();
    let (writer, from_writer) = tokio::io::duplex(WRITE_BUFFER);
    let forward = Forward {
        socket: upgrade.socket,
        url: upgrade::rest_url(url),
        pod,
        port,
        to_reader: Some(to_reader),
        from_writer: Some(from_writer),
        prefix: [Prefix::default(), Prefix::default()],
        error: Vec::new(),
    };
    Ok(PortStream::new(
        reader,
        writer,
        tokio::spawn(forward.run()),
        StreamProtocol::WebSocket,
    ))
}

/// Serves `listener`: each accepted connection is forwarded to `port` of the pod over its
/// own connection, until the listener fails (or this future is dropped). A connection
/// that cannot be forwarded is logged and closed; the others go on. Once one connection
/// has fallen back to SPDY/3.1, the next ones speak it from the start.
pub async fn serve_port_forward(
    client: Client,
    namespace: String,
    pod: String,
    port: u16,
    listener: TcpListener,
) -> io::Result<()> {
    let protocol = Arc::new(Mutex::new(StreamProtocol::Auto));
    loop {
        let (mut local, peer) = listener.accept().await?;
        let (client, namespace, pod) = (client.clone(), namespace.clone(), pod.clone());
        let protocol = protocol.clone();
        tokio::spawn(async move {
            let wanted = *protocol.lock().unwrap_or_else(|e| e.into_inner());
            let mut remote = match client
                .port_forward_with(&namespace, &pod, port, wanted)
                .await
            {
                Ok(remote) => remote,
                Err(e) => {
                    tracing::warn!(%peer, error = %e, "port-forward: connecting to the pod failed");
                    return;
                }
            };
            if wanted == StreamProtocol::Auto && remote.protocol() == StreamProtocol::Spdy {
                *protocol.lock().unwrap_or_else(|e| e.into_inner()) = StreamProtocol::Spdy;
            }
            if let Err(e) = tokio::io::copy_bidirectional(&mut local, &mut remote).await {
                tracing::warn!(%peer, error = %e, "port-forward: connection ended with an error");
            }
        });
    }
}

/// The two-byte port number that opens a channel, as it arrives.
#[derive(Default)]
struct Prefix {
    bytes: Vec<u8>,
}

impl Prefix {
    /// Consumes the prefix from the front of `data`; the rest is payload.
    fn strip<'a>(&mut self, data: &'a [u8]) -> &'a [u8] {
        let want = 2usize.saturating_sub(self.bytes.len());
        let take = want.min(data.len());
        self.bytes.extend_from_slice(&data[..take]);
        &data[take..]
    }

    fn port(&self) -> Option<u16> {
        (self.bytes.len() == 2).then(|| u16::from_le_bytes([self.bytes[0], self.bytes[1]]))
    }
}

/// Moves bytes between the WebSocket and a [`PortStream`].
struct Forward {
    socket: Socket,
    url: String,
    pod: String,
    port: u16,
    to_reader: Option<ChannelSender>,
    from_writer: Option<DuplexStream>,
    prefix: [Prefix; 2],
    error: Vec<u8>,
}

impl Forward {
    async fn run(mut self) {
        if let Err(e) = self.pump().await {
            if let Some(tx) = &self.to_reader {
                let _ = tx.send(Err(io::Error::other(e))).await;
            }
        }
        let _ = self.socket.close(None).await;
    }

    async fn pump(&mut self) -> Result<(), Error> {
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            tokio::select! {
                message = self.socket.next() => match message {
                    Some(Ok(Message::Binary(data))) => self.received(&data).await?,
                    Some(Ok(Message::Close(_))) | None => return self.finished(),
                    Some(Ok(_)) => {}
                    Some(Err(source)) => return Err(Error::WebSocket { url: self.url.clone(), source }),
                },
                read = read_some(&mut self.from_writer, &mut buf) => match read {
                    // The protocol has no half-close: keep reading what the pod sends.
                    Ok(0) | Err(_) => self.from_writer = None,
                    Ok(n) => self
                        .socket
                        .send(Message::Binary(Bytes::from(frames::frame(DATA, &buf[..n]))))
                        .await
                        .map_err(|source| Error::WebSocket { url: self.url.clone(), source })?,
                },
            }
            let reader_gone = self.to_reader.as_ref().is_none_or(|tx| tx.is_closed());
            if reader_gone && self.from_writer.is_none() {
                return Ok(());
            }
        }
    }

    async fn received(&mut self, message: &[u8]) -> Result<(), Error> {
        let Some((channel, data)) = frames::split(message) else {
            return Ok(());
        };
        let index = match channel {
            DATA => 0,
            ERROR => 1,
            other => {
                return Err(Error::Protocol {
                    url: self.url.clone(),
                    message: format!("a message on channel {other}; one port uses 0 and 1"),
                })
            }
        };
        let payload = self.prefix[index].strip(data);
        if let Some(port) = self.prefix[index].port() {
            if port != self.port {
                return Err(Error::Protocol {
                    url: self.url.clone(),
                    message: format!(
                        "channel {channel} opened for port {port}, not {}",
                        self.port
                    ),
                });
            }
        }
        if channel == DATA {
            deliver(&mut self.to_reader, payload).await;
        } else {
            self.error.extend_from_slice(payload);
        }
        Ok(())
    }

    /// The server closed: an error if it reported one.
    fn finished(&mut self) -> Result<(), Error> {
        let message = String::from_utf8_lossy(&self.error).trim().to_owned();
        if message.is_empty() {
            return Ok(());
        }
        Err(Error::PortForward {
            pod: self.pod.clone(),
            port: self.port,
            message,
        })
    }
}

async fn read_some(stream: &mut Option<DuplexStream>, buf: &mut [u8]) -> io::Result<usize> {
    match stream {
        Some(s) => s.read(buf).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_prefix_may_arrive_split() {
        let mut p = Prefix::default();
        assert_eq!(p.strip(&[0x50]), b"");
        assert_eq!(p.port(), None);
        assert_eq!(p.strip(&[0x00, b'h', b'i']), b"hi");
        assert_eq!(p.port(), Some(80));
        assert_eq!(p.strip(b"more"), b"more");
    }
}
