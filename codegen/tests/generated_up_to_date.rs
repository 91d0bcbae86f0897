//! `generated/` (kubegen-api) is exactly what the generator makes of the pinned spec, with the
//! repository's crate settings: the verify-codegen check `scripts/check-generated.sh` runs,
//! here as a test so that CI runs it with the binary its test build already has.

use std::path::Path;
use std::process::Command;

#[test]
fn generated_is_what_the_generator_makes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root");
    if !root.join("generated").is_dir() {
        eprintln!("skipped: no generated/ beside the crate (not in the repository)");
        return;
    }
    // The same arguments as scripts/check-generated.sh: they are named in the files' headers.
    let out = Command::new(env!("CARGO_BIN_EXE_kubegen"))
        .current_dir(root)
        .args(["check", "--kube-version", "v1.36"])
        .args([
            "--crate-settings",
            "scripts/kubegen-api.toml",
            "--out",
            "generated",
        ])
        .output()
        .expect("run kubegen");
    assert!(
        out.status.success(),
        "generated/ is stale; run scripts/regenerate.sh and commit:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
