//! Bad input gets a clear error naming the file and JSON pointer, never a panic.

use std::path::Path;
use std::process::Command;

use kubegen::model::{Model, ModelError, Strictness};
use kubegen::spec::{Spec, SpecError};

fn write(dir: &Path, name: &str, contents: &str) {
    std::fs::write(dir.join(name), contents).unwrap();
}

fn doc(schemas: &str) -> String {
    format!(
        r#"{{"openapi":"3.0.0","info":{{"title":"t","version":"v1"}},"paths":{{}},"components":{{"schemas":{schemas}}}}}"#
    )
}

#[test]
fn invalid_json_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "apis__x__v1_openapi.json", "{\"openapi\": ");
    let err = Spec::load_dir(dir.path()).unwrap_err();
    assert!(matches!(err, SpecError::Json { .. }), "{err:?}");
    assert!(
        err.to_string().contains("apis__x__v1_openapi.json"),
        "{err}"
    );
}

#[test]
fn dangling_ref_names_file_and_pointer() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.json",
        &doc(
            r##"{"com.x.v1.A":{"type":"object","properties":{"b":{"$ref":"#/components/schemas/com.x.v1.Missing"}}}}"##,
        ),
    );
    let err = Spec::load_dir(dir.path()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, SpecError::DanglingRef { .. }), "{err:?}");
    assert!(text.contains("a.json"), "{text}");
    assert!(
        text.contains("/components/schemas/com.x.v1.A/properties/b/$ref"),
        "{text}"
    );
    assert!(text.contains("com.x.v1.Missing"), "{text}");
}

#[test]
fn conflicting_copies_name_both_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.json",
        &doc(r#"{"com.x.v1.A":{"type":"object","properties":{"b":{"type":"string"}}}}"#),
    );
    write(
        dir.path(),
        "b.json",
        &doc(r#"{"com.x.v1.A":{"type":"object","properties":{"b":{"type":"integer"}}}}"#),
    );
    let err = Spec::load_dir(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("a.json") && err.contains("b.json") && err.contains("com.x.v1.A"),
        "{err}"
    );
}

#[test]
fn not_openapi_names_the_place() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.json",
        r#"{"openapi":"3.0.0","info":{"title":"t"},"paths":{}}"#,
    );
    let err = Spec::load_dir(dir.path()).unwrap_err();
    assert!(matches!(err, SpecError::OpenApi { .. }), "{err:?}");
    assert!(err.to_string().contains("a.json"), "{err}");
}

#[test]
fn empty_or_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        Spec::load_dir(dir.path()),
        Err(SpecError::NoDocuments { .. })
    ));
    assert!(matches!(
        Spec::load_dir(&dir.path().join("nope")),
        Err(SpecError::Io { .. })
    ));
}

#[test]
fn unknown_shape_is_an_error_when_strict_and_json_when_lenient() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.json",
        &doc(
            r#"{"com.x.v1.A":{"type":"object","properties":{"u":{"oneOf":[{"type":"string"},{"type":"object","properties":{"a":{"type":"string"}}}]}}}}"#,
        ),
    );
    let spec = Spec::load_dir(dir.path()).unwrap();
    let err = Model::from_spec(&spec).unwrap_err();
    assert!(matches!(err, ModelError::Unsupported { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("/components/schemas/com.x.v1.A/properties/u"),
        "{err}"
    );
    let model = Model::build(&spec, Strictness::Lenient).unwrap();
    assert_eq!(model.warnings().len(), 1);
    assert!(model.warnings()[0].to_string().contains("properties/u"));
}

#[test]
fn unversioned_schema_name_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.json",
        &doc(r#"{"Widget":{"type":"object"}}"#),
    );
    let spec = Spec::load_dir(dir.path()).unwrap();
    let err = Model::from_spec(&spec).unwrap_err().to_string();
    assert!(err.contains("Widget") && err.contains("version"), "{err}");
}

#[test]
fn unknown_apimachinery_type_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.json",
        &doc(
            r##"{"io.k8s.apimachinery.pkg.apis.meta.v1.Brand":{"type":"object"},"com.x.v1.A":{"type":"object","properties":{"b":{"$ref":"#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Brand"}}}}"##,
        ),
    );
    let spec = Spec::load_dir(dir.path()).unwrap();
    let err = Model::from_spec(&spec).unwrap_err().to_string();
    assert!(err.contains("Brand") && err.contains("a.json"), "{err}");
}

#[test]
fn fixup_that_no_longer_applies_fails_loudly() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.json",
        &doc(
            r#"{"io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool":{"type":"object","properties":{"x":{"type":"string"}}}}"#,
        ),
    );
    let spec = Spec::load_dir(dir.path()).unwrap();
    let err = Model::from_spec(&spec).unwrap_err();
    assert!(
        matches!(err, ModelError::FixupNoLongerApplies { .. }),
        "{err:?}"
    );
}

