//! The model of the pinned v1.36 spec.

use std::path::PathBuf;

use kubegen::model::{Model, TypeBody, TypeRef};
use kubegen::spec::Spec;

fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/openapi/v1.36/v3")
}

#[test]
fn v136_model() {
    let t = std::time::Instant::now();
    let spec = Spec::load_dir(&spec_dir()).unwrap();
    let load = t.elapsed();
    let model = Model::from_spec(&spec).unwrap();
    eprintln!("load {:?} model {:?}", load, t.elapsed());
    let pod = model.type_def("io.k8s.api.core.v1.Pod").unwrap();
    assert_eq!(pod.rust_name, "Pod");
    assert_eq!(pod.module.to_string(), "core::v1");
    assert_eq!(pod.resource, Some(("pods".into(), true)));
    let role = model.type_def("io.k8s.api.rbac.v1.Role").unwrap();
    assert_eq!(role.module.to_string(), "rbac::v1");
    let list = model.type_def("io.k8s.api.core.v1.PodList").unwrap();
    assert!(
        matches!(&list.body, TypeBody::List { item } if *item == TypeRef::Named("io.k8s.api.core.v1.Pod".into()))
    );
    for m in model.modules().values() {
        eprintln!(
            "{} ({}) {} types, deps {:?}",
            m.id,
            m.api_group,
            m.types.len(),
            m.depends_on
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
        );
    }
    let deploy = model
        .resources()
        .iter()
        .find(|r| r.plural == "deployments")
        .unwrap();
    eprintln!(
        "{:?} {:?}",
        deploy.verbs,
        deploy
            .subresources
            .iter()
            .map(|s| (&s.name, &s.kind, &s.verbs))
            .collect::<Vec<_>>()
    );
    let pods = model
        .resources()
        .iter()
        .find(|r| r.plural == "pods" && r.group.is_empty())
        .unwrap();
    eprintln!(
        "{:?} {:?}",
        pods.verbs,
        pods.subresources
            .iter()
            .map(|s| (&s.name, &s.kind, &s.verbs))
            .collect::<Vec<_>>()
    );
    let kinds_without_resource: Vec<_> = model
        .types()
        .values()
        .filter(|t| {
            t.gvk.is_some() && t.resource.is_none() && !matches!(t.body, TypeBody::List { .. })
        })
        .map(|t| t.id.clone())
        .collect();
    eprintln!("kinds without resource: {kinds_without_resource:?}");
    let boxed: usize = model
        .types()
        .values()
        .map(|t| match &t.body {
            TypeBody::Struct { fields } => fields.iter().filter(|f| f.boxed).count(),
            _ => 0,
        })
        .sum();
    eprintln!(
        "{} types, {} resources, {} boxed fields",
        model.types().len(),
        model.resources().len(),
        boxed
    );
}
