//! A client's SPDY/3.1 session over an upgraded connection: it opens streams (odd ids,
//! increasing), delivers each stream's data to a [`ChannelSender`], answers the server's
//! pings and refuses streams the server tries to open.
//!
//! Two tasks own the connection: one reads frames and routes them, one writes the frames
//! the streams queue (in order, so the header compression of both ends stays in step).
//! Neither does flow control: the SPDY library every Kubernetes server uses (`spdystream`)
//! neither sends nor honours `WINDOW_UPDATE`, so a client that waited for window would
//! stall after 64 KiB. `WINDOW_UPDATE` and `SETTINGS` are read and ignored.

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::frame::{self, rst, Decoder, Encoder, Frame, FrameError, Headers, ReadError, FLAG_FIN};
use crate::connect::streams::ChannelSender;
use crate::connect::Error;

/// Frames queued for the writer.
const OUT_BUFFER: usize = 64;
/// The most data one frame carries here (as client-go's copy buffers).
const MAX_DATA_CHUNK: usize = 32 * 1024;

/// Why a session or one of its streams failed.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionError {
    /// The server sent a frame the protocol does not allow.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The connection failed.
    #[error("connection: {message}")]
    Io {
        /// The I/O error's kind.
        kind: io::ErrorKind,
        /// Its message.
        message: String,
    },
    /// The server reset the stream (`RST_STREAM` with its status code).
    #[error("the server reset stream {stream_id} (status {status})")]
    Reset {
        /// The stream reset.
        stream_id: u32,
        /// The `RST_STREAM` status code.
        status: u32,
    },
    /// The connection ended before the stream was answered (or opened).
    #[error("the connection closed before stream {stream_id} was answered")]
    Closed {
        /// The stream.
        stream_id: u32,
    },
    /// The server did not accept the stream in time.
    #[error("the server did not accept stream {stream_id} in time")]
    NoReply {
        /// The stream.
        stream_id: u32,
    },
    /// The server said `GOAWAY`: no new streams.
    #[error("the server is going away (GOAWAY): no new streams")]
    GoneAway,
}

impl From<io::Error> for SessionError {
    fn from(e: io::Error) -> Self {
        SessionError::Io {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

impl From<ReadError> for SessionError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Frame(f) => SessionError::Frame(f),
            ReadError::Io(io) => io.into(),
        }
    }
}

/// What the reader knows of one stream.
#[derive(Default)]
struct Slot {
    /// Where the stream's data goes (`None`: dropped).
    data: Option<ChannelSender>,
    reply: Option<oneshot::Sender<Result<(), SessionError>>>,
    finished: Option<oneshot::Sender<()>>,
}

#[derive(Default)]
struct State {
    next_id: u32,
    streams: HashMap<u32, Slot>,
    /// Set once the connection has ended: `None` inside for a clean close.
    ended: Option<Option<SessionError>>,
    gone_away: bool,
}

struct Shared {
    url: String,
    state: Mutex<State>,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the table half-updated in a way that matters.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn error(&self, source: SessionError) -> Error {
        Error::Spdy {
            url: self.url.clone(),
            source,
        }
    }

    /// The stream ended from the server's side: its reader sees the end (or `failure`).
    async fn finish(&self, stream_id: u32, failure: Option<SessionError>) {
        let slot = self.lock().streams.remove(&stream_id);
        if let Some(slot) = slot {
            self.close_slot(stream_id, slot, failure).await;
        }
    }

    async fn close_slot(&self, stream_id: u32, mut slot: Slot, failure: Option<SessionError>) {
        if let Some(reply) = slot.reply.take() {
            let _ = reply.send(Err(failure
                .clone()
                .unwrap_or(SessionError::Closed { stream_id })));
        }
        if let (Some(tx), Some(e)) = (slot.data.take(), failure) {
            let _ = tx.send(Err(io::Error::other(self.error(e)))).await;
        }
        if let Some(finished) = slot.finished.take() {
            let _ = finished.send(());
        }
    }

    /// The connection ended: every stream ends with it.
    async fn end(&self, failure: Option<SessionError>) {
        let slots: Vec<(u32, Slot)> = {
            let mut state = self.lock();
            if state.ended.is_none() {
                state.ended = Some(failure.clone());
            }
            state.streams.drain().collect()
        };
        for (stream_id, slot) in slots {
            self.close_slot(stream_id, slot, failure.clone()).await;
        }
    }

