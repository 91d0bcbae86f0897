//! `exec` and `attach`: a process in a pod's container, its streams as `tokio::io` types,
//! terminal resize, and its exit status from the error channel.

use std::io;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, DuplexStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::{self, Message};

use super::frames::{self, CLOSE, ERROR, RESIZE, STDERR, STDIN, STDOUT, V4, V5};
use super::streams::{ChannelReader, ChannelSender};
use super::upgrade::{self, Socket};
use super::{spdy, Error, StreamProtocol};
use crate::meta::Status;
use crate::rest::{self, ApiError, Client};

/// Bytes of stdin buffered between the caller and the connection.
const STDIN_BUFFER: usize = 64 * 1024;

/// What to run in a container and which streams to attach (client-go's
/// `PodExecOptions`). [`ExecOptions::command`] attaches stdout and stderr, as `kubectl exec`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecOptions {
    /// The command and its arguments (not run through a shell).
    pub command: Vec<String>,
    /// The container; the pod's only container when `None`.
    pub container: Option<String>,
    /// Open the process's stdin.
    pub stdin: bool,
    /// Read the process's stdout.
    pub stdout: bool,
    /// Read the process's stderr (merged into stdout with a terminal).
    pub stderr: bool,
    /// A terminal: stderr is merged into stdout and [`Process::resize`] works.
    pub tty: bool,
    /// WebSocket, SPDY/3.1, or WebSocket falling back to SPDY (the default).
    pub protocol: StreamProtocol,
}

impl ExecOptions {
    /// Runs `command` with stdout and stderr attached.
    pub fn command<I, S>(command: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            command: command.into_iter().map(Into::into).collect(),
            stdout: true,
            stderr: true,
            ..Self::default()
        }
    }

    /// In this container.
    pub fn container(mut self, container: impl Into<String>) -> Self {
        self.container = Some(container.into());
        self
    }

    /// Whether to open stdin.
    pub fn stdin(mut self, on: bool) -> Self {
        self.stdin = on;
        self
    }

    /// Whether to read stdout.
    pub fn stdout(mut self, on: bool) -> Self {
        self.stdout = on;
        self
    }

    /// Whether to read stderr.
    pub fn stderr(mut self, on: bool) -> Self {
        self.stderr = on;
        self
    }

    /// A terminal (turns stderr off: a terminal has one output).
    pub fn tty(mut self, on: bool) -> Self {
        self.tty = on;
        if on {
            self.stderr = false;
        }
        self
    }

    /// Over this stream protocol.
    pub fn protocol(mut self, protocol: StreamProtocol) -> Self {
        self.protocol = protocol;
        self
    }

    fn streams(&self) -> Streams {
        Streams {
            container: self.container.clone(),
            stdin: self.stdin,
            stdout: self.stdout,
            stderr: self.stderr,
            tty: self.tty,
            protocol: self.protocol,
        }
    }
}

/// Which streams of a container's main process to attach to (client-go's
/// `PodAttachOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttachOptions {
    /// The container; the pod's only (or default) one when `None`.
    pub container: Option<String>,
    /// Open the process's stdin.
    pub stdin: bool,
    /// Read the process's stdout.
    pub stdout: bool,
    /// Read the process's stderr.
    pub stderr: bool,
    /// Allocate a terminal.
    pub tty: bool,
    /// WebSocket, SPDY/3.1, or WebSocket falling back to SPDY (the default).
    pub protocol: StreamProtocol,
}

impl AttachOptions {
    fn streams(&self) -> Streams {
        Streams {
            container: self.container.clone(),
            stdin: self.stdin,
            stdout: self.stdout,
            stderr: self.stderr,
            tty: self.tty,
            protocol: self.protocol,
        }
    }
}

/// The stream choices exec and attach share.
pub(crate) struct Streams {
    container: Option<String>,
    pub(crate) stdin: bool,
    pub(crate) stdout: bool,
    pub(crate) stderr: bool,
    pub(crate) tty: bool,
    protocol: StreamProtocol,
}

impl Streams {
    /// Rejects what the server would reject, before connecting.
    fn check(&self) -> Result<(), rest::Error> {
        if !(self.stdin || self.stdout || self.stderr) {
            return Err(rest::Error::InvalidRequest(
                "at least one of stdin, stdout and stderr must be attached".into(),
            ));
        }
        if self.tty && self.stderr {
            return Err(rest::Error::InvalidRequest(
                "a terminal (tty) has no separate stderr: attach stdout only".into(),
            ));
        }
        Ok(())
    }

