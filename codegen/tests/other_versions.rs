//! Every Kubernetes version under `../shared/openapi` models and emits without error.
//! (`scripts/check-other-versions.sh` also compiles the output for one of them.)

use std::path::PathBuf;

use kubegen::{render, Settings};

#[test]
fn every_shared_version_renders() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/openapi");
    let mut versions: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("v3").is_dir())
        .collect();
    versions.sort();
    assert!(
        versions.len() >= 2,
        "expected several versions in {}",
        root.display()
    );
    for v in versions {
        let out = tempfile::tempdir().unwrap();
        let (model, output) = render(&Settings::new(v.join("v3"), out.path()))
            .unwrap_or_else(|e| panic!("{}: {e}", v.display()));
        assert!(model.type_def("io.k8s.api.core.v1.Pod").is_some());
        assert!(output.files.len() > 500, "{}", v.display());
    }
}
