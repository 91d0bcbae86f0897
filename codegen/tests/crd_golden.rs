//! Golden tests of CRD generation: the output for the hand-made CRDs of
//! `openapi/fixtures/crds-small` and for the real CRDs of `fixtures/crds` must equal
//! the committed crates beside them (workspace members under the workspace's lints, which CI
//! denies). `UPDATE_GOLDEN=1` rewrites them after an intended change.

use std::path::{Path, PathBuf};

use kubegen::emit::CrateSettings;
use kubegen::generate::write_atomically;
use kubegen::{render, Settings};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The real projects' CRDs (`fixtures/crds`).
fn real_crds() -> PathBuf {
    root().join("fixtures/crds")
}

fn settings(crds: PathBuf, out: &Path, name: &str, description: &str) -> Settings {
    let mut settings = Settings::crds(vec![crds], out).unwrap();
    settings.crate_settings = CrateSettings {
        crate_name: name.into(),
        crate_version: "0.0.0".into(),
        // Built-in types (the `Scale` of scale subresources) come from the workspace's
        // kubegen-api.
        dependencies: "kubegen-api.workspace = true\nkubegen-runtime.workspace = true\nserde_core.workspace = true\nserde_json = { workspace = true, optional = true }\n".into(),
        package_extra: "edition.workspace = true\npublish = false\n".into(),
        lints: "workspace = true\n".into(),
        source_description: description.into(),
        generated_by: format!("kubegen generate --crd ... --crate-name {name} (codegen/tests/crd_golden.rs)"),
    };
    settings
}

fn files_under(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, root, out);
        } else {
            out.push(path.strip_prefix(root).unwrap().to_path_buf());
        }
    }
}

/// Renders and compares with (or, with `UPDATE_GOLDEN`, writes) the committed crate; returns
/// the warnings.
fn check_golden(settings: &Settings) -> Vec<String> {
    let expected_dir = &settings.out_dir;
    let (model, output) = render(settings).unwrap();
    let warnings = model.warnings().iter().map(ToString::to_string).collect();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        write_atomically(&output, expected_dir).unwrap();
        return warnings;
    }
    let mut on_disk = Vec::new();
    files_under(expected_dir, expected_dir, &mut on_disk);
    on_disk.sort();
    let generated: Vec<PathBuf> = output.files.keys().cloned().collect();
    assert_eq!(
        on_disk, generated,
        "file sets differ; UPDATE_GOLDEN=1 to refresh"
    );
    for (path, contents) in &output.files {
        let committed = std::fs::read_to_string(expected_dir.join(path)).unwrap();
        assert_eq!(
            &committed,
            contents,
            "{} differs; UPDATE_GOLDEN=1 to refresh",
            path.display()
        );
    }
    warnings
}

#[test]
fn hand_made_crds_match_golden_crate() {
    let fixture = root().join("openapi/fixtures/crds-small");
    let warnings = check_golden(&settings(
        fixture.join("crds"),
        &fixture.join("expected"),
        "kubegen-golden-crds-small",
        "the hand-made CRDs of `openapi/fixtures/crds-small`",
    ));
    // The one shape that cannot be kept exactly names the CRD and the JSON pointer.
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].contains("gadgets.yaml (document 2) (CRD gadgetstatuses.golden.kubegen.dev) at /spec/versions/0/schema/openAPIV3Schema"),
        "{}",
        warnings[0]
    );
}

#[test]
fn real_crds_match_golden_crate() {
    let fixture = root().join("openapi/fixtures/crds-real");
    let warnings = check_golden(&settings(
        real_crds(),
        &fixture.join("expected"),
        "kubegen-golden-crds-real",
        "the real CRDs of `fixtures/crds` (cert-manager, prometheus-operator, Gateway API, postgres-operator)",
    ));
    assert!(warnings.is_empty(), "{warnings:#?}");
}

#[test]
fn crd_output_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(
        root().join("openapi/fixtures/crds-small/crds"),
        dir.path(),
        "x",
        "x",
    );
    let (_, a) = render(&s).unwrap();
    let (_, b) = render(&s).unwrap();
    assert_eq!(a, b);
}
