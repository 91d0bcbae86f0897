//! Watch streams: initial events, history replay from a resourceVersion, bookmarks,
//! `sendInitialEvents`, timeouts, selectors, and injected connection drops.

use std::sync::Arc;
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use hyper::Response;
use serde_json::json;
use tokio::sync::mpsc;

use super::list::{check_rv_match, parse_rv, too_old_watch_status, Selectors};
use super::output::event_object;
use super::{State, Target};
use crate::catalog::ResourceDef;
use crate::faults::WatchDrop;
use crate::http::body::{channel, full};
use crate::http::{ApiError, Body, ConnReset, Output, Req};
use crate::store::{type_prefix, EventType, RvError, StoredObject};

const FLUSH_AT: usize = 64 * 1024;
const BATCH: usize = 2048;

struct Stream {
    tx: mpsc::Sender<Bytes>,
    buf: BytesMut,
    prefix: Vec<u8>,
    output: Output,
    res: ResourceDef,
    sent: u64,
    state: Arc<State>,
    conn: ConnReset,
}

/// Why a stream stops.
enum Stop {
    /// The client went away or a fault closed it.
    Closed,
}

impl Stream {
    /// Queues an event; a fault that drops the stream flushes what was queued first.
    async fn event(&mut self, ty: &str, o: &StoredObject) -> Result<(), Stop> {
        let line_start = self.buf.len();
        self.buf.put_slice(b"{\"type\":\"");
        self.buf.put_slice(ty.as_bytes());
        self.buf.put_slice(b"\",\"object\":");
        event_object(&mut self.buf, self.output, &self.prefix, o);
        self.buf.put_slice(b"}\n");
        self.sent += 1;
        match self.state.faults.watch_drop_now(self.sent) {
            None => self.flush(false).await,
            Some(mode) => {
                self.drop_stream(mode, line_start).await;
                Err(Stop::Closed)
            }
        }
    }

    /// Ends the stream as an injected fault: after the last event, in the middle of its
    /// line, or by resetting the connection after half a line.
    async fn drop_stream(&mut self, mode: WatchDrop, line_start: usize) {
        if mode != WatchDrop::EventBoundary {
            let half = (self.buf.len() - line_start) / 2;
            self.buf.truncate(line_start + half);
        }
        let _ = self.flush(true).await;
        if mode == WatchDrop::Reset {
            self.wait_until_sent().await;
            self.conn.reset();
            // Keep the body open until the connection is gone: ending it first would send
            // the body's clean end before the reset.
            let _ = tokio::time::timeout(Duration::from_secs(1), self.tx.closed()).await;
        }
    }

