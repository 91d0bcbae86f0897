//! Protobuf (`application/vnd.kubernetes.protobuf`): the generated codecs against answers a
//! real kube-apiserver v1.36.2 gave (`fixtures/kube-apiserver-v1.36-proto`, each beside the
//! JSON answer to the same request), encode/decode round trips, bad input, and — against the
//! environment's server — negotiation, protobuf and JSON reads agreeing, and an informer
//! syncing over protobuf. The test server answers JSON only: there these tests check that a
//! client asking for protobuf falls back to JSON cleanly.

use std::path::PathBuf;

use bytes::Bytes;
use futures_util::{stream, StreamExt, TryStreamExt};
use kubegen_api::core::v1::{ConfigMap, Container, Pod, PodSpec, ServiceAccount};
use kubegen_api::InformerFactoryExt;
use kubegen_runtime::cache::SharedInformerFactory;
use kubegen_runtime::config::ContentType;
use kubegen_runtime::meta::proto::{self, envelope, DecodeErrorKind, Message};
use kubegen_runtime::meta::{List, ObjectMeta, Resource};
use kubegen_runtime::rest::{
    ApiError, ByteStream, GetOptions, ListOptions, Method, ResourceClient, WatchEvent, WatchStream,
};
use kubegen_test_support::TestEnv;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/kube-apiserver-v1.36-proto")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An enveloped object's body decoded with `K`'s codec.
fn decode_enveloped<K: Resource>(bytes: &[u8]) -> K {
    let unknown = envelope::unwrap(bytes).unwrap();
    assert_eq!(unknown.api_version, K::API_VERSION);
    let codec = K::protobuf().expect("a built-in kind has a protobuf codec");
    (codec.decode)(unknown.raw).unwrap()
}

#[test]
fn a_recorded_pod_decodes_as_its_json_twin() {
    let from_proto: Pod = decode_enveloped(&fixture("pod-get.pb"));
    let from_json: Pod = serde_json::from_slice(&fixture("pod-get.json")).unwrap();
    assert_eq!(from_proto, from_json);
    // The parts that take care: Go's by-value zero values read as unset, pointers keep theirs.
    let spec = from_proto.spec.as_ref().unwrap();
    assert_eq!(spec.automount_service_account_token, Some(false));
    assert_eq!(spec.node_name, None);
    let ports = spec.containers.as_ref().unwrap()[0].ports.as_ref().unwrap();
    assert_eq!((ports[0].host_port, ports[1].host_port), (None, Some(9090)));
    assert!(from_proto.metadata.managed_fields.is_some());
    assert_eq!(from_proto.metadata.generate_name, None);
}

#[test]
fn a_recorded_list_decodes_as_its_json_twin() {
    let bytes = fixture("pod-list.pb");
    let unknown = envelope::unwrap(&bytes).unwrap();
    assert_eq!(unknown.kind, "PodList");
    let from_proto: List<Pod> = proto::decode(unknown.raw).unwrap();
    let from_json: List<Pod> = serde_json::from_slice(&fixture("pod-list.json")).unwrap();
    assert_eq!(from_proto.items.len(), 2);
    assert_eq!(from_proto.metadata, from_json.metadata);
    assert_eq!(from_proto.items, from_json.items);
}

fn body(bytes: Vec<u8>, chunk: usize) -> ByteStream {
    let chunks: Vec<kubegen_runtime::rest::Result<Bytes>> = bytes
        .chunks(chunk)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    stream::iter(chunks).boxed()
}

#[tokio::test]
async fn a_recorded_watch_list_stream_decodes_event_by_event_as_its_json_twin() {
    let url = "https://127.0.0.1/api/v1/namespaces/proto-fixtures/pods?watch=true".to_owned();
    // Odd chunk sizes put frame boundaries everywhere.
    let from_proto: Vec<WatchEvent<Pod>> = WatchStream::<Pod>::from_protobuf(
        body(fixture("watch-list.pb"), 997),
        url.clone(),
        1 << 20,
    )
    .unwrap()
    .try_collect()
    .await
    .unwrap();
    let from_json: Vec<WatchEvent<Pod>> =
        WatchStream::<Pod>::new(body(fixture("watch-list.json"), 1 << 16), url, 1 << 20)
            .try_collect()
            .await
            .unwrap();
    let types: Vec<&str> = from_proto.iter().map(WatchEvent::type_name).collect();
    assert_eq!(
        types,
        ["ADDED", "ADDED", "BOOKMARK", "MODIFIED", "MODIFIED", "DELETED", "MODIFIED", "BOOKMARK"]
    );
    assert_eq!(from_proto, from_json);
    let WatchEvent::Bookmark(end) = &from_proto[2] else {
        panic!("{:?}", from_proto[2])
    };
    assert!(end.is_initial_events_end(), "{end:?}");
    let WatchEvent::Modified(finalized) = &from_proto[6] else {
        panic!("{:?}", from_proto[6])
    };
    assert!(finalized.metadata.deletion_timestamp.is_some());
}

