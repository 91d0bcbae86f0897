//! The connect verbs over SPDY/3.1, as a kubelet serves them to clients that do not speak
//! WebSocket (or to which the server refuses it, see `Faults::refuse_websocket`):
//! exec and attach as `v4.channel.k8s.io` (a stream per stdio stream, `error` for the
//! exit `Status`, `resize` with a terminal), port-forward as `portforward.k8s.io`
//! (`error` and `data` streams per `requestID`; declared ports echo, others are refused
//! on the error stream). The framing is the runtime's own (`connect::spdy::frame`).

use std::collections::HashMap;

use bytes::Bytes;
use hyper::header::{HeaderValue, CONNECTION, UPGRADE};
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use kubegen_runtime::connect::spdy::frame::{
    read_frame, Decoder, Encoder, Frame, Headers, FLAG_FIN,
};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, WriteHalf};
use tokio::sync::mpsc;

use super::connect::{exit_status, parse_size, refusal_message, Session};
use crate::http::{ApiError, Body, Req};
use crate::pod_process::{self, Exit, Input, Output};

const V4: &str = "v4.channel.k8s.io";
const PORT_FORWARD: &str = "portforward.k8s.io";
const STREAM_PROTOCOL_VERSION: &str = "x-stream-protocol-version";

/// Whether the request asks to upgrade to SPDY/3.1.
pub(crate) fn is_spdy(req: &Req) -> bool {
    req.header("upgrade")
        .is_some_and(|u| u.eq_ignore_ascii_case("SPDY/3.1"))
}

