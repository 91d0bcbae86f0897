//! The ConfigMap-hash controller against a test server (or `KUBEGEN_E2E_KUBECONFIG`'s
//! cluster): the annotations converge after ConfigMaps are created, changed and deleted and
//! after Deployments start or stop mounting them.

use std::sync::Arc;
use std::time::Duration;

use kubegen_api::apps::v1::Deployment;
use kubegen_api::core::v1::ConfigMap;
use kubegen_api::Clientset;
use kubegen_examples::controller::{
    config_hash, current_hash, mounted_config_maps, ConfigHashController,
};
use kubegen_runtime::cache::{FactoryOptions, SharedInformerFactory};
use kubegen_runtime::meta::DeleteOptions;
use kubegen_runtime::rest::{CreateOptions, GetOptions, Patch, PatchOptions};
use kubegen_test_support::TestEnv;

fn config_map(name: &str, value: &str) -> ConfigMap {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name},
        "data": {"settings.yaml": value},
    }))
    .unwrap()
}

/// A Deployment mounting `direct` as a volume and `projected` through a projected volume.
fn deployment(name: &str, direct: &[&str], projected: &[&str]) -> Deployment {
    let mut volumes: Vec<serde_json::Value> = direct
        .iter()
        .map(|cm| serde_json::json!({"name": format!("v-{cm}"), "configMap": {"name": cm}}))
        .collect();
    if !projected.is_empty() {
        let sources: Vec<_> = projected
            .iter()
            .map(|cm| serde_json::json!({"configMap": {"name": cm}}))
            .collect();
        volumes.push(serde_json::json!({"name": "projected", "projected": {"sources": sources}}));
    }
    serde_json::from_value(serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [{"name": "app", "image": "nginx:1.27"}],
                    "volumes": volumes,
                },
            },
        },
    }))
    .unwrap()
}

/// What the annotation of `name` should be, from the server's current state.
async fn expected(cs: &Clientset, ns: &str, deployment: &Deployment) -> Option<String> {
    let names = mounted_config_maps(deployment);
    if names.is_empty() {
        return None;
    }
    let mut maps = Vec::new();
    for n in &names {
        match cs
            .core_v1()
            .config_maps(ns)
            .get(n, &GetOptions::default())
            .await
        {
            Ok(cm) => maps.push((n.as_str(), Some(Arc::new(cm)))),
            Err(e) if e.is_not_found() => maps.push((n.as_str(), None)),
            Err(e) => panic!("get configmap {n}: {e}"),
        }
    }
    Some(config_hash(maps))
}

/// Waits until every Deployment's annotation matches its ConfigMaps on the server.
async fn converged(cs: &Clientset, ns: &str, what: &str) {
    let mut last = String::new();
    for _ in 0..200 {
        let list = cs
            .apps_v1()
            .deployments(ns)
            .list(&Default::default())
            .await
            .unwrap();
        let mut ok = true;
        last.clear();
        for d in &list.items {
            let want = expected(cs, ns, d).await;
            let have = current_hash(d).map(str::to_string);
            if want != have {
                ok = false;
                last += &format!(
                    "{:?}: want {want:?}, have {have:?}\n",
                    d.metadata.name.as_deref()
                );
            }
        }
        if ok {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: annotations did not converge:\n{last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annotations_follow_config_maps() {
    let env = TestEnv::start("controller").await;
    let ns = env.namespace.clone();
    let cs = Clientset::new(env.client.clone());
    let cms = cs.core_v1().config_maps(&ns);
    let deployments = cs.apps_v1().deployments(&ns);
    let create = CreateOptions::default();

    cms.create(&create, &config_map("app-config", "a: 1"))
        .await
        .unwrap();
    cms.create(&create, &config_map("shared", "s: 1"))
        .await
        .unwrap();
    for d in [
        deployment("web", &["app-config"], &[]),
        deployment("api", &["app-config"], &["shared"]),
        deployment("plain", &[], &[]),
    ] {
        deployments.create(&create, &d).await.unwrap();
    }

    let factory = SharedInformerFactory::with_options(
        env.client.clone(),
        FactoryOptions::default().namespace(ns.clone()),
    );
    let controller = ConfigHashController::new(env.client.clone(), &factory).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = {
        let (controller, factory) = (controller.clone(), factory.clone());
        tokio::spawn(async move {
            controller
                .run(&factory, 2, async {
                    let _ = stopped.await;
                })
                .await
        })
    };

    converged(&cs, &ns, "initial").await;
    let web = deployments
        .get("web", &GetOptions::default())
        .await
        .unwrap();
    assert!(current_hash(&web).is_some(), "web got an annotation");
    let plain = deployments
        .get("plain", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(current_hash(&plain), None, "nothing mounted, no annotation");

    // A changed ConfigMap changes the hash of both Deployments mounting it.
    let before = current_hash(&web).unwrap().to_string();
    cms.patch(
        "app-config",
        &PatchOptions::default(),
        &Patch::Merge(serde_json::json!({"data": {"settings.yaml": "a: 2"}})),
    )
    .await
    .unwrap();
    converged(&cs, &ns, "after update").await;
    let web = deployments
        .get("web", &GetOptions::default())
        .await
        .unwrap();
    assert_ne!(current_hash(&web), Some(before.as_str()));

    // A Deployment mounting a ConfigMap that does not exist yet, then does.
    deployments
        .create(&create, &deployment("late", &["later"], &[]))
        .await
        .unwrap();
    converged(&cs, &ns, "missing configmap").await;
    cms.create(&create, &config_map("later", "l: 1"))
        .await
        .unwrap();
    converged(&cs, &ns, "configmap created").await;

    // A deleted ConfigMap, and a Deployment that stops mounting one (the annotation goes).
    cms.delete("shared", &DeleteOptions::default())
        .await
        .unwrap();
    converged(&cs, &ns, "configmap deleted").await;
    deployments
        .patch(
            "web",
            &PatchOptions::default(),
            &Patch::Merge(serde_json::json!({"spec": {"template": {"spec": {"volumes": null}}}})),
        )
        .await
        .unwrap();
    converged(&cs, &ns, "volume removed").await;
    let web = deployments
        .get("web", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(current_hash(&web), None);

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("controller stops")
        .unwrap();
    assert!(controller.queue().is_empty());
    factory.shutdown().await;
    env.finish().await;
}
