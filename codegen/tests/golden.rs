//! Golden test of the emitters: the output for the hand-made `tiny` spec must equal the
//! committed crate in `openapi/fixtures/tiny/expected` (itself a workspace crate, so it is
//! compiled by every test run). `UPDATE_GOLDEN=1` rewrites it after an intended change.

use std::path::{Path, PathBuf};

use kubegen::emit::CrateSettings;
use kubegen::generate::write_atomically;
use kubegen::{render, Settings};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/fixtures/tiny")
}

fn settings(out: &Path) -> Settings {
    Settings::new(fixture().join("v3"), out).crate_settings(CrateSettings {
        crate_name: "kubegen-golden-tiny".into(),
        crate_version: "0.0.0".into(),
        dependencies: "kubegen-runtime = { path = \"../../../../runtime\", default-features = false }\nserde_core.workspace = true\nserde_json = { workspace = true, optional = true }\n".into(),
        package_extra: "edition.workspace = true\npublish = false\n".into(),
        lints: "workspace = true\n".into(),
        source_description: "the hand-made `tiny` test spec".into(),
        generated_by: "kubegen generate --spec openapi/fixtures/tiny --out openapi/fixtures/tiny/expected (codegen/tests/golden.rs)".into(),
    })
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

#[test]
fn tiny_spec_matches_golden_crate() {
    let expected_dir = fixture().join("expected");
    let (_, output) = render(&settings(&expected_dir)).unwrap();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        write_atomically(&output, &expected_dir).unwrap();
        return;
    }
    let mut on_disk = Vec::new();
    files_under(&expected_dir, &expected_dir, &mut on_disk);
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
}

#[test]
fn output_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let (_, a) = render(&settings(dir.path())).unwrap();
    let (_, b) = render(&settings(dir.path())).unwrap();
    assert_eq!(a, b);
}