    fn apply(&self, mut request: rest::RequestBuilder) -> rest::RequestBuilder {
        if let Some(container) = &self.container {
            request = request.param("container", container);
        }
        for (name, on) in [
            ("stdin", self.stdin),
            ("stdout", self.stdout),
            ("stderr", self.stderr),
            ("tty", self.tty),
        ] {
            if on {
                request = request.param(name, "true");
            }
        }
        request
    }
}

/// A terminal's size in characters, sent on the resize channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TerminalSize {
    /// Columns.
    pub width: u16,
    /// Rows.
    pub height: u16,
}

impl TerminalSize {
    pub(crate) fn to_json(self) -> String {
        format!(r#"{{"Width":{},"Height":{}}}"#, self.width, self.height)
    }
}

/// Sends terminal sizes to a running process (cheap to clone; for a task that watches the
/// local terminal).
#[derive(Clone, Debug)]
pub struct TerminalSizeSender(pub(crate) mpsc::Sender<TerminalSize>);

impl TerminalSizeSender {
    /// Sends a size; false once the process has ended.
    pub async fn send(&self, size: TerminalSize) -> bool {
        self.0.send(size).await.is_ok()
    }
}

/// How a process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitStatus {
    pub(crate) code: i32,
}

impl ExitStatus {
    /// The exit code (0 for success).
    pub fn code(&self) -> i32 {
        self.code
    }

    /// Whether the process exited with status 0.
    pub fn success(&self) -> bool {
        self.code == 0
    }
}

/// A running process in a container. Read stdout and stderr while it runs (their buffers
/// are bounded, as pipes are), then [`Process::join`] for its exit status. Dropping it
/// ends the connection.
#[derive(Debug)]
pub struct Process {
    /// Writes to the process's stdin; shutting it down (or dropping it) closes stdin
    /// (WebSocket v5, and SPDY; a WebSocket v4 server gets no close and the process sees
    /// stdin open until the end).
    pub stdin: Option<DuplexStream>,
    /// The process's stdout, if asked for.
    pub stdout: Option<ChannelReader>,
    /// The process's stderr, if asked for.
    pub stderr: Option<ChannelReader>,
    resize: Option<TerminalSizeSender>,
    driver: Option<JoinHandle<Result<ExitStatus, Error>>>,
    protocol: StreamProtocol,
}

impl Process {
    /// A process whose connection `driver` runs.
    pub(crate) fn new(
        stdin: Option<DuplexStream>,
        stdout: Option<ChannelReader>,
        stderr: Option<ChannelReader>,
        resize: Option<mpsc::Sender<TerminalSize>>,
        driver: JoinHandle<Result<ExitStatus, Error>>,
        protocol: StreamProtocol,
    ) -> Self {
        Self {
            stdin,
            stdout,
            stderr,
            resize: resize.map(TerminalSizeSender),
            driver: Some(driver),
            protocol,
        }
    }

    /// The protocol the connection speaks: [`StreamProtocol::WebSocket`] or
    /// [`StreamProtocol::Spdy`].
    pub fn protocol(&self) -> StreamProtocol {
        self.protocol
    }

    /// Changes the terminal size (with `tty` only; `false` without one or once ended).
    pub async fn resize(&self, size: TerminalSize) -> bool {
        match &self.resize {
            Some(sender) => sender.send(size).await,
            None => false,
        }
    }

    /// A sender of terminal sizes for another task (with `tty` only).
    pub fn terminal_size_sender(&self) -> Option<TerminalSizeSender> {
        self.resize.clone()
    }

    /// Waits for the process to end: its exit code (`NonZeroExitCode` in the error
    /// channel's `Status`), or the failure the server reported.
    pub async fn join(mut self) -> Result<ExitStatus, Error> {
        // Streams not taken are dropped, so an unread output cannot hold the process up.
        self.stdin = None;
        self.stdout = None;
        self.stderr = None;
        let Some(driver) = self.driver.take() else {
            return Err(Error::Protocol {
                url: String::new(),
                message: "the process was already joined".into(),
            });
        };
        driver.await.map_err(|e| Error::Protocol {
            url: String::new(),
            message: format!("the connection's task ended abnormally: {e}"),
        })?
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Some(driver) = &self.driver {
            driver.abort();
        }
    }
}

impl Client {
    /// Runs a command in a pod's container (`pods/exec`, as `kubectl exec`).
    pub async fn exec(
        &self,
        namespace: &str,
        pod: &str,
        options: &ExecOptions,
    ) -> Result<Process, Error> {
        if options.command.is_empty() {
            return Err(rest::Error::InvalidRequest("exec needs a command".into()).into());
        }
        let streams = options.streams();
        streams.check()?;
        let mut request = self.pod_subresource(namespace, pod, "exec");
        for arg in &options.command {
            request = request.param("command", arg);
        }
        start(self, streams.apply(request), &streams).await
    }

