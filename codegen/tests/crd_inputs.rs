//! CRD inputs: a live server's published CRD document and the manifest it came from give the
//! same model; built-in schemas map onto `kubegen-api` with skew reported; bad input gets a
//! clear error naming the file and JSON pointer, and leaves the output untouched.

use std::path::{Path, PathBuf};

use kubegen::manifest::ApiManifest;
use kubegen::model::{Model, Strictness, TypeBody, TypeRef};
use kubegen::{generate, render, GenerateError, Settings};

/// A file of the repository's `fixtures/`.
fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(rel)
}

/// The request body of `81-create-crd.http`: the Widget CRD as it was installed.
fn widget_crd_json() -> String {
    let text = std::fs::read_to_string(fixture("kube-apiserver-v1.36/81-create-crd.http")).unwrap();
    let request = text.split("\n---\n").next().unwrap();
    let body_start = request.find("\n\n").unwrap();
    request[body_start..].trim().to_owned()
}

/// A field type with generated types by Rust name (their ids include the source pointer).
fn type_name(model: &Model, ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(id) => model.type_def(id).unwrap().rust_name.clone(),
        other => format!("{other:?}"),
    }
}

/// The shape of a model: types with their fields' names and types, resources with verbs.
fn shape(model: &Model) -> Vec<String> {
    let mut out = Vec::new();
    for def in model.types().values() {
        let fields = match &def.body {
            TypeBody::Struct { fields } => fields
                .iter()
                .map(|f| format!("{}:{}", f.json_name, type_name(model, &f.ty)))
                .collect::<Vec<_>>()
                .join(","),
            other => format!("{other:?}"),
        };
        out.push(format!("{}::{} {{{fields}}}", def.module, def.rust_name));
    }
    for c in model.clients() {
        for sub in &c.subresources {
            out.push(format!("{} {} body={:?}", c.rust_name, sub.stem, sub.body));
        }
    }
    for r in model.resources() {
        let subs: Vec<&str> = r.subresources.iter().map(|s| s.name.as_str()).collect();
        out.push(format!(
            "{}/{} {} ns={} {:?} {:?}",
            r.group, r.version, r.plural, r.namespaced, r.verbs, subs
        ));
    }
    out
}

#[test]
fn live_crd_document_and_its_manifest_give_the_same_model() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live");
    std::fs::create_dir(&live).unwrap();
    std::fs::copy(
        fixture("kube-apiserver-v1.36/crd-widget-openapi-v3.json"),
        live.join("apis__example.com__v1_openapi.json"),
    )
    .unwrap();
    let manifest_file = dir.path().join("widget.json");
    std::fs::write(&manifest_file, widget_crd_json()).unwrap();

    let from_live = Settings::new(&live, dir.path().join("out"))
        .strictness(Strictness::Lenient)
        .externals(Some(ApiManifest::bundled().unwrap()));
    let (live_model, live_out) = render(&from_live).unwrap();
    let from_manifest = Settings::crds(vec![manifest_file], dir.path().join("out")).unwrap();
    let (manifest_model, _) = render(&from_manifest).unwrap();

    assert_eq!(shape(&live_model), shape(&manifest_model));
    // The live document carries copies of built-in schemas; they are kubegen-api's (no skew
    // against the v1.36 spec it was generated from) and apimachinery's, never regenerated.
    assert!(
        live_model.warnings().is_empty(),
        "{:?}",
        live_model.warnings()
    );
    let generated: Vec<&str> = live_model
        .types()
        .values()
        .map(|d| d.rust_name.as_str())
        .collect();
    assert_eq!(
        generated,
        ["Widget", "WidgetSpec", "WidgetStatus", "WidgetList"]
    );
    let widgets = &live_model.resources()[0];
    assert_eq!(widgets.plural, "widgets");
    assert!(widgets.has_verb("watch") && widgets.has_verb("deletecollection"));
    assert!(widgets.subresource("scale").is_some() && widgets.subresource("status").is_some());
    // The scale subresource answers with kubegen-api's Scale, whichever source.
    let client = live_out
        .files
        .get(Path::new("src/example/v1/client/widgets.rs"))
        .unwrap();
    assert!(
        client.contains("kubegen_api::autoscaling::v1::Scale"),
        "{client}"
    );
    assert_eq!(
        live_model
            .externals()
            .get("io.k8s.api.autoscaling.v1.Scale")
            .map(String::as_str),
        Some("kubegen_api::autoscaling::v1::Scale")
    );
    let spec = live_out
        .files
        .get(Path::new("src/example/v1/widget_spec.rs"))
        .unwrap();
    assert!(spec.contains("pub port: Option<IntOrString>"), "{spec}");
    assert!(
        spec.contains("pub extra: Option<serde_json::Value>"),
        "{spec}"
    );
}

