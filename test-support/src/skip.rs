//! Reporting a skipped test so `scripts/e2e.sh` can list it with its reason.

use std::io::Write;

/// Environment variable naming a file that skipped tests append `<suite> <test>\t<reason>`
/// lines to (the test harness captures stdout, so the printed line alone may not be seen).
pub const SKIP_LOG_ENV: &str = "KUBEGEN_E2E_SKIP_LOG";

/// Prints `SKIPPED <test>: <reason>` and appends it to the skip log when one is set, under
/// the harness's own names: the suite (test binary) and the test function (libtest names
/// each test's thread after it; `label` stands in when it does not).
pub fn record(label: &str, reason: &str) {
    let thread = std::thread::current();
    let test = match thread.name() {
        Some(name) if name != "main" => name.to_string(),
        _ => label.to_string(),
    };
    println!("SKIPPED {test}: {reason}");
    let Some(path) = std::env::var_os(SKIP_LOG_ENV).filter(|p| !p.is_empty()) else {
        return;
    };
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(format!("{} {test}\t{reason}\n", suite()).as_bytes()));
    if let Err(e) = written {
        eprintln!(
            "warning: appending to {SKIP_LOG_ENV}={}: {e}",
            std::path::Path::new(&path).display()
        );
    }
}

/// The test binary's name without cargo's hash (`testserver-0a1b2c3d` → `testserver`).
fn suite() -> String {
    let exe = std::env::current_exe().ok();
    let stem = exe
        .as_deref()
        .and_then(|p| p.file_stem())
        .and_then(|s| s.to_str())
        .unwrap_or("unknown");
    strip_hash(stem).to_string()
}

fn strip_hash(stem: &str) -> &str {
    match stem.rsplit_once('-') {
        Some((name, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            name
        }
        _ => stem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_cargo_hashes_only() {
        assert_eq!(
            strip_hash("informer_testserver-0123456789abcdef"),
            "informer_testserver"
        );
        assert_eq!(strip_hash("clients"), "clients");
        assert_eq!(strip_hash("e2e-cleanup"), "e2e-cleanup");
    }
}
