//! Is generated code up to date? (The `verify-codegen.sh` of Go projects.) Compares what the
//! generator would write with a directory and describes every difference as a unified diff.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::emit::Output;
use crate::generate::GenerateError;

/// Differences between `output` and the files under `dir`, as a unified diff; `None` when the
/// directory holds exactly the output.
pub fn stale(output: &Output, dir: &Path) -> Result<Option<String>, GenerateError> {
    let mut on_disk = BTreeSet::new();
    if dir.exists() {
        files_under(dir, dir, &mut on_disk)?;
    }
    let mut report = String::new();
    let all: BTreeSet<&PathBuf> = on_disk.iter().chain(output.files.keys()).collect();
    for rel in all {
        let expected = output.files.get(rel.as_path());
        let path = dir.join(rel);
        let actual = if on_disk.contains(rel) {
            Some(
                std::fs::read_to_string(&path).map_err(|source| GenerateError::Write {
                    path: path.clone(),
                    source,
                })?,
            )
        } else {
            None
        };
        if expected.map(String::as_str) == actual.as_deref() {
            continue;
        }
        let old = actual.as_deref().unwrap_or("");
        let new = expected.map(String::as_str).unwrap_or("");
        let a = if actual.is_some() {
            format!("a/{}", rel.display())
        } else {
            "/dev/null".to_owned()
        };
        let b = if expected.is_some() {
            format!("b/{}", rel.display())
        } else {
            "/dev/null".to_owned()
        };
        let diff = similar::TextDiff::from_lines(old, new);
        report.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&a, &b)
                .to_string(),
        );
    }
    Ok((!report.is_empty()).then_some(report))
}

fn files_under(dir: &Path, root: &Path, out: &mut BTreeSet<PathBuf>) -> Result<(), GenerateError> {
    let io = |source| GenerateError::Write {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            // A build directory inside a generated crate is not generated code.
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            files_under(&path, root, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.insert(rel.to_path_buf());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_changed_added_and_removed_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/lib.rs"), "a\nb\n").unwrap();
        std::fs::write(dir.path().join("old.rs"), "x\n").unwrap();
        let mut output = Output::default();
        output
            .files
            .insert(PathBuf::from("src/lib.rs"), "a\nc\n".into());
        output.files.insert(PathBuf::from("new.rs"), "y\n".into());
        let report = stale(&output, dir.path()).unwrap().unwrap();
        assert!(
            report.contains("--- a/src/lib.rs\n+++ b/src/lib.rs"),
            "{report}"
        );
        assert!(report.contains("-b\n+c\n"), "{report}");
        assert!(report.contains("--- /dev/null\n+++ b/new.rs"), "{report}");
        assert!(report.contains("--- a/old.rs\n+++ /dev/null"), "{report}");
        output.files.remove(Path::new("new.rs"));
        output
            .files
            .insert(PathBuf::from("src/lib.rs"), "a\nb\n".into());
        output.files.insert(PathBuf::from("old.rs"), "x\n".into());
        assert_eq!(stale(&output, dir.path()).unwrap(), None);
    }
}
