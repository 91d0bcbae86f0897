//! `exec` and `attach` over SPDY/3.1 (`v4.channel.k8s.io`): one stream per attached
//! stdio stream, an `error` stream that carries the exit `Status`, and a `resize` stream
//! with a terminal. Closing stdin is the stdin stream's `FLAG_FIN`.

use std::time::Duration;

use tokio::io::{AsyncReadExt, DuplexStream};
use tokio::sync::mpsc;

use super::frame::Headers;
use super::session::{Session, SessionError, Stream};
use crate::connect::frames::V4;
use crate::connect::process::{
    exit_status, next_size, output, read_some, stdin_pipe, ExitStatus, Process, Streams,
    TerminalSize,
};
use crate::connect::streams::ChannelReader;
use crate::connect::{upgrade, Error, StreamProtocol};
use crate::rest::Client;

/// How long the server may take to accept a stream (the kubelet's own stream creation
/// timeout).
pub(crate) const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

/// The headers that open a stream of `kind`.
fn stream_type(kind: &str) -> Headers {
    Headers::default().with("streamType", kind)
}

/// Waits for the server to accept `stream`, within [`REPLY_TIMEOUT`].
pub(crate) async fn accepted(stream: &mut Stream, url: &str) -> Result<(), Error> {
    match tokio::time::timeout(REPLY_TIMEOUT, stream.replied()).await {
        Ok(result) => result,
        Err(_) => Err(Error::Spdy {
            url: url.to_owned(),
            source: SessionError::NoReply {
                stream_id: stream.id(),
            },
        }),
    }
}

/// Upgrades `url` (an exec or attach request) to SPDY/3.1 and opens its streams.
pub(crate) async fn start(
    client: &Client,
    url: &http::Uri,
    streams: &Streams,
) -> Result<Process, Error> {
    let upgrade = upgrade::spdy(client, url, &[V4]).await?;
    let url = upgrade::rest_url(url);
    let mut session = Session::start(upgrade.io, url.clone());

    let (error_tx, error_reader) = ChannelReader::new();
    let mut error = session.open(stream_type("error"), Some(error_tx)).await?;
    let (stdin, stdin_driver) = stdin_pipe(streams.stdin);
    let mut stdin_stream = match streams.stdin {
        true => Some(session.open(stream_type("stdin"), None).await?),
        false => None,
    };
    let (stdout, stdout_tx) = output(streams.stdout);
    let (stderr, stderr_tx) = output(streams.stderr);
    let mut outputs = Vec::new();
    if let Some(tx) = stdout_tx {
        outputs.push(session.open(stream_type("stdout"), Some(tx)).await?);
    }
    if let Some(tx) = stderr_tx {
        outputs.push(session.open(stream_type("stderr"), Some(tx)).await?);
    }
    let mut resize_stream = match streams.tty {
        true => Some(session.open(stream_type("resize"), None).await?),
        false => None,
    };
    // Every stream must be accepted before the process is handed out: a server that
    // refuses one reports it here rather than in a half-working process.
    accepted(&mut error, &url).await?;
    for stream in stdin_stream
        .iter_mut()
        .chain(outputs.iter_mut())
        .chain(resize_stream.iter_mut())
    {
        accepted(stream, &url).await?;
    }

    let (resize_tx, resize_rx) = mpsc::channel(4);
    let driver = Driver {
        _session: session,
        url,
        stdin: stdin_driver,
        stdin_stream,
        resize: streams.tty.then_some(resize_rx),
        resize_stream,
        error_reader,
        _error: error,
        outputs,
    };
    Ok(Process::new(
        stdin,
        stdout,
        stderr,
        streams.tty.then_some(resize_tx),
        tokio::spawn(driver.run()),
        StreamProtocol::Spdy,
    ))
}

/// Moves stdin and terminal sizes to their streams and reads the exit status; stdout and
/// stderr go from the session to their readers directly.
struct Driver {
    /// Kept so the connection lives as long as the process.
    _session: Session,
    url: String,
    stdin: Option<DuplexStream>,
    stdin_stream: Option<Stream>,
    resize: Option<mpsc::Receiver<TerminalSize>>,
    resize_stream: Option<Stream>,
    error_reader: ChannelReader,
    _error: Stream,
    outputs: Vec<Stream>,
}

impl Driver {
    async fn run(mut self) -> Result<ExitStatus, Error> {
        let mut buf = vec![0u8; 32 * 1024];
        let mut error = Vec::new();
        loop {
            tokio::select! {
                read = self.error_reader.read_buf(&mut error) => match read {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) => return Err(session_failure(&self.url, e)),
                },
                read = read_some(&mut self.stdin, &mut buf) => {
                    // A failed read ends stdin as its end does.
                    let n = read.unwrap_or(0);
                    self.send_stdin(&buf[..n]).await;
                }
                size = next_size(&mut self.resize) => match size {
                    Some(size) => self.send_resize(size).await,
                    None => self.resize = None,
                },
            }
        }
        // The readers see the end of stdout and stderr before the status is known.
        for stream in &mut self.outputs {
            stream.finished().await;
        }
        exit_status(&self.url, &error)
    }

    /// Sends stdin's data, or closes the stream at its end. A process that has ended no
    /// longer reads: a failed write only stops stdin (the status tells how it ended).
    async fn send_stdin(&mut self, data: &[u8]) {
        let Some(stream) = self.stdin_stream.as_mut() else {
            self.stdin = None;
            return;
        };
        let sent = if data.is_empty() {
            self.stdin = None;
            stream.close().await
        } else {
            stream.write(data).await
        };
        if let Err(e) = sent {
            tracing::debug!(url = %self.url, error = %e, "spdy exec: stdin is closed");
            self.stdin = None;
            self.stdin_stream = None;
        }
    }

    async fn send_resize(&mut self, size: TerminalSize) {
        if let Some(stream) = self.resize_stream.as_mut() {
            if let Err(e) = stream.write(size.to_json().as_bytes()).await {
                tracing::debug!(url = %self.url, error = %e, "spdy exec: resize failed");
                self.resize = None;
            }
        }
    }
}

/// The connect error inside a stream's `io::Error` (the session puts it there).
pub(crate) fn session_failure(url: &str, e: std::io::Error) -> Error {
    match e.into_inner().map(|inner| inner.downcast::<Error>()) {
        Some(Ok(error)) => *error,
        Some(Err(other)) => Error::Spdy {
            url: url.to_owned(),
            source: SessionError::Io {
                kind: std::io::ErrorKind::Other,
                message: other.to_string(),
            },
        },
        None => Error::Spdy {
            url: url.to_owned(),
            source: SessionError::Io {
                kind: std::io::ErrorKind::Other,
                message: "the error stream failed".into(),
            },
        },
    }
}
