//! Discovery and the RESTMapper against the test environment (both discovery modes), the
//! disk cache with invalidation as a CRD appears, and partial failures against a stub server.
//! The environment is the in-process test server, or a real cluster: CRDs get per-run groups
//! and short names, and exact group lists are asserted only in-process.

use std::time::Duration;

use kubegen_runtime::config::Config;
use kubegen_runtime::discovery::{
    DiscoveryClient, DiscoveryOptions, DiscoverySource, GroupVersion, GroupVersionKind, RestMapper,
};
use kubegen_runtime::rest::Client;
use kubegen_test_support::{is_external, TestEnv};
use serde_json::json;

/// The groups every supported Kubernetes version serves at `v1` with default settings.
const GA_GROUPS: &[&str] = &[
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "networking.k8s.io",
    "policy",
    "apiextensions.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
];

/// The API groups and versions of a kube-apiserver v1.36 with all groups on (`GET /apis`).
const V1_36_GROUPS: &[(&str, &[&str])] = &[
    ("apiregistration.k8s.io", &["v1"]),
    ("apps", &["v1"]),
    ("events.k8s.io", &["v1"]),
    ("authentication.k8s.io", &["v1"]),
    ("authorization.k8s.io", &["v1"]),
    ("autoscaling", &["v2", "v1"]),
    ("batch", &["v1"]),
    ("certificates.k8s.io", &["v1", "v1beta1", "v1alpha1"]),
    ("networking.k8s.io", &["v1", "v1beta1"]),
    ("policy", &["v1"]),
    ("rbac.authorization.k8s.io", &["v1"]),
    ("storage.k8s.io", &["v1", "v1beta1"]),
    (
        "admissionregistration.k8s.io",
        &["v1", "v1beta1", "v1alpha1"],
    ),
    ("apiextensions.k8s.io", &["v1"]),
    ("scheduling.k8s.io", &["v1", "v1alpha2"]),
    ("coordination.k8s.io", &["v1", "v1beta1", "v1alpha2"]),
    ("node.k8s.io", &["v1"]),
    ("discovery.k8s.io", &["v1"]),
    ("resource.k8s.io", &["v1", "v1beta2", "v1beta1", "v1alpha3"]),
    ("flowcontrol.apiserver.k8s.io", &["v1"]),
    ("internal.apiserver.k8s.io", &["v1alpha1"]),
    ("storagemigration.k8s.io", &["v1beta1"]),
];

fn client_for(base: &str) -> Client {
    let mut config = Config::new(base.parse().unwrap());
    config.rate_limit = None;
    Client::new(config).unwrap()
}

/// A Widget CRD in `group`, with a short name unique to the run (short names of CRDs from
/// concurrent runs on one cluster would make each other ambiguous).
fn widget_crd(env: &TestEnv, group: &str) -> serde_json::Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("widgets.{group}")},
        "spec": {
            "group": group,
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget",
                      "shortNames": [short_name(env)], "listKind": "WidgetList"},
            "scope": "Namespaced",
            "versions": [{"name": "v1", "served": true, "storage": true,
                          "subresources": {"status": {}},
                          "schema": {"openAPIV3Schema": {"type": "object",
                                     "x-kubernetes-preserve-unknown-fields": true}}}]
        }
    })
}

fn short_name(env: &TestEnv) -> String {
    format!("wd{}", env.run_id())
}

