//! The `/openapi/v3` document the test server publishes for a CRD has the shape of the one a
//! real kube-apiserver v1.36 published for the same CRD (`crd-widget-openapi-v3.json` of the
//! fixtures, for the CRD of `81-create-crd.http`): same paths, operations, operation ids,
//! parameters, request bodies, responses and embedded schemas.

use std::path::PathBuf;

use kubegen_testserver::TestServer;
use serde_json::{json, Value};

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/kube-apiserver-v1.36")
}

/// The request body of fixture 81: the Widget CRD.
fn widget_crd() -> Value {
    let text = std::fs::read_to_string(fixtures_dir().join("81-create-crd.http")).unwrap();
    let (request, _) = text.split_once("\n---\n").unwrap();
    let (_, body) = request.split_once("\n\n").unwrap();
    serde_json::from_str(body).unwrap()
}

fn names(params: Option<&Value>) -> Vec<String> {
    params
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|p| {
                    format!(
                        "{}:{}",
                        p["in"].as_str().unwrap(),
                        p["name"].as_str().unwrap()
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn contents(v: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for (ct, c) in v.as_object().into_iter().flatten() {
        out.insert(ct.clone(), c["schema"]["$ref"].clone());
    }
    Value::Object(out)
}

/// What a generator reads of a document, without descriptions and schema bodies.
fn shape(doc: &Value) -> Value {
    let mut paths = serde_json::Map::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let mut ops = serde_json::Map::new();
        for (method, op) in item.as_object().unwrap() {
            if method == "parameters" {
                ops.insert("parameters".into(), json!(names(Some(op))));
                continue;
            }
            let mut responses = serde_json::Map::new();
            for (code, r) in op["responses"].as_object().unwrap() {
                responses.insert(code.clone(), contents(&r["content"]));
            }
            ops.insert(
                method.clone(),
                json!({
                    "operationId": op["operationId"],
                    "tags": op["tags"],
                    "action": op["x-kubernetes-action"],
                    "gvk": op["x-kubernetes-group-version-kind"],
                    "parameters": names(op.get("parameters")),
                    "requestBody": contents(&op["requestBody"]["content"]),
                    "bodyRequired": op["requestBody"]["required"],
                    "responses": responses,
                }),
            );
        }
        paths.insert(path.clone(), Value::Object(ops));
    }
    let schemas: Vec<&String> = doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    json!({"paths": paths, "schemas": schemas, "openapi": doc["openapi"], "info": doc["info"]})
}

#[tokio::test]
async fn crd_document_has_the_real_servers_shape() {
    let server = TestServer::start().await.unwrap();
    let http = reqwest::Client::new();
    let created = http
        .post(format!(
            "{}/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
            server.base_url()
        ))
        .json(&widget_crd())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let index: Value = http
        .get(format!("{}/openapi/v3", server.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = index["paths"]["apis/example.com/v1"]["serverRelativeURL"]
        .as_str()
        .unwrap();
    let ours: Value = http
        .get(format!("{}{url}", server.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let real: Value = serde_json::from_slice(
        &std::fs::read(fixtures_dir().join("crd-widget-openapi-v3.json")).unwrap(),
    )
    .unwrap();
    let (ours, real) = (shape(&ours), shape(&real));
    for (path, item) in real["paths"].as_object().unwrap() {
        assert_eq!(ours["paths"][path], *item, "{path}");
    }
    assert_eq!(ours, real);
}
