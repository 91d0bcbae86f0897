//! Property: whatever the schedule of writes and faults, a typed informer ends up agreeing with
//! the server. For each seed, a random schedule of steps — batches of creates/updates/deletes,
//! dropped watches, 429s on a share of requests, history compaction (410 and relist), server
//! restarts, a handler added late — runs against `kubegen-testserver`; after each step, once
//! the faults that block progress are lifted, the informer's cache (read through the typed
//! lister) must equal the server's list, and every handler's last event for every object must
//! be the object's current version (or a delete, for objects that are gone).
//!
//! Seeds: `KUBEGEN_FAULT_SEEDS=7,8,9` replays or extends the default set; a failure prints its
//! seed and the schedule so far.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kubegen_api::core::v1::ConfigMap;
use kubegen_api::InformerFactoryExt;
use kubegen_runtime::cache::{
    object_key, BackoffConfig, DeletedObject, EventHandler, FactoryOptions, ReflectorConfig,
    SharedInformerFactory,
};
use kubegen_runtime::meta::labels::Selector;
use kubegen_runtime::meta::{Map, Object};
use kubegen_runtime::rest::{CreateOptions, ListOptions, ResourceClient};
use kubegen_test_support::{Needs, TestEnv};
use kubegen_testserver::{ErrorKind, TestServer};

const NAMESPACE: &str = "default";
const NAMES: usize = 12;
const STEPS: usize = 10;

/// Key → resource version as one handler last saw it (`None`: last event was a delete).
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<BTreeMap<String, Option<String>>>>);

impl EventHandler<ConfigMap> for Recorder {
    fn on_add(&self, obj: &Arc<ConfigMap>, _initial: bool) {
        self.set(obj, true);
    }
    fn on_update(&self, _old: &Arc<ConfigMap>, new: &Arc<ConfigMap>) {
        self.set(new, true);
    }
    fn on_delete(&self, obj: &DeletedObject<ConfigMap>) {
        self.set(obj.object(), false);
    }
}

impl Recorder {
    fn set(&self, obj: &ConfigMap, present: bool) {
        let rv = present.then(|| version(obj));
        self.0.lock().unwrap().insert(object_key(obj), rv);
    }

    fn state(&self) -> BTreeMap<String, String> {
        let last = self.0.lock().unwrap();
        last.iter()
            .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
            .collect()
    }
}

fn version<K: Object>(obj: &K) -> String {
    obj.metadata()
        .resource_version
        .as_deref()
        .unwrap_or_default()
        .to_string()
}

fn config_map(name: &str, value: u32) -> ConfigMap {
    let mut data = Map::new();
    data.insert("v".into(), value.to_string().into());
    let mut cm = ConfigMap {
        data: Some(data),
        ..ConfigMap::default()
    };
    cm.metadata.name = Some(name.into());
    cm.metadata.namespace = Some(NAMESPACE.into());
    cm
}