    /// Why frames for `stream_id` can no longer be sent: the session's failure, or its
    /// end.
    fn ended_error(&self, stream_id: u32) -> SessionError {
        match &self.lock().ended {
            Some(Some(e)) => e.clone(),
            _ => SessionError::Closed { stream_id },
        }
    }
}

/// A client session. Dropping it closes the connection.
pub(crate) struct Session {
    out: mpsc::Sender<Frame>,
    shared: Arc<Shared>,
    tasks: [JoinHandle<()>; 2],
}

impl Drop for Session {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Session {
    /// Starts a session on an upgraded connection; `url` names it in errors.
    pub(crate) fn start<T>(io: T, url: String) -> Self
    where
        T: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (reader, writer) = tokio::io::split(io);
        let (out, rx) = mpsc::channel(OUT_BUFFER);
        let shared = Arc::new(Shared {
            url,
            state: Mutex::new(State {
                next_id: 1,
                ..State::default()
            }),
        });
        let tasks = [
            tokio::spawn(read_loop(reader, shared.clone(), out.clone())),
            tokio::spawn(write_loop(writer, rx, shared.clone())),
        ];
        Self { out, shared, tasks }
    }

    /// Opens a stream with `headers`; its data goes to `data` (or is dropped). The
    /// server's reply is awaited by the stream's first write, or [`Stream::replied`].
    pub(crate) async fn open(
        &mut self,
        headers: Headers,
        data: Option<ChannelSender>,
    ) -> Result<Stream, Error> {
        let (reply_tx, reply_rx) = oneshot::channel();
        let (finished_tx, finished_rx) = oneshot::channel();
        let stream_id = {
            let mut state = self.shared.lock();
            if let Some(ended) = &state.ended {
                let e = ended.clone().unwrap_or(SessionError::Closed {
                    stream_id: state.next_id,
                });
                return Err(self.shared.error(e));
            }
            if state.gone_away {
                return Err(self.shared.error(SessionError::GoneAway));
            }
            let id = state.next_id;
            if id > 0x7fff_ffff {
                return Err(self.shared.error(SessionError::GoneAway));
            }
            state.next_id += 2;
            state.streams.insert(
                id,
                Slot {
                    data,
                    reply: Some(reply_tx),
                    finished: Some(finished_tx),
                },
            );
            id
        };
        let syn = Frame::SynStream {
            stream_id,
            associated_to: 0,
            priority: 0,
            flags: 0,
            headers,
        };
        if self.out.send(syn).await.is_err() {
            return Err(self.shared.error(self.shared.ended_error(stream_id)));
        }
        Ok(Stream {
            id: stream_id,
            out: self.out.clone(),
            shared: self.shared.clone(),
            reply: Some(reply_rx),
            finished: Some(finished_rx),
            closed: false,
        })
    }
}

/// The client's end of one stream: writes go out as DATA frames once the server has
/// replied (a server drops data sent before its reply); what arrives goes to the
/// stream's [`ChannelSender`].
pub(crate) struct Stream {
    id: u32,
    out: mpsc::Sender<Frame>,
    shared: Arc<Shared>,
    reply: Option<oneshot::Receiver<Result<(), SessionError>>>,
    finished: Option<oneshot::Receiver<()>>,
    closed: bool,
}

impl Stream {
    pub(crate) fn id(&self) -> u32 {
        self.id
    }

    /// Waits for the server's `SYN_REPLY`.
    pub(crate) async fn replied(&mut self) -> Result<(), Error> {
        let Some(reply) = self.reply.take() else {
            return Ok(());
        };
        match reply.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(self.shared.error(e)),
            Err(_) => Err(self
                .shared
                .error(SessionError::Closed { stream_id: self.id })),
        }
    }

    /// Sends `data` (in frames of at most 32 KiB).
    pub(crate) async fn write(&mut self, data: &[u8]) -> Result<(), Error> {
        self.replied().await?;
        for chunk in data.chunks(MAX_DATA_CHUNK) {
            self.send(0, Bytes::copy_from_slice(chunk)).await?;
        }
        Ok(())
    }

    /// Ends the client's side of the stream (`FLAG_FIN`); the server's side stays open.
    pub(crate) async fn close(&mut self) -> Result<(), Error> {
        if self.closed {
            return Ok(());
        }
        self.replied().await?;
        self.closed = true;
        self.send(FLAG_FIN, Bytes::new()).await
    }

    async fn send(&mut self, flags: u8, data: Bytes) -> Result<(), Error> {
        let frame = Frame::Data {
            stream_id: self.id,
            flags,
            data,
        };
        self.out
            .send(frame)
            .await
            .map_err(|_| self.shared.error(self.shared.ended_error(self.id)))
    }

    /// Waits until the server's side of the stream has ended (its `FLAG_FIN`, a reset,
    /// or the end of the connection). Cancel-safe.
    pub(crate) async fn finished(&mut self) {
        if let Some(finished) = self.finished.as_mut() {
            let _ = finished.await;
            self.finished = None;
        }
    }
}

