//! The reflector: keeps a store equal to the server's state by list + watch.
//!
//! Contract (client-go's `reflector.go`, written as kube-rs's explicit state machine): the
//! reflector lists (in pages) and hands the whole list to [`ReflectorStore::replace`], then
//! watches from the list's resource version, forwarding every add/update/delete and advancing
//! its resource version on every event and bookmark. When a watch ends it re-watches from the
//! last version; when the version has expired (410 Gone, as an error or an `ERROR` event) it
//! relists; on any other error it backs off (exponential, jittered, capped; at least a 429's
//! `Retry-After`) and resumes. With `use_watch_list` it first tries one WatchList stream
//! (`sendInitialEvents=true`), collecting the initial events until the bookmark annotated
//! `k8s.io/initial-events-end` and replacing the store with them, and falls back to list +
//! watch when the server does not support it (or a stream was too slow), trying WatchList
//! again at a later relist (after a growing pause), so one slow stream does not switch it
//! off for the life of the process. A server-chosen wait (`retryAfterSeconds`) is capped
//! by the backoff's `max`, as the REST client caps `Retry-After`. Optionally it asks the store to resync
//! periodically. Each [`State`] is named after what the loop waits for.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::backoff::{Backoff, BackoffConfig};
use super::delta_fifo::DeltaFifo;
use super::list_watch::{
    ListRequest, ListWatchError, ListWatchStream, ListerWatcher, SkippedObject, WatchRequest,
};
use super::store::{object_key, Store};
use super::watch_errors::{ErrorReport, WatchErrorHandler};
use crate::meta::Object;
use crate::rest::WatchEvent;

/// Where a reflector puts what it sees (a [`DeltaFifo`] for informers, or a plain [`Store`]).
pub trait ReflectorStore<K>: Send + Sync + 'static {
    /// An object appeared.
    fn add(&self, obj: Arc<K>);
    /// An object changed.
    fn update(&self, obj: Arc<K>);
    /// An object is gone.
    fn delete(&self, obj: Arc<K>);
    /// The complete state at `resource_version` (a relist).
    fn replace(&self, objects: Vec<Arc<K>>, resource_version: &str);
    /// Re-deliver every known object (periodic resync).
    fn resync(&self);
    /// The stored state of `key`, kept through a relist whose page left that object out
    /// because it did not decode. `None` (the default) lets the relist drop it.
    fn last_known(&self, key: &str) -> Option<Arc<K>> {
        let _ = key;
        None
    }
}

impl<K: Object + Send + Sync + 'static> ReflectorStore<K> for DeltaFifo<K> {
    fn add(&self, obj: Arc<K>) {
        DeltaFifo::add(self, obj);
    }
    fn update(&self, obj: Arc<K>) {
        DeltaFifo::update(self, obj);
    }
    fn delete(&self, obj: Arc<K>) {
        DeltaFifo::delete(self, obj);
    }
    fn replace(&self, objects: Vec<Arc<K>>, _resource_version: &str) {
        DeltaFifo::replace(self, objects);
    }
    fn resync(&self) {
        DeltaFifo::resync(self);
    }
    fn last_known(&self, key: &str) -> Option<Arc<K>> {
        self.known_object(key)
    }
}

impl<K: Object + Send + Sync + 'static> ReflectorStore<K> for Store<K> {
    fn add(&self, obj: Arc<K>) {
        Store::add(self, obj);
    }
    fn update(&self, obj: Arc<K>) {
        Store::add(self, obj);
    }
    fn delete(&self, obj: Arc<K>) {
        Store::delete(self, &obj);
    }
    fn replace(&self, objects: Vec<Arc<K>>, _resource_version: &str) {
        Store::replace(self, objects);
    }
    fn resync(&self) {}
    fn last_known(&self, key: &str) -> Option<Arc<K>> {
        self.get_by_key(key)
    }
}

/// Changes each object in place before it is stored (e.g. drop `managedFields`).
pub type Transform<K> = Arc<dyn Fn(&mut K) + Send + Sync>;