/// The `101` answer choosing `protocol` if the client offers it, or the kubelet's
/// refusal (plain text, `403`, as `httpstream.Handshake` writes it).
fn accept(
    req: &Req,
    protocol: &'static str,
) -> Result<(Response<Body>, hyper::upgrade::OnUpgrade), ApiError> {
    let offered: Vec<&str> = req
        .headers
        .get_all(STREAM_PROTOCOL_VERSION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    if !offered.contains(&protocol) {
        return Err(ApiError::new(
            403,
            "Forbidden",
            format!(
                "unable to upgrade: unable to negotiate protocol: client supports {offered:?}, server accepts [{protocol}]"
            ),
        ));
    }
    let upgrade = req
        .take_upgrade()
        .ok_or_else(|| ApiError::bad_request("Upgrade request required"))?;
    let mut response = Response::new(crate::http::body::full(Bytes::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    headers.insert(UPGRADE, HeaderValue::from_static("SPDY/3.1"));
    headers.insert(STREAM_PROTOCOL_VERSION, HeaderValue::from_static(protocol));
    Ok((response, upgrade))
}

/// One side of the server's session: frames read by a task of their own (reading is not
/// cancel-safe), frames written in order through one encoder.
struct Conn<T> {
    frames: mpsc::Receiver<Frame>,
    writer: WriteHalf<T>,
    encoder: Encoder,
}

impl<T: AsyncRead + AsyncWrite + Send + 'static> Conn<T> {
    fn new(io: T) -> Self {
        let (mut reader, writer) = tokio::io::split(io);
        let (tx, frames) = mpsc::channel(16);
        tokio::spawn(async move {
            let mut decoder = Decoder::default();
            loop {
                match read_frame(&mut reader, &mut decoder).await {
                    Ok(Some(frame)) => {
                        if tx.send(frame).await.is_err() {
                            return;
                        }
                    }
                    Ok(None) => return,
                    Err(e) => {
                        tracing::debug!(error = %e, "spdy: reading a frame failed");
                        return;
                    }
                }
            }
        });
        Self {
            frames,
            writer,
            encoder: Encoder::new(),
        }
    }

    async fn send(&mut self, frame: Frame) -> bool {
        let mut buf = Vec::new();
        if self.encoder.encode(&frame, &mut buf).is_err() {
            return false;
        }
        self.writer.write_all(&buf).await.is_ok() && self.writer.flush().await.is_ok()
    }

    async fn reply(&mut self, stream_id: u32) -> bool {
        self.send(Frame::SynReply {
            stream_id,
            flags: 0,
            headers: Headers::default(),
        })
        .await
    }

    async fn data(&mut self, stream_id: u32, data: Bytes, fin: bool) -> bool {
        self.send(Frame::Data {
            stream_id,
            flags: if fin { FLAG_FIN } else { 0 },
            data,
        })
        .await
    }
}

/// Upgrades an exec or attach request and runs its process.
pub(crate) fn exec(req: &Req, session: Session) -> Result<Response<Body>, ApiError> {
    let (response, upgrade) = accept(req, V4)?;
    tokio::spawn(async move {
        match upgrade.await {
            Ok(upgraded) => run_exec(Conn::new(TokioIo::new(upgraded)), session).await,
            Err(e) => tracing::debug!(error = %e, "spdy exec: upgrade failed"),
        }
    });
    Ok(response)
}

async fn run_exec<T: AsyncRead + AsyncWrite + Send + 'static>(mut conn: Conn<T>, session: Session) {
    // The streams the request's parameters call for, as the kubelet waits for them.
    let mut wanted = vec!["error"];
    for (on, kind) in [
        (session.stdin, "stdin"),
        (session.stdout, "stdout"),
        (session.stderr, "stderr"),
        (session.tty, "resize"),
    ] {
        if on {
            wanted.push(kind);
        }
    }
    let mut ids: HashMap<String, u32> = HashMap::new();
    while ids.len() < wanted.len() {
        let Some(frame) = conn.frames.recv().await else {
            return;
        };
        if let Frame::SynStream {
            stream_id, headers, ..
        } = frame
        {
            let kind = headers.get("streamtype").unwrap_or_default().to_owned();
            if !wanted.contains(&kind.as_str()) || !conn.reply(stream_id).await {
                return;
            }
            ids.insert(kind, stream_id);
        }
    }
    let id = |kind: &str| ids.get(kind).copied();
    let (stdin_tx, stdin_rx) = mpsc::channel::<Bytes>(16);
    let (resize_tx, resize_rx) = mpsc::channel(4);
    let (out_tx, mut out_rx) = mpsc::channel::<(u8, Bytes)>(16);
    let mut stdin_tx = session.stdin.then_some(stdin_tx);
    let mut input = Input {
        stdin: session.stdin.then_some(stdin_rx),
        resize: resize_rx,
    };
    let output = Output {
        tx: out_tx,
        tty: session.tty,
    };
    let argv = session.argv.clone();
    let process = tokio::spawn(async move { pod_process::run(&argv, &mut input, &output).await });
    loop {
        tokio::select! {
            frame = conn.frames.recv() => match frame {
                Some(Frame::Data { stream_id, flags, data }) => {
                    if Some(stream_id) == id("stdin") {
                        if let Some(tx) = &stdin_tx {
                            if !data.is_empty() {
                                let _ = tx.send(data).await;
                            }
                        }
                        if flags & FLAG_FIN != 0 {
                            stdin_tx = None;
                        }
                    } else if Some(stream_id) == id("resize") {
                        if let Some(size) = parse_size(&data) {
                            let _ = resize_tx.send(size).await;
                        }
                    }
                }
                Some(_) => {}
                None => return,
            },
            out = out_rx.recv() => match out {
                Some((stream, data)) => {
                    let kind = if stream == 1 { "stdout" } else { "stderr" };
                    if let Some(stream_id) = id(kind) {
                        if !conn.data(stream_id, data, false).await {
                            return;
                        }
                    }
                }
                // The process ended and its output is all sent.
                None => break,
            },
        }
    }
    let exit = match process.await {
        Ok(exit) => exit,
        Err(e) => Exit::NotFound(format!("the process failed: {e}")),
    };
    for kind in ["stdout", "stderr"] {
        if let Some(stream_id) = id(kind) {
            conn.data(stream_id, Bytes::new(), true).await;
        }
    }
    if let Some(stream_id) = id("error") {
        let status = exit_status(&session.argv, &exit).to_string();
        conn.data(stream_id, Bytes::from(status), true).await;
    }
    let _ = conn.writer.shutdown().await;
}

/// Upgrades a port-forward request and serves its stream pairs.
pub(crate) fn port_forward(
    req: &Req,
    ports: Vec<u16>,
    open: Vec<u16>,
    pod: String,
) -> Result<Response<Body>, ApiError> {
    let (response, upgrade) = accept(req, PORT_FORWARD)?;
    tokio::spawn(async move {
        match upgrade.await {
            Ok(upgraded) => {
                run_port_forward(Conn::new(TokioIo::new(upgraded)), &ports, &open, &pod).await
            }
            Err(e) => tracing::debug!(error = %e, "spdy port-forward: upgrade failed"),
        }
    });
    Ok(response)
}

/// A request's two streams, as they arrive.
#[derive(Default)]
struct Pair {
    port: u16,
    error: Option<u32>,
    data: Option<u32>,
}

async fn run_port_forward<T: AsyncRead + AsyncWrite + Send + 'static>(
    mut conn: Conn<T>,
    ports: &[u16],
    open: &[u16],
    pod: &str,
) {
    let mut pairs: HashMap<String, Pair> = HashMap::new();
    // Data stream id -> its request's error stream id, once the pair is complete.
    let mut echoing: HashMap<u32, u32> = HashMap::new();
    while let Some(frame) = conn.frames.recv().await {
        match frame {
            Frame::SynStream {
                stream_id, headers, ..
            } => {
                let port = headers.get("port").and_then(|p| p.parse::<u16>().ok());
                let (Some(port), Some(request)) = (port, headers.get("requestid")) else {
                    // The kubelet refuses a stream without a port or request id.
                    conn.send(Frame::RstStream {
                        stream_id,
                        status: 1,
                    })
                    .await;
                    continue;
                };
                if !conn.reply(stream_id).await {
                    return;
                }
                let pair = pairs.entry(request.to_owned()).or_default();
                pair.port = port;
                match headers.get("streamtype") {
                    Some("error") => pair.error = Some(stream_id),
                    Some("data") => pair.data = Some(stream_id),
                    _ => {}
                }
                if let (Some(error), Some(data)) = (pair.error, pair.data) {
                    let port = pair.port;
                    pairs.remove(request);
                    if ports.contains(&port) && open.contains(&port) {
                        echoing.insert(data, error);
                    } else {
                        let message = refusal_message(port, pod);
                        conn.data(error, Bytes::from(message), true).await;
                        conn.data(data, Bytes::new(), true).await;
                    }
                }
            }
            Frame::Data {
                stream_id,
                flags,
                data,
            } => {
                let Some(&error) = echoing.get(&stream_id) else {
                    continue;
                };
                let fin = flags & FLAG_FIN != 0;
                if (!data.is_empty() || fin) && !conn.data(stream_id, data, fin).await {
                    return;
                }
                if fin {
                    echoing.remove(&stream_id);
                    conn.data(error, Bytes::new(), true).await;
                }
            }
            _ => {}
        }
    }
}