#[test]
fn decoded_objects_round_trip_through_encode() {
    let pod: Pod = decode_enveloped(&fixture("pod-get.pb"));
    let codec = Pod::protobuf().unwrap();
    let mut w = proto::Writer::new();
    (codec.encode)(&pod, &mut w);
    let bytes = w.into_vec();
    assert_eq!((codec.decode)(&bytes).unwrap(), pod);
    // Wrapped as the server wraps it, it reads back the same way.
    let wrapped = envelope::wrap("v1", "Pod", |w| pod.encode_fields(w));
    assert_eq!(decode_enveloped::<Pod>(&wrapped), pod);
    // A list, through the generic list codec.
    let list: List<Pod> =
        proto::decode(envelope::unwrap(&fixture("pod-list.pb")).unwrap().raw).unwrap();
    assert_eq!(
        proto::decode::<List<Pod>>(&proto::encode(&list)).unwrap(),
        list
    );
}

#[test]
fn a_recorded_protobuf_error_reads_as_its_status() {
    let err = ApiError::from_response(
        "GET",
        "https://k/api/v1/namespaces/proto-fixtures/pods/missing",
        404,
        &fixture("get-missing-404.pb"),
    );
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.message(), "pods \"missing\" not found");
}

#[test]
fn truncated_and_corrupted_bodies_are_errors_not_panics() {
    let bytes = fixture("pod-get.pb");
    let raw = envelope::unwrap(&bytes).unwrap().raw.to_vec();
    let decode = Pod::protobuf().unwrap().decode;
    // Every proper prefix: an error (a cut inside a value) or a smaller pod, never a panic.
    let mut errors = 0;
    for cut in 0..raw.len() {
        if decode(&raw[..cut]).is_err() {
            errors += 1;
        }
    }
    assert!(
        errors > raw.len() / 2,
        "{errors} of {} prefixes failed",
        raw.len()
    );
    // Flipped bytes: errors or values, never panics.
    let mut rng = fastrand::Rng::with_seed(23);
    for _ in 0..2000 {
        let mut broken = raw.clone();
        for _ in 0..4 {
            let i = rng.usize(..broken.len());
            broken[i] = rng.u8(..);
        }
        let _ = decode(&broken);
    }
    // A length far past the end names where and what.
    let mut huge = vec![0x0a]; // field 1 (metadata), length-delimited
    huge.extend([0xff, 0xff, 0xff, 0xff, 0x0f]);
    let err = decode(&huge).unwrap_err();
    assert!(
        matches!(err.kind(), DecodeErrorKind::LengthPastEnd { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("Pod field 1"), "{err}");
}

fn pod(name: &str) -> Pod {
    Pod {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some([("app", "proto-test".into())].into()),
            ..Default::default()
        },
        spec: Some(PodSpec {
            containers: Some(vec![Container {
                name: Some("web".into()),
                image: Some("registry.example.com/web:1".into()),
                ..Default::default()
            }]),
            automount_service_account_token: Some(false),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Pods need their namespace's `default` service account, which a real server without
/// controllers (the reference one) does not create by itself.
async fn ensure_default_service_account(env: &TestEnv) {
    let accounts = ResourceClient::<ServiceAccount>::namespaced(env.client.clone(), &env.namespace);
    let account = ServiceAccount {
        metadata: ObjectMeta {
            name: Some("default".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    match accounts.create(&Default::default(), &account).await {
        Ok(_) => {}
        Err(e) if e.is_already_exists() => {}
        Err(e) => panic!("creating the default service account: {e}"),
    }
}

/// Whether the server speaks protobuf: the real one does, the test server answers JSON.
async fn server_answers_protobuf(env: &TestEnv) -> bool {
    let resp = env
        .client
        .request(Method::GET)
        .resource("namespaces")
        .name(&env.namespace)
        .header(
            http::header::ACCEPT,
            http::HeaderValue::from_static("application/vnd.kubernetes.protobuf, application/json"),
        )
        .send()
        .await
        .unwrap();
    let content_type = resp.headers().get(http::header::CONTENT_TYPE).cloned();
    content_type.is_some_and(|v| {
        v.as_bytes()
            .starts_with(b"application/vnd.kubernetes.protobuf")
    })
}

/// Whether the server is kubegen's test server (in process, or run as a process behind a
/// kubeconfig), which answers JSON to every request: its `/version` names no commit.
async fn is_kubegen_testserver(env: &TestEnv) -> bool {
    if env.server().is_some() {
        return true;
    }
    let version: serde_json::Value = env
        .client
        .request(Method::GET)
        .abs_path("/version")
        .json()
        .await
        .unwrap();
    version["gitCommit"].as_str() == Some("0000000000000000000000000000000000000000")
}

#[tokio::test]
async fn protobuf_and_json_reads_agree() {
    let env = TestEnv::start("protobuf-reads").await;
    let speaks_protobuf = server_answers_protobuf(&env).await;
    if !is_kubegen_testserver(&env).await {
        assert!(speaks_protobuf, "a real kube-apiserver answers protobuf");
    }
    ensure_default_service_account(&env).await;
    let json = ResourceClient::<Pod>::namespaced(env.client.clone(), &env.namespace);
    let proto_client = env.client_with(|c| c.content_type = ContentType::Protobuf);
    let protobuf = ResourceClient::<Pod>::namespaced(proto_client.clone(), &env.namespace);
    // Custom resources and kinds without a codec stay JSON; ConfigMaps have one.
    let cms = ResourceClient::<ConfigMap>::namespaced(proto_client, &env.namespace);
    assert!(cms
        .list(&ListOptions::default())
        .await
        .unwrap()
        .items
        .is_empty());

    let watch = protobuf
        .watch(&ListOptions {
            resource_version: Some(
                json.list(&ListOptions::default())
                    .await
                    .unwrap()
                    .metadata
                    .resource_version
                    .unwrap_or_default(),
            ),
            allow_watch_bookmarks: true,
            ..Default::default()
        })
        .await
        .unwrap();
    for name in ["proto-a", "proto-b"] {
        json.create(&Default::default(), &pod(name)).await.unwrap();
    }
    let a_json = json.get("proto-a", &GetOptions::default()).await.unwrap();
    let a_proto = protobuf
        .get("proto-a", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(a_proto, a_json);
    let list_json = json.list(&ListOptions::default()).await.unwrap();
    let list_proto = protobuf.list(&ListOptions::default()).await.unwrap();
    assert_eq!(list_proto.items, list_json.items);
    assert_eq!(list_proto.items.len(), 2);
    let (lenient, undecodable) = protobuf
        .list_skipping_undecodable(&ListOptions::default())
        .await
        .unwrap();
    assert!(undecodable.is_empty());
    assert_eq!(lenient.items, list_json.items);
    let missing = protobuf
        .get("nope", &GetOptions::default())
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing}");

    let added: Vec<Pod> = watch
        .try_filter_map(|e| async move {
            Ok(match e {
                WatchEvent::Added(p) => Some(p),
                _ => None,
            })
        })
        .take(2)
        .try_collect()
        .await
        .unwrap();
    let names: Vec<_> = added
        .iter()
        .map(|p| p.metadata.name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, ["proto-a", "proto-b"]);
    assert_eq!(added[0].spec, a_json.spec);
    env.finish().await;
}

#[tokio::test]
async fn an_informer_syncs_over_protobuf() {
    let env = TestEnv::start("protobuf-informer").await;
    ensure_default_service_account(&env).await;
    let json = ResourceClient::<Pod>::namespaced(env.client.clone(), &env.namespace);
    for name in ["synced-a", "synced-b", "synced-c"] {
        json.create(&Default::default(), &pod(name)).await.unwrap();
    }
    let client = env.client_with(|c| c.content_type = ContentType::Protobuf);
    let factory = SharedInformerFactory::new(client);
    let pods = factory.core_v1().pods().lister();
    factory.start();
    assert!(factory.wait_for_cache_sync().await);
    let expected = json.list(&ListOptions::default()).await.unwrap().items;
    let cached = pods.pods(&env.namespace).list(&Default::default());
    let mut cached: Vec<Pod> = cached.iter().map(|p| (**p).clone()).collect();
    cached.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    assert_eq!(cached, expected);
    // Changes arrive over the protobuf watch too.
    json.create(&Default::default(), &pod("synced-d"))
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while pods.pods(&env.namespace).get("synced-d").is_none() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "synced-d never reached the cache"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    factory.shutdown().await;
    env.finish().await;
}

#[test]
fn protobuf_lists_decode_into_the_sharing_pools_like_json() {
    let bytes = fixture("pod-list.pb");
    let raw = envelope::unwrap(&bytes).unwrap().raw.to_vec();
    let list: List<Pod> =
        kubegen_runtime::meta::sharing::decode_shared(|| proto::decode(&raw)).unwrap();
    let image = |i: usize| {
        list.items[i]
            .spec
            .as_ref()
            .unwrap()
            .containers
            .as_ref()
            .unwrap()[0]
            .image
            .clone()
            .unwrap()
    };
    // Both pods run the same (long) image: one shared copy.
    assert_eq!(image(0), image(1));
    assert!(image(0).is_shared());
    assert_eq!(image(0).as_ptr(), image(1).as_ptr());
    // Outside a scope every object has its own.
    let plain: List<Pod> = proto::decode(&raw).unwrap();
    assert!(!plain.items[0]
        .spec
        .as_ref()
        .unwrap()
        .containers
        .as_ref()
        .unwrap()[0]
        .image
        .as_ref()
        .unwrap()
        .is_shared());
    assert_eq!(plain, list);
}
