//! Custom resources generated from a live cluster's spec: `kubegen fetch` saved the
//! `/openapi/v3` documents of two CRD groups into `snapshot/`, and `build.rs` generates their
//! types, typed clients, listers and informers from it. Built-in types (`ObjectMeta`,
//! `Scale`) are the ones of `kubegen-runtime` and `kubegen-api`.
//!
//! Refresh the snapshot after changing a CRD in `crds/`:
//! `UPDATE_SNAPSHOT=1 cargo test -p kubegen-example-fetch-generated --test snapshot`.

/// Everything generated: `crds::example::v1::Widget`, `crds::stores::v1::Database`,
/// `crds::Clientset`, `crds::InformerFactoryExt`.
pub mod crds {
    include!(concat!(env!("OUT_DIR"), "/crds.rs"));
}

pub use crds::example::v1::{Widget, WidgetSpec, WidgetStatus};
pub use crds::stores::v1::{Database, DatabaseSpec, DatabaseStatus};

/// The CRD manifests the snapshot was fetched for, as installed on the cluster.
pub const CRD_MANIFESTS: &[(&str, &str)] = &[
    (
        "widgets.example.com",
        include_str!("../../crd-build/crds/widgets.example.com.yaml"),
    ),
    (
        "databases.stores.example.org",
        include_str!("../crds/databases.stores.example.org.yaml"),
    ),
];

/// The index paths fetched into the snapshot (`kubegen fetch --include ...`).
pub const FETCHED: &[&str] = &["apis/example.com", "apis/stores.example.org"];

/// A widget of the given size, ready to create.
pub fn widget(name: &str, size: i64) -> Widget {
    let mut w = Widget::default();
    w.metadata.name = Some(name.into());
    w.spec = Some(WidgetSpec {
        size: Some(size),
        replicas: Some(1),
        ..WidgetSpec::default()
    });
    w
}
