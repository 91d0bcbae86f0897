//! Informer, handler and factory tests against the in-memory fake server.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::cache::fake_server::FakeServer;
use crate::cache::testing::TestObj;
use crate::cache::{
    DeletedObject, EventHandler, EventHandlerFns, FactoryOptions, InformerOptions, ListWatchError,
    ListWatchOptions, ReflectorConfig, SharedIndexInformer, SharedInformerFactory,
};
use crate::meta::labels::Selector;
use crate::meta::{ManagedFieldsEntry, Object};

/// One event as a handler saw it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seen {
    Add {
        rv: String,
        data: u64,
        initial: bool,
    },
    Update {
        old_rv: String,
        rv: String,
        data: u64,
    },
    Delete {
        rv: String,
        tombstone: bool,
    },
}

/// Records every event per key.
#[derive(Clone, Default)]
pub(crate) struct Recorder {
    pub events: Arc<Mutex<BTreeMap<String, Vec<Seen>>>>,
}

fn rv(o: &TestObj) -> String {
    o.metadata
        .resource_version
        .as_deref()
        .unwrap_or_default()
        .to_owned()
}

impl EventHandler<TestObj> for Recorder {
    fn on_add(&self, obj: &Arc<TestObj>, initial: bool) {
        self.push(
            obj,
            Seen::Add {
                rv: rv(obj),
                data: obj.data,
                initial,
            },
        );
    }
    fn on_update(&self, old: &Arc<TestObj>, new: &Arc<TestObj>) {
        self.push(
            new,
            Seen::Update {
                old_rv: rv(old),
                rv: rv(new),
                data: new.data,
            },
        );
    }
    fn on_delete(&self, obj: &DeletedObject<TestObj>) {
        let o = obj.object();
        self.push(
            o,
            Seen::Delete {
                rv: rv(o),
                tombstone: obj.is_tombstone(),
            },
        );
    }
}

impl Recorder {
    fn push(&self, obj: &TestObj, seen: Seen) {
        self.events
            .lock()
            .unwrap()
            .entry(crate::cache::object_key(obj))
            .or_default()
            .push(seen);
    }

    /// The state each key ended in, as the handler saw it (deleted keys omitted).
    pub(crate) fn final_state(&self) -> BTreeMap<String, (String, u64)> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter_map(|(k, events)| match events.last()? {
                Seen::Add { rv, data, .. } | Seen::Update { rv, data, .. } => {
                    Some((k.clone(), (rv.clone(), *data)))
                }
                Seen::Delete { .. } => None,
            })
            .collect()
    }

    pub(crate) fn of(&self, key: &str) -> Vec<Seen> {
        self.events
            .lock()
            .unwrap()
            .get(key)
            .cloned()
            .unwrap_or_default()
    }
}

pub(crate) fn store_state(
    informer: &SharedIndexInformer<TestObj>,
) -> BTreeMap<String, (String, u64)> {
    informer
        .store()
        .list()
        .iter()
        .map(|o| (crate::cache::object_key(&**o), (rv(o), o.data)))
        .collect()
}

