//! The build.rs-generated Widget client against kubegen-testserver (or the cluster of
//! `KUBEGEN_E2E_KUBECONFIG`): install the CRD through the API, then create, list, read the
//! scale subresource and update the status of custom objects through the typed client.

use kubegen_example_crd_build::crds::Clientset;
use kubegen_example_crd_build::{widget, WidgetStatus};
use kubegen_runtime::meta::Object;
use kubegen_runtime::rest::{CreateOptions, GetOptions, ListOptions, UpdateOptions};
use kubegen_test_support::TestEnv;

/// The committed manifest, installed as a CRD (once: it is cluster-scoped and shared).
async fn install_crd(env: &TestEnv) {
    let text = include_str!("../crds/widgets.example.com.yaml");
    let crd: serde_json::Value = kubegen::yaml::from_str(text).unwrap();
    env.ensure_crd(crd).await;
}

#[tokio::test]
async fn typed_client_of_a_build_rs_generated_crd() {
    let env = TestEnv::start("crd-build").await;
    install_crd(&env).await;
    let widgets = Clientset::new(env.client.clone())
        .example_v1()
        .widgets(&env.namespace);

    for (name, size) in [("small", 1), ("large", 10)] {
        let created = widgets
            .create(&CreateOptions::default(), &widget(name, size))
            .await
            .unwrap();
        assert_eq!(created.metadata().name.as_deref(), Some(name));
        assert!(created.metadata().resource_version.is_some());
    }

    let list = widgets.list(&ListOptions::default()).await.unwrap();
    let mut sizes: Vec<(String, Option<i64>)> = list
        .items
        .iter()
        .map(|w| {
            (
                w.metadata().name.clone().unwrap_or_default().to_string(),
                w.spec.as_ref().and_then(|s| s.size),
            )
        })
        .collect();
    sizes.sort();
    assert_eq!(
        sizes,
        [
            ("large".to_owned(), Some(10)),
            ("small".to_owned(), Some(1))
        ]
    );

    // The scale subresource answers with kubegen-api's Scale.
    let scale: kubegen_api::autoscaling::v1::Scale = widgets
        .get_scale("large", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(scale.spec.and_then(|s| s.replicas), Some(1));

    // Status goes through its own subresource.
    let mut large = widgets.get("large", &GetOptions::default()).await.unwrap();
    large.status = Some(WidgetStatus { replicas: Some(1) });
    let updated = widgets
        .update_status(&UpdateOptions::default(), &large)
        .await
        .unwrap();
    assert_eq!(updated.status.and_then(|s| s.replicas), Some(1));

    env.finish().await;
}