/// One random write (create, update or delete of a random name), retried through 429s.
async fn write(api: &ResourceClient<ConfigMap>, rng: &mut fastrand::Rng) -> String {
    let name = format!("cm-{}", rng.usize(..NAMES));
    let value = rng.u32(..1000);
    for _ in 0..100 {
        let current = match api.get(&name, &Default::default()).await {
            Ok(cm) => Some(cm),
            Err(e) if e.is_not_found() => None,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let (op, result) = match current {
            None => (
                "create",
                api.create(&CreateOptions::default(), &config_map(&name, value))
                    .await
                    .map(drop),
            ),
            Some(_) if rng.u8(..3) == 0 => (
                "delete",
                api.delete(&name, &Default::default()).await.map(drop),
            ),
            Some(mut cm) => {
                cm.data = config_map(&name, value).data;
                (
                    "update",
                    api.update(&Default::default(), &cm).await.map(drop),
                )
            }
        };
        match result {
            Ok(()) => return format!("{op} {name}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    panic!("could not write {name}");
}

async fn server_state(api: &ResourceClient<ConfigMap>) -> BTreeMap<String, String> {
    loop {
        if let Ok(list) = api.list(&ListOptions::default()).await {
            return list
                .items
                .iter()
                .map(|o| (object_key(o), version(o)))
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn run_schedule(seed: u64) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let builder = TestServer::builder()
        .seed(seed)
        .history_window(20)
        .bookmark_interval(Duration::from_millis(200));
    let needs = [Needs::Faults, Needs::Restart, Needs::Compaction];
    let Some(env) = TestEnv::with_server("fault-schedules", &needs, builder).await else {
        return;
    };
    let server = env.server().unwrap();
    let client = env.client.clone();
    let api: ResourceClient<ConfigMap> = ResourceClient::namespaced(client.clone(), NAMESPACE);
    for _ in 0..NAMES / 2 {
        write(&api, &mut rng).await;
    }

    let factory = SharedInformerFactory::with_options(
        client,
        FactoryOptions {
            reflector: ReflectorConfig {
                page_size: Some(rng.u32(2..8)),
                backoff: BackoffConfig {
                    initial: Duration::from_millis(200),
                    max: Duration::from_millis(400),
                    ..BackoffConfig::default()
                },
                ..ReflectorConfig::default()
            },
            ..FactoryOptions::default()
        }
        .namespace(NAMESPACE),
    );
    let informer = factory.core_v1().config_maps();
    let mut handlers = vec![Recorder::default()];
    informer.informer().add_event_handler(handlers[0].clone());
    factory.start();
    assert!(factory.wait_for_cache_sync().await);

    let mut schedule: Vec<String> = Vec::new();
    for step in 0..STEPS {
        let fault = match rng.u8(..6) {
            0 => {
                let n = rng.u64(1..5);
                server.faults().close_watches_after(Some(n));
                format!("close watches after {n}")
            }
            1 => {
                let share = 0.2 + 0.1 * f64::from(rng.u8(..4));
                server
                    .faults()
                    .fail_requests(share, ErrorKind::TooManyRequests { retry_after: 0 });
                format!("429 on {share:.1} of requests")
            }
            2 => {
                server.restart().await.unwrap();
                "restart".to_string()
            }
            3 => {
                let handler = Recorder::default();
                informer.informer().add_event_handler(handler.clone());
                handlers.push(handler);
                "late handler".to_string()
            }
            _ => "no fault".to_string(),
        };
        let mut writes = Vec::new();
        for _ in 0..rng.usize(1..8) {
            writes.push(write(&api, &mut rng).await);
        }
        // Compaction after the writes: a watch resuming from before them gets 410 and relists,
        // and deletions it missed come as tombstones. After a restart the reflector is still
        // backing off here, so compact then always.
        let compacted = fault == "restart" || rng.bool();
        if compacted {
            server.compact();
        }
        schedule.push(format!(
            "step {step}: {fault}; {}{}",
            writes.join(", "),
            if compacted { "; compact" } else { "" }
        ));
        // 429s stop progress only while they last; dropped watches must not.
        server
            .faults()
            .fail_requests(0.0, ErrorKind::Internal)
            .seed(seed + step as u64);

        let mut last = String::new();
        let mut ok = false;
        for _ in 0..300 {
            let want = server_state(&api).await;
            let cache: BTreeMap<String, String> = informer
                .lister()
                .config_maps(NAMESPACE)
                .list(&Selector::everything())
                .iter()
                .map(|o| (object_key(&**o), version(&**o)))
                .collect();
            let seen: Vec<_> = handlers.iter().map(Recorder::state).collect();
            if cache == want && seen.iter().all(|s| *s == want) {
                ok = true;
                break;
            }
            last = format!("server {want:?}\ncache  {cache:?}\nhandlers {seen:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            ok,
            "seed {seed}: did not converge after\n{}\n{last}",
            schedule.join("\n")
        );
        server.faults().clear();
    }
    factory.shutdown().await;
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn informer_matches_server_under_seeded_fault_schedules() {
    let seeds: Vec<u64> = match std::env::var("KUBEGEN_FAULT_SEEDS") {
        Ok(list) => list
            .split(',')
            .map(|s| s.trim().parse().expect("KUBEGEN_FAULT_SEEDS: numbers"))
            .collect(),
        Err(_) => vec![1, 2, 3, 4],
    };
    for seed in seeds {
        run_schedule(seed).await;
    }
}
