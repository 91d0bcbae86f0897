//! An object the informer's type cannot decode must not freeze the informer: the reflector
//! skips it (keeping its last good state), reports it to the watch error handler and goes
//! on with the other objects, instead of re-watching from before it and being served the
//! same event for ever.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kubegen_runtime::cache::{
    InformerOptions, ListWatchOptions, RestListerWatcher, SharedIndexInformer,
};
use kubegen_runtime::meta::{Kind, Object, ObjectMeta, Resource, Scope};
use kubegen_runtime::rest::{Client, Method};
use kubegen_test_support::TestEnv;
use serde::{Deserialize, Deserializer};

/// A config map whose values must be digits: the typed decode rejects any other value,
/// although the server stores it.
#[derive(Clone, Debug, Default, Deserialize)]
struct DigitsMap {
    #[serde(default)]
    metadata: ObjectMeta,
    #[serde(default)]
    data: BTreeMap<String, Digits>,
}

#[derive(Clone, Debug, PartialEq)]
struct Digits(String);

impl<'de> Deserialize<'de> for Digits {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.chars().all(|c| c.is_ascii_digit()) {
            Ok(Digits(s))
        } else {
            Err(serde::de::Error::custom(format!("{s:?} is not digits")))
        }
    }
}

impl Kind for DigitsMap {
    const GROUP: &'static str = "";
    const VERSION: &'static str = "v1";
    const KIND: &'static str = "ConfigMap";
    const API_VERSION: &'static str = "v1";
}

impl Resource for DigitsMap {
    const PLURAL: &'static str = "configmaps";
    const SCOPE: Scope = Scope::Namespaced;
    const LIST_KIND: &'static str = "ConfigMapList";
}

impl Object for DigitsMap {
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

/// Creates or replaces config map `name` with `v: value`, as untyped JSON.
async fn put(client: &Client, ns: &str, name: &str, value: &str, create: bool) {
    let body = serde_json::json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns},
        "data": {"v": value},
    });
    let mut req = client
        .request(if create { Method::POST } else { Method::PUT })
        .namespace(ns)
        .resource("configmaps");
    if !create {
        req = req.name(name);
    }
    req.json_body(&body)
        .json::<serde_json::Value>()
        .await
        .unwrap_or_else(|e| panic!("writing {name}: {e}"));
}

fn value_of(informer: &SharedIndexInformer<DigitsMap>, key: &str) -> Option<String> {
    let obj = informer.store().get_by_key(key)?;
    obj.data.get("v").map(|d| d.0.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undecodable_object_is_skipped_and_the_informer_goes_on() {
    let env = TestEnv::start("informer-undecodable").await;
    let (client, ns) = (env.client.clone(), env.namespace.clone());
    put(&client, &ns, "a", "1", true).await;
    put(&client, &ns, "b", "2", true).await;

    let options = ListWatchOptions {
        namespace: Some(ns.clone()),
        ..ListWatchOptions::default()
    };
    let informer = SharedIndexInformer::new(
        RestListerWatcher::<DigitsMap>::new(&client, &options),
        InformerOptions::default(),
    );
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    informer.set_watch_error_handler(move |err| record.lock().unwrap().push(err.to_string()));
    let task = informer.start();
    assert!(informer.wait_for_cache_sync().await);

    put(&client, &ns, "a", "not digits", false).await;
    put(&client, &ns, "c", "3", true).await;
    let key_c = format!("{ns}/c");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while value_of(&informer, &key_c).is_none() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        value_of(&informer, &key_c).as_deref(),
        Some("3"),
        "the event after the bad one must arrive; errors: {:?}",
        seen.lock().unwrap()
    );
    assert_eq!(
        value_of(&informer, &format!("{ns}/a")).as_deref(),
        Some("1"),
        "a keeps its last good state"
    );
    let status = informer.reflector_status();
    assert_eq!(status.skipped_objects(), 1);
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter()
            .any(|e| e.contains(&format!("{ns}/a")) && e.contains("not digits")),
        "the handler saw {seen:?}"
    );
    informer.shutdown();
    let _ = task.await;

    // Informers started now meet the bad object in their first list (or WatchList): they
    // sync without it, and report it.
    for use_watch_list in [false, true] {
        let mut options = InformerOptions::default();
        options.reflector.use_watch_list = use_watch_list;
        let late = SharedIndexInformer::new(
            RestListerWatcher::<DigitsMap>::new(&client, &list_options(&ns)),
            options,
        );
        let task = late.start();
        let synced =
            tokio::time::timeout(Duration::from_secs(20), late.wait_for_cache_sync()).await;
        assert_eq!(
            synced.ok(),
            Some(true),
            "watch list {use_watch_list}: never synced"
        );
        assert_eq!(value_of(&late, &format!("{ns}/b")).as_deref(), Some("2"));
        assert_eq!(value_of(&late, &format!("{ns}/a")), None);
        assert_eq!(late.reflector_status().skipped_objects(), 1);
        late.shutdown();
        let _ = task.await;
    }
    env.finish().await;
}

fn list_options(ns: &str) -> ListWatchOptions {
    ListWatchOptions {
        namespace: Some(ns.to_owned()),
        ..ListWatchOptions::default()
    }
}
