//! Every Kubernetes version the generator carries models and emits without error.
//! (`scripts/check-other-versions.sh` also compiles the output for one of them.)

use kubegen::{render, Settings};

#[test]
fn every_bundled_version_renders() {
    let versions = kubegen_openapi::versions();
    assert!(
        versions.len() >= 4,
        "expected v1.33-v1.36, got {}",
        versions.len()
    );
    for v in versions {
        let out = tempfile::tempdir().unwrap();
        let (model, output) = render(&Settings::bundled(v, out.path()))
            .unwrap_or_else(|e| panic!("{}: {e}", v.name()));
        assert!(model.type_def("io.k8s.api.core.v1.Pod").is_some());
        assert!(output.files.len() > 500, "{}", v.name());
    }
}