#[test]
fn one_of_fixup_fails_when_a_member_becomes_required_or_a_scalar() {
    let source = r#""io.k8s.api.core.v1.EmptyDirVolumeSource":{"type":"object","properties":{"medium":{"type":"string"}}}"#;
    let member = r##"{"$ref":"#/components/schemas/io.k8s.api.core.v1.EmptyDirVolumeSource"}"##;
    let cases = [
        (
            format!(r#""emptyDir":{member},"other":{member}"#),
            r#"["name","emptyDir"]"#,
        ),
        (
            format!(r#""emptyDir":{member},"readOnly":{{"type":"boolean"}}"#),
            r#"["name"]"#,
        ),
    ];
    for (members, required) in cases {
        let dir = tempfile::tempdir().unwrap();
        let volume = format!(
            r#""io.k8s.api.core.v1.Volume":{{"type":"object","required":{required},"properties":{{"name":{{"type":"string"}},{members}}}}}"#
        );
        write(
            dir.path(),
            "a.json",
            &doc(&format!("{{{source},{volume}}}")),
        );
        let spec = Spec::load_dir(dir.path()).unwrap();
        let err = Model::from_spec(&spec).unwrap_err();
        assert!(
            matches!(err, ModelError::FixupNoLongerApplies { .. }),
            "{err:?}"
        );
        assert!(
            err.to_string().contains("io.k8s.api.core.v1.Volume"),
            "{err}"
        );
    }
}

#[test]
fn one_of_enum_name_must_be_free() {
    let dir = tempfile::tempdir().unwrap();
    let schemas = r##"{
        "io.k8s.api.core.v1.VolumeSource":{"type":"object","properties":{"x":{"type":"string"}}},
        "io.k8s.api.core.v1.A":{"type":"object","properties":{"x":{"type":"string"}}},
        "io.k8s.api.core.v1.Volume":{"type":"object","properties":{"name":{"type":"string"},
            "a":{"$ref":"#/components/schemas/io.k8s.api.core.v1.A"},
            "b":{"$ref":"#/components/schemas/io.k8s.api.core.v1.A"}}}}"##;
    write(dir.path(), "a.json", &doc(schemas));
    let spec = Spec::load_dir(dir.path()).unwrap();
    let err = Model::from_spec(&spec).unwrap_err().to_string();
    assert!(err.contains("VolumeSource already names a type"), "{err}");
}

#[test]
fn cli_exits_non_zero_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.json", "not json");
    let out = Command::new(env!("CARGO_BIN_EXE_kubegen"))
        .args(["generate", "--spec"])
        .arg(dir.path())
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a.json") && stderr.contains("invalid JSON"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("out").exists(),
        "a failed run must not leave output"
    );
}

/// Runs the `kubegen` binary in `dir` and returns (success, stderr).
fn kubegen(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubegen"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_unknown_kube_version_lists_the_supported_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, stderr) = kubegen(
        dir.path(),
        &["generate", "--kube-version", "v1.99", "--out", "x"],
    );
    assert!(!ok);
    assert!(
        stderr.contains("\"v1.99\"") && stderr.contains("v1.36"),
        "{stderr}"
    );
    assert!(!dir.path().join("x").exists());
}

#[test]
fn cli_corrupt_compressed_document_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("spec/v3")).unwrap();
    write(
        &dir.path().join("spec/v3"),
        "api__v1_openapi.json.gz",
        "not gzip at all",
    );
    let (ok, stderr) = kubegen(dir.path(), &["generate", "--spec", "spec", "--out", "x"]);
    assert!(!ok);
    assert!(
        stderr.contains("api__v1_openapi.json.gz") && stderr.contains("gzip"),
        "{stderr}"
    );
}

#[test]
fn cli_missing_crd_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, stderr) = kubegen(
        dir.path(),
        &["generate", "--crd", "no-such-crd.yaml", "--out", "x"],
    );
    assert!(!ok);
    assert!(stderr.contains("no-such-crd.yaml"), "{stderr}");
}

fn widgets_crd() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/crd-build/crds/widgets.example.com.yaml")
}

#[test]
fn cli_never_replaces_a_directory_it_did_not_generate() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("mine");
    std::fs::create_dir_all(&mine).unwrap();
    write(&mine, "Cargo.toml", "[package]\nname = \"mine\"\n");
    write(&mine, "notes.txt", "precious");
    std::fs::copy(widgets_crd(), dir.path().join("widgets.yaml")).unwrap();
    let (ok, stderr) = kubegen(
        dir.path(),
        &["generate", "--crd", "widgets.yaml", "--out", "mine"],
    );
    assert!(!ok);
    assert!(stderr.contains("refusing to replace"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(mine.join("notes.txt")).unwrap(),
        "precious"
    );
}

#[test]
fn cli_replaces_its_own_output_and_names_the_command_in_headers() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(widgets_crd(), dir.path().join("widgets.yaml")).unwrap();
    let args = ["generate", "--crd", "widgets.yaml", "--out", "out"];
    for _ in 0..2 {
        let (ok, stderr) = kubegen(dir.path(), &args);
        assert!(ok, "{stderr}");
    }
    let lib = std::fs::read_to_string(dir.path().join("out/src/lib.rs")).unwrap();
    assert!(
        lib.starts_with("// Generated by kubegen: `kubegen generate --crd widgets.yaml --out out`"),
        "{}",
        lib.lines().next().unwrap_or_default()
    );
    assert!(dir.path().join("out/README.md").exists());
}

#[test]
fn cli_bad_crate_settings_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(widgets_crd(), dir.path().join("widgets.yaml")).unwrap();
    write(
        dir.path(),
        "settings.toml",
        "name = \"x\"\nnmae = \"typo\"\n",
    );
    let args = [
        "generate",
        "--crd",
        "widgets.yaml",
        "--crate-settings",
        "settings.toml",
        "--out",
        "out",
    ];
    let (ok, stderr) = kubegen(dir.path(), &args);
    assert!(!ok);
    assert!(
        stderr.contains("settings.toml") && stderr.contains("nmae"),
        "{stderr}"
    );
    let (ok, stderr) = kubegen(
        dir.path(),
        &[
            "generate",
            "--crd",
            "widgets.yaml",
            "--crate-settings",
            "missing.toml",
            "--out",
            "out",
        ],
    );
    assert!(!ok);
    assert!(stderr.contains("missing.toml"), "{stderr}");
    assert!(!dir.path().join("out").exists());
}
