//! The fetched-and-generated clients against kubegen-testserver (or the cluster of
//! `KUBEGEN_E2E_KUBECONFIG`): install the CRDs through the API, then create, list, watch,
//! scale and update the status of custom objects through the typed clients, and sync them
//! through a typed informer.

use std::time::Duration;

use futures_util::TryStreamExt;
use kubegen_example_fetch_generated::crds::{stores, Clientset, InformerFactoryExt};
use kubegen_example_fetch_generated::{widget, WidgetStatus, CRD_MANIFESTS};
use kubegen_runtime::cache::SharedInformerFactory;
use kubegen_runtime::meta::labels::Selector;
use kubegen_runtime::meta::Object;
use kubegen_runtime::rest::{CreateOptions, GetOptions, ListOptions, UpdateOptions, WatchEvent};
use kubegen_test_support::TestEnv;

/// Installs the CRDs (already there on a shared cluster is fine) and waits until they serve.
async fn install_crds(env: &TestEnv) {
    for (_, manifest) in CRD_MANIFESTS {
        let crd: serde_json::Value = kubegen::yaml::from_str(manifest).unwrap();
        env.ensure_crd(crd).await;
    }
}

#[tokio::test]
async fn typed_clients_create_list_watch_scale_and_update_status() {
    let env = TestEnv::start("fetch-generated-clients").await;
    install_crds(&env).await;
    let widgets = Clientset::new(env.client.clone())
        .example_v1()
        .widgets(&env.namespace);

    let first = widgets
        .create(&CreateOptions::default(), &widget("small", 1))
        .await
        .unwrap();
    assert_eq!(first.metadata().name.as_deref(), Some("small"));

    // Watch from the list's resourceVersion, then create: the watch sees it, typed.
    let list = widgets.list(&ListOptions::default()).await.unwrap();
    assert_eq!(list.items.len(), 1);
    let mut events = widgets
        .watch(&ListOptions {
            resource_version: list.metadata.resource_version.clone(),
            ..ListOptions::default()
        })
        .await
        .unwrap();
    widgets
        .create(&CreateOptions::default(), &widget("large", 10))
        .await
        .unwrap();
    let added = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match events.try_next().await.unwrap() {
                Some(WatchEvent::Added(w)) => break w,
                Some(_) => continue,
                None => panic!("the watch ended"),
            }
        }
    })
    .await
    .expect("an ADDED event");
    assert_eq!(added.metadata.name.as_deref(), Some("large"));
    assert_eq!(added.spec.as_ref().and_then(|s| s.size), Some(10));

    // Scale through kubegen-api's Scale: the new replicas land in the widget's spec.
    let mut scale: kubegen_api::autoscaling::v1::Scale = widgets
        .get_scale("large", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(scale.spec.as_ref().and_then(|s| s.replicas), Some(1));
    scale.spec.get_or_insert_with(Default::default).replicas = Some(3);
    widgets
        .update_scale("large", &UpdateOptions::default(), &scale)
        .await
        .unwrap();
    let mut large = widgets.get("large", &GetOptions::default()).await.unwrap();
    assert_eq!(large.spec.as_ref().and_then(|s| s.replicas), Some(3));

    // Status through its subresource.
    large.status = Some(WidgetStatus { replicas: Some(3) });
    let updated = widgets
        .update_status(&UpdateOptions::default(), &large)
        .await
        .unwrap();
    assert_eq!(updated.status.and_then(|s| s.replicas), Some(3));
    let scale = widgets
        .get_scale("large", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(scale.status.and_then(|s| s.replicas), Some(3));

    // The richer CRD: nested objects, enums, int-or-string, string maps, preserved fields.
    let dbs = Clientset::new(env.client.clone())
        .stores_v1()
        .databases(&env.namespace);
    let db: stores::v1::Database = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "orders"},
        "spec": {
            "engine": "postgres",
            "replicas": 2,
            "storage": {"size": "10Gi"},
            "users": [{"name": "app", "roles": ["read", "write"],
                       "passwordSecretRef": {"name": "orders-app", "key": "password"}}],
            "parameters": {"max_connections": "200"},
            "backup": {"schedule": "@daily", "retention": {"days": 7}, "target": {"s3": {"bucket": "b"}}},
            "tuning": {"sharedBuffers": "1GB", "workMem": "64MB"},
        },
    }))
    .unwrap();
    let spec = db.spec.as_ref().unwrap();
    assert_eq!(spec.engine, Some(stores::v1::DatabaseSpecEngine::Postgres));
    assert_eq!(
        spec.tuning.as_ref().unwrap().unknown_fields["workMem"],
        serde_json::json!("64MB")
    );
    assert_eq!(spec.version, None);
    let created = dbs.create(&CreateOptions::default(), &db).await.unwrap();
    // The server applies the schema's defaults: `version` was not sent, `default: "16"`.
    let mut expected = db.spec.clone();
    if let Some(s) = expected.as_mut() {
        s.version = Some("16".into());
    }
    assert_eq!(created.spec, expected);
    let mut created = created;
    created.status = Some(stores::v1::DatabaseStatus {
        phase: Some(stores::v1::DatabaseStatusPhase::Ready),
        ready_replicas: Some(2),
        selector: Some("app=orders".into()),
        ..Default::default()
    });
    dbs.update_status(&UpdateOptions::default(), &created)
        .await
        .unwrap();
    let scale = dbs
        .get_scale("orders", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(scale.spec.and_then(|s| s.replicas), Some(2));
    let status = scale.status.unwrap();
    assert_eq!(status.replicas, Some(2));
    assert_eq!(status.selector.as_deref(), Some("app=orders"));
    // The other served version reads the same object.
    let beta = Clientset::new(env.client.clone())
        .stores_v1beta1()
        .databases(&env.namespace)
        .get("orders", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(beta.metadata.name.as_deref(), Some("orders"));

    env.finish().await;
}

#[tokio::test]
async fn a_typed_informer_syncs_custom_objects() {
    let env = TestEnv::start("fetch-generated-informer").await;
    install_crds(&env).await;
    let widgets = Clientset::new(env.client.clone())
        .example_v1()
        .widgets(&env.namespace);
    for (name, size) in [("a", 1), ("b", 2)] {
        widgets
            .create(&CreateOptions::default(), &widget(name, size))
            .await
            .unwrap();
    }

    let factory = SharedInformerFactory::with_options(
        env.client.clone(),
        kubegen_runtime::cache::FactoryOptions::default().namespace(env.namespace.clone()),
    );
    let informer = factory.example_v1().widgets();
    let lister = informer.lister();
    factory.start();
    assert!(
        tokio::time::timeout(Duration::from_secs(30), factory.wait_for_cache_sync())
            .await
            .expect("synced in time")
    );
    let mut names: Vec<String> = lister
        .widgets(&env.namespace)
        .list(&Selector::everything())
        .iter()
        .filter_map(|w| w.metadata.name.as_deref().map(str::to_owned))
        .collect();
    names.sort();
    assert_eq!(names, ["a", "b"]);

    // A change after the sync reaches the cache through the watch.
    widgets
        .create(&CreateOptions::default(), &widget("c", 3))
        .await
        .unwrap();
    let seen = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(c) = lister.widgets(&env.namespace).get("c") {
                break c;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the new widget in the cache");
    assert_eq!(seen.spec.as_ref().and_then(|s| s.size), Some(3));

    factory.shutdown().await;
    env.finish().await;
}
