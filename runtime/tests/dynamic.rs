//! The dynamic client and dynamic informers against the test environment (the in-process
//! test server, or a real cluster): a CRD created at run time, in a group of the run's own, is
//! discovered, its objects go through every verb and a watch, typed objects convert,
//! and a dynamic informer syncs and follows them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::TryStreamExt;
use kubegen_runtime::cache::{EventHandlerFns, FactoryOptions};
use kubegen_runtime::discovery::{ApiResource, DiscoveryClient, RestMapper};
use kubegen_runtime::dynamic::{DynamicClient, DynamicObject, DynamicSharedInformerFactory};
use kubegen_runtime::meta::labels::Selector;
use kubegen_runtime::meta::{DeleteOptions, Kind, Object, ObjectMeta, Resource, Scope};
use kubegen_runtime::rest::{
    CreateOptions, GetOptions, ListOptions, ObjectOrStatus, Patch, PatchOptions, ResourceClient,
    UpdateOptions, WatchEvent,
};
use kubegen_test_support::TestEnv;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Installs a Widget CRD in a group of this run's own and returns its resource, found
/// through discovery.
async fn install_widgets(env: &TestEnv, mapper: &RestMapper) -> ApiResource {
    let group = env.unique_group("dynamic");
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("widgets.{group}")},
        "spec": {
            "group": group,
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget",
                      "listKind": "WidgetList"},
            "scope": "Namespaced",
            "versions": [{"name": "v1", "served": true, "storage": true,
                          "subresources": {"status": {}},
                          "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                              "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                              "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}]
        }
    });
    env.install_crd(crd).await;
    // A real API server publishes an established CRD in discovery a moment later.
    let name = format!("widgets.{group}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let widgets = loop {
        match mapper.resolve(&name).await {
            Ok(r) => break r,
            Err(e) if tokio::time::Instant::now() > deadline => panic!("{name}: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    };
    assert_eq!(widgets.kind, "Widget");
    assert!(widgets.subresource("status").is_some());
    widgets
}

fn widget(resource: &ApiResource, name: &str, size: i64) -> DynamicObject {
    DynamicObject::new(name, resource).with("spec", json!({"size": size}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crd_objects_through_every_verb_and_a_watch() {
    let env = TestEnv::start("crd_objects_through_every_verb_and_a_watch").await;
    let client = env.client.clone();
    let discovery = DiscoveryClient::new(client.clone());
    let mapper = RestMapper::new(discovery.clone());
    // Discovery is read (and cached) before the CRD exists.
    assert!(discovery
        .server_resources()
        .await
        .unwrap()
        .group(&env.unique_group("dynamic"))
        .is_none());
    let widgets = install_widgets(&env, &mapper).await;
    let api = DynamicClient::new(client.clone())
        .resource(&widgets)
        .namespace(env.namespace.as_str());

    let list = api.list(&ListOptions::default()).await.unwrap();
    assert!(list.items.is_empty());
    let mut watch = api
        .watch(&ListOptions {
            resource_version: list.metadata.resource_version.clone(),
            ..ListOptions::default()
        })
        .await
        .unwrap();

    // create, get
    let created = api
        .create(&CreateOptions::default(), &widget(&widgets, "w1", 1))
        .await
        .unwrap();
    assert_eq!(created.namespace(), Some(env.namespace.as_str()));
    assert_eq!(created.gvk().unwrap(), widgets.gvk());
    let got = api.get("w1", &GetOptions::default()).await.unwrap();
    assert_eq!(got.pointer("/spec/size"), Some(&json!(1)));

    // update, and a stale update conflicts
    let mut changed = got.clone();
    changed.data.insert("spec".into(), json!({"size": 2}));
    let updated = api
        .update(&UpdateOptions::default(), &changed)
        .await
        .unwrap();
    assert_eq!(updated.pointer("/spec/size"), Some(&json!(2)));
    assert!(api
        .update(&UpdateOptions::default(), &changed)
        .await
        .unwrap_err()
        .is_conflict());

    // merge patch, server-side apply
    let patched = api
        .patch(
            "w1",
            &PatchOptions::default(),
            &Patch::Merge(json!({"spec": {"color": "red"}})),
        )
        .await
        .unwrap();
    assert_eq!(patched.pointer("/spec/color"), Some(&json!("red")));
    let applied = api
        .apply(
            &PatchOptions::apply("dynamic-test").force(),
            &DynamicObject::new("w1", &widgets).with("spec", json!({"size": 5})),
        )
        .await
        .unwrap();
    assert_eq!(applied.pointer("/spec/size"), Some(&json!(5)));

    // status subresource: status writes ignore spec, main writes ignore status
    let mut with_status = applied.clone();
    with_status
        .data
        .insert("status".into(), json!({"ready": true}));
    with_status.data.insert("spec".into(), json!({"size": 99}));
    let status = api
        .update_status(&UpdateOptions::default(), &with_status)
        .await
        .unwrap();
    assert_eq!(status.pointer("/status/ready"), Some(&json!(true)));
    assert_eq!(status.pointer("/spec/size"), Some(&json!(5)));
    let status = api
        .patch_status(
            "w1",
            &PatchOptions::default(),
            &Patch::Merge(json!({"status": {"phase": "Up"}})),
        )
        .await
        .unwrap();
    assert_eq!(status.pointer("/status/phase"), Some(&json!("Up")));
    assert_eq!(
        api.get_status("w1", &GetOptions::default())
            .await
            .unwrap()
            .pointer("/status/ready"),
        Some(&json!(true))
    );

    // more objects; paged list_all; a cluster-wide list
    for i in 2..=4 {
        api.create(
            &CreateOptions::default(),
            &widget(&widgets, &format!("w{i}"), i),
        )
        .await
        .unwrap();
    }
    let pages = api
        .list(&ListOptions {
            limit: Some(2),
            ..ListOptions::default()
        })
        .await
        .unwrap();
    assert_eq!(pages.items.len(), 2);
    assert!(pages.metadata.continue_.is_some());
    let all = api
        .list_all(&ListOptions {
            limit: Some(3),
            ..ListOptions::default()
        })
        .await
        .unwrap();
    let mut names: Vec<_> = all
        .items
        .iter()
        .filter_map(|o| o.name().map(str::to_owned))
        .collect();
    names.sort();
    assert_eq!(names, ["w1", "w2", "w3", "w4"]);
    let cluster_wide = DynamicClient::new(client.clone()).resource(&widgets);
    assert_eq!(
        cluster_wide
            .list(&ListOptions::default())
            .await
            .unwrap()
            .items
            .len(),
        4
    );
    assert!(
        cluster_wide
            .get("w1", &GetOptions::default())
            .await
            .is_err(),
        "namespaced get needs a namespace"
    );

    // delete one, then the rest
    match api.delete("w1", &DeleteOptions::default()).await.unwrap() {
        ObjectOrStatus::Object(o) => assert_eq!(o.name(), Some("w1")),
        ObjectOrStatus::Status(s) => assert_eq!(s.status.as_deref(), Some("Success")),
    }
    assert!(api
        .get("w1", &GetOptions::default())
        .await
        .unwrap_err()
        .is_not_found());
    api.delete_collection(&ListOptions::default(), &DeleteOptions::default())
        .await
        .unwrap();
    assert!(api
        .list(&ListOptions::default())
        .await
        .unwrap()
        .items
        .is_empty());

    // The watch saw it all, in order, for w1.
    let mut w1_events = Vec::new();
    let mut deleted = 0;
    while deleted < 4 {
        let event = tokio::time::timeout(Duration::from_secs(10), watch.try_next())
            .await
            .expect("watch event")
            .unwrap()
            .expect("watch open");
        let (kind, obj) = match &event {
            WatchEvent::Added(o) => ("ADDED", o),
            WatchEvent::Modified(o) => ("MODIFIED", o),
            WatchEvent::Deleted(o) => {
                deleted += 1;
                ("DELETED", o)
            }
            other => panic!("unexpected event {}", other.type_name()),
        };
        assert_eq!(obj.types.as_ref().unwrap().kind, "Widget");
        if obj.name() == Some("w1") {
            w1_events.push(kind);
        }
    }
    assert_eq!(w1_events.first(), Some(&"ADDED"));
    assert_eq!(w1_events.last(), Some(&"DELETED"));
    assert!(
        w1_events.iter().filter(|k| **k == "MODIFIED").count() >= 4,
        "{w1_events:?}"
    );
    env.finish().await;
}

/// A typed ConfigMap, as a generated kind would be.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct ConfigMap {
    #[serde(rename = "apiVersion", default)]
    api_version: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    metadata: ObjectMeta,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<BTreeMap<String, String>>,
}

impl Kind for ConfigMap {
    const GROUP: &'static str = "";
    const VERSION: &'static str = "v1";
    const KIND: &'static str = "ConfigMap";
    const API_VERSION: &'static str = "v1";
}
impl Resource for ConfigMap {
    const PLURAL: &'static str = "configmaps";
    const SCOPE: Scope = Scope::Namespaced;
    const LIST_KIND: &'static str = "ConfigMapList";
}
impl Object for ConfigMap {
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_objects_convert_both_ways() {
    let env = TestEnv::start("typed_objects_convert_both_ways").await;
    let client = env.client.clone();
    let mapper = RestMapper::new(DiscoveryClient::new(client.clone()));
    let cms = mapper.resolve("cm").await.unwrap();
    let dynamic = DynamicClient::new(client.clone())
        .resource(&cms)
        .namespace(env.namespace.as_str());
    let typed = ConfigMap {
        metadata: ObjectMeta {
            name: Some("typed".into()),
            ..ObjectMeta::default()
        },
        data: Some([("k".to_string(), "v".to_string())].into()),
        ..ConfigMap::default()
    };
    let created = dynamic
        .create(
            &CreateOptions::default(),
            &DynamicObject::from_typed(&typed).unwrap(),
        )
        .await
        .unwrap();
    let back: ConfigMap = created.try_parse().unwrap();
    assert_eq!(back.data, typed.data);
    let via_typed = ResourceClient::<ConfigMap>::namespaced(client, &env.namespace)
        .get("typed", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(via_typed, back);
    assert!(created.try_parse::<Widgetish>().is_err());
    env.finish().await;
}

#[derive(Debug, Deserialize)]
struct Widgetish {}
impl Kind for Widgetish {
    const GROUP: &'static str = "example.com";
    const VERSION: &'static str = "v1";
    const KIND: &'static str = "Widget";
    const API_VERSION: &'static str = "example.com/v1";
}

async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{what}: not reached in 5s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamic_informer_syncs_crd_objects() {
    let env = TestEnv::start("dynamic_informer_syncs_crd_objects").await;
    let client = env.client.clone();
    let ns = env.namespace.as_str();
    let mapper = RestMapper::new(DiscoveryClient::new(client.clone()));
    let widgets = install_widgets(&env, &mapper).await;
    let api = DynamicClient::new(client.clone())
        .resource(&widgets)
        .namespace(ns);
    for i in 0..3 {
        api.create(
            &CreateOptions::default(),
            &widget(&widgets, &format!("w{i}"), i),
        )
        .await
        .unwrap();
    }

    let factory = DynamicSharedInformerFactory::with_options(
        client.clone(),
        FactoryOptions::default().namespace(ns),
    );
    let informer = factory.for_resource(&widgets);
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&seen);
    informer.add_event_handler(
        EventHandlerFns::new()
            .on_add({
                let log = Arc::clone(&log);
                move |o: &Arc<DynamicObject>, _| {
                    log.lock()
                        .unwrap()
                        .push(format!("add {}", o.name().unwrap_or("")))
                }
            })
            .on_delete(move |d| {
                log.lock()
                    .unwrap()
                    .push(format!("delete {}", d.object().name().unwrap_or("")))
            }),
    );
    // Same resource, same informer; another resource, another informer.
    let again = factory.for_resource(&widgets);
    let configmaps = factory.for_resource(&mapper.resolve("configmaps").await.unwrap());
    assert_eq!(factory.resources().len(), 2);
    factory.start();
    assert!(
        tokio::time::timeout(Duration::from_secs(10), factory.wait_for_cache_sync())
            .await
            .unwrap()
    );
    assert!(factory.has_synced());

    let lister = informer.lister();
    assert_eq!(lister.list(&Selector::everything()).len(), 3);
    assert_eq!(
        again.lister().list(&Selector::everything()).len(),
        3,
        "same informer"
    );
    assert_eq!(
        lister
            .namespace(ns)
            .get("w1")
            .unwrap()
            .pointer("/spec/size"),
        Some(&json!(1))
    );
    let _ = configmaps.lister().list(&Selector::everything());

    api.create(&CreateOptions::default(), &widget(&widgets, "w3", 3))
        .await
        .unwrap();
    api.delete("w0", &DeleteOptions::default()).await.unwrap();
    api.patch(
        "w2",
        &PatchOptions::default(),
        &Patch::Merge(json!({"spec": {"size": 20}})),
    )
    .await
    .unwrap();
    eventually("informer follows the server", || {
        let names: Vec<String> = {
            let mut n: Vec<String> = lister
                .list(&Selector::everything())
                .iter()
                .filter_map(|o| o.name().map(str::to_owned))
                .collect();
            n.sort();
            n
        };
        names == ["w1", "w2", "w3"]
            && lister
                .namespace(ns)
                .get("w2")
                .and_then(|o| o.pointer("/spec/size").cloned())
                == Some(json!(20))
    })
    .await;
    eventually("handler saw every event", || {
        let seen = seen.lock().unwrap();
        ["add w0", "add w1", "add w2", "add w3", "delete w0"]
            .iter()
            .all(|e| seen.iter().any(|s| s == e))
    })
    .await;
    factory.shutdown().await;
    assert!(informer.is_stopped());
    env.finish().await;
}
