//! A controller that keeps a hash of the ConfigMaps each Deployment mounts as a pod-template
//! annotation (`kubegen.dev/config-hash`), so a ConfigMap change rolls the Deployment's pods.
//! Shared informer factory, typed listers, rate-limited work queue, typed client patches; the
//! logic lives in `kubegen_examples::controller`.
//!
//! `cargo run -p kubegen-examples --example controller [namespace]`: with `KUBECONFIG` set it
//! watches that cluster (all namespaces, or the one given) until Ctrl-C. Without, it starts an
//! in-process test server, creates a ConfigMap and a Deployment mounting it, changes the
//! ConfigMap, prints the annotation as it follows, and exits.

use std::time::Duration;

use kubegen_api::apps::v1::Deployment;
use kubegen_api::core::v1::ConfigMap;
use kubegen_api::Clientset;
use kubegen_examples::controller::{current_hash, ConfigHashController};
use kubegen_runtime::cache::{FactoryOptions, SharedInformerFactory};
use kubegen_runtime::rest::{CreateOptions, GetOptions, Patch, PatchOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cluster = kubegen_examples::connect().await?;
    let mut options = FactoryOptions::default().default_resync(Duration::from_secs(600));
    if let Some(ns) = std::env::args().nth(1) {
        options = options.namespace(ns);
    }
    let factory = SharedInformerFactory::with_options(cluster.client.clone(), options);
    let controller = ConfigHashController::new(cluster.client.clone(), &factory)?;

    if cluster.server.is_none() {
        println!("Watching Deployments and ConfigMaps; Ctrl-C to stop.");
        controller
            .run(&factory, 2, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await;
        factory.shutdown().await;
        return Ok(());
    }

    // Demo against the in-process server.
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
    let cs = Clientset::new(cluster.client.clone());
    let config_map: ConfigMap = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "web-config"},
        "data": {"greeting": "hello"},
    }))?;
    cs.core_v1()
        .config_maps("default")
        .create(&CreateOptions::default(), &config_map)
        .await?;
    let deployment: Deployment = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [{"name": "web", "image": "nginx:1.27"}],
                    "volumes": [{"name": "config", "configMap": {"name": "web-config"}}],
                },
            },
        },
    }))?;
    cs.apps_v1()
        .deployments("default")
        .create(&CreateOptions::default(), &deployment)
        .await?;
    let first = wait_for_hash(&cs, None).await?;
    println!("web's config hash: {first}");

    cs.core_v1()
        .config_maps("default")
        .patch(
            "web-config",
            &PatchOptions::default(),
            &Patch::Merge(serde_json::json!({"data": {"greeting": "bonjour"}})),
        )
        .await?;
    let second = wait_for_hash(&cs, Some(&first)).await?;
    println!("after changing web-config: {second}");

    let _ = stop.send(());
    run.await?;
    factory.shutdown().await;
    Ok(())
}

/// Polls the server until web's annotation is set and differs from `previous`.
async fn wait_for_hash(
    cs: &Clientset,
    previous: Option<&str>,
) -> Result<String, Box<dyn std::error::Error>> {
    for _ in 0..100 {
        let web = cs
            .apps_v1()
            .deployments("default")
            .get("web", &GetOptions::default())
            .await?;
        match current_hash(&web) {
            Some(h) if Some(h) != previous => return Ok(h.to_string()),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    Err("the controller did not annotate the deployment within 5 s".into())
}