async fn read_loop<R: AsyncRead>(
    reader: tokio::io::ReadHalf<R>,
    shared: Arc<Shared>,
    out: mpsc::Sender<Frame>,
) {
    let mut reader = reader;
    let mut decoder = Decoder::default();
    let failure = loop {
        let frame = match frame::read_frame(&mut reader, &mut decoder).await {
            Ok(Some(frame)) => frame,
            Ok(None) => break None,
            Err(e) => break Some(SessionError::from(e)),
        };
        if let Err(e) = route(frame, &shared, &out).await {
            break Some(e);
        }
    };
    if let Some(e) = &failure {
        tracing::debug!(url = %shared.url, error = %e, "spdy: session failed");
    }
    shared.end(failure).await;
}

/// Acts on one frame from the server.
async fn route(
    frame: Frame,
    shared: &Shared,
    out: &mpsc::Sender<Frame>,
) -> Result<(), SessionError> {
    match frame {
        Frame::Data {
            stream_id,
            flags,
            data,
        } => {
            let tx = shared
                .lock()
                .streams
                .get(&stream_id)
                .and_then(|s| s.data.clone());
            if let Some(tx) = tx {
                if !data.is_empty() && tx.send(Ok(data)).await.is_err() {
                    // The reader was dropped: later data is dropped too.
                    if let Some(slot) = shared.lock().streams.get_mut(&stream_id) {
                        slot.data = None;
                    }
                }
            }
            if flags & FLAG_FIN != 0 {
                shared.finish(stream_id, None).await;
            }
        }
        Frame::SynReply {
            stream_id, flags, ..
        } => {
            let reply = shared
                .lock()
                .streams
                .get_mut(&stream_id)
                .and_then(|s| s.reply.take());
            if let Some(reply) = reply {
                let _ = reply.send(Ok(()));
            }
            if flags & FLAG_FIN != 0 {
                shared.finish(stream_id, None).await;
            }
        }
        Frame::Headers {
            stream_id, flags, ..
        } => {
            if flags & FLAG_FIN != 0 {
                shared.finish(stream_id, None).await;
            }
        }
        Frame::RstStream { stream_id, status } => {
            shared
                .finish(stream_id, Some(SessionError::Reset { stream_id, status }))
                .await;
        }
        Frame::Ping { id } => {
            // Even ids are the server's own pings: echo them. Odd ones would answer ours,
            // and this client sends none.
            if id % 2 == 0 {
                let _ = out.send(Frame::Ping { id }).await;
            }
        }
        Frame::SynStream { stream_id, .. } => {
            let _ = out
                .send(Frame::RstStream {
                    stream_id,
                    status: rst::REFUSED_STREAM,
                })
                .await;
        }
        Frame::GoAway { .. } => shared.lock().gone_away = true,
        Frame::Settings { .. } | Frame::WindowUpdate { .. } => {}
    }
    Ok(())
}

async fn write_loop<W: AsyncWrite>(
    writer: tokio::io::WriteHalf<W>,
    mut rx: mpsc::Receiver<Frame>,
    shared: Arc<Shared>,
) {
    let mut writer = writer;
    let mut encoder = Encoder::new();
    let mut buf = Vec::new();
    while let Some(frame) = rx.recv().await {
        buf.clear();
        let mut next = Some(frame);
        // Everything already queued goes out in one write.
        while let Some(frame) = next {
            if let Err(e) = encoder.encode(&frame, &mut buf) {
                shared.end(Some(e.into())).await;
                return;
            }
            next = rx.try_recv().ok();
        }
        let written = async {
            writer.write_all(&buf).await?;
            writer.flush().await
        };
        if let Err(e) = written.await {
            shared.end(Some(e.into())).await;
            return;
        }
    }
    let _ = writer.shutdown().await;
}
