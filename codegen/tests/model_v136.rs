//! The model and output of the pinned v1.36 spec.

use std::path::PathBuf;

use kubegen::model::{Model, TypeBody, TypeRef};
use kubegen::spec::Spec;
use kubegen::{render, Settings};

/// The repository's copy of the pinned spec (gzip-compressed documents, read as they are).
fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/v1.36/v3")
}

#[test]
fn kinds_land_in_group_version_modules() {
    let spec = Spec::load_dir(&spec_dir()).unwrap();
    let model = Model::from_spec(&spec).unwrap();
    let pod = model.type_def("io.k8s.api.core.v1.Pod").unwrap();
    assert_eq!(
        (pod.rust_name.as_str(), pod.module.to_string()),
        ("Pod", "core::v1".into())
    );
    assert_eq!(pod.resource, Some(("pods".into(), true)));
    let role = model.type_def("io.k8s.api.rbac.v1.Role").unwrap();
    assert_eq!(role.module.to_string(), "rbac::v1");
    let node = model.type_def("io.k8s.api.core.v1.Node").unwrap();
    assert_eq!(node.resource, Some(("nodes".into(), false)));
    let svc = model
        .type_def("io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService")
        .unwrap();
    assert_eq!(svc.module.to_string(), "apiregistration::v1");
    let list = model.type_def("io.k8s.api.core.v1.PodList").unwrap();
    assert!(
        matches!(&list.body, TypeBody::List { item } if *item == TypeRef::Named("io.k8s.api.core.v1.Pod".into()))
    );
    let apps = model
        .modules()
        .values()
        .find(|m| m.id.to_string() == "apps::v1")
        .unwrap();
    assert!(apps.depends_on.iter().any(|d| d.to_string() == "core::v1"));
}

#[test]
fn resources_have_verbs_and_subresources() {
    let spec = Spec::load_dir(&spec_dir()).unwrap();
    let model = Model::from_spec(&spec).unwrap();
    let deploy = model
        .resources()
        .iter()
        .find(|r| r.plural == "deployments")
        .unwrap();
    assert_eq!(
        deploy.verbs,
        [
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch"
        ]
    );
    let scale = deploy.subresource("scale").unwrap();
    assert_eq!(scale.kind.as_ref().unwrap().2, "Scale");
    let pods = model
        .resources()
        .iter()
        .find(|r| r.plural == "pods" && r.group.is_empty())
        .unwrap();
    for sub in [
        "status",
        "log",
        "eviction",
        "binding",
        "exec",
        "ephemeralcontainers",
        "resize",
    ] {
        assert!(pods.subresource(sub).is_some(), "pods/{sub}");
    }
    assert!(pods
        .operations
        .iter()
        .any(|o| o.action == "list" && o.all_namespaces));
    let list = pods
        .operations
        .iter()
        .find(|o| o.action == "list" && !o.all_namespaces)
        .unwrap();
    for p in [
        "labelSelector",
        "fieldSelector",
        "limit",
        "continue",
        "resourceVersion",
        "sendInitialEvents",
    ] {
        assert!(list.params.iter().any(|q| q.name == p), "list param {p}");
    }
}

/// Every schema with a group-version-kind outside apimachinery becomes a generated type.
#[test]
fn every_kind_is_generated() {
    let out = tempfile::tempdir().unwrap();
    let (model, output) = render(&Settings::new(spec_dir(), out.path())).unwrap();
    let spec = Spec::load_dir(&spec_dir()).unwrap();
    let mut kinds = 0;
    for (name, entry) in spec.schemas() {
        if name.starts_with("io.k8s.apimachinery.")
            || !entry
                .schema
                .schema_data
                .extensions
                .contains_key("x-kubernetes-group-version-kind")
        {
            continue;
        }
        kinds += 1;
        let def = model
            .type_def(name)
            .unwrap_or_else(|| panic!("{name} missing"));
        let needle = format!(
            "pub use self::{}::{};",
            kubegen::model::naming::file_name(&def.rust_name),
            def.rust_name
        );
        let module_file = PathBuf::from(format!(
            "src/{}/{}/mod.rs",
            def.module.group, def.module.version
        ));
        assert!(
            output.files[&module_file].contains(&needle),
            "{name}: {needle}"
        );
    }
    assert!(kinds > 150, "only {kinds} kinds");
}

#[test]
fn volume_is_a_one_of_struct() {
    let spec = Spec::load_dir(&spec_dir()).unwrap();
    let model = Model::from_spec(&spec).unwrap();
    let volume = model.type_def("io.k8s.api.core.v1.Volume").unwrap();
    let TypeBody::Struct { fields } = &volume.body else {
        panic!("{:?}", volume.body)
    };
    let names: Vec<&str> = fields.iter().map(|f| f.rust_name.as_str()).collect();
    assert_eq!(names, ["name", "source"]);
    let source = &fields[1];
    assert!(source.one_of && !source.boxed);
    let TypeRef::Named(id) = &source.ty else {
        panic!("{:?}", source.ty)
    };
    let def = model.type_def(id).unwrap();
    assert_eq!(
        (def.rust_name.as_str(), def.module.to_string()),
        ("VolumeSource", "core::v1".into())
    );
    let TypeBody::OneOf { variants } = &def.body else {
        panic!("{:?}", def.body)
    };
    assert_eq!(variants.len(), 30);
    // Large sources are boxed (the enum is as large as its largest inline member), small
    // ones stay inline (a box would cost an allocation for a few bytes).
    let boxed = |name: &str| variants.iter().find(|v| v.json_name == name).unwrap().boxed;
    assert!(boxed("csi") && boxed("rbd") && boxed("iscsi"));
    assert!(!boxed("emptyDir") && !boxed("hostPath") && !boxed("persistentVolumeClaim"));
    let config_map = variants
        .iter()
        .find(|v| v.json_name == "configMap")
        .unwrap();
    assert_eq!(config_map.rust_name, "ConfigMap");
    assert!(config_map.doc.as_deref().unwrap().contains("configMap"));
}