    /// Attaches to the main process of a pod's container (`pods/attach`).
    pub async fn attach(
        &self,
        namespace: &str,
        pod: &str,
        options: &AttachOptions,
    ) -> Result<Process, Error> {
        let streams = options.streams();
        streams.check()?;
        let request = self.pod_subresource(namespace, pod, "attach");
        start(self, streams.apply(request), &streams).await
    }

    pub(crate) fn pod_subresource(
        &self,
        namespace: &str,
        pod: &str,
        subresource: &str,
    ) -> rest::RequestBuilder {
        self.get()
            .namespace(namespace)
            .resource("pods")
            .name(pod)
            .subresource(subresource)
    }
}

async fn start(
    client: &Client,
    request: rest::RequestBuilder,
    streams: &Streams,
) -> Result<Process, Error> {
    let url = request.url()?;
    match streams.protocol {
        StreamProtocol::WebSocket => start_websocket(client, &url, streams).await,
        StreamProtocol::Spdy => spdy::exec::start(client, &url, streams).await,
        StreamProtocol::Auto => match start_websocket(client, &url, streams).await {
            Err(e) if e.is_websocket_unsupported() => {
                tracing::debug!(error = %e, "connect: no WebSocket here, trying SPDY/3.1");
                spdy::exec::start(client, &url, streams).await
            }
            other => other,
        },
    }
}

/// `stdin`'s two ends when it is attached: the caller's and the connection's.
pub(crate) fn stdin_pipe(on: bool) -> (Option<DuplexStream>, Option<DuplexStream>) {
    if on {
        let (user, driver) = tokio::io::duplex(STDIN_BUFFER);
        (Some(user), Some(driver))
    } else {
        (None, None)
    }
}

/// A reader and its sender when the stream is attached.
pub(crate) fn output(on: bool) -> (Option<ChannelReader>, Option<ChannelSender>) {
    if on {
        let (tx, rx) = ChannelReader::new();
        (Some(rx), Some(tx))
    } else {
        (None, None)
    }
}

async fn start_websocket(
    client: &Client,
    url: &http::Uri,
    streams: &Streams,
) -> Result<Process, Error> {
    let upgrade = upgrade::websocket(client, url, &[V5, V4]).await?;
    let v5 = upgrade.protocol == V5;
    let (stdin, stdin_driver) = stdin_pipe(streams.stdin);
    let (stdout, stdout_tx) = output(streams.stdout);
    let (stderr, stderr_tx) = output(streams.stderr);
    let (resize_tx, resize_rx) = mpsc::channel(4);
    let driver = Driver {
        socket: upgrade.socket,
        url: upgrade::rest_url(url),
        v5,
        stdin: stdin_driver,
        stdout: stdout_tx,
        stderr: stderr_tx,
        resize: streams.tty.then_some(resize_rx),
        error: Vec::new(),
    };
    Ok(Process::new(
        stdin,
        stdout,
        stderr,
        streams.tty.then_some(resize_tx),
        tokio::spawn(driver.run()),
        StreamProtocol::WebSocket,
    ))
}

/// Moves bytes between the WebSocket and the caller's streams until the server closes.
struct Driver {
    socket: Socket,
    url: String,
    v5: bool,
    stdin: Option<DuplexStream>,
    stdout: Option<ChannelSender>,
    stderr: Option<ChannelSender>,
    resize: Option<mpsc::Receiver<TerminalSize>>,
    /// What arrived on the error channel: the final `Status`.
    error: Vec<u8>,
}

impl Driver {
    async fn run(mut self) -> Result<ExitStatus, Error> {
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            tokio::select! {
                message = self.socket.next() => match message {
                    None => break,
                    Some(Ok(Message::Binary(data))) => self.received(&data).await?,
                    Some(Ok(Message::Close(_))) => break,
                    Some(Ok(_)) => {}
                    Some(Err(e)) if ended(&e) => break,
                    Some(Err(source)) => return Err(Error::WebSocket { url: self.url, source }),
                },
                read = read_some(&mut self.stdin, &mut buf) => match read {
                    Ok(0) | Err(_) => {
                        self.stdin = None;
                        if self.v5 {
                            self.send(frames::frame(CLOSE, &[STDIN])).await?;
                        }
                    }
                    Ok(n) => self.send(frames::frame(STDIN, &buf[..n])).await?,
                },
                size = next_size(&mut self.resize) => match size {
                    Some(size) => self.send(frames::frame(RESIZE, size.to_json().as_bytes())).await?,
                    None => self.resize = None,
                },
            }
        }
        // The readers see the end of their streams before the status is known.
        self.stdout = None;
        self.stderr = None;
        exit_status(&self.url, &self.error)
    }

    async fn received(&mut self, message: &[u8]) -> Result<(), Error> {
        let Some((channel, data)) = frames::split(message) else {
            return Ok(());
        };
        match channel {
            STDOUT => deliver(&mut self.stdout, data).await,
            STDERR => deliver(&mut self.stderr, data).await,
            ERROR => self.error.extend_from_slice(data),
            other => {
                return Err(Error::Protocol {
                    url: self.url.clone(),
                    message: format!("a message on channel {other}, which exec does not use"),
                })
            }
        }
        Ok(())
    }

    async fn send(&mut self, frame: Vec<u8>) -> Result<(), Error> {
        self.socket
            .send(Message::Binary(Bytes::from(frame)))
            .await
            .map_err(|source| Error::WebSocket {
                url: self.url.clone(),
                source,
            })
    }
}

