//! The generated typed clients against an API server (the in-process test server, or a real
//! cluster through `KUBEGEN_E2E_KUBECONFIG`): every verb, every patch kind, server-side apply,
//! conflicts, deletes, subresources, logs and watches, across several groups.

use futures_util::{StreamExt, TryStreamExt};
use kubegen_api::apps::v1::{Deployment, DeploymentSpec};
use kubegen_api::batch::v1::{Job, JobSpec};
use kubegen_api::core::v1::{
    ConfigMap, Container, Pod, PodLogOptions, PodSpec, PodTemplateSpec, Service, ServicePort,
    ServiceSpec,
};
use kubegen_api::rbac::v1::{ClusterRole, PolicyRule};
use kubegen_api::Clientset;
use kubegen_runtime::meta::{DeleteOptions, IntOrString, LabelSelector, ObjectMeta, Shared};
use kubegen_runtime::rest::{
    CreateOptions, GetOptions, ListOptions, ObjectOrStatus, Patch, PatchOptions, UpdateOptions,
    WatchEvent,
};
use kubegen_test_support::{Needs, TestEnv, TEST_LABEL};

fn meta(name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        ..Default::default()
    }
}

fn config_map(name: &str, value: &str) -> ConfigMap {
    ConfigMap {
        metadata: meta(name),
        data: Some([("key", value.into())].into()),
        ..Default::default()
    }
}