/// Settings of a [`Reflector`].
#[derive(Debug, Clone)]
pub struct ReflectorConfig {
    /// How lists (when WatchList is off or unsupported) are read. `None` (the default, as
    /// client-go): one response from the watch cache (`resourceVersion=0`), decoded as it
    /// streams in, cheapest for the server. `Some(n)`: pages of `n` (`limit`) of the most
    /// recent state (`resourceVersion=""`; a server ignores `limit` with
    /// `resourceVersion=0`), so no one response is large.
    pub page_size: Option<u32>,
    /// Try WatchList (`sendInitialEvents=true`) before list + watch.
    pub use_watch_list: bool,
    /// Ask the store to resync this often.
    pub resync_period: Option<Duration>,
    /// Retry backoff; its `max` also caps a server's `retryAfterSeconds`.
    pub backoff: BackoffConfig,
    /// Watches ask the server to end them after a random time in `[min, 2 × min)`, so
    /// reconnects spread out.
    pub min_watch_timeout: Duration,
    /// Consecutive WatchList streams that end before their initial-events-end bookmark after
    /// which the server is taken not to support WatchList.
    pub watch_list_attempts: u32,
    /// Silence during a WatchList's initial events after which the server is taken to have
    /// ignored `sendInitialEvents` (older servers answer with plain watch events and never
    /// send the initial-events-end bookmark).
    pub watch_list_idle_timeout: Duration,
}

impl Default for ReflectorConfig {
    fn default() -> Self {
        Self {
            page_size: None,
            use_watch_list: true,
            resync_period: None,
            backoff: BackoffConfig::default(),
            min_watch_timeout: Duration::from_secs(300),
            watch_list_attempts: 3,
            watch_list_idle_timeout: Duration::from_secs(10),
        }
    }
}

/// The pause before trying WatchList again after a fallback: 5 min doubling to 1 h.
/// Failures are never forgotten by time alone (retries happen only at relists, which may be
/// hours apart); a completed WatchList resets it.
const WATCH_LIST_RETRY: BackoffConfig = BackoffConfig {
    initial: Duration::from_secs(300),
    max: Duration::from_secs(3600),
    factor: 2.0,
    jitter: 0.2,
    reset_after: Duration::MAX,
};

/// What the reflector loop is waiting for.
enum State<K> {
    /// The next page of a list (the first one when `continue_token` is `None`).
    Listing {
        items: Vec<Arc<K>>,
        continue_token: Option<String>,
    },
    /// A WatchList stream to open.
    OpeningWatchList,
    /// The initial events of a WatchList, up to the initial-events-end bookmark.
    ReceivingInitialEvents {
        stream: ListWatchStream<K>,
        items: HashMap<String, Arc<K>>,
    },
    /// A watch to open from the last synced resource version.
    OpeningWatch,
    /// The next event of a watch.
    Watching {
        stream: ListWatchStream<K>,
        opened: Instant,
        events: u64,
    },
    /// A backoff to pass before going on with `then`.
    BackingOff { until: Instant, then: Box<State<K>> },
}

impl<K> State<K> {
    fn name(&self) -> &'static str {
        match self {
            State::Listing { .. } => "Listing",
            State::OpeningWatchList => "OpeningWatchList",
            State::ReceivingInitialEvents { .. } => "ReceivingInitialEvents",
            State::OpeningWatch => "OpeningWatch",
            State::Watching { .. } => "Watching",
            State::BackingOff { .. } => "BackingOff",
        }
    }
}

/// Shared view of a reflector's progress and of the errors it met.
#[derive(Debug, Clone, Default)]
pub struct ReflectorStatus {
    last_sync_resource_version: Arc<Mutex<String>>,
    errors: Arc<ErrorReport>,
}

