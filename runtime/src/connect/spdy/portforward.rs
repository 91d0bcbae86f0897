//! Port-forward over SPDY/3.1 (`portforward.k8s.io`): per forwarded connection an `error`
//! and a `data` stream, both naming the `port` and sharing a `requestID`. The client
//! never writes to the error stream (it closes its side at once); the server writes
//! there why the port could not be reached.

use std::io;

use tokio::io::{AsyncReadExt, DuplexStream};

use super::exec::{accepted, session_failure};
use super::frame::Headers;
use super::session::{Session, Stream};
use crate::connect::portforward::{PortStream, WRITE_BUFFER};
use crate::connect::process::read_some;
use crate::connect::streams::{ChannelReader, ChannelSender};
use crate::connect::{upgrade, Error, StreamProtocol};
use crate::rest::Client;

/// The SPDY stream protocol of port-forward.
const PORT_FORWARD_V1: &str = "portforward.k8s.io";

/// Opens one connection to `port` of `pod` over SPDY/3.1.
pub(crate) async fn connect(
    client: &Client,
    url: &http::Uri,
    pod: String,
    port: u16,
) -> Result<PortStream, Error> {
    let upgrade = upgrade::spdy(client, url, &[PORT_FORWARD_V1]).await?;
    let url = upgrade::rest_url(url);
    let mut session = Session::start(upgrade.io, url.clone());
    let headers = |kind: &str| {
        Headers::default()
            .with("streamType", kind)
            .with("port", port.to_string())
            .with("requestID", "0")
    };
    let (error_tx, error_reader) = ChannelReader::new();
    let mut error = session.open(headers("error"), Some(error_tx)).await?;
    let (to_reader, reader) = ChannelReader::new();
    let mut data = session
        .open(headers("data"), Some(to_reader.clone()))
        .await?;
    accepted(&mut error, &url).await?;
    error.close().await?;
    accepted(&mut data, &url).await?;

    let (writer, from_writer) = tokio::io::duplex(WRITE_BUFFER);
    let forward = Forward {
        _session: session,
        url,
        pod,
        port,
        data,
        error_reader,
        _error: error,
        to_reader: Some(to_reader),
        from_writer: Some(from_writer),
    };
    Ok(PortStream::new(
        reader,
        writer,
        tokio::spawn(forward.run()),
        StreamProtocol::Spdy,
    ))
}

/// Moves what the caller writes to the data stream, and turns the error stream's text
/// into the reader's error.
struct Forward {
    _session: Session,
    url: String,
    pod: String,
    port: u16,
    data: Stream,
    error_reader: ChannelReader,
    _error: Stream,
    /// Kept so the reader sees the end only once the error stream has been read too.
    to_reader: Option<ChannelSender>,
    from_writer: Option<DuplexStream>,
}

impl Forward {
    async fn run(mut self) {
        let mut buf = vec![0u8; 32 * 1024];
        let mut message = Vec::new();
        let mut error_done = false;
        let mut data_done = false;
        loop {
            if error_done && data_done {
                // All the pod sent is delivered: the reader sees the end.
                self.to_reader = None;
            }
            let reader_gone = self.to_reader.as_ref().is_none_or(|tx| tx.is_closed());
            if reader_gone && self.from_writer.is_none() {
                return;
            }
            tokio::select! {
                read = self.error_reader.read_buf(&mut message), if !error_done => match read {
                    Ok(0) => {
                        error_done = true;
                        let text = String::from_utf8_lossy(&message).trim().to_owned();
                        if !text.is_empty() {
                            let e = Error::PortForward { pod: self.pod.clone(), port: self.port, message: text };
                            self.fail(e).await;
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let e = session_failure(&self.url, e);
                        self.fail(e).await;
                        return;
                    }
                },
                read = read_some(&mut self.from_writer, &mut buf) => {
                    let sent = match read {
                        Ok(n) if n > 0 => self.data.write(&buf[..n]).await,
                        // The caller shut its side down: so does the stream.
                        _ => {
                            self.from_writer = None;
                            self.data.close().await
                        }
                    };
                    if let Err(e) = sent {
                        self.fail(e).await;
                        return;
                    }
                }
                _ = self.data.finished(), if !data_done => data_done = true,
            }
        }
    }

    /// Ends the reader with `e`.
    async fn fail(&mut self, e: Error) {
        if let Some(tx) = self.to_reader.take() {
            let _ = tx.send(Err(io::Error::other(e))).await;
        }
    }
}
