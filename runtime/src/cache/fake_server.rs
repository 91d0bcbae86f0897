//! An in-memory API server for one resource, with faults, for informer tests.
//!
//! It keeps objects, a global resource version, an event history (compactable) and live
//! watchers. Lists page with continue tokens that expire when anything changes; watches replay
//! history from a version (410 when compacted away) or, with `sendInitialEvents`, stream the
//! state and an initial-events-end bookmark. Faults: drop every watch, expire every watch
//! (410 `ERROR` event), compact, and fail the next calls with given errors.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::stream::{self, StreamExt};
use tokio::sync::mpsc;

use super::list_watch::{
    ListPage, ListRequest, ListWatchError, ListWatchOptions, ListWatchStream, ListerWatcher,
    ListerWatcherFor, WatchRequest,
};
use super::store::object_key;
use super::testing::{obj, TestObj};
use crate::meta::Status;
use crate::rest::{ApiError, Bookmark, WatchEvent};

type Sender = mpsc::UnboundedSender<Result<WatchEvent<TestObj>, ListWatchError>>;

#[derive(Default)]
struct State {
    objects: BTreeMap<String, TestObj>,
    rv: u64,
    /// (rv, event) for every change after `compacted`.
    history: Vec<(u64, WatchEvent<TestObj>)>,
    compacted: u64,
    watchers: Vec<Sender>,
    failures: VecDeque<ListWatchError>,
    lists: usize,
    watches: usize,
}

/// The fake server; clones share it.
#[derive(Clone, Default)]
pub(crate) struct FakeServer {
    state: Arc<Mutex<State>>,
    pub supports_watch_list: bool,
}