impl ReflectorStatus {
    /// The resource version the store reflects (empty before the first sync).
    pub fn last_sync_resource_version(&self) -> String {
        self.last_sync_resource_version
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Calls `handler` with every list or watch error from now on (client-go's
    /// `SetWatchErrorHandler`); replaces an earlier handler.
    pub fn set_error_handler(&self, handler: impl Fn(&ListWatchError) + Send + Sync + 'static) {
        let handler: WatchErrorHandler = Arc::new(handler);
        self.errors.set_handler(handler);
    }

    /// How many list or watch errors the reflector has met.
    pub fn error_count(&self) -> u64 {
        self.errors.errors()
    }

    /// How many watch events were skipped because their object did not decode.
    pub fn skipped_objects(&self) -> u64 {
        self.errors.skipped_objects()
    }

    fn report(&self, err: &ListWatchError) {
        self.errors.report(err);
    }

    fn set(&self, rv: &str) {
        let mut guard = self
            .last_sync_resource_version
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        guard.clear();
        guard.push_str(rv);
    }
}

/// Keeps a [`ReflectorStore`] in step with the server through a [`ListerWatcher`].
pub struct Reflector<K, L, S> {
    lister_watcher: L,
    /// What logs call the resource.
    resource: Cow<'static, str>,
    store: Arc<S>,
    config: ReflectorConfig,
    transform: Option<Transform<K>>,
    status: ReflectorStatus,
    last_sync_rv: String,
    /// The last synced version is known to be expired: relist from the latest.
    rv_unavailable: bool,
    /// After a fallback to list + watch, WatchList is not tried again before this.
    watch_list_paused_until: Option<Instant>,
    /// Grows the pause after each fallback; reset by a WatchList that completes.
    watch_list_backoff: Backoff,
    /// WatchList streams in a row that ended before their initial-events-end bookmark.
    watch_list_failures: u32,
    backoff: Backoff,
}

impl<K, L, S> fmt::Debug for Reflector<K, L, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reflector")
            .field("last_sync_rv", &self.last_sync_rv)
            .field("watch_list_paused_until", &self.watch_list_paused_until)
            .finish_non_exhaustive()
    }
}