    /// Waits (briefly) until the connection took every queued chunk, so a reset comes
    /// after the bytes before it.
    async fn wait_until_sent(&self) {
        for _ in 0..200 {
            if self.tx.capacity() == self.tx.max_capacity() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    fn raw(&mut self, line: &serde_json::Value) {
        self.buf
            .put_slice(&serde_json::to_vec(line).unwrap_or_default());
        self.buf.put_u8(b'\n');
    }

    fn bookmark(&mut self, rv: u64, initial_end: bool) {
        let (kind, api_version) = match self.output {
            Output::Metadata => (
                "PartialObjectMetadata".to_string(),
                "meta.k8s.io/v1".to_string(),
            ),
            _ => (self.res.kind.clone(), self.res.api_version()),
        };
        let mut meta = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        self.raw(&json!({"type": "BOOKMARK", "object": {"kind": kind, "apiVersion": api_version, "metadata": meta}}));
    }

    async fn flush(&mut self, force: bool) -> Result<(), Stop> {
        if self.buf.is_empty() || (!force && self.buf.len() < FLUSH_AT) {
            return Ok(());
        }
        let chunk = self.buf.split().freeze();
        self.tx.send(chunk).await.map_err(|_| Stop::Closed)
    }
}

/// GET of a collection with `watch=true`.
pub(crate) fn watch(state: Arc<State>, req: &Req, t: &Target) -> Result<Response<Body>, ApiError> {
    let mut sel = Selectors::from_req(req, t)?;
    let rvm = check_rv_match(req, true)?;
    let send_initial = req.q_bool("sendInitialEvents");
    if send_initial && rvm.as_deref() != Some("NotOlderThan") {
        return Err(ApiError::invalid_options(
            "ListOptions",
            "FieldValueForbidden",
            "resourceVersionMatch",
            "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
        ));
    }
    if let Some(name) = &t.name {
        // legacy /watch/.../{name}
        sel.fields
            .0
            .push(crate::semantics::field_selector::FieldRequirement {
                field: "metadata.name".into(),
                value: name.clone(),
                negated: false,
            });
    }
    let rv_param = req.q("resourceVersion").unwrap_or("");
    let start_rv = if rv_param.is_empty() {
        None
    } else {
        Some(parse_rv(rv_param)?)
    };
    let bookmarks = req.q_bool("allowWatchBookmarks");
    let timeout = req
        .q("timeoutSeconds")
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map(Duration::from_secs);
    let output = match req.output() {
        Output::Metadata => Output::Metadata,
        // The list form for a watch: a real server answers 200 and ends the stream at once.
        Output::MetadataList => return Ok(json_stream_response(full(Bytes::new()))),
        _ => Output::Full,
    };
    let (tx, body) = channel();
    let stream = Stream {
        tx,
        buf: BytesMut::with_capacity(FLUSH_AT * 2),
        prefix: type_prefix(&t.res.kind, &t.res.api_version()),
        output,
        res: t.res.clone(),
        sent: 0,
        state: state.clone(),
        conn: req.conn.clone(),
    };
    let key: Arc<str> = Arc::from(t.res.storage_key());
    let ns = t.ns.clone();
    // `sendInitialEvents=false` asks for changes only, even from "any" version.
    let no_initial = req.q("sendInitialEvents") == Some("false");
    let initial = send_initial || (!no_initial && matches!(start_rv, None | Some(0)));
    let start_rv = match start_rv {
        None | Some(0) if no_initial => Some(state.store.current_rv()),
        rv => rv,
    };
    tokio::spawn(async move {
        let _ = run(
            stream,
            key,
            ns,
            sel,
            start_rv,
            initial,
            send_initial,
            bookmarks,
            timeout,
        )
        .await;
    });
    Ok(json_stream_response(body))
}

fn json_stream_response(body: Body) -> Response<Body> {
    let mut r = Response::new(body);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

/// The periodic bookmark timer; none when the interval is zero (no periodic bookmarks).
fn bookmark_timer(every: Duration) -> Option<tokio::time::Interval> {
    if every.is_zero() {
        return None;
    }
    let mut tick = tokio::time::interval(every);
    tick.reset();
    Some(tick)
}

/// Completes at the next tick, or never without a timer.
async fn next_tick(timer: &mut Option<tokio::time::Interval>) {
    match timer {
        Some(t) => {
            t.tick().await;
        }
        None => std::future::pending().await,
    }
}

#[allow(clippy::too_many_arguments)]
async fn run(
    mut s: Stream,
    key: Arc<str>,
    ns: Option<String>,
    sel: Selectors,
    start_rv: Option<u64>,
    initial: bool,
    send_initial: bool,
    bookmarks: bool,
    timeout: Option<Duration>,
) -> Result<(), Stop> {
    let state = s.state.clone();
    let mut changes = state.store.subscribe();
    let mut epoch = state.streams_epoch.subscribe();
    epoch.borrow_and_update();
    changes.borrow_and_update();
    let deadline = timeout.map(|t| tokio::time::Instant::now() + t);
    let in_ns = |o: &StoredObject| ns.as_deref().is_none_or(|n| o.namespace == n);
    let mut cursor = match start_rv {
        Some(rv) if !initial => rv,
        // A WatchList from a version the server has not reached: the real server answers
        // with an ERROR event (after waiting up to 3 s with its watch cache; here at once).
        Some(rv) if send_initial && rv > state.store.current_rv() => {
            let status = ApiError::too_large_rv(rv, state.store.current_rv()).status;
            s.raw(&json!({"type": "ERROR", "object": status}));
            return s.flush(true).await;
        }
        _ => {
            let snap = match state.store.snapshot(&key, ns.as_deref(), None) {
                Ok(s) => s,
                Err(_) => return Err(Stop::Closed),
            };
            for o in snap.items.iter().filter(|o| sel.matches(o)) {
                s.event("ADDED", o).await?;
            }
            if send_initial && bookmarks {
                s.bookmark(snap.rv, true);
            }
            snap.rv
        }
    };
    s.flush(true).await?;
    let mut tick = bookmark_timer(state.bookmark_interval);
    loop {
        changes.borrow_and_update();
        loop {
            let events = match state.store.events_after(cursor, BATCH) {
                Ok(e) => e,
                Err(RvError::TooOld) | Err(RvError::TooLarge { .. }) => {
                    let oldest = state.store.oldest_valid_rv();
                    s.raw(
                        &json!({"type": "ERROR", "object": too_old_watch_status(cursor, oldest)}),
                    );
                    s.flush(true).await?;
                    return Ok(());
                }
            };
            let n = events.len();
            for e in events {
                cursor = e.rv;
                if e.key != key || !in_ns(&e.object) {
                    continue;
                }
                let now_matches = sel.matches(&e.object);
                let before = e.prev.as_ref().is_some_and(|p| sel.matches(p));
                let ty = match e.kind {
                    EventType::Added if now_matches => "ADDED",
                    EventType::Modified if now_matches && before => "MODIFIED",
                    EventType::Modified if now_matches => "ADDED",
                    EventType::Modified if before => {
                        // Leaving the selector: a real server sends the object as the
                        // watcher last saw it, at the change's version.
                        if let Some(prev) = &e.prev {
                            let mut v = prev.value.clone();
                            crate::store::set_rv(&mut v, e.rv);
                            s.event("DELETED", &StoredObject::new(v, e.rv)).await?;
                        }
                        continue;
                    }
                    EventType::Deleted if before || now_matches => "DELETED",
                    _ => continue,
                };
                s.event(ty, &e.object).await?;
            }
            if n < BATCH {
                break;
            }
        }
        s.flush(true).await?;
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            r = changes.changed() => if r.is_err() { return Ok(()) },
            _ = sleep => {
                if bookmarks && cursor <= state.store.current_rv() {
                    s.bookmark(cursor, false);
                    s.flush(true).await?;
                }
                return Ok(());
            }
            _ = next_tick(&mut tick), if bookmarks => {
                // A watch from a version not reached yet reports no progress (as a real server).
                if cursor <= state.store.current_rv() {
                    s.bookmark(cursor, false);
                    s.flush(true).await?;
                }
            }
            _ = epoch.changed() => return Ok(()),
            _ = s.tx.closed() => return Ok(()),
        }
    }
}
