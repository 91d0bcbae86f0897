//! Where fetched documents go: the layout of the published spec dumps
//! (`openapi/v1.NN/` of the repository, there compressed), so a fetched directory is read exactly like a shipped spec.
//!
//! ```text
//! DIR/fetch-lock.json                     server, version, each document's path and hash
//! DIR/v3/api__v1_openapi.json             /openapi/v3/api/v1
//! DIR/v3/apis__apps__v1_openapi.json      /openapi/v3/apis/apps/v1
//! ```

/// The folder of documents inside a fetched directory.
pub const DOCUMENTS_DIR: &str = "v3";

/// The lock file beside [`DOCUMENTS_DIR`].
pub const LOCK_FILE: &str = "fetch-lock.json";

/// The file name of an index path: `apis/apps/v1` → `apis__apps__v1_openapi.json`.
///
/// `None` for a path that cannot be named safely and reversibly (an empty or `..` segment,
/// a character outside `[A-Za-z0-9._-]`, or `__` inside a segment), since the path comes
/// from the server.
pub fn file_name(index_path: &str) -> Option<String> {
    for segment in index_path.split('/') {
        let safe = !segment.is_empty()
            && segment != "."
            && segment != ".."
            && !segment.contains("__")
            && segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !safe {
            return None;
        }
    }
    Some(format!("{}_openapi.json", index_path.replace('/', "__")))
}

/// The index path of a document file name, the inverse of [`file_name`].
pub fn index_path(file_name: &str) -> Option<String> {
    let stem = file_name.strip_suffix("_openapi.json")?;
    Some(stem.replace("__", "/"))
}

/// Whether `index_path` is selected by `include` (empty: everything). An entry selects
/// itself and everything below it, segment by segment: `apis/example.com` selects
/// `apis/example.com/v1`, not `apis/example.com.evil/v1`.
pub fn is_included(index_path: &str, include: &[String]) -> bool {
    include.is_empty()
        || include.iter().any(|prefix| {
            let prefix = prefix.trim_matches('/');
            index_path == prefix
                || index_path
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_published_dumps() {
        // Every file of the shipped spec maps back onto itself.
        let files: Vec<&str> = kubegen_openapi::pinned().files().collect();
        assert!(files.len() > 50, "{files:?}");
        for name in files {
            let path = index_path(name).unwrap();
            assert_eq!(file_name(&path).as_deref(), Some(name));
        }
        assert_eq!(
            file_name("apis/apps/v1").as_deref(),
            Some("apis__apps__v1_openapi.json")
        );
        assert_eq!(file_name("api/v1").as_deref(), Some("api__v1_openapi.json"));
        assert_eq!(
            file_name("apis/rbac.authorization.k8s.io/v1").as_deref(),
            Some("apis__rbac.authorization.k8s.io__v1_openapi.json")
        );
        assert_eq!(
            file_name("version").as_deref(),
            Some("version_openapi.json")
        );
    }

    #[test]
    fn unsafe_paths_have_no_name() {
        for bad in [
            "",
            "apis//v1",
            "../etc",
            "apis/..",
            "a\\b",
            "apis/a__b/v1",
            "a b",
        ] {
            assert_eq!(file_name(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn include_selects_by_segment() {
        let inc = vec!["apis/example.com".to_owned()];
        assert!(is_included("apis/example.com/v1", &inc));
        assert!(is_included("apis/example.com", &inc));
        assert!(!is_included("apis/example.com.evil/v1", &inc));
        assert!(!is_included("api/v1", &inc));
        assert!(is_included("api/v1", &[]));
    }
}