impl<K, L, S> Reflector<K, L, S>
where
    K: Object + Send + Sync + 'static,
    L: ListerWatcher<K>,
    S: ReflectorStore<K>,
{
    /// A reflector feeding `store` from `lister_watcher`; it runs once started.
    pub fn new(lister_watcher: L, store: Arc<S>, config: ReflectorConfig) -> Self {
        Self {
            resource: lister_watcher.resource_name(),
            lister_watcher,
            store,
            watch_list_paused_until: None,
            watch_list_backoff: Backoff::new(WATCH_LIST_RETRY),
            backoff: Backoff::new(config.backoff),
            config,
            transform: None,
            status: ReflectorStatus::default(),
            last_sync_rv: String::new(),
            rv_unavailable: false,
            watch_list_failures: 0,
        }
    }

    /// Applies `transform` to every object before it reaches the store.
    pub fn with_transform(mut self, transform: Option<Transform<K>>) -> Self {
        self.transform = transform;
        self
    }

    /// A handle on the reflector's progress that stays valid while it runs.
    pub fn status(&self) -> ReflectorStatus {
        self.status.clone()
    }

    /// Runs until `cancel` fires.
    pub async fn run(mut self, cancel: CancellationToken) {
        let store = Arc::clone(&self.store);
        let resync_period = self.config.resync_period.filter(|p| !p.is_zero());
        let resync = async move {
            let Some(period) = resync_period else {
                return std::future::pending().await;
            };
            let mut ticks = tokio::time::interval_at(Instant::now() + period, period);
            loop {
                ticks.tick().await;
                store.resync();
            }
        };
        let main = async {
            let mut state = self.start_state();
            loop {
                state = self.step(state).await;
            }
        };
        tokio::select! {
            () = cancel.cancelled() => {}
            () = main => {}
            () = resync => {}
        }
    }

    fn start_state(&self) -> State<K> {
        if self.watch_list_enabled() {
            State::OpeningWatchList
        } else {
            State::Listing {
                items: Vec::new(),
                continue_token: None,
            }
        }
    }

    /// WatchList is configured and not paused after a fallback.
    fn watch_list_enabled(&self) -> bool {
        self.config.use_watch_list
            && self
                .watch_list_paused_until
                .is_none_or(|until| Instant::now() >= until)
    }

    fn fresh_list() -> State<K> {
        State::Listing {
            items: Vec::new(),
            continue_token: None,
        }
    }

    async fn step(&mut self, state: State<K>) -> State<K> {
        let from = state.name();
        let next = match state {
            State::Listing {
                items,
                continue_token,
            } => self.list_page(items, continue_token).await,
            State::OpeningWatchList => self.open_watch_list().await,
            State::ReceivingInitialEvents { stream, items } => {
                self.receive_initial_event(stream, items).await
            }
            State::OpeningWatch => self.open_watch().await,
            State::Watching {
                stream,
                opened,
                events,
            } => self.next_watch_event(stream, opened, events).await,
            State::BackingOff { until, then } => {
                tokio::time::sleep_until(until).await;
                *then
            }
        };
        if from != next.name() {
            tracing::debug!(
                resource = %self.resource,
                from,
                to = next.name(),
                "reflector state"
            );
        }
        next
    }

    fn relist_resource_version(&self) -> String {
        if self.rv_unavailable {
            String::new()
        } else if self.last_sync_rv.is_empty() {
            // Any cached state is fine for a first list, served from the watch cache; but
            // the watch cache answers `resourceVersion=0` whole, whatever the `limit`, so
            // paging asks for the latest state instead.
            if self.config.page_size.is_some() {
                String::new()
            } else {
                "0".to_string()
            }
        } else {
            self.last_sync_rv.clone()
        }
    }

    fn set_resource_version(&mut self, rv: &str) {
        if rv.is_empty() {
            return;
        }
        rv.clone_into(&mut self.last_sync_rv);
        self.status.set(rv);
    }

    fn prepare(&self, mut obj: K) -> Arc<K> {
        if let Some(transform) = &self.transform {
            transform(&mut obj);
        }
        Arc::new(obj)
    }

    fn watch_timeout(&self) -> Option<u32> {
        let min = self.config.min_watch_timeout.as_secs();
        if min == 0 {
            return None;
        }
        Some(u32::try_from(min + fastrand::u64(0..min)).unwrap_or(u32::MAX))
    }

    /// Backs off before `then`, at least as long as a 429 asked (up to the backoff's max:
    /// a server must not park the reflector for hours, nor overflow the clock).
    fn back_off(&mut self, err: &ListWatchError, then: State<K>) -> State<K> {
        let mut delay = self.backoff.next_delay();
        if let ListWatchError::TooManyRequests {
            retry_after: Some(at_least),
            ..
        } = err
        {
            delay = delay.max((*at_least).min(self.config.backoff.max));
        }
        tracing::warn!(
            resource = %self.resource,
            error = %err,
            retry_in = ?delay,
            then = then.name(),
            "list/watch failed; backing off"
        );
        self.status.report(err);
        let now = Instant::now();
        State::BackingOff {
            until: now.checked_add(delay).unwrap_or(now),
            then: Box::new(then),
        }
    }

    async fn list_page(
        &mut self,
        mut items: Vec<Arc<K>>,
        continue_token: Option<String>,
    ) -> State<K> {
        let request = match &continue_token {
            Some(token) => ListRequest {
                limit: self.config.page_size,
                continue_token: Some(token.clone()),
                ..ListRequest::default()
            },
            None => ListRequest {
                resource_version: self.relist_resource_version(),
                limit: self.config.page_size,
                ..ListRequest::default()
            },
        };
        match self.lister_watcher.list(&request).await {
            Ok(page) => {
                items.reserve(page.items.len());
                for obj in page.items {
                    items.push(self.prepare(obj));
                }
                for skipped in &page.skipped {
                    items.extend(self.keep_undecodable(skipped));
                }
                match page.continue_token.filter(|t| !t.is_empty()) {
                    Some(token) => State::Listing {
                        items,
                        continue_token: Some(token),
                    },
                    None => {
                        tracing::debug!(
                            resource = %self.resource,
                            count = items.len(),
                            resource_version = %page.resource_version,
                            "listed"
                        );
                        self.store.replace(items, &page.resource_version);
                        self.set_resource_version(&page.resource_version);
                        self.rv_unavailable = false;
                        self.backoff.reset();
                        State::OpeningWatch
                    }
                }
            }
            Err(err) if err.is_gone() => {
                // The version (or the continue token) expired: list the latest state.
                let already_latest =
                    continue_token.is_none() && request.resource_version.is_empty();
                self.rv_unavailable = true;
                if already_latest {
                    self.back_off(&err, Self::fresh_list())
                } else {
                    tracing::info!(resource = %self.resource, error = %err, "relisting from the latest version");
                    Self::fresh_list()
                }
            }
            Err(err) => self.back_off(&err, Self::fresh_list()),
        }
    }

    async fn open_watch(&mut self) -> State<K> {
        let request = WatchRequest {
            resource_version: self.last_sync_rv.clone(),
            allow_watch_bookmarks: true,
            timeout_seconds: self.watch_timeout(),
            ..WatchRequest::default()
        };
        match self.lister_watcher.watch(&request).await {
            Ok(stream) => State::Watching {
                stream,
                opened: Instant::now(),
                events: 0,
            },
            Err(err) if err.is_gone() => self.relist_after_gone(&err),
            Err(err) => self.back_off(&err, State::OpeningWatch),
        }
    }

    /// A watch's version expired (410): relist from the latest state. The last synced
    /// version is marked unusable, so the relist asks for `resourceVersion=""` (paged)
    /// instead of `resourceVersion=X&limit=N`, which the watch cache cannot serve and etcd
    /// answers with a second 410 (client-go's `isLastSyncResourceVersionUnavailable`).
    fn relist_after_gone(&mut self, err: &ListWatchError) -> State<K> {
        tracing::info!(resource = %self.resource, error = %err, "watch version expired; relisting from the latest version");
        self.status.report(err);
        self.rv_unavailable = true;
        self.start_state()
    }

    /// A list item did not decode: report it, and give its last good state to keep (a
    /// relist must not delete an object only because this build cannot read its new form).
    fn keep_undecodable(&self, skipped: &SkippedObject) -> Option<Arc<K>> {
        let err = skipped.to_error();
        tracing::error!(resource = %self.resource, error = %err, "listed an object that does not decode; keeping its last good state");
        self.status.report(&err);
        self.store.last_known(&skipped.key)
    }

    /// One object did not decode: skip it (its last good state stays in the store) and
    /// resume after its version, so a re-watch is not served the same event for ever.
    fn skip_undecodable(&mut self, err: &ListWatchError) {
        tracing::error!(resource = %self.resource, error = %err, "skipping an object that does not decode");
        self.status.report(err);
        if let ListWatchError::UndecodableObject {
            resource_version: Some(rv),
            ..
        } = err
        {
            self.set_resource_version(rv);
        }
    }

    async fn next_watch_event(
        &mut self,
        mut stream: ListWatchStream<K>,
        opened: Instant,
        events: u64,
    ) -> State<K> {
        let event = match stream.next().await {
            Some(Ok(event)) => event,
            Some(Err(err)) if err.is_gone() => return self.relist_after_gone(&err),
            Some(Err(err @ ListWatchError::UndecodableObject { .. })) => {
                self.skip_undecodable(&err);
                return State::Watching {
                    stream,
                    opened,
                    events: events + 1,
                };
            }
            Some(Err(err)) => return self.back_off(&err, State::OpeningWatch),
            None if events == 0 && opened.elapsed() < Duration::from_secs(1) => {
                let err = ListWatchError::other(
                    "very short watch: closed within a second without events",
                );
                return self.back_off(&err, State::OpeningWatch);
            }
            None => return State::OpeningWatch,
        };
        match event {
            WatchEvent::Added(obj) => {
                let obj = self.prepare(obj);
                let rv = obj.metadata().resource_version.clone();
                self.store.add(obj);
                self.set_resource_version(rv.as_deref().unwrap_or_default());
            }
            WatchEvent::Modified(obj) => {
                let obj = self.prepare(obj);
                let rv = obj.metadata().resource_version.clone();
                self.store.update(obj);
                self.set_resource_version(rv.as_deref().unwrap_or_default());
            }
            WatchEvent::Deleted(obj) => {
                let obj = self.prepare(obj);
                let rv = obj.metadata().resource_version.clone();
                self.store.delete(obj);
                self.set_resource_version(rv.as_deref().unwrap_or_default());
            }
            WatchEvent::Bookmark(bookmark) => self.set_resource_version(&bookmark.resource_version),
            WatchEvent::Error(api) => {
                let err = ListWatchError::from_status(&api.status);
                if err.is_gone() {
                    return self.relist_after_gone(&err);
                }
                return self.back_off(&err, State::OpeningWatch);
            }
        }
        self.backoff.reset();
        State::Watching {
            stream,
            opened,
            events: events + 1,
        }
    }

    async fn open_watch_list(&mut self) -> State<K> {
        let request = WatchRequest {
            resource_version: if self.rv_unavailable {
                String::new()
            } else {
                self.last_sync_rv.clone()
            },
            resource_version_match: Some("NotOlderThan".to_string()),
            allow_watch_bookmarks: true,
            send_initial_events: true,
            timeout_seconds: self.watch_timeout(),
        };
        match self.lister_watcher.watch(&request).await {
            Ok(stream) => State::ReceivingInitialEvents {
                stream,
                items: HashMap::new(),
            },
            Err(err @ ListWatchError::WatchListUnsupported { .. }) => self.fall_back_to_list(&err),
            Err(err) if err.is_gone() && !request.resource_version.is_empty() => {
                self.rv_unavailable = true;
                State::OpeningWatchList
            }
            Err(err) => self.back_off(&err, State::OpeningWatchList),
        }
    }

    /// Lists now, and tries WatchList again at the first relist after a pause that grows
    /// with each fallback.
    fn fall_back_to_list(&mut self, err: &ListWatchError) -> State<K> {
        let pause = self.watch_list_backoff.next_delay();
        self.watch_list_paused_until = Instant::now().checked_add(pause);
        self.watch_list_failures = 0;
        tracing::info!(resource = %self.resource, error = %err, retry_watch_list_after = ?pause, "falling back to list + watch");
        Self::fresh_list()
    }

    /// A WatchList stream ended or failed before its initial-events-end bookmark.
    fn watch_list_interrupted(&mut self, err: ListWatchError) -> State<K> {
        self.watch_list_failures += 1;
        if self.watch_list_failures >= self.config.watch_list_attempts.max(1) {
            let err = ListWatchError::WatchListUnsupported {
                message: format!(
                    "{} streams in a row ended before the initial-events-end bookmark; last: {err}",
                    self.watch_list_failures
                ),
            };
            return self.fall_back_to_list(&err);
        }
        if err.is_gone() {
            self.rv_unavailable = true;
            return State::OpeningWatchList;
        }
        self.back_off(&err, State::OpeningWatchList)
    }

    async fn receive_initial_event(
        &mut self,
        mut stream: ListWatchStream<K>,
        mut items: HashMap<String, Arc<K>>,
    ) -> State<K> {
        let idle = self.config.watch_list_idle_timeout;
        let next = match tokio::time::timeout(idle, stream.next()).await {
            Ok(next) => next,
            Err(_) => {
                let err = ListWatchError::WatchListUnsupported {
                    message: format!(
                        "no initial-events-end bookmark after {idle:?} without events"
                    ),
                };
                return self.fall_back_to_list(&err);
            }
        };
        let event = match next {
            Some(Ok(event)) => event,
            Some(Err(ListWatchError::UndecodableObject {
                key,
                resource_version,
                source,
            })) => {
                let skipped = SkippedObject {
                    key,
                    resource_version,
                    reason: source.to_string(),
                };
                if let Some(last_good) = self.keep_undecodable(&skipped) {
                    items.insert(skipped.key, last_good);
                }
                return State::ReceivingInitialEvents { stream, items };
            }
            Some(Err(err)) => return self.watch_list_interrupted(err),
            None => {
                let err = ListWatchError::other(
                    "watch-list stream ended before the initial-events-end bookmark",
                );
                return self.watch_list_interrupted(err);
            }
        };
        match event {
            WatchEvent::Added(obj) | WatchEvent::Modified(obj) => {
                let obj = self.prepare(obj);
                items.insert(object_key(&*obj), obj);
            }
            WatchEvent::Deleted(obj) => {
                items.remove(&object_key(&obj));
            }
            WatchEvent::Bookmark(bookmark) if bookmark.is_initial_events_end() => {
                let resource_version = bookmark.resource_version;
                tracing::debug!(
                    resource = %self.resource,
                    count = items.len(),
                    resource_version = %resource_version,
                    "watch-list initial events complete"
                );
                self.store
                    .replace(items.into_values().collect(), &resource_version);
                self.set_resource_version(&resource_version);
                self.rv_unavailable = false;
                self.watch_list_failures = 0;
                self.watch_list_backoff.reset();
                self.backoff.reset();
                return State::Watching {
                    stream,
                    opened: Instant::now(),
                    events: 1,
                };
            }
            WatchEvent::Bookmark(_) => {
                // A server that supports WatchList sends the end bookmark before any other.
                let err = ListWatchError::WatchListUnsupported {
                    message: "bookmark without the initial-events-end annotation during the initial events".into(),
                };
                return self.fall_back_to_list(&err);
            }
            WatchEvent::Error(api) => {
                return self.watch_list_interrupted(ListWatchError::from_status(&api.status));
            }
        }
        State::ReceivingInitialEvents { stream, items }
    }
}

#[cfg(test)]
mod tests;
