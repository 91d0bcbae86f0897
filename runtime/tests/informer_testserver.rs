//! Informers over the REST client against an API server (`kubegen-testserver` in process, or
//! a cluster through `KUBEGEN_E2E_KUBECONFIG`): initial sync, changes, late handlers; and,
//! with the test server only, through its faults: dropped watches, compaction forcing 410 and
//! relists, 429s and a server restart. After each, the cache must equal the server's state
//! and every handler must have seen a final event for every object; the metadata-only
//! informer must agree on the keys.

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kubegen_runtime::cache::{
    object_key, BackoffConfig, DeletedObject, EventHandler, FactoryOptions, ReflectorConfig,
    SharedIndexInformer, SharedInformerFactory,
};
use kubegen_runtime::meta::{CompactString, Object, ObjectMeta, PartialObjectMetadata};
use kubegen_runtime::rest::{Client, CreateOptions, ListOptions, ResourceClient};
use kubegen_test_support::{Needs, TestEnv};
use kubegen_testserver::{ErrorKind, TestServer, WatchDrop};

use support::ConfigMap;

/// Label on the config maps the tests create; the informers select on it, so objects others
/// put in the namespace (a real cluster adds `kube-root-ca.crt`) do not count.
const MINE: &str = "kubegen.dev/item=yes";

fn config_map(name: &str, value: &str) -> ConfigMap {
    ConfigMap {
        api_version: Some("v1".into()),
        kind: Some("ConfigMap".into()),
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some([("kubegen.dev/item", CompactString::from("yes"))].into()),
            ..ObjectMeta::default()
        },
        data: Some([("v".to_string(), value.to_string())].into()),
    }
}

/// Key → resource version, as a handler last saw it (deleted keys dropped).
#[derive(Clone, Default)]
struct Recorder {
    last: Arc<Mutex<BTreeMap<String, Option<String>>>>,
    tombstones: Arc<Mutex<usize>>,
}

impl<K: Object + Send + Sync + 'static> EventHandler<K> for Recorder {
    fn on_add(&self, obj: &Arc<K>, _initial: bool) {
        self.set(&**obj, true);
    }
    fn on_update(&self, _old: &Arc<K>, new: &Arc<K>) {
        self.set(&**new, true);
    }
    fn on_delete(&self, obj: &DeletedObject<K>) {
        if obj.is_tombstone() {
            *self.tombstones.lock().unwrap() += 1;
        }
        self.set(&**obj.object(), false);
    }
}

impl Recorder {
    fn set<K: Object>(&self, obj: &K, present: bool) {
        let rv = present.then(|| {
            obj.metadata()
                .resource_version
                .as_deref()
                .unwrap_or_default()
                .to_string()
        });
        self.last.lock().unwrap().insert(object_key(obj), rv);
    }

    fn state(&self) -> BTreeMap<String, String> {
        self.last
            .lock()
            .unwrap()
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
            .collect()
    }
}