/// Polls `cond` every 10 ms (virtual time when paused) for up to `secs` seconds.
pub(crate) async fn eventually(secs: u64, cond: impl Fn() -> bool) -> bool {
    for _ in 0..secs * 100 {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    cond()
}

fn options(watch_list: bool) -> InformerOptions<TestObj> {
    InformerOptions {
        reflector: ReflectorConfig {
            use_watch_list: watch_list,
            page_size: Some(2),
            ..ReflectorConfig::default()
        },
        transform: None,
    }
}

#[tokio::test(start_paused = true)]
async fn handlers_see_initial_list_then_changes() {
    let server = FakeServer::default();
    server.apply("ns", "a", 1);
    server.apply("ns", "b", 2);
    server.apply("ns", "c", 3);
    let informer = SharedIndexInformer::new(server.clone(), options(false));
    let rec = Recorder::default();
    let reg = informer.add_event_handler(rec.clone());
    assert!(!reg.has_synced());
    let task = informer.start();
    assert!(informer.wait_for_cache_sync().await);
    assert!(eventually(5, || reg.has_synced()).await);
    assert_eq!(
        rec.of("ns/a"),
        [Seen::Add {
            rv: "1".into(),
            data: 1,
            initial: true
        }]
    );
    server.apply("ns", "a", 10);
    server.delete("ns", "b");
    server.apply("ns", "d", 4);
    assert!(eventually(5, || store_state(&informer) == server.snapshot()).await);
    assert!(eventually(5, || rec.final_state() == server.snapshot()).await);
    assert_eq!(
        rec.of("ns/a")[1],
        Seen::Update {
            old_rv: "1".into(),
            rv: "4".into(),
            data: 10
        }
    );
    assert_eq!(
        rec.of("ns/b")[1],
        Seen::Delete {
            rv: "5".into(),
            tombstone: false
        }
    );
    assert_eq!(
        rec.of("ns/d"),
        [Seen::Add {
            rv: "6".into(),
            data: 4,
            initial: false
        }]
    );
    informer.shutdown();
    task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn deletion_missed_during_a_relist_arrives_as_a_tombstone() {
    let server = FakeServer::default();
    server.apply("ns", "a", 1);
    server.apply("ns", "b", 1);
    let informer = SharedIndexInformer::new(server.clone(), options(false));
    let rec = Recorder::default();
    informer.add_event_handler(rec.clone());
    let task = informer.start();
    informer.wait_for_cache_sync().await;
    // The watch drops, and the next watch cannot start until after a compaction, during
    // which `b` is deleted and `a` changes: only a relist can tell.
    server.fail_next(ListWatchError::other("connection refused"));
    server.drop_watches();
    tokio::task::yield_now().await;
    server.delete("ns", "b");
    server.apply("ns", "a", 2);
    server.compact();
    assert!(eventually(60, || store_state(&informer) == server.snapshot()).await);
    assert!(eventually(5, || rec.final_state() == server.snapshot()).await);
    assert_eq!(
        rec.of("ns/b").last(),
        Some(&Seen::Delete {
            rv: "2".into(),
            tombstone: true
        })
    );
    assert!(matches!(
        rec.of("ns/a").last(),
        Some(Seen::Update { data: 2, .. })
    ));
    informer.shutdown();
    task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn late_handler_gets_current_state_as_initial_adds() {
    let server = FakeServer::with_watch_list();
    server.apply("ns", "a", 1);
    server.apply("ns", "b", 1);
    let informer = SharedIndexInformer::new(server.clone(), options(true));
    let task = informer.start();
    informer.wait_for_cache_sync().await;
    let (lists, _) = server.calls();
    assert_eq!(lists, 0, "synced through WatchList");
    let rec = Recorder::default();
    let reg = informer.add_event_handler(rec.clone());
    assert!(eventually(5, || reg.has_synced() && reg.pending() == 0).await);
    assert_eq!(
        rec.of("ns/a"),
        [Seen::Add {
            rv: "1".into(),
            data: 1,
            initial: true
        }]
    );
    server.apply("ns", "c", 1);
    assert!(eventually(5, || rec.final_state() == server.snapshot()).await);
    reg.remove();
    server.apply("ns", "e", 1);
    assert!(eventually(5, || store_state(&informer) == server.snapshot()).await);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(rec.of("ns/e").is_empty(), "removed handler got an event");
    informer.shutdown();
    task.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn a_slow_handler_does_not_block_the_others() {
    let server = FakeServer::default();
    let informer = SharedIndexInformer::new(server.clone(), options(false));
    let (gate_tx, gate_rx) = std::sync::mpsc::channel::<()>();
    let gate_rx = Mutex::new(gate_rx);
    let slow = informer.add_event_handler(EventHandlerFns::new().on_add(move |_, _| {
        // Blocks its own task until the test opens the gate.
        let _ = gate_rx.lock().unwrap().recv();
    }));
    let fast = Recorder::default();
    let fast_reg = informer.add_event_handler(fast.clone());
    let task = informer.start();
    informer.wait_for_cache_sync().await;
    for i in 0..20 {
        server.apply("ns", &format!("o{i}"), i);
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while fast.final_state().len() < 20 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(fast.final_state().len(), 20);
    assert_eq!(fast_reg.pending(), 0);
    assert!(
        slow.pending() >= 19,
        "slow backlog is visible: {}",
        slow.pending()
    );
    for _ in 0..20 {
        gate_tx.send(()).unwrap();
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while slow.pending() > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(slow.pending(), 0);
    informer.shutdown();
    task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_panicking_handler_keeps_receiving() {
    let server = FakeServer::default();
    let informer = SharedIndexInformer::new(server.clone(), options(false));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    informer.add_event_handler(EventHandlerFns::new().on_add(move |o: &Arc<TestObj>, _| {
        seen2.lock().unwrap().push(o.data);
        assert!(o.data != 1, "handler bug");
    }));
    let task = informer.start();
    informer.wait_for_cache_sync().await;
    server.apply("ns", "a", 1);
    server.apply("ns", "b", 2);
    assert!(eventually(5, || seen.lock().unwrap().len() == 2).await);
    informer.shutdown();
    task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn resync_redelivers_updates_only_when_enabled() {
    let server = FakeServer::default();
    server.apply("ns", "a", 1);
    let mut opts = options(false);
    opts.reflector.resync_period = Some(Duration::from_secs(30));
    let informer = SharedIndexInformer::new(server.clone(), opts);
    let rec = Recorder::default();
    informer.add_event_handler(rec.clone());
    let task = informer.start();
    informer.wait_for_cache_sync().await;
    tokio::time::sleep(Duration::from_secs(31)).await;
    assert_eq!(
        rec.of("ns/a").last(),
        Some(&Seen::Update {
            old_rv: "1".into(),
            rv: "1".into(),
            data: 1
        })
    );
    informer.shutdown();
    task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn transform_and_lister_read_the_cache() {
    let server = FakeServer::default();
    server.apply("a", "x", 1);
    server.apply("b", "y", 2);
    let mut opts = options(false);
    opts.transform = Some(Arc::new(|o: &mut TestObj| {
        o.metadata_mut().managed_fields = None;
        o.data *= 100;
    }));
    let informer = SharedIndexInformer::new(server.clone(), opts);
    let task = informer.start();
    informer.wait_for_cache_sync().await;
    let lister = informer.lister();
    assert_eq!(lister.namespace("a").get("x").unwrap().data, 100);
    assert_eq!(lister.namespace("b").list(&Selector::everything()).len(), 1);
    assert_eq!(lister.list(&Selector::everything()).len(), 2);
    assert_eq!(informer.last_sync_resource_version(), "2");
    informer.shutdown();
    task.await.unwrap();
    // The managed-fields transform helper clears the field.
    let mut o = crate::cache::testing::obj("a", "x", "1");
    o.metadata.managed_fields = Some(vec![ManagedFieldsEntry::default()]);
    crate::cache::drop_managed_fields(&mut o);
    assert!(o.metadata.managed_fields.is_none());
}

#[tokio::test(start_paused = true)]
async fn factory_shares_one_informer_per_type_and_options() {
    let server = FakeServer::default();
    server.apply("ns", "a", 1);
    let factory = SharedInformerFactory::with_options(
        server.clone(),
        FactoryOptions {
            drop_managed_fields: true,
            reflector: ReflectorConfig {
                use_watch_list: false,
                ..ReflectorConfig::default()
            },
            ..FactoryOptions::default()
        }
        .default_resync(Duration::from_secs(600)),
    );
    let one = factory.informer::<TestObj>();
    let two = factory.informer::<TestObj>();
    let other = factory.informer_for_options(
        ListWatchOptions {
            namespace: Some("x".into()),
            ..ListWatchOptions::default()
        },
        |s: &FakeServer, _| s.clone(),
    );
    one.store()
        .add(Arc::new(crate::cache::testing::obj("probe", "p", "0")));
    assert!(two.store().get_by_key("probe/p").is_some(), "same informer");
    assert!(
        other.store().get_by_key("probe/p").is_none(),
        "other options, other informer"
    );
    one.store().delete_key("probe/p");
    let rec = Recorder::default();
    two.add_event_handler(rec.clone());
    factory.start();
    factory.start(); // idempotent
    assert!(factory.wait_for_cache_sync().await);
    assert!(factory.has_synced());
    assert!(eventually(5, || rec.final_state() == server.snapshot()).await);
    let (lists, _) = server.calls();
    assert_eq!(lists, 2, "one list per informer");
    factory.shutdown().await;
    assert!(one.is_stopped() && other.is_stopped());
}

#[tokio::test(start_paused = true)]
async fn wait_for_cache_sync_returns_false_when_stopped_first() {
    let server = FakeServer::default();
    for _ in 0..50 {
        server.fail_next(ListWatchError::other("down"));
    }
    let informer = SharedIndexInformer::new(server.clone(), options(false));
    let task = informer.start();
    let waiter = {
        let informer = informer.clone();
        tokio::spawn(async move { informer.wait_for_cache_sync().await })
    };
    tokio::time::sleep(Duration::from_secs(5)).await;
    informer.shutdown();
    assert!(!waiter.await.unwrap());
    task.await.unwrap();
}