/// Retries `attempt` for up to 10 s: a real API server publishes a just-established CRD in
/// discovery a moment later (the in-process server at once).
async fn eventually<T, E: std::fmt::Debug, F: std::future::Future<Output = Result<T, E>>>(
    what: &str,
    mut attempt: impl FnMut() -> F,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match attempt().await {
            Ok(v) => return v,
            Err(e) if tokio::time::Instant::now() > deadline => panic!("{what}: {e:?}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovers_every_group_in_both_modes() {
    let env = TestEnv::start("discovers_every_group_in_both_modes").await;
    let client = env.client.clone();
    let aggregated = DiscoveryClient::new(client.clone());
    let info = aggregated.server_version().await.unwrap();
    assert_eq!(info.major, "1");
    // The in-process server is v1.36 with every group on; a real cluster is whatever it is,
    // so there only the groups every supported version serves are required.
    let in_process = !is_external();
    if in_process {
        assert_eq!(info.minor, "36");
    }
    let expected: Vec<(&str, &[&str])> = if in_process {
        V1_36_GROUPS.to_vec()
    } else {
        V1_36_GROUPS
            .iter()
            .filter(|(name, _)| GA_GROUPS.contains(name))
            .map(|(name, _)| (*name, &["v1"][..]))
            .collect()
    };

    let agg = aggregated.server_resources().await.unwrap();
    assert_eq!(agg.source, DiscoverySource::Aggregated);
    let legacy =
        DiscoveryClient::with_options(client.clone(), DiscoveryOptions::default().legacy())
            .server_resources()
            .await
            .unwrap();
    assert_eq!(legacy.source, DiscoverySource::Legacy);

    for snapshot in [&*agg, &*legacy] {
        if in_process {
            assert!(snapshot.failures().is_empty(), "{:?}", snapshot.failures());
        }
        let core = snapshot.group("").expect("core group");
        assert_eq!(core.preferred_version, "v1");
        let pods = core
            .version("v1")
            .unwrap()
            .resources
            .iter()
            .find(|r| r.plural == "pods")
            .unwrap();
        assert_eq!((pods.kind.as_str(), pods.singular.as_str()), ("Pod", "pod"));
        assert!(pods.namespaced && pods.supports("watch"));
        assert!(pods.subresource("status").is_some() && pods.subresource("log").is_some());
        for (name, versions) in &expected {
            let group = snapshot
                .group(name)
                .unwrap_or_else(|| panic!("{:?} discovery lacks group {name}", snapshot.source));
            if in_process {
                assert_eq!(group.preferred_version, versions[0], "{name}");
            }
            for v in *versions {
                let resources = &group
                    .version(v)
                    .unwrap_or_else(|| panic!("{name}/{v}"))
                    .resources;
                assert!(!resources.is_empty(), "{name}/{v} has no resources");
            }
        }
        let deploy = snapshot
            .resource(&kubegen_runtime::discovery::GroupVersionResource::new(
                "apps",
                "v1",
                "deployments",
            ))
            .unwrap();
        assert_eq!(deploy.short_names, ["deploy"]);
        assert_eq!(
            deploy.subresource("scale").and_then(|s| s.kind.clone()),
            Some(GroupVersionKind::new("autoscaling", "v1", "Scale"))
        );
    }
    // Both modes describe the same thing (on a shared cluster, the groups no other test
    // can be changing meanwhile).
    if in_process {
        assert_eq!(agg.groups, legacy.groups);
    } else {
        for (name, _) in &expected {
            assert_eq!(agg.group(name), legacy.group(name), "{name}");
        }
    }
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_mapper_resolves_kubectl_names_and_finds_new_crds() {
    let env = TestEnv::start("rest_mapper_resolves_kubectl_names_and_finds_new_crds").await;
    let client = env.client.clone();
    let mapper = RestMapper::new(DiscoveryClient::new(client.clone()));
    for input in [
        "deploy",
        "Deployment",
        "deployments",
        "apps/v1/Deployment",
        "deployments.apps",
        "deployments.v1.apps",
    ] {
        let r = mapper.resolve(input).await.unwrap();
        assert_eq!(
            r.gvr().to_string(),
            "apps/v1, Resource=deployments",
            "{input}"
        );
        assert!(r.namespaced);
    }
    assert_eq!(mapper.resolve("cm").await.unwrap().plural, "configmaps");
    assert!(!mapper.resolve("ns").await.unwrap().namespaced);
    assert_eq!(
        mapper
            .resource_for_kind(&GroupVersionKind::new("batch", "v1", "CronJob"))
            .await
            .unwrap()
            .plural,
        "cronjobs"
    );
    let group = env.unique_group("mapper");
    let short = short_name(&env);
    assert!(mapper.resolve(&short).await.unwrap_err().is_not_found());

    // A CRD installed after the first lookup is found: a miss refreshes discovery.
    env.install_crd(widget_crd(&env, &group)).await;
    let widgets = eventually("the new CRD's short name", || mapper.resolve(&short)).await;
    assert_eq!(
        widgets.gvr().to_string(),
        format!("{group}/v1, Resource=widgets")
    );
    assert_eq!(
        mapper.resolve(&format!("widget.{group}")).await.unwrap(),
        widgets
    );
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_mapper_prefers_the_servers_preferred_version() {
    let env = TestEnv::start("rest_mapper_prefers_the_servers_preferred_version").await;
    let mapper = RestMapper::new(DiscoveryClient::new(env.client.clone()));
    let hpa = mapper.resolve("hpa").await.unwrap();
    let preferred = DiscoveryClient::new(env.client.clone())
        .server_resources()
        .await
        .unwrap()
        .group("autoscaling")
        .unwrap()
        .preferred_version
        .clone();
    assert_eq!(
        hpa.gvr().to_string(),
        format!("autoscaling/{preferred}, Resource=horizontalpodautoscalers")
    );
    if !is_external() {
        assert_eq!(preferred, "v2");
    }
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disk_cache_serves_until_invalidated() {
    let env = TestEnv::start("disk_cache_serves_until_invalidated").await;
    let client = env.client.clone();
    let root = tempfile::tempdir().unwrap();
    let options = DiscoveryOptions::default()
        .cache_dir(root.path())
        .cache_ttl(Duration::from_secs(600));
    let first = DiscoveryClient::with_options(client.clone(), options.clone());
    let before = first.server_resources().await.unwrap();
    let dir = first.disk_cache().unwrap().dir().to_path_buf();
    assert!(dir.starts_with(root.path()) && dir.exists(), "{dir:?}");

    let group = env.unique_group("cache");
    env.install_crd(widget_crd(&env, &group)).await;
    // A new client (a new process, say) reads the disk snapshot: the CRD is not there yet.
    let second = DiscoveryClient::with_options(client.clone(), options.clone());
    let cached = second.server_resources().await.unwrap();
    assert_eq!(*cached, *before);
    assert!(cached.group(&group).is_none());

    // After invalidation it is.
    let fresh = eventually("the CRD group after invalidation", || async {
        second.invalidate().await;
        let fresh = second.server_resources().await.map_err(|e| e.to_string())?;
        match fresh.group(&group) {
            Some(_) => Ok(fresh),
            None => Err(format!("{group} not in discovery")),
        }
    })
    .await;
    assert_eq!(fresh.group(&group).unwrap().preferred_version, "v1");
    // ... and the refreshed snapshot was written back for the next client.
    let third = DiscoveryClient::with_options(client, options);
    assert!(third
        .server_resources()
        .await
        .unwrap()
        .group(&group)
        .is_some());
    env.finish().await;
}

/// A server whose `bad.example.com/v1` answers 503: discovery reports that group-version and
/// keeps the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_failing_group_version_does_not_fail_discovery() {
    use axum::routing::get;
    use axum::Json;
    let app = axum::Router::new()
        .route("/api", get(|| async { Json(json!({"kind": "APIVersions", "versions": ["v1"]})) }))
        .route(
            "/apis",
            get(|| async {
                let group = |name: &str| json!({"name": name, "versions": [{"groupVersion": format!("{name}/v1"), "version": "v1"}],
                                                "preferredVersion": {"groupVersion": format!("{name}/v1"), "version": "v1"}});
                Json(json!({"kind": "APIGroupList", "groups": [group("good.example.com"), group("bad.example.com")]}))
            }),
        )
        .route(
            "/api/v1",
            get(|| async {
                Json(json!({"kind": "APIResourceList", "groupVersion": "v1", "resources": [
                    {"name": "configmaps", "singularName": "configmap", "namespaced": true, "kind": "ConfigMap", "verbs": ["get"], "shortNames": ["cm"]}]}))
            }),
        )
        .route(
            "/apis/good.example.com/v1",
            get(|| async {
                Json(json!({"kind": "APIResourceList", "groupVersion": "good.example.com/v1", "resources": [
                    {"name": "things", "singularName": "thing", "namespaced": false, "kind": "Thing", "verbs": ["get", "list"]}]}))
            }),
        )
        .route(
            "/apis/bad.example.com/v1",
            get(|| async {
                (
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    Json(json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                "message": "service unavailable", "reason": "ServiceUnavailable", "code": 503})),
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = client_for(&format!("http://{addr}"));

    // The stub offers no aggregated discovery, so Auto falls back to legacy by itself.
    let discovery = DiscoveryClient::new(client);
    let resources = discovery.server_resources().await.unwrap();
    assert_eq!(resources.source, DiscoverySource::Legacy);
    let failures = resources.failures();
    assert_eq!(
        failures.keys().collect::<Vec<_>>(),
        [&GroupVersion::new("bad.example.com", "v1")]
    );
    assert!(
        failures.values().next().unwrap().contains("503")
            || failures.values().next().unwrap().contains("unavailable")
    );
    assert_eq!(
        resources.group("good.example.com").unwrap().versions[0].resources[0].kind,
        "Thing"
    );
    let mapper = RestMapper::new(discovery);
    assert_eq!(mapper.resolve("cm").await.unwrap().plural, "configmaps");
    assert!(!mapper.resolve("thing").await.unwrap().namespaced);
}
