//! Writing a fetched directory whole or not at all: files go into a staging directory beside
//! the output, which replaces the output only once everything is there. On any error before
//! that, the staging directory is removed and the old output is untouched.

use std::path::{Path, PathBuf};

use super::layout::LOCK_FILE;

/// A staging directory for one output directory.
pub(crate) struct Staging {
    dir: tempfile::TempDir,
    out: PathBuf,
}

/// What went wrong, and on which path.
#[derive(Debug)]
pub(crate) struct StageError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

fn err(path: &Path) -> impl FnOnce(std::io::Error) -> StageError + '_ {
    move |source| StageError {
        path: path.to_path_buf(),
        source,
    }
}

impl Staging {
    /// Creates `.kubegen-fetch-*` beside `out` (same filesystem, so the swap is a rename).
    pub(crate) fn beside(out: &Path) -> Result<Self, StageError> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(err(&parent))?;
        let dir = tempfile::Builder::new()
            .prefix(".kubegen-fetch-")
            .tempdir_in(&parent)
            .map_err(err(&parent))?;
        Ok(Self {
            dir,
            out: out.to_path_buf(),
        })
    }

    fn path(&self, rel: &str) -> Result<PathBuf, StageError> {
        let path = self.dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(err(parent))?;
        }
        Ok(path)
    }

    /// Writes `rel` (a path inside the output) with `bytes`.
    pub(crate) fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), StageError> {
        let path = self.path(rel)?;
        std::fs::write(&path, bytes).map_err(err(&path))
    }

    /// Takes `rel` over from the current output: a hard link when the filesystem allows,
    /// else a copy.
    pub(crate) fn reuse(&self, rel: &str) -> Result<(), StageError> {
        let from = self.out.join(rel);
        let to = self.path(rel)?;
        if std::fs::hard_link(&from, &to).is_err() {
            std::fs::copy(&from, &to).map_err(err(&from))?;
        }
        Ok(())
    }

    /// Replaces the output directory by the staged one.
    pub(crate) fn commit(self) -> Result<(), StageError> {
        let out = self.out.clone();
        let staged = self.dir.keep();
        let cleanup = |e: StageError| {
            let _ = std::fs::remove_dir_all(&staged);
            e
        };
        if !out.exists() {
            return std::fs::rename(&staged, &out)
                .map_err(err(&out))
                .map_err(cleanup);
        }
        let parent = staged.parent().map(Path::to_path_buf).unwrap_or_default();
        let old = tempfile::Builder::new()
            .prefix(".kubegen-fetch-old-")
            .tempdir_in(&parent)
            .map_err(err(&parent))
            .map_err(cleanup)?;
        let previous = old.path().join("previous");
        std::fs::rename(&out, &previous)
            .map_err(err(&out))
            .map_err(cleanup)?;
        if let Err(source) = std::fs::rename(&staged, &out) {
            // Put the previous output back before failing.
            let _ = std::fs::rename(&previous, &out);
            return Err(cleanup(StageError { path: out, source }));
        }
        drop(old); // removes the previous output
        Ok(())
    }
}

/// Whether `out` may be replaced: it does not exist, is empty, or is a fetched directory
/// (has a lock file). Anything else is somebody's folder.
pub(crate) fn replaceable(out: &Path) -> bool {
    if out.join(LOCK_FILE).is_file() {
        return true;
    }
    match std::fs::read_dir(out) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_whole_or_keeps_the_old_output() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("spec");
        let s = Staging::beside(&out).unwrap();
        s.write("v3/a_openapi.json", b"{}").unwrap();
        s.write(LOCK_FILE, b"{}").unwrap();
        s.commit().unwrap();
        assert_eq!(std::fs::read(out.join("v3/a_openapi.json")).unwrap(), b"{}");

        // A second run reuses one file and drops the staging on error-free commit.
        let s = Staging::beside(&out).unwrap();
        s.reuse("v3/a_openapi.json").unwrap();
        s.write("v3/b_openapi.json", b"[]").unwrap();
        s.commit().unwrap();
        assert!(out.join("v3/a_openapi.json").is_file());
        assert!(out.join("v3/b_openapi.json").is_file());
        assert!(!out.join(LOCK_FILE).exists());

        // Dropped without commit: nothing changes, nothing is left beside.
        let s = Staging::beside(&out).unwrap();
        s.write("v3/c_openapi.json", b"{}").unwrap();
        drop(s);
        assert!(!out.join("v3/c_openapi.json").exists());
        let names: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn only_empty_or_fetched_directories_are_replaceable() {
        let root = tempfile::tempdir().unwrap();
        assert!(replaceable(&root.path().join("new")));
        assert!(replaceable(root.path()));
        std::fs::write(root.path().join("Cargo.toml"), "").unwrap();
        assert!(!replaceable(root.path()));
        std::fs::write(root.path().join(LOCK_FILE), "{}").unwrap();
        assert!(replaceable(root.path()));
    }
}
