//! Server-side apply needs a body with exactly the fields the caller set (k8s-openapi #112:
//! required fields with `Default` put empty strings, zeros and empty objects in apply bodies).

use kubegen_api::apps::v1::{Deployment, DeploymentSpec};
use kubegen_api::core::v1::{Container, PodSpec, PodTemplateSpec};
use kubegen_runtime::meta::{LabelSelector, ObjectMeta, Shared};

#[test]
fn a_partially_built_deployment_serializes_only_what_was_set() {
    let deployment = Deployment {
        metadata: ObjectMeta {
            name: Some("web".into()),
            ..Default::default()
        },
        spec: Some(DeploymentSpec {
            replicas: Some(3),
            template: Some(PodTemplateSpec {
                spec: Some(Shared::new(PodSpec {
                    containers: Some(vec![Container {
                        name: Some("web".into()),
                        image: Some("nginx:1.27".into()),
                        ..Default::default()
                    }]),
                    ..Default::default()
                })),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let json = serde_json::to_value(&deployment).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {
                "replicas": 3,
                "template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}
            }
        })
    );
}

#[test]
fn an_explicit_empty_value_is_kept() {
    // `selector: {}` selects everything: explicitly empty must not vanish like unset does.
    let spec = DeploymentSpec {
        selector: Some(LabelSelector::default()),
        replicas: Some(0),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&spec).unwrap(),
        serde_json::json!({"replicas": 0, "selector": {}})
    );
}

#[test]
fn an_empty_object_is_just_its_type() {
    assert_eq!(
        serde_json::to_string(&Deployment::default()).unwrap(),
        r#"{"apiVersion":"apps/v1","kind":"Deployment"}"#
    );
}
