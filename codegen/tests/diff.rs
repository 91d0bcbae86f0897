//! `kubegen diff` on small hand-made specs, with exact expected output.

use std::path::PathBuf;

use kubegen::diff::{diff, to_json, to_text};
use kubegen::generate::load_spec;
use kubegen::model::{Model, ModelOptions, Strictness};
use kubegen::Settings;

fn model(file: &str) -> Model {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../openapi/fixtures/diff")
        .join(file);
    let settings = Settings::crds(vec![path], PathBuf::new()).unwrap();
    let spec = load_spec(&settings).unwrap();
    let options = ModelOptions {
        strictness: Strictness::Lenient,
        ..ModelOptions::default()
    };
    Model::build_with(&spec, &options).unwrap()
}

const EXPECTED: &str = "\
+ group-version diff.kubegen.dev/v2
- kind diff.kubegen.dev/v1 Beta
+ kind diff.kubegen.dev/v2 Alpha
- resource diff.kubegen.dev/v1 betas
+ resource diff.kubegen.dev/v2 alphas
+ subresource diff.kubegen.dev/v1 alphas/status
+ field diff.kubegen.dev/v1 Alpha.status: AlphaStatus, optional
- field diff.kubegen.dev/v1 AlphaSpec.gone
~ field diff.kubegen.dev/v1 AlphaSpec.name: required → optional
+ field diff.kubegen.dev/v1 AlphaSpec.new: bool, optional
! field diff.kubegen.dev/v1 AlphaSpec.old deprecated
~ field diff.kubegen.dev/v1 AlphaSpec.size: i64 → string
";

#[test]
fn text_diff_is_exact() {
    let changes = diff(&model("from.yaml"), &model("to.yaml"));
    assert_eq!(to_text(&changes), EXPECTED);
}

#[test]
fn json_diff_is_exact_and_nothing_changed_is_empty() {
    let changes = diff(&model("from.yaml"), &model("to.yaml"));
    let json: serde_json::Value = serde_json::from_str(&to_json(&changes)).unwrap();
    assert_eq!(json.as_array().unwrap().len(), EXPECTED.lines().count());
    assert_eq!(
        json[8],
        serde_json::json!({"subject": "field", "change": "changed",
            "name": "diff.kubegen.dev/v1 AlphaSpec.name",
            "detail": "required → optional"})
    );
    assert!(diff(&model("to.yaml"), &model("to.yaml")).is_empty());
}
