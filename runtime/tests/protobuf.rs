//! Content negotiation of protobuf over real HTTP: what a client asks for, how it reads a
//! protobuf body, a protobuf watch stream and a protobuf error, and that it reads the JSON a
//! server may send instead. The server here is a small fake; `api-tests/tests/protobuf.rs`
//! runs the generated kinds against the test server and a real kube-apiserver.

mod support;

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures::TryStreamExt;
use kubegen_runtime::config::{Config, ContentType};
use kubegen_runtime::meta::proto::{envelope, Codec, DecodeError, KindCodec, Message};
use kubegen_runtime::meta::proto::{Reader, WireType, Writer};
use kubegen_runtime::meta::{Kind, Map, Object, ObjectMeta, Resource, Scope, Status};
use kubegen_runtime::rest::{Client, Error, GetOptions, ListOptions, ResourceClient, WatchEvent};
use serde::{Deserialize, Serialize};
use support::serve_http;

/// A kind with a protobuf codec, shaped like a ConfigMap (metadata 1, data 2).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Settings {
    #[serde(default)]
    metadata: ObjectMeta,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<Map<kubegen_runtime::meta::CompactString>>,
}

impl Kind for Settings {
    const GROUP: &'static str = "";
    const VERSION: &'static str = "v1";
    const KIND: &'static str = "ConfigMap";
    const API_VERSION: &'static str = "v1";
}

impl Resource for Settings {
    const PLURAL: &'static str = "configmaps";
    const SCOPE: Scope = Scope::Namespaced;
    const LIST_KIND: &'static str = "ConfigMapList";
    fn protobuf() -> Option<KindCodec<Self>> {
        Some(KindCodec::of())
    }
}

impl Object for Settings {
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

impl Message for Settings {
    const NAME: &'static str = "Settings";
    fn merge_field(
        &mut self,
        field: u32,
        wire: WireType,
        r: &mut Reader<'_>,
    ) -> Result<(), DecodeError> {
        match field {
            1 => self.metadata.merge(wire, r),
            2 => self.data.merge(wire, r),
            _ => r.skip(wire),
        }
    }
    fn encode_fields(&self, w: &mut Writer) {
        self.metadata.encode(1, w);
        self.data.encode(2, w);
    }
}

fn settings(name: &str, rv: &str) -> Settings {
    Settings {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some("default".into()),
            resource_version: Some(rv.into()),
            ..Default::default()
        },
        data: Some([("key", "value".into())].into()),
    }
}

/// How the fake server answers, and the Accept headers it saw.
#[derive(Clone, Default)]
struct Fake {
    json_only: bool,
    truncate: bool,
    accepts: Arc<Mutex<Vec<String>>>,
}

fn protobuf(body: Vec<u8>, content_type: &'static str) -> Response {
    (StatusCode::OK, [("content-type", content_type)], body).into_response()
}

fn json(code: StatusCode, body: String) -> Response {
    (code, [("content-type", "application/json")], body).into_response()
}