/// Whether a WebSocket error only says the connection has ended.
fn ended(e: &tungstenite::Error) -> bool {
    use tungstenite::error::ProtocolError;
    matches!(
        e,
        tungstenite::Error::ConnectionClosed
            | tungstenite::Error::AlreadyClosed
            | tungstenite::Error::Protocol(ProtocolError::ResetWithoutClosingHandshake)
    )
}

/// Reads from stdin while it is open; never ready once it is closed.
pub(crate) async fn read_some(
    stdin: &mut Option<DuplexStream>,
    buf: &mut [u8],
) -> io::Result<usize> {
    match stdin {
        Some(stream) => stream.read(buf).await,
        None => std::future::pending().await,
    }
}

pub(crate) async fn next_size(
    resize: &mut Option<mpsc::Receiver<TerminalSize>>,
) -> Option<TerminalSize> {
    match resize {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Passes data to a reader; a reader that was dropped gets nothing more.
pub(crate) async fn deliver(sender: &mut Option<ChannelSender>, data: &[u8]) {
    if data.is_empty() {
        return;
    }
    if let Some(tx) = sender {
        if tx.send(Ok(Bytes::copy_from_slice(data))).await.is_err() {
            *sender = None;
        }
    }
}

/// The exit status in the error channel's `Status`: success, `NonZeroExitCode` with its
/// `ExitCode` cause, or another failure, returned as the server's error. Nothing at all
/// means success (older servers send nothing then).
pub(crate) fn exit_status(url: &str, error: &[u8]) -> Result<ExitStatus, Error> {
    if error.iter().all(u8::is_ascii_whitespace) {
        return Ok(ExitStatus { code: 0 });
    }
    let status: Status = serde_json::from_slice(error).map_err(|e| Error::Protocol {
        url: url.to_owned(),
        message: format!(
            "the error channel holds no Status ({e}): {}",
            String::from_utf8_lossy(error)
                .chars()
                .take(512)
                .collect::<String>()
        ),
    })?;
    if status.status.as_deref() == Some("Success") {
        return Ok(ExitStatus { code: 0 });
    }
    if status.reason() == "NonZeroExitCode" {
        let code = status
            .details
            .as_ref()
            .and_then(|d| d.causes.as_ref())
            .and_then(|causes| {
                causes
                    .iter()
                    .find(|c| c.reason.as_deref() == Some("ExitCode"))
            })
            .and_then(|c| c.message.as_deref())
            .and_then(|m| m.trim().parse::<i32>().ok());
        if let Some(code) = code {
            return Ok(ExitStatus { code });
        }
    }
    Err(Error::Remote(Box::new(ApiError::from_status(
        "GET", url, status,
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_come_from_the_status() {
        let ok = br#"{"metadata":{},"status":"Success"}"#;
        assert_eq!(exit_status("u", ok).unwrap().code(), 0);
        assert!(exit_status("u", b"").unwrap().success());
        let three = br#"{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit status 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}"#;
        assert_eq!(exit_status("u", three).unwrap().code(), 3);
        let other = br#"{"metadata":{},"status":"Failure","message":"executable file not found","reason":"InternalError","code":500}"#;
        let err = exit_status("u", other).unwrap_err();
        assert_eq!(err.server_message(), Some("executable file not found"));
        assert!(matches!(
            exit_status("u", b"not json"),
            Err(Error::Protocol { .. })
        ));
    }

    #[test]
    fn streams_are_checked_before_connecting() {
        let none = ExecOptions::command(["ls"]).stdout(false).stderr(false);
        assert!(none.streams().check().is_err());
        let tty = ExecOptions::command(["sh"]).stdin(true).tty(true);
        assert!(!tty.stderr);
        assert!(tty.streams().check().is_ok());
    }

    #[test]
    fn resize_is_json_with_go_field_names() {
        let size = TerminalSize {
            width: 80,
            height: 24,
        };
        assert_eq!(size.to_json(), r#"{"Width":80,"Height":24}"#);
    }
}
