//! The on-disk discovery cache: one JSON snapshot per server, under the user's cache folder
//! (`$XDG_CACHE_HOME/kubegen/discovery/<host_port>/`, like kubectl's
//! `~/.kube/cache/discovery/<host_port>/`), valid for a TTL.
//!
//! Contract: [`DiskCache::load`] returns a snapshot only while it is younger than the TTL and
//! decodes; anything else (missing, expired, corrupt, written by another version) is a miss,
//! logged at debug level, never an error. [`DiskCache::store`] writes to a temporary file and
//! renames it, so a reader never sees half a snapshot. Errors writing are logged and ignored
//! by the discovery client: a cache must never break discovery.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::resources::ServerResources;

/// kubectl's discovery cache TTL (6 hours since Kubernetes 1.26).
pub const DEFAULT_TTL: Duration = Duration::from_secs(6 * 60 * 60);

const FILE: &str = "server-resources.json";

/// The cache of one server's discovery.
#[derive(Clone, Debug)]
pub struct DiskCache {
    dir: PathBuf,
    ttl: Duration,
}

#[derive(Serialize, Deserialize)]
struct Snapshot {
    /// Seconds since the Unix epoch when discovery was read.
    fetched_at: u64,
    resources: ServerResources,
}

impl DiskCache {
    /// The default root: the user's cache folder + `kubegen/discovery`; `None` when the
    /// platform has no cache folder (no home directory).
    pub fn default_root() -> Option<PathBuf> {
        dirs::cache_dir().map(|d| d.join("kubegen").join("discovery"))
    }

    /// The cache for the server at `server` (its base URL) under `root`.
    pub fn for_server(root: impl AsRef<Path>, server: &http::Uri, ttl: Duration) -> Self {
        Self {
            dir: root.as_ref().join(server_key(server)),
            ttl,
        }
    }

    /// The folder holding this server's snapshot.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How long a snapshot stays valid.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The cached snapshot, if present, decodable and younger than the TTL.
    pub fn load(&self) -> Option<ServerResources> {
        let path = self.dir.join(FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                if e.kind() != io::ErrorKind::NotFound {
                    tracing::debug!(path = %path.display(), error = %e, "discovery cache unreadable");
                }
                return None;
            }
        };
        let snapshot: Snapshot = match serde_json::from_slice(&bytes) {
            Ok(s) => s,
            Err(e) => {
                tracing::debug!(path = %path.display(), error = %e, "discovery cache does not decode; ignoring it");
                return None;
            }
        };
        let age = now_secs().saturating_sub(snapshot.fetched_at);
        if Duration::from_secs(age) >= self.ttl {
            tracing::debug!(path = %path.display(), age, "discovery cache expired");
            return None;
        }
        Some(snapshot.resources)
    }

    /// Writes a snapshot taken now (atomically: temporary file + rename).
    pub fn store(&self, resources: &ServerResources) -> io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let snapshot = Snapshot {
            fetched_at: now_secs(),
            resources: resources.clone(),
        };
        let bytes = serde_json::to_vec(&snapshot).map_err(io::Error::other)?;
        let tmp = self.dir.join(format!(
            ".{FILE}.{}.{:08x}",
            std::process::id(),
            fastrand::u32(..)
        ));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, self.dir.join(FILE)).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }

    /// Removes the snapshot (a missing one is fine).
    pub fn invalidate(&self) -> io::Result<()> {
        match std::fs::remove_file(self.dir.join(FILE)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `host_port` plus the base path, with anything but letters, digits, `.` and `-` as `_`
/// (kubectl's scheme), so each server gets its own folder.
fn server_key(server: &http::Uri) -> String {
    let mut key = server.host().unwrap_or("unknown").to_string();
    let default_port = match server.scheme_str() {
        Some("http") => Some(80),
        Some("https") => Some(443),
        _ => None,
    };
    if let Some(port) = server.port_u16().or(default_port) {
        key.push_str(&format!("_{port}"));
    }
    let path = server.path().trim_matches('/');
    if !path.is_empty() {
        key.push('_');
        key.push_str(path);
    }
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::DiscoverySource;

    fn snapshot() -> ServerResources {
        ServerResources {
            groups: Vec::new(),
            source: DiscoverySource::Legacy,
        }
    }

    #[test]
    fn keys_by_host_port_and_path() {
        let u: http::Uri = "https://10.0.0.1:6443/".parse().unwrap();
        assert_eq!(server_key(&u), "10.0.0.1_6443");
        let u: http::Uri = "https://rancher.example.com/k8s/clusters/c-1"
            .parse()
            .unwrap();
        assert_eq!(server_key(&u), "rancher.example.com_443_k8s_clusters_c-1");
    }

    #[test]
    fn round_trips_expires_and_invalidates() {
        let root = tempfile::tempdir().unwrap();
        let url: http::Uri = "https://127.0.0.1:1234".parse().unwrap();
        let cache = DiskCache::for_server(root.path(), &url, Duration::from_secs(60));
        assert!(cache.load().is_none());
        cache.store(&snapshot()).unwrap();
        assert_eq!(cache.load(), Some(snapshot()));
        let expired = DiskCache::for_server(root.path(), &url, Duration::ZERO);
        assert!(expired.load().is_none());
        cache.invalidate().unwrap();
        assert!(cache.load().is_none());
        cache.invalidate().unwrap();
        std::fs::write(cache.dir().join(FILE), b"{not json").unwrap();
        assert!(cache.load().is_none());
    }
}
