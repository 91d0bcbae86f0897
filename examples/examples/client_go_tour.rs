//! The client-go "out-of-cluster" example, with kubegen: list the pods of every namespace, get
//! one pod and handle "not found", create a Deployment, scale it, and delete it.
//!
//! `cargo run -p kubegen-examples --example client_go_tour` (uses `KUBECONFIG` when set, an
//! in-process test server otherwise).

use kubegen_api::apps::v1::{Deployment, DeploymentSpec};
use kubegen_api::core::v1::{Container, ContainerPort, PodSpec, PodTemplateSpec};
use kubegen_api::Clientset;
use kubegen_runtime::meta::{DeleteOptions, LabelSelector, ObjectMeta, Shared};
use kubegen_runtime::rest::{CreateOptions, GetOptions, ListOptions, Patch, PatchOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cluster = kubegen_examples::connect().await?;
    let clientset = Clientset::new(cluster.client.clone());

    // List pods in all namespaces.
    let pods = clientset
        .core_v1()
        .pods_all()
        .list(&ListOptions::default())
        .await?;
    println!("There are {} pods in the cluster", pods.items.len());

    // Get a pod that may not exist, telling "not found" apart from other errors.
    match clientset
        .core_v1()
        .pods("default")
        .get("example-xxxxx", &GetOptions::default())
        .await
    {
        Ok(pod) => println!("Found pod {:?}", pod.metadata.name),
        Err(e) if e.is_not_found() => println!("Pod example-xxxxx not found in default namespace"),
        Err(e) => return Err(e.into()),
    }

    // Create a Deployment.
    let deployments = clientset.apps_v1().deployments("default");
    let labels = [("app", "demo".into())];
    let deployment = Deployment {
        metadata: ObjectMeta {
            name: Some("demo-deployment".into()),
            ..Default::default()
        },
        spec: Some(DeploymentSpec {
            replicas: Some(2),
            selector: Some(LabelSelector {
                match_labels: Some(labels.clone().into()),
                ..Default::default()
            }),
            template: Some(PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels.into()),
                    ..Default::default()
                }),
                spec: Some(Shared::new(PodSpec {
                    containers: Some(vec![Container {
                        name: Some("web".into()),
                        image: Some("nginx:1.27".into()),
                        ports: Some(vec![ContainerPort {
                            name: Some("http".into()),
                            container_port: Some(80),
                            ..Default::default()
                        }]),
                        ..Default::default()
                    }]),
                    ..Default::default()
                })),
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let created = deployments
        .create(&CreateOptions::default(), &deployment)
        .await?;
    println!("Created deployment {:?}", created.metadata.name);

    // Scale it through the scale subresource.
    let scaled = deployments
        .patch_scale(
            "demo-deployment",
            &PatchOptions::default(),
            &Patch::Merge(serde_json::json!({"spec": {"replicas": 1}})),
        )
        .await?;
    println!(
        "Scaled deployment to {:?} replicas",
        scaled.spec.and_then(|s| s.replicas)
    );

    // List deployments, then delete ours.
    for d in deployments.list(&ListOptions::default()).await?.items {
        let replicas = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or_default();
        println!(
            " * {} ({replicas} replicas)",
            d.metadata.name.as_deref().unwrap_or_default()
        );
    }
    deployments
        .delete("demo-deployment", &DeleteOptions::default())
        .await?;
    println!("Deleted deployment.");
    Ok(())
}
