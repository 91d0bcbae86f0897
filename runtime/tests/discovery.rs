//! Discovery and the RESTMapper against `kubegen-testserver` (both discovery modes), the disk
//! cache with invalidation as a CRD appears, and partial failures against a stub server.

use std::time::Duration;

use kubegen_runtime::config::Config;
use kubegen_runtime::discovery::{
    DiscoveryClient, DiscoveryOptions, DiscoverySource, GroupVersion, GroupVersionKind, RestMapper,
};
use kubegen_runtime::rest::Client;
use kubegen_testserver::TestServer;
use serde_json::json;

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

async fn server() -> (TestServer, Client) {
    let server = TestServer::start().await.unwrap();
    let client = client_for(&server.base_url());
    (server, client)
}

fn widget_crd(group: &str) -> serde_json::Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("widgets.{group}")},
        "spec": {
            "group": group,
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget",
                      "shortNames": ["wd"], "listKind": "WidgetList"},
            "scope": "Namespaced",
            "versions": [{"name": "v1", "served": true, "storage": true,
                          "subresources": {"status": {}},
                          "schema": {"openAPIV3Schema": {"type": "object",
                                     "x-kubernetes-preserve-unknown-fields": true}}}]
        }
    })
}

async fn create_crd(client: &Client, group: &str) {
    client
        .post()
        .group_version("apiextensions.k8s.io", "v1")
        .resource("customresourcedefinitions")
        .json_body(&widget_crd(group))
        .json::<serde_json::Value>()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovers_every_v1_36_group_in_both_modes() {
    let (_server, client) = server().await;
    let aggregated = DiscoveryClient::new(client.clone());
    let info = aggregated.server_version().await.unwrap();
    assert_eq!((info.major.as_str(), info.minor.as_str()), ("1", "36"));

    let agg = aggregated.server_resources().await.unwrap();
    assert_eq!(agg.source, DiscoverySource::Aggregated);
    let legacy =
        DiscoveryClient::with_options(client.clone(), DiscoveryOptions::default().legacy())
            .server_resources()
            .await
            .unwrap();
    assert_eq!(legacy.source, DiscoverySource::Legacy);

    for snapshot in [&*agg, &*legacy] {
        assert!(snapshot.failures().is_empty(), "{:?}", snapshot.failures());
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
        for (name, versions) in V1_36_GROUPS {
            let group = snapshot
                .group(name)
                .unwrap_or_else(|| panic!("{:?} discovery lacks group {name}", snapshot.source));
            assert_eq!(group.preferred_version, versions[0], "{name}");
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
    // Both modes describe the same thing.
    assert_eq!(agg.groups, legacy.groups);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_mapper_resolves_kubectl_names_and_finds_new_crds() {
    let (_server, client) = server().await;
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
        mapper.resolve("hpa").await.unwrap().gvr().to_string(),
        "autoscaling/v2, Resource=horizontalpodautoscalers"
    );
    assert_eq!(
        mapper
            .resource_for_kind(&GroupVersionKind::new("batch", "v1", "CronJob"))
            .await
            .unwrap()
            .plural,
        "cronjobs"
    );
    assert!(mapper.resolve("widgets").await.unwrap_err().is_not_found());

    // A CRD installed after the first lookup is found: the miss refreshes discovery once.
    create_crd(&client, "example.com").await;
    let widgets = mapper.resolve("wd").await.unwrap();
    assert_eq!(
        widgets.gvr().to_string(),
        "example.com/v1, Resource=widgets"
    );
    assert_eq!(mapper.resolve("widget.example.com").await.unwrap(), widgets);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disk_cache_serves_until_invalidated() {
    let (_server, client) = server().await;
    let root = tempfile::tempdir().unwrap();
    let options = DiscoveryOptions::default()
        .cache_dir(root.path())
        .cache_ttl(Duration::from_secs(600));
    let first = DiscoveryClient::with_options(client.clone(), options.clone());
    let before = first.server_resources().await.unwrap();
    let dir = first.disk_cache().unwrap().dir().to_path_buf();
    assert!(dir.starts_with(root.path()) && dir.exists(), "{dir:?}");

    create_crd(&client, "cache.example.com").await;
    // A new client (a new process, say) reads the disk snapshot: the CRD is not there yet.
    let second = DiscoveryClient::with_options(client.clone(), options.clone());
    let cached = second.server_resources().await.unwrap();
    assert_eq!(*cached, *before);
    assert!(cached.group("cache.example.com").is_none());

    // After invalidation it is.
    second.invalidate().await;
    let fresh = second.server_resources().await.unwrap();
    let group = fresh
        .group("cache.example.com")
        .expect("CRD group after invalidation");
    assert_eq!(group.preferred_version, "v1");
    // ... and the refreshed snapshot was written back for the next client.
    let third = DiscoveryClient::with_options(client, options);
    assert!(third
        .server_resources()
        .await
        .unwrap()
        .group("cache.example.com")
        .is_some());
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