fn deployment(name: &str, replicas: i32) -> Deployment {
    let labels = [("app", name.into())];
    Deployment {
        metadata: meta(name),
        spec: Some(DeploymentSpec {
            replicas: Some(replicas),
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
                        ..Default::default()
                    }]),
                    ..Default::default()
                })),
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[tokio::test]
async fn config_maps_every_verb_and_patch_kind() {
    let env = TestEnv::start("config-maps-every-verb").await;
    let cs = Clientset::new(env.client.clone());
    let cms = cs.core_v1().config_maps(&env.namespace);

    let created = cms
        .create(&CreateOptions::default(), &config_map("a", "1"))
        .await
        .unwrap();
    assert_eq!(created.metadata.name.as_deref(), Some("a"));
    let err = cms
        .create(&CreateOptions::default(), &config_map("a", "1"))
        .await
        .unwrap_err();
    assert!(err.is_already_exists(), "{err}");

    let got = cms.get("a", &GetOptions::default()).await.unwrap();
    assert_eq!(got.data.as_ref().unwrap()["key"], "1");
    assert!(cms
        .get("missing", &GetOptions::default())
        .await
        .unwrap_err()
        .is_not_found());

    // Update, then a conflict on the stale resourceVersion.
    let mut changed = got.clone();
    changed.data = Some([("key", "2".into())].into());
    let updated = cms
        .update(&UpdateOptions::default(), &changed)
        .await
        .unwrap();
    assert_eq!(updated.data.as_ref().unwrap()["key"], "2");
    let err = cms
        .update(&UpdateOptions::default(), &changed)
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "stale update must conflict: {err}");

    // JSON merge, JSON patch and strategic merge.
    let merged = cms
        .patch(
            "a",
            &PatchOptions::default(),
            &Patch::Merge(serde_json::json!({"data": {"m": "x"}})),
        )
        .await
        .unwrap();
    assert_eq!(merged.data.as_ref().unwrap()["m"], "x");
    let json_patched = cms
        .patch(
            "a",
            &PatchOptions::default(),
            &Patch::Json(serde_json::json!([{"op": "add", "path": "/data/j", "value": "y"}])),
        )
        .await
        .unwrap();
    assert_eq!(json_patched.data.as_ref().unwrap()["j"], "y");
    let strategic = cms
        .patch(
            "a",
            &PatchOptions::default(),
            &Patch::Strategic(serde_json::json!({"data": {"s": "z"}})),
        )
        .await
        .unwrap();
    assert_eq!(strategic.data.as_ref().unwrap()["s"], "z");

    // List with a label selector, and list_all paging.
    for i in 0..5 {
        let mut cm = config_map(&format!("l{i}"), "v");
        cm.metadata.labels =
            Some([("tier", if i % 2 == 0 { "even" } else { "odd" }.into())].into());
        cms.create(&CreateOptions::default(), &cm).await.unwrap();
    }
    let even = cms.list(&ListOptions::labels("tier=even")).await.unwrap();
    assert_eq!(even.items.len(), 3);
    let all = cms
        .list_all(&ListOptions {
            limit: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(all.items.len() >= 6, "{}", all.items.len());

    // Delete one, then the collection.
    match cms.delete("a", &DeleteOptions::default()).await.unwrap() {
        ObjectOrStatus::Object(o) => assert_eq!(o.metadata.name.as_deref(), Some("a")),
        ObjectOrStatus::Status(s) => assert_eq!(s.status.as_deref(), Some("Success")),
    }
    assert!(cms
        .delete("a", &DeleteOptions::default())
        .await
        .unwrap_err()
        .is_not_found());
    cms.delete_collection(&ListOptions::labels("tier"), &DeleteOptions::default())
        .await
        .unwrap();
    assert!(cms
        .list(&ListOptions::labels("tier"))
        .await
        .unwrap()
        .items
        .is_empty());
    env.finish().await;
}

#[tokio::test]
async fn server_side_apply_create_then_update_and_conflict() {
    let env = TestEnv::start("server-side-apply").await;
    let cs = Clientset::new(env.client.clone());
    let deploys = cs.apps_v1().deployments(&env.namespace);

    let applied = deploys
        .apply(&PatchOptions::apply("tests"), &deployment("web", 1))
        .await
        .unwrap();
    assert_eq!(applied.spec.as_ref().unwrap().replicas, Some(1));
    let reapplied = deploys
        .apply(&PatchOptions::apply("tests"), &deployment("web", 2))
        .await
        .unwrap();
    assert_eq!(reapplied.spec.as_ref().unwrap().replicas, Some(2));

    let err = deploys
        .apply(&PatchOptions::apply("other"), &deployment("web", 3))
        .await
        .unwrap_err();
    assert!(
        err.is_conflict(),
        "another manager's apply must conflict: {err}"
    );
    let forced = deploys
        .apply(&PatchOptions::apply("other").force(), &deployment("web", 3))
        .await
        .unwrap();
    assert_eq!(forced.spec.as_ref().unwrap().replicas, Some(3));
    env.finish().await;
}

#[tokio::test]
async fn deployment_scale_and_status_subresources() {
    let env = TestEnv::start("deployment-subresources").await;
    let cs = Clientset::new(env.client.clone());
    let deploys = cs.apps_v1().deployments(&env.namespace);
    deploys
        .create(&CreateOptions::default(), &deployment("web", 1))
        .await
        .unwrap();

    let scale = deploys
        .get_scale("web", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(scale.spec.as_ref().unwrap().replicas, Some(1));
    let mut scale = scale;
    scale.spec.as_mut().unwrap().replicas = Some(4);
    let scaled = deploys
        .update_scale("web", &UpdateOptions::default(), &scale)
        .await
        .unwrap();
    assert_eq!(scaled.spec.unwrap().replicas, Some(4));
    let patched = deploys
        .patch_scale(
            "web",
            &PatchOptions::default(),
            &Patch::Merge(serde_json::json!({"spec": {"replicas": 5}})),
        )
        .await
        .unwrap();
    assert_eq!(patched.spec.unwrap().replicas, Some(5));
    assert_eq!(
        deploys
            .get("web", &GetOptions::default())
            .await
            .unwrap()
            .spec
            .unwrap()
            .replicas,
        Some(5)
    );

    let mut with_status = deploys
        .get_status("web", &GetOptions::default())
        .await
        .unwrap();
    with_status
        .status
        .get_or_insert_with(Default::default)
        .observed_generation = Some(7);
    let updated = deploys
        .update_status(&UpdateOptions::default(), &with_status)
        .await
        .unwrap();
    assert_eq!(updated.status.unwrap().observed_generation, Some(7));
    env.finish().await;
}

#[tokio::test]
async fn delete_with_propagation_policy_and_jobs() {
    let env = TestEnv::start("delete-propagation").await;
    let cs = Clientset::new(env.client.clone());
    let jobs = cs.batch_v1().jobs(&env.namespace);
    let job = Job {
        metadata: meta("once"),
        spec: Some(JobSpec {
            template: Some(PodTemplateSpec {
                spec: Some(Shared::new(PodSpec {
                    restart_policy: Some("Never".into()),
                    containers: Some(vec![Container {
                        name: Some("c".into()),
                        image: Some("busybox".into()),
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
    jobs.create(&CreateOptions::default(), &job).await.unwrap();
    let options = DeleteOptions {
        propagation_policy: Some("Foreground".into()),
        ..Default::default()
    };
    jobs.delete("once", &options).await.unwrap();
    env.finish().await;
}

#[tokio::test]
async fn services_nodes_and_cluster_roles() {
    let env = TestEnv::start("services-nodes-roles").await;
    let cs = Clientset::new(env.client.clone());
    let svc = Service {
        metadata: meta("web"),
        spec: Some(ServiceSpec {
            selector: Some([("app", "web".into())].into()),
            ports: Some(vec![ServicePort {
                port: Some(80),
                target_port: Some(IntOrString::String("http".into())),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let created = cs
        .core_v1()
        .services(&env.namespace)
        .create(&CreateOptions::default(), &svc)
        .await
        .unwrap();
    assert_eq!(
        created.spec.unwrap().ports.unwrap()[0].target_port,
        Some(IntOrString::String("http".into()))
    );
    // Cluster-scoped: nodes are listed (maybe empty on the test server), cluster roles CRUD.
    cs.core_v1()
        .nodes()
        .list(&ListOptions::default())
        .await
        .unwrap();
    let roles = cs.rbac_v1().cluster_roles();
    let mut role = ClusterRole {
        metadata: meta(&env.unique_name("reader")),
        rules: Some(vec![PolicyRule {
            api_groups: Some(vec!["".into()]),
            resources: Some(vec!["pods".into()]),
            verbs: Some(vec!["get".into(), "list".into()]),
            ..Default::default()
        }]),
        ..Default::default()
    };
    role.metadata.labels = Some([(TEST_LABEL, env.run_id().into())].into());
    let created = roles
        .create(&CreateOptions::default(), &role)
        .await
        .unwrap();
    let name = created.metadata.name.clone().unwrap();
    assert_eq!(
        roles
            .get(&name, &GetOptions::default())
            .await
            .unwrap()
            .rules
            .unwrap()
            .len(),
        1
    );
    roles
        .delete(&name, &DeleteOptions::default())
        .await
        .unwrap();
    env.finish().await;
}

#[tokio::test]
async fn watch_from_a_resource_version() {
    let env = TestEnv::start("watch-from-rv").await;
    let cs = Clientset::new(env.client.clone());
    let cms = cs.core_v1().config_maps(&env.namespace);
    cms.create(&CreateOptions::default(), &config_map("before", "0"))
        .await
        .unwrap();
    let list = cms.list(&ListOptions::default()).await.unwrap();
    let rv = list.metadata.resource_version.clone().unwrap();
    let watch = cms
        .watch(&ListOptions {
            resource_version: Some(rv),
            timeout_seconds: Some(10),
            ..Default::default()
        })
        .await
        .unwrap();
    cms.create(&CreateOptions::default(), &config_map("after", "1"))
        .await
        .unwrap();
    cms.delete("after", &DeleteOptions::default())
        .await
        .unwrap();
    let events: Vec<_> = watch
        // Only events about "after": a real cluster may add kube-root-ca.crt meanwhile.
        .try_filter(|e| {
            let about_after = match e {
                WatchEvent::Added(c) | WatchEvent::Modified(c) | WatchEvent::Deleted(c) => {
                    c.metadata.name.as_deref() == Some("after")
                }
                _ => false,
            };
            std::future::ready(about_after)
        })
        .take(2)
        .try_collect()
        .await
        .unwrap();
    match (&events[0], &events[1]) {
        (WatchEvent::Added(a), WatchEvent::Deleted(d)) => {
            assert_eq!(a.metadata.name.as_deref(), Some("after"));
            assert_eq!(d.metadata.name.as_deref(), Some("after"));
        }
        other => panic!("unexpected events {other:?}"),
    }
    env.finish().await;
}

#[tokio::test]
async fn pod_logs_stream_and_follow() {
    let Some(env) = TestEnv::requiring("pod-logs", &[Needs::PodLogs]).await else {
        return;
    };
    let cs = Clientset::new(env.client.clone());
    let pods = cs.core_v1().pods(&env.namespace);
    let pod = Pod {
        metadata: meta("web"),
        spec: Some(PodSpec {
            containers: Some(vec![Container {
                name: Some("web".into()),
                image: Some("nginx".into()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    };
    pods.create(&CreateOptions::default(), &pod).await.unwrap();
    let server = env.server().unwrap();
    server.set_pod_log(&env.namespace, "web", "web", "one\ntwo\nthree\n");
    let body: Vec<u8> = pods
        .log(
            "web",
            &PodLogOptions {
                tail_lines: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .try_fold(Vec::new(), |mut acc, chunk| async move {
            acc.extend_from_slice(&chunk);
            Ok(acc)
        })
        .await
        .unwrap();
    assert_eq!(String::from_utf8(body).unwrap(), "two\nthree\n");

    let mut follow = pods
        .log(
            "web",
            &PodLogOptions {
                follow: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut seen = String::new();
    while !seen.contains("three") {
        seen.push_str(&String::from_utf8_lossy(
            &follow.next().await.unwrap().unwrap(),
        ));
    }
    server.append_pod_log(&env.namespace, "web", "web", "four\n");
    while !seen.contains("four") {
        seen.push_str(&String::from_utf8_lossy(
            &follow.next().await.unwrap().unwrap(),
        ));
    }
    env.finish().await;
}
