//! Example objects of the CRD fixtures deserialize into the types generated from their CRDs
//! and serialize back to equal JSON (up to `null` members), including fields kept through
//! `x-kubernetes-preserve-unknown-fields`.

use std::path::PathBuf;

use kubegen_api_tests::{first_difference, strip_nulls};
use kubegen_golden_crds_real as real;
use kubegen_golden_crds_small as small;
use kubegen_runtime::meta::{IntOrString, Kind, Object, Resource, Scope};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The real projects' CRDs and example objects (`fixtures/crds`).
fn real_crds() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/crds")
}

fn small_examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/fixtures/crds-small/examples")
}

/// The YAML documents of a file, as JSON.
fn documents(path: PathBuf) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(&path).unwrap();
    kubegen::yaml::documents(&text)
        .unwrap_or_else(|e| panic!("{}: invalid YAML: {e}", path.display()))
}

fn round_trip<T: DeserializeOwned + Serialize + Kind>(json: &serde_json::Value) -> T {
    assert_eq!(json["kind"], T::KIND);
    assert_eq!(json["apiVersion"], T::API_VERSION);
    let mut expected = json.clone();
    strip_nulls(&mut expected);
    let text = serde_json::to_string(json).unwrap();
    let typed: T = serde_json::from_str(&text).expect("deserializes");
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(
        first_difference(&back, &expected),
        None,
        "round trip changed the object"
    );
    typed
}

#[test]
fn certificate() {
    let docs = documents(real_crds().join("cert.yaml"));
    let cert: real::cert_manager::v1::Certificate = round_trip(&docs[0]);
    let spec = cert.spec.unwrap();
    assert_eq!(spec.secret_name.as_deref(), Some("test-certificate"));
    assert_eq!(spec.issuer_ref.unwrap().kind.as_deref(), Some("Issuer"));
    assert_eq!(spec.is_ca, Some(false));
}

#[test]
fn pod_monitor() {
    let docs = documents(real_crds().join("podmon.yaml"));
    let pm: real::monitoring::v1::PodMonitor = round_trip(&docs[0]);
    let endpoints = pm.spec.unwrap().pod_metrics_endpoints.unwrap();
    assert_eq!(endpoints[0].path.as_deref(), Some("/metrics"));
}

#[test]
fn http_route_in_the_version_it_names() {
    let docs = documents(real_crds().join("httproute.yaml"));
    let route: real::gateway::v1beta1::HTTPRoute = round_trip(&docs[0]);
    let spec = route.spec.unwrap();
    assert_eq!(spec.parent_refs.unwrap().len(), 2);
    let rules = spec.rules.unwrap();
    let backend = &rules[0].backend_refs.as_ref().unwrap()[0];
    assert_eq!(backend.port, Some(81));
}

#[test]
fn an_enum_value_added_later_decodes_and_is_written_back() {
    use real::gateway::v1beta1::HTTPRouteSpecRulesMatchesMethod as Method;
    let mut doc = documents(real_crds().join("httproute.yaml")).remove(0);
    // `QUERY` is not among the methods the CRD lists (a newer version of it may).
    doc["spec"]["rules"][0]["matches"] =
        serde_json::json!([{"method": "QUERY"}, {"method": "GET"}]);
    let route: real::gateway::v1beta1::HTTPRoute = round_trip(&doc);
    let rules = route.spec.unwrap().rules.unwrap();
    let methods: Vec<Method> = rules[0]
        .matches
        .iter()
        .flatten()
        .filter_map(|m| m.method.clone())
        .collect();
    assert_eq!(methods, [Method::Other("QUERY".into()), Method::GET]);
}

#[test]
fn multi_version() {
    let docs = documents(real_crds().join("mv.yaml"));
    let mv: real::clux::v1::MultiVersion = round_trip(&docs[0]);
    assert_eq!(mv.spec.unwrap().name.as_deref(), Some("hello"));
    assert_eq!(
        real::clux::v2alpha1::MultiVersion::API_VERSION,
        "clux.dev/v2alpha1"
    );
}

#[test]
fn lower_case_kind_keeps_its_wire_name() {
    assert_eq!(real::acid::v1::Postgresql::KIND, "postgresql");
    assert_eq!(real::acid::v1::Postgresql::LIST_KIND, "postgresqlList");
    assert_eq!(real::acid::v1::Postgresql::PLURAL, "postgresqls");
    let json = serde_json::json!({
        "apiVersion": "acid.zalan.do/v1", "kind": "postgresql",
        "metadata": {"name": "db", "namespace": "default"},
        "spec": {"teamId": "acid", "numberOfInstances": 2, "volume": {"size": "1Gi"},
                 "postgresql": {"version": "16", "parameters": {"max_connections": "10"}},
                 "users": {"app": ["superuser", "createdb"]}}
    });
    let pg: real::acid::v1::Postgresql = round_trip(&json);
    assert_eq!(pg.metadata().name.as_deref(), Some("db"));
}

#[test]
fn gadget_with_every_structural_feature() {
    let docs = documents(small_examples().join("gadget.yaml"));
    let g: small::golden::v1::Gadget = round_trip(&docs[0]);
    let spec = g.spec.as_ref().unwrap();
    assert_eq!(spec.port, Some(IntOrString::String("http".into())));
    // Typed fields beside preserved unknown ones: both kept.
    let config = spec.config.as_ref().unwrap();
    assert_eq!(config.level, Some(2));
    assert_eq!(
        config.unknown_fields.get("extra"),
        Some(&serde_json::json!("keep-me"))
    );
    assert!(spec.raw.as_ref().unwrap()["anything"].is_array());
    // Nested objects named after their path; of two paths giving the same name, the first
    // in (alphabetical, depth-first) schema order keeps it and the other gets a suffix.
    let _: &small::golden::v1::GadgetSpecFooBar = spec.foo.as_ref().unwrap().bar.as_ref().unwrap();
    let _: &small::golden::v1::GadgetSpecFooBar2 = spec.foo_bar.as_ref().unwrap();
    let path = spec.rules.as_ref().unwrap()[0].matches.as_ref().unwrap()[0]
        .path
        .as_ref()
        .unwrap();
    assert_eq!(
        path.type_,
        Some(small::golden::v1::GadgetSpecRulesMatchesPathType::Exact)
    );
    // Embedded resources carry apiVersion/kind/metadata even when the schema lists only spec.
    assert_eq!(
        spec.pod_template.as_ref().unwrap().kind.as_deref(),
        Some("Pod")
    );
    // The kind that took the name `GadgetStatus` pushed Gadget's status type aside.
    let _: &small::golden::v1::GadgetStatus2 = g.status.as_ref().unwrap();
    assert_eq!(
        <small::golden::v1::Gadget as Resource>::SCOPE,
        Scope::Namespaced
    );
}

#[test]
fn cluster_scoped_lower_case_kind_in_two_versions() {
    let docs = documents(small_examples().join("doohickey.yaml"));
    let d: small::golden::v1::Doohickey = round_trip(&docs[0]);
    assert_eq!(d.size, Some(4));
    assert_eq!(
        <small::golden::v1::Doohickey as Resource>::SCOPE,
        Scope::Cluster
    );
    assert_eq!(
        small::golden::v1alpha1::Doohickey::API_VERSION,
        "golden.kubegen.dev/v1alpha1"
    );
    let docs = documents(small_examples().join("gadgetstatus.yaml"));
    let s: small::golden::v1::GadgetStatus = round_trip(&docs[0]);
    assert_eq!(s.note.as_deref(), Some("hi"));
}
