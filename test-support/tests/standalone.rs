//! The repository stands alone: no file of the project reads the developers' `shared/`
//! folder beside the checkout or names a path of one particular machine. Only the optional
//! real-server step of CI may look for the real server in the shared folder.

use std::path::{Path, PathBuf};

/// Files allowed to name the real server beside the checkout.
const REAL_SERVER_STEP: &[&str] = &[".ci/run", "scripts/e2e-realk8s.sh"];

/// What must not appear (split so this file does not name them itself).
fn forbidden() -> Vec<String> {
    let shared = ["..", "/shared"].concat();
    let machine = ["/work", "/"].concat();
    vec![
        shared,
        // A search for the folder up the ancestors, as tests once did.
        ["join(\"", "shared\")"].concat(),
        format!("{}shared/", '"'),
        machine,
        ["/home", "/"].concat(),
        ["/Users", "/"].concat(),
        ["/root", "/"].concat(),
    ]
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every file below `dir` but build output, VCS data and staging folders.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == "target" || name == ".git" || name.starts_with(".kubegen-") {
            continue;
        }
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn no_file_names_the_shared_folder_or_a_machine_path() {
    let root = workspace_root();
    let mut all = Vec::new();
    files(&root, &mut all);
    assert!(all.len() > 100, "walked only {} files", all.len());
    let patterns = forbidden();
    let mut offences = Vec::new();
    for path in &all {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue; // binary (compressed specs)
        };
        let rel = path.strip_prefix(&root).unwrap_or(path);
        let rel_text = rel.to_string_lossy().replace('\\', "/");
        for (n, line) in text.lines().enumerate() {
            for p in &patterns {
                if !line.contains(p.as_str()) {
                    continue;
                }
                let allowed = REAL_SERVER_STEP.contains(&rel_text.as_str())
                    && line.contains(&format!("{p}/realk8s"));
                if !allowed {
                    offences.push(format!("{rel_text}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "files name paths outside the repository:\n{}",
        offences.join("\n")
    );
}