impl FakeServer {
    /// A server that answers `sendInitialEvents` with the initial state and end bookmark.
    pub(crate) fn with_watch_list() -> Self {
        Self {
            supports_watch_list: true,
            ..Self::default()
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    fn record(state: &mut State, event: WatchEvent<TestObj>) {
        let rv = state.rv;
        state.watchers.retain(|w| w.send(Ok(event.clone())).is_ok());
        state.history.push((rv, event));
    }

    fn next_rv(state: &mut State) -> String {
        state.rv += 1;
        state.rv.to_string()
    }

    /// Creates or updates `ns/name` with `data`.
    pub(crate) fn apply(&self, ns: &str, name: &str, data: u64) {
        let mut state = self.lock();
        let rv = Self::next_rv(&mut state);
        let mut o = obj(ns, name, &rv);
        o.data = data;
        let existed = state.objects.insert(object_key(&o), o.clone()).is_some();
        Self::record(
            &mut state,
            if existed {
                WatchEvent::Modified(o)
            } else {
                WatchEvent::Added(o)
            },
        );
    }

    /// Deletes `ns/name` if it exists.
    pub(crate) fn delete(&self, ns: &str, name: &str) {
        let mut state = self.lock();
        let key = format!("{ns}/{name}");
        if let Some(mut o) = state.objects.remove(&key) {
            o.metadata.resource_version = Some(Self::next_rv(&mut state).into());
            Self::record(&mut state, WatchEvent::Deleted(o));
        }
    }

    /// Sends a bookmark at the current version to every watcher.
    pub(crate) fn bookmark(&self) {
        let mut state = self.lock();
        let event: WatchEvent<TestObj> = WatchEvent::Bookmark(Bookmark::new(state.rv.to_string()));
        state.watchers.retain(|w| w.send(Ok(event.clone())).is_ok());
    }

    /// Forgets history up to now: watches from older versions get 410.
    pub(crate) fn compact(&self) {
        let mut state = self.lock();
        state.compacted = state.rv;
        state.history.clear();
    }

    /// Ends every watch stream (a dropped connection).
    pub(crate) fn drop_watches(&self) {
        self.lock().watchers.clear();
    }

    /// Compacts and sends every watcher a 410 `ERROR` event.
    pub(crate) fn expire_watches(&self) {
        self.compact();
        let mut state = self.lock();
        for w in state.watchers.drain(..) {
            let _ = w.send(Ok(WatchEvent::Error(ApiError::from_status(
                "GET",
                "",
                Status::failure(410, "Expired", "too old resource version"),
            ))));
        }
    }

    /// Fails the next list or watch call with `err`.
    pub(crate) fn fail_next(&self, err: ListWatchError) {
        self.lock().failures.push_back(err);
    }

    /// The server's objects as key → (resource version, data).
    pub(crate) fn snapshot(&self) -> BTreeMap<String, (String, u64)> {
        self.lock()
            .objects
            .iter()
            .map(|(k, o)| {
                (
                    k.clone(),
                    (
                        o.metadata
                            .resource_version
                            .as_deref()
                            .unwrap_or_default()
                            .to_owned(),
                        o.data,
                    ),
                )
            })
            .collect()
    }

    /// (list calls, watch calls) so far.
    pub(crate) fn calls(&self) -> (usize, usize) {
        let s = self.lock();
        (s.lists, s.watches)
    }

    fn parse_rv(rv: &str) -> Option<u64> {
        if rv.is_empty() || rv == "0" {
            None
        } else {
            rv.parse().ok()
        }
    }
}

fn gone(message: &str) -> ListWatchError {
    ListWatchError::Gone {
        message: message.to_string(),
    }
}

impl ListerWatcher<TestObj> for FakeServer {
    async fn list(&self, request: &ListRequest) -> Result<ListPage<TestObj>, ListWatchError> {
        tokio::task::yield_now().await;
        let mut state = self.lock();
        state.lists += 1;
        if let Some(err) = state.failures.pop_front() {
            return Err(err);
        }
        let offset = match &request.continue_token {
            Some(token) => {
                let (rv, offset) = token
                    .split_once(':')
                    .and_then(|(rv, off)| {
                        Some((rv.parse::<u64>().ok()?, off.parse::<usize>().ok()?))
                    })
                    .ok_or_else(|| ListWatchError::other("bad continue token"))?;
                if rv != state.rv {
                    return Err(gone("continue token expired"));
                }
                offset
            }
            None => {
                if let Some(rv) = Self::parse_rv(&request.resource_version) {
                    if rv < state.compacted {
                        return Err(gone("too old resource version"));
                    }
                }
                0
            }
        };
        let limit = request.limit.map_or(usize::MAX, |l| l as usize);
        let items: Vec<TestObj> = state
            .objects
            .values()
            .skip(offset)
            .take(limit)
            .cloned()
            .collect();
        let end = offset + items.len();
        Ok(ListPage {
            items,
            resource_version: state.rv.to_string(),
            continue_token: (end < state.objects.len()).then(|| format!("{}:{end}", state.rv)),
            skipped: Vec::new(),
        })
    }

    async fn watch(
        &self,
        request: &WatchRequest,
    ) -> Result<ListWatchStream<TestObj>, ListWatchError> {
        tokio::task::yield_now().await;
        let mut state = self.lock();
        state.watches += 1;
        if let Some(err) = state.failures.pop_front() {
            return Err(err);
        }
        let (tx, rx) = mpsc::unbounded_channel();
        if request.send_initial_events && self.supports_watch_list {
            for o in state.objects.values() {
                let _ = tx.send(Ok(WatchEvent::Added(o.clone())));
            }
            let _ = tx.send(Ok(WatchEvent::Bookmark(Bookmark::initial_events_end(
                state.rv.to_string(),
            ))));
        } else if let Some(from) = Self::parse_rv(&request.resource_version) {
            if from < state.compacted {
                return Err(gone("too old resource version"));
            }
            for (rv, event) in &state.history {
                if *rv > from {
                    let _ = tx.send(Ok(event.clone()));
                }
            }
        } else {
            // "" or "0": start with the current state as synthetic adds, like the apiserver.
            for o in state.objects.values() {
                let _ = tx.send(Ok(WatchEvent::Added(o.clone())));
            }
        }
        state.watchers.push(tx);
        Ok(stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (e, rx)) }).boxed())
    }
}

impl ListerWatcherFor<TestObj> for FakeServer {
    type ListerWatcher = FakeServer;

    fn lister_watcher(&self, _options: &ListWatchOptions) -> FakeServer {
        self.clone()
    }
}
