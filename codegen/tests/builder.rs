//! The `build.rs` builder: one file of nested modules from CRD manifests, readable errors.
//! (That the file compiles and works is tested by `examples/crd-build`.)

use std::path::PathBuf;

use kubegen::Builder;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/fixtures/crds-small/crds")
}

#[test]
fn single_file_holds_every_module_without_crate_paths_or_features() {
    let text = Builder::new()
        .crd_files(fixture())
        .quiet(true)
        .generate()
        .unwrap();
    syn::parse_file(&text).unwrap();
    assert!(text.contains("pub mod golden {"), "modules are inline");
    assert!(text.contains("pub mod v1alpha1 {"));
    assert!(text.contains("pub struct GadgetSpecRulesMatchesPath {"));
    assert!(
        !text.contains("crate::"),
        "crate paths are relative to the include site"
    );
    assert!(
        !text.contains("feature ="),
        "the generated crate's features are gone"
    );
    assert!(text.contains("kubegen_api::autoscaling::v1::Scale"));
}

#[test]
fn writes_only_when_changed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crds.rs");
    let b = Builder::new().crd_files(fixture()).quiet(true);
    b.write_to(&path).unwrap();
    let first = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    b.write_to(&path).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), first);
}

#[test]
fn errors_read_well_in_build_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.yaml"), "kind: [\n").unwrap();
    let err = Builder::new()
        .crd_files(dir.path())
        .quiet(true)
        .generate()
        .unwrap_err();
    // `fn main() -> Result<(), BuildError>` prints the Debug form: it must be the message.
    let shown = format!("{err:?}");
    assert!(shown.starts_with("kubegen: "), "{shown}");
    assert!(shown.contains("bad.yaml: invalid YAML"), "{shown}");
}