#[test]
fn a_differing_copy_of_a_built_in_schema_is_reported_as_skew() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("kube-apiserver-v1.36/crd-widget-openapi-v3.json"))
        .unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["components"]["schemas"]["io.k8s.api.autoscaling.v1.ScaleSpec"]["properties"]["surge"] =
        serde_json::json!({"type": "integer"});
    std::fs::write(
        dir.path().join("apis__example.com__v1_openapi.json"),
        serde_json::to_vec(&doc).unwrap(),
    )
    .unwrap();
    let settings = Settings::new(dir.path(), dir.path().join("out"))
        .strictness(Strictness::Lenient)
        .externals(Some(ApiManifest::bundled().unwrap()));
    let (model, _) = render(&settings).unwrap();
    let warnings: Vec<String> = model.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("/components/schemas/io.k8s.api.autoscaling.v1.ScaleSpec")
            && warnings[0].contains("version skew")
            && warnings[0].contains("kubegen_api::autoscaling::v1::ScaleSpec"),
        "{}",
        warnings[0]
    );
}

#[test]
fn a_differing_copy_of_an_apimachinery_schema_is_reported_as_skew() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("kube-apiserver-v1.36/crd-widget-openapi-v3.json"))
        .unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let meta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
    doc["components"]["schemas"][meta]["properties"]["shard"] =
        serde_json::json!({"type": "string"});
    std::fs::write(
        dir.path().join("apis__example.com__v1_openapi.json"),
        serde_json::to_vec(&doc).unwrap(),
    )
    .unwrap();
    let settings = Settings::new(dir.path(), dir.path().join("out"))
        .strictness(Strictness::Lenient)
        .externals(Some(ApiManifest::bundled().unwrap()));
    let (model, _) = render(&settings).unwrap();
    let warnings: Vec<String> = model.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains(&format!("/components/schemas/{meta}"))
            && warnings[0].contains("version skew")
            && warnings[0].contains("kubegen-runtime"),
        "{}",
        warnings[0]
    );
}

/// Generates from one CRD file into an output directory holding a marker file, expecting
/// an error; checks the marker is still there.
fn generate_err(name: &str, contents: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, contents).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("marker"), "keep").unwrap();
    let err: GenerateError = generate(&Settings::crds(vec![file], &out).unwrap()).unwrap_err();
    assert_eq!(std::fs::read_to_string(out.join("marker")).unwrap(), "keep");
    err.to_string()
}

const HEAD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.x.dev}
spec:
  group: x.dev
  names: {kind: Thing, plural: things}
  scope: Namespaced
  versions:
";

#[test]
fn malformed_yaml_names_the_file_and_line() {
    let err = generate_err("bad.yaml", "apiVersion: [unclosed\nkind: x\n");
    assert!(
        err.contains("bad.yaml: invalid YAML") && err.contains("line"),
        "{err}"
    );
}

#[test]
fn crd_without_schema_names_the_version() {
    let err = generate_err(
        "noschema.yaml",
        &format!("{HEAD}  - {{name: v1, served: true, storage: true}}\n"),
    );
    assert!(
        err.contains("noschema.yaml at /spec/versions/0/schema"),
        "{err}"
    );
    assert!(err.contains("no schema.openAPIV3Schema"), "{err}");
}

#[test]
fn non_structural_schema_names_the_node() {
    let err = generate_err(
        "nonstructural.yaml",
        &format!(
            "{HEAD}  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            properties:\n              a: {{type: string}}\n"
        ),
    );
    assert!(
        err.contains("/spec/versions/0/schema/openAPIV3Schema/properties/spec")
            && err.contains("not structural"),
        "{err}"
    );
}

#[test]
fn invalid_crd_names_the_field() {
    let err = generate_err(
        "nogroup.yaml",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: a.b}\nspec:\n  names: {kind: A, plural: as}\n  scope: Namespaced\n  versions: []\n",
    );
    assert!(
        err.contains("nogroup.yaml") && err.contains("group"),
        "{err}"
    );
}

#[test]
fn a_file_without_crds_is_an_error() {
    let err = generate_err(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    );
    assert!(
        err.contains("cm.yaml: no CustomResourceDefinition found"),
        "{err}"
    );
}

#[test]
fn ref_that_neither_the_spec_nor_kubegen_api_has() {
    let dir = tempfile::tempdir().unwrap();
    let doc = serde_json::json!({
        "openapi": "3.0.0", "info": {"title": "t", "version": "v1"}, "paths": {},
        "components": {"schemas": {"com.x.v1.A": {"type": "object", "properties": {
            "s": {"$ref": "#/components/schemas/io.k8s.api.autoscaling.v1.Scale"},
            "b": {"$ref": "#/components/schemas/io.k8s.api.nothing.v1.Nope"}}}}}
    });
    std::fs::write(dir.path().join("apis__x__v1_openapi.json"), doc.to_string()).unwrap();
    let settings = Settings::new(dir.path(), dir.path().join("out"))
        .externals(Some(ApiManifest::bundled().unwrap()));
    let err = render(&settings).unwrap_err().to_string();
    assert!(
        err.contains("/components/schemas/com.x.v1.A/properties/b/$ref")
            && err.contains("io.k8s.api.nothing.v1.Nope"),
        "{err}"
    );
    assert!(!err.contains("Scale"), "{err}");
}