fn cache_state<K: Object + Send + Sync + 'static>(
    informer: &SharedIndexInformer<K>,
) -> BTreeMap<String, String> {
    informer
        .store()
        .list()
        .iter()
        .map(|o| {
            (
                object_key(&**o),
                o.metadata()
                    .resource_version
                    .as_deref()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

async fn server_state(api: &ResourceClient<ConfigMap>) -> BTreeMap<String, String> {
    loop {
        match api.list(&ListOptions::labels(MINE)).await {
            Ok(list) => {
                return list
                    .items
                    .iter()
                    .map(|o| {
                        (
                            object_key(o),
                            o.metadata
                                .resource_version
                                .as_deref()
                                .unwrap_or_default()
                                .to_string(),
                        )
                    })
                    .collect()
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

async fn create(api: &ResourceClient<ConfigMap>, name: &str, value: &str) {
    for _ in 0..50 {
        if api
            .create(&CreateOptions::default(), &config_map(name, value))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("could not create {name}");
}

async fn replace(api: &ResourceClient<ConfigMap>, name: &str, value: &str) {
    for _ in 0..50 {
        let Ok(mut current) = api.get(name, &Default::default()).await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        current.data = Some([("v".to_string(), value.to_string())].into());
        if api.update(&Default::default(), &current).await.is_ok() {
            return;
        }
    }
    panic!("could not update {name}");
}

async fn remove(api: &ResourceClient<ConfigMap>, name: &str) {
    for _ in 0..50 {
        match api.delete(name, &Default::default()).await {
            Ok(_) => return,
            Err(e) if e.api().is_some_and(|a| a.is_not_found()) => return,
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    panic!("could not delete {name}");
}

/// Waits (real time) until the caches and handlers agree with the server.
async fn converged(
    api: &ResourceClient<ConfigMap>,
    full: &SharedIndexInformer<ConfigMap>,
    meta: &SharedIndexInformer<PartialObjectMetadata<ConfigMap>>,
    handlers: &[&Recorder],
    what: &str,
) {
    let mut last = String::new();
    for _ in 0..400 {
        let want = server_state(api).await;
        let ok = cache_state(full) == want
            && cache_state(meta) == want
            && handlers.iter().all(|h| h.state() == want);
        if ok {
            return;
        }
        last = format!(
            "server {want:?}\ncache {:?}\nmeta {:?}\nhandler {:?}",
            cache_state(full),
            cache_state(meta),
            handlers[0].state()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: did not converge\n{last}");
}

/// The informers of one test: full and metadata-only, each with a recording handler.
struct Informers {
    api: ResourceClient<ConfigMap>,
    factory: SharedInformerFactory<Client>,
    full: SharedIndexInformer<ConfigMap>,
    meta: SharedIndexInformer<PartialObjectMetadata<ConfigMap>>,
    early: Recorder,
    meta_handler: Recorder,
}

impl Informers {
    /// Creates 20 config maps, starts the informers (small pages, short backoff) and waits
    /// until they agree with the server.
    async fn start(env: &TestEnv) -> Informers {
        let api: ResourceClient<ConfigMap> =
            ResourceClient::namespaced(env.client.clone(), &env.namespace);
        for i in 0..20 {
            create(&api, &format!("cm-{i}"), "0").await;
        }
        let factory = SharedInformerFactory::with_options(
            env.client.clone(),
            FactoryOptions {
                reflector: ReflectorConfig {
                    page_size: Some(7),
                    backoff: BackoffConfig {
                        initial: Duration::from_millis(500),
                        max: Duration::from_millis(1000),
                        ..BackoffConfig::default()
                    },
                    ..ReflectorConfig::default()
                },
                ..FactoryOptions::default()
            }
            .namespace(env.namespace.clone())
            .label_selector(MINE),
        );
        let full = factory.informer::<ConfigMap>();
        let meta = factory.metadata_informer::<ConfigMap>();
        let early = Recorder::default();
        full.add_event_handler(early.clone());
        let meta_handler = Recorder::default();
        meta.add_event_handler(meta_handler.clone());
        factory.start();
        assert!(factory.wait_for_cache_sync().await);
        assert_eq!(full.store().len(), 20);
        let one = meta.lister().namespace(&env.namespace).get("cm-3").unwrap();
        assert_eq!(
            one.kind.as_deref(),
            Some("PartialObjectMetadata"),
            "metadata-only over the wire"
        );
        let informers = Informers {
            api,
            factory,
            full,
            meta,
            early,
            meta_handler,
        };
        informers.converged(&[], "initial sync").await;
        informers
    }

    /// Waits until the caches, the early handler and `more` handlers agree with the server.
    async fn converged(&self, more: &[&Recorder], what: &str) {
        let mut handlers = vec![&self.early];
        handlers.extend_from_slice(more);
        converged(&self.api, &self.full, &self.meta, &handlers, what).await;
    }

    /// Checks the metadata handler too and stops the informers.
    async fn finish(self) {
        assert_eq!(self.meta_handler.state(), server_state(&self.api).await);
        self.factory.shutdown().await;
    }
}

/// Cached objects, listed or from watch events, hold one copy of a long string they repeat:
/// the label key `kubegen.dev/item` (16 bytes, one past the inline capacity).
fn assert_shares_repeated_strings(informer: &SharedIndexInformer<ConfigMap>) {
    let cached = informer.store().list();
    assert!(cached.len() > 10);
    let copies: std::collections::HashSet<*const u8> = cached
        .iter()
        .map(|cm| {
            let labels = cm.metadata.labels.as_ref().expect("labels");
            let key = labels
                .keys()
                .find(|k| *k == "kubegen.dev/item")
                .expect("key");
            key.as_ptr()
        })
        .collect();
    assert_eq!(copies.len(), 1, "one shared copy of the label key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn informers_follow_changes() {
    let env = TestEnv::start("informer-changes").await;
    let inf = Informers::start(&env).await;
    let api = &inf.api;
    for i in 0..10 {
        replace(api, &format!("cm-{i}"), "1").await;
    }
    remove(api, "cm-10").await;
    create(api, "late-1", "x").await;
    inf.converged(&[], "changes").await;
    assert_shares_repeated_strings(&inf.full);

    // A handler added late catches up, then follows.
    let late = Recorder::default();
    inf.full.add_event_handler(late.clone());
    remove(api, "cm-11").await;
    create(api, "late-2", "y").await;
    inf.converged(&[&late], "late handler").await;
    inf.finish().await;
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn informers_follow_the_server_through_faults() {
    let builder = TestServer::builder()
        .bookmark_interval(Duration::from_millis(200))
        .history_window(50);
    let needs = [Needs::Faults, Needs::Restart, Needs::Compaction];
    let Some(env) = TestEnv::with_server("informer-faults", &needs, builder).await else {
        return;
    };
    let server = env.server().unwrap();
    let inf = Informers::start(&env).await;
    let api = &inf.api;

    // Watches dropped after every 3 events.
    server.faults().close_watches_after(Some(3));
    for i in 0..10 {
        replace(api, &format!("cm-{i}"), "1").await;
    }
    remove(api, "cm-10").await;
    create(api, "late-1", "x").await;
    inf.converged(&[], "dropped watches").await;
    server.faults().clear();

    // Watches cut halfway through an event's line, then by TCP resets: the half line is
    // not an event, and the informers relist or rewatch as after any broken stream.
    for (mode, what, new) in [
        (WatchDrop::MidLine, "watches cut mid-line", "mid-line"),
        (WatchDrop::Reset, "connections reset", "reset"),
    ] {
        server
            .faults()
            .close_watches_after(Some(2))
            .watch_drop(mode);
        for i in 0..4 {
            replace(api, &format!("cm-{i}"), new).await;
        }
        create(api, new, "x").await;
        inf.converged(&[], what).await;
        server.faults().clear();
    }

    // A restart drops the watches; while the reflectors back off, objects change and are
    // deleted and history is compacted: only a relist (after 410) can tell, and the missed
    // deletions arrive as tombstones.
    server.restart().await.unwrap();
    remove(api, "cm-11").await;
    remove(api, "cm-12").await;
    for i in 0..30 {
        replace(api, "cm-13", &i.to_string()).await;
    }
    server.compact();
    inf.converged(&[], "restart and compaction").await;

    // 429s on a share of requests.
    server
        .faults()
        .fail_requests(0.3, ErrorKind::TooManyRequests { retry_after: 0 });
    for i in 14..18 {
        replace(api, &format!("cm-{i}"), "2").await;
    }
    server.faults().clear();
    inf.converged(&[], "429s").await;

    // A handler added late catches up; another restart.
    let late = Recorder::default();
    inf.full.add_event_handler(late.clone());
    server.restart().await.unwrap();
    remove(api, "cm-18").await;
    create(api, "late-2", "y").await;
    inf.converged(&[&late], "restart").await;
    inf.finish().await;
    env.finish().await;
}