async fn object(
    State(fake): State<Fake>,
    headers: HeaderMap,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Response {
    fake.record(&headers);
    if name == "missing" {
        let status = Status::failure(404, "NotFound", "configmaps \"missing\" not found");
        if fake.json_only {
            return json(
                StatusCode::NOT_FOUND,
                serde_json::to_string(&status).unwrap(),
            );
        }
        let body = envelope::wrap("v1", "Status", |w| status.encode_fields(w));
        return (
            StatusCode::NOT_FOUND,
            [("content-type", envelope::MEDIA_TYPE)],
            body,
        )
            .into_response();
    }
    let object = settings(&name, "7");
    if fake.json_only {
        return json(StatusCode::OK, serde_json::to_string(&object).unwrap());
    }
    let mut body = envelope::wrap("v1", "ConfigMap", |w| object.encode_fields(w));
    if fake.truncate {
        body.truncate(body.len() - 3);
    }
    protobuf(body, envelope::MEDIA_TYPE)
}

async fn collection(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    fake.record(&headers);
    let watch = query.iter().any(|(k, v)| k == "watch" && v == "true");
    let items = vec![settings("a", "5"), settings("b", "6")];
    if watch {
        if fake.json_only {
            let lines: String = items
                .iter()
                .map(|o| {
                    format!(
                        "{{\"type\":\"ADDED\",\"object\":{}}}\n",
                        serde_json::to_string(o).unwrap()
                    )
                })
                .collect();
            return json(StatusCode::OK, lines);
        }
        let mut body = Vec::new();
        for item in &items {
            let object = envelope::wrap("v1", "ConfigMap", |w| item.encode_fields(w));
            envelope::write_watch_event("ADDED", &object, &mut body);
        }
        let mut end = ObjectMeta {
            resource_version: Some("9".into()),
            annotations: Some([("k8s.io/initial-events-end", "true".into())].into()),
            ..Default::default()
        };
        end.name = None;
        let bookmark = envelope::wrap("v1", "ConfigMap", |w| end.encode(1, w));
        envelope::write_watch_event("BOOKMARK", &bookmark, &mut body);
        let gone = Status::failure(410, "Expired", "too old resource version");
        let error = envelope::wrap("v1", "Status", |w| gone.encode_fields(w));
        envelope::write_watch_event("ERROR", &error, &mut body);
        return protobuf(body, envelope::WATCH_MEDIA_TYPE);
    }
    let list = kubegen_runtime::meta::List {
        api_version: None,
        kind: None,
        metadata: kubegen_runtime::meta::ListMeta {
            resource_version: Some("8".into()),
            ..Default::default()
        },
        items,
    };
    if fake.json_only {
        return json(StatusCode::OK, serde_json::to_string(&list).unwrap());
    }
    protobuf(
        envelope::wrap("v1", "ConfigMapList", |w| list.encode_fields(w)),
        envelope::MEDIA_TYPE,
    )
}

impl Fake {
    fn record(&self, headers: &HeaderMap) {
        let accept = headers
            .get("accept")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        self.accepts.lock().unwrap().push(accept);
    }

    fn accepts(&self) -> Vec<String> {
        std::mem::take(&mut self.accepts.lock().unwrap())
    }

    async fn serve(&self) -> support::Server {
        let app = Router::new()
            .route("/api/v1/namespaces/default/configmaps", get(collection))
            .route("/api/v1/namespaces/default/configmaps/{name}", get(object))
            .with_state(self.clone());
        serve_http(app).await
    }
}

fn client(url: &str, content_type: ContentType) -> Client {
    let mut config = Config::new(url.parse().unwrap());
    config.rate_limit = None;
    config.content_type = content_type;
    Client::new(config).unwrap()
}

const PROTOBUF_ACCEPT: &str = "application/vnd.kubernetes.protobuf, application/json";

async fn read_everything(server_url: &str, content_type: ContentType) -> Vec<WatchEvent<Settings>> {
    let c = ResourceClient::<Settings>::namespaced(client(server_url, content_type), "default");
    assert_eq!(
        c.get("a", &GetOptions::default()).await.unwrap(),
        settings("a", "7")
    );
    let list = c.list(&ListOptions::default()).await.unwrap();
    assert_eq!(list.items, [settings("a", "5"), settings("b", "6")]);
    assert_eq!(list.metadata.resource_version.as_deref(), Some("8"));
    let (lenient, skipped) = c
        .list_skipping_undecodable(&ListOptions::default())
        .await
        .unwrap();
    assert_eq!((lenient.items.len(), skipped.len()), (2, 0));
    let err = c.get("missing", &GetOptions::default()).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert!(
        err.to_string().contains("configmaps \"missing\" not found"),
        "{err}"
    );
    c.watch(&ListOptions::default())
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test]
async fn protobuf_is_asked_for_and_read() {
    let fake = Fake::default();
    let server = fake.serve().await;
    let events = read_everything(&server.url(), ContentType::Protobuf).await;
    assert_eq!(fake.accepts(), vec![PROTOBUF_ACCEPT; 5]);
    let types: Vec<&str> = events.iter().map(WatchEvent::type_name).collect();
    assert_eq!(types, ["ADDED", "ADDED", "BOOKMARK", "ERROR"]);
    assert_eq!(events[0], WatchEvent::Added(settings("a", "5")));
    let WatchEvent::Bookmark(end) = &events[2] else {
        panic!()
    };
    assert!(end.is_initial_events_end());
    assert_eq!(end.resource_version, "9");
    let WatchEvent::Error(gone) = &events[3] else {
        panic!()
    };
    assert!(gone.is_gone(), "{gone:?}");
}

#[tokio::test]
async fn a_server_answering_json_to_a_protobuf_accept_is_read_as_json() {
    let fake = Fake {
        json_only: true,
        ..Fake::default()
    };
    let server = fake.serve().await;
    let events = read_everything(&server.url(), ContentType::Protobuf).await;
    assert_eq!(fake.accepts(), vec![PROTOBUF_ACCEPT; 5]);
    assert_eq!(
        events,
        [
            WatchEvent::Added(settings("a", "5")),
            WatchEvent::Added(settings("b", "6"))
        ]
    );
}

#[tokio::test]
async fn json_clients_and_kinds_without_a_codec_ask_for_json() {
    let fake = Fake {
        json_only: true,
        ..Fake::default()
    };
    let server = fake.serve().await;
    read_everything(&server.url(), ContentType::Json).await;
    assert_eq!(fake.accepts(), vec!["application/json"; 5]);
    // A protobuf client, a kind without a codec: JSON.
    let c = ResourceClient::<support::ConfigMap>::namespaced(
        client(&server.url(), ContentType::Protobuf),
        "default",
    );
    c.get("a", &GetOptions::default()).await.unwrap();
    assert_eq!(fake.accepts(), ["application/json"]);
}

#[tokio::test]
async fn a_broken_protobuf_body_is_a_typed_error() {
    let fake = Fake {
        truncate: true,
        ..Fake::default()
    };
    let server = fake.serve().await;
    let c = ResourceClient::<Settings>::namespaced(
        client(&server.url(), ContentType::Protobuf),
        "default",
    );
    let err = c.get("a", &GetOptions::default()).await.unwrap_err();
    assert!(matches!(err, Error::ProtobufDecode { .. }), "{err:?}");
    assert!(err.to_string().contains("protobuf"), "{err}");
}
