//! `DiscoveryClient`: what the server serves, read once and cached in memory (and on disk
//! when asked), from aggregated discovery when offered and the legacy documents otherwise.

use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use http::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use super::aggregated::{is_aggregated, GroupDiscoveryList, AGGREGATED_ACCEPT};
use super::disk_cache::{DiskCache, DEFAULT_TTL};
use super::error::DiscoveryError;
use super::legacy::convert_resource_list;
use super::resources::{ApiGroupResources, ApiVersionResources, DiscoverySource, ServerResources};
use crate::meta::{APIGroupList, APIResourceList, APIVersions, Info};
use crate::rest::Client;

/// How many group-version documents legacy discovery reads at once.
const LEGACY_CONCURRENCY: usize = 8;

/// Which discovery documents to read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DiscoveryMode {
    /// Aggregated discovery when the server offers it (two requests), legacy otherwise.
    #[default]
    Auto,
    /// Always the legacy documents (`/api`, `/apis`, one request per group-version).
    Legacy,
}

/// Settings of a [`DiscoveryClient`].
#[derive(Clone, Debug, Default)]
pub struct DiscoveryOptions {
    /// Aggregated or legacy discovery, or whichever the server offers.
    pub mode: DiscoveryMode,
    /// Root folder of the disk cache (a sub-folder per server is used), or `None` for
    /// memory only.
    pub cache_dir: Option<std::path::PathBuf>,
    /// How long a disk snapshot stays valid ([`DEFAULT_TTL`] when `None`).
    pub cache_ttl: Option<Duration>,
}

impl DiscoveryOptions {
    /// Forces legacy discovery.
    pub fn legacy(mut self) -> Self {
        self.mode = DiscoveryMode::Legacy;
        self
    }

    /// Caches on disk under `root` (one sub-folder per server).
    pub fn cache_dir(mut self, root: impl Into<std::path::PathBuf>) -> Self {
        self.cache_dir = Some(root.into());
        self
    }

    /// Caches on disk under the user's cache folder ([`DiskCache::default_root`]), if any.
    pub fn default_cache_dir(mut self) -> Self {
        self.cache_dir = DiskCache::default_root();
        self
    }

    /// How long cached discovery documents are used before they are fetched again.
    pub fn cache_ttl(mut self, ttl: Duration) -> Self {
        self.cache_ttl = Some(ttl);
        self
    }
}

/// Reads and caches the server's groups, versions and resources; cheap to clone (clones
/// share the cache).
#[derive(Clone)]
pub struct DiscoveryClient {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    mode: DiscoveryMode,
    disk: Option<DiskCache>,
    /// The current snapshot; the lock is held while fetching so concurrent callers share
    /// one fetch.
    memory: Mutex<Option<Arc<ServerResources>>>,
}

impl std::fmt::Debug for DiscoveryClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscoveryClient")
            .field("server", self.inner.client.base_url())
            .field("mode", &self.inner.mode)
            .field("disk", &self.inner.disk)
            .finish()
    }
}

impl DiscoveryClient {
    /// Discovery with an in-memory cache only, aggregated when offered.
    pub fn new(client: Client) -> Self {
        Self::with_options(client, DiscoveryOptions::default())
    }

    /// Discovery cached on disk under the user's cache folder for [`DEFAULT_TTL`], like
    /// kubectl.
    pub fn cached(client: Client) -> Self {
        Self::with_options(client, DiscoveryOptions::default().default_cache_dir())
    }

    /// A discovery client with `options`.
    pub fn with_options(client: Client, options: DiscoveryOptions) -> Self {
        let disk = options.cache_dir.as_ref().map(|root| {
            DiskCache::for_server(
                root,
                client.base_url(),
                options.cache_ttl.unwrap_or(DEFAULT_TTL),
            )
        });
        Self {
            inner: Arc::new(Inner {
                client,
                mode: options.mode,
                disk,
                memory: Mutex::new(None),
            }),
        }
    }

    /// The REST client discovery uses.
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// The disk cache, when configured.
    pub fn disk_cache(&self) -> Option<&DiskCache> {
        self.inner.disk.as_ref()
    }

    /// The server's version (`/version`); never cached.
    pub async fn server_version(&self) -> Result<Info, DiscoveryError> {
        self.get_json("/version").await
    }

    /// Every group, version and resource: from memory, else a fresh disk snapshot, else the
    /// server. Group-versions that failed are in [`ServerResources::failures`].
    pub async fn server_resources(&self) -> Result<Arc<ServerResources>, DiscoveryError> {
        let mut memory = self.inner.memory.lock().await;
        if let Some(current) = &*memory {
            return Ok(Arc::clone(current));
        }
        if let Some(disk) = &self.inner.disk {
            if let Some(cached) = disk.load() {
                if self.inner.mode == DiscoveryMode::Auto
                    || cached.source == DiscoverySource::Legacy
                {
                    tracing::debug!(dir = %disk.dir().display(), "discovery from the disk cache");
                    let cached = Arc::new(cached);
                    *memory = Some(Arc::clone(&cached));
                    return Ok(cached);
                }
            }
        }
        let fresh = Arc::new(self.fetch().await?);
        if let Some(disk) = &self.inner.disk {
            if let Err(e) = disk.store(&fresh) {
                tracing::warn!(dir = %disk.dir().display(), error = %e, "could not write the discovery cache");
            }
        }
        *memory = Some(Arc::clone(&fresh));
        Ok(fresh)
    }

    /// Forgets the cached discovery (memory and disk): the next read asks the server, as
    /// after installing a CRD.
    pub async fn invalidate(&self) {
        *self.inner.memory.lock().await = None;
        if let Some(disk) = &self.inner.disk {
            if let Err(e) = disk.invalidate() {
                tracing::warn!(dir = %disk.dir().display(), error = %e, "could not remove the discovery cache");
            }
        }
    }

    /// Invalidates and reads discovery again.
    pub async fn refresh(&self) -> Result<Arc<ServerResources>, DiscoveryError> {
        self.invalidate().await;
        self.server_resources().await
    }

    /// The groups and their preferred versions (from the cached snapshot).
    pub async fn server_preferred_versions(&self) -> Result<Vec<(String, String)>, DiscoveryError> {
        Ok(self
            .server_resources()
            .await?
            .groups
            .iter()
            .map(|g| (g.name.clone(), g.preferred_version.clone()))
            .collect())
    }

    /// Reads discovery from the server, bypassing every cache.
    pub async fn fetch(&self) -> Result<ServerResources, DiscoveryError> {
        let (core, groups) =
            futures_util::future::join(self.fetch_root("/api"), self.fetch_root("/apis")).await;
        let (core, core_aggregated) = core?;
        let (groups, groups_aggregated) = groups?;
        let mut all = core;
        all.extend(groups);
        let resources = ServerResources {
            groups: all,
            source: if core_aggregated && groups_aggregated {
                DiscoverySource::Aggregated
            } else {
                DiscoverySource::Legacy
            },
        };
        let failures = resources.failures();
        if !failures.is_empty() {
            tracing::warn!(?failures, "discovery of some group-versions failed");
        }
        tracing::debug!(source = ?resources.source, groups = resources.groups.len(), "discovery read");
        Ok(resources)
    }

    /// Reads `/api` or `/apis`: aggregated when offered (and allowed), else the legacy
    /// document and then each group-version. Returns the groups and whether the answer
    /// was aggregated.
    async fn fetch_root(
        &self,
        path: &str,
    ) -> Result<(Vec<ApiGroupResources>, bool), DiscoveryError> {
        let core = path == "/api";
        let accept = match self.inner.mode {
            DiscoveryMode::Auto => Some(AGGREGATED_ACCEPT),
            DiscoveryMode::Legacy => None,
        };
        let mut req = self.inner.client.get().abs_path(path);
        if let Some(accept) = accept {
            req = req.header(ACCEPT, HeaderValue::from_static(accept));
        }
        let request_error = |source| DiscoveryError::Request {
            path: path.to_string(),
            source,
        };
        let resp = req.send().await.map_err(request_error)?;
        let aggregated = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_aggregated);
        let body = resp.bytes().await.map_err(request_error)?;
        if aggregated {
            let list: GroupDiscoveryList = decode(path, &body)?;
            return Ok((
                list.items.into_iter().map(|g| g.into_group()).collect(),
                true,
            ));
        }
        // Legacy: the versions of the core group, or the list of groups.
        let groups: Vec<(String, Vec<String>, String)> = if core {
            let versions: APIVersions = decode(path, &body)?;
            let preferred = versions.versions.first().cloned().unwrap_or_default();
            vec![(String::new(), versions.versions, preferred)]
        } else {
            let list: APIGroupList = decode(path, &body)?;
            list.groups
                .into_iter()
                .map(|g| {
                    let versions: Vec<String> =
                        g.versions.iter().map(|v| v.version.clone()).collect();
                    let preferred = g
                        .preferred_version
                        .map(|p| p.version)
                        .or_else(|| versions.first().cloned())
                        .unwrap_or_default();
                    (g.name, versions, preferred)
                })
                .collect()
        };
        let mut out: Vec<ApiGroupResources> = groups
            .into_iter()
            .map(|(name, mut versions, preferred)| {
                // Preferred version first, then the server's order.
                if let Some(i) = versions.iter().position(|v| *v == preferred) {
                    let p = versions.remove(i);
                    versions.insert(0, p);
                }
                ApiGroupResources {
                    name,
                    preferred_version: preferred,
                    versions: versions
                        .into_iter()
                        .map(|version| ApiVersionResources {
                            version,
                            resources: Vec::new(),
                            error: None,
                        })
                        .collect(),
                }
            })
            .collect();
        let jobs: Vec<(usize, usize, String, String)> = out
            .iter()
            .enumerate()
            .flat_map(|(gi, g)| {
                g.versions
                    .iter()
                    .enumerate()
                    .map(move |(vi, v)| (gi, vi, g.name.clone(), v.version.clone()))
            })
            .collect();
        let results: Vec<_> = stream::iter(jobs)
            .map(|(gi, vi, group, version)| async move {
                let path = if group.is_empty() {
                    format!("/api/{version}")
                } else {
                    format!("/apis/{group}/{version}")
                };
                let result = self.get_json::<APIResourceList>(&path).await;
                (gi, vi, group, version, result)
            })
            .buffer_unordered(LEGACY_CONCURRENCY)
            .collect()
            .await;
        for (gi, vi, group, version, result) in results {
            let slot = &mut out[gi].versions[vi];
            match result {
                Ok(list) => slot.resources = convert_resource_list(&group, &version, list),
                Err(e) => {
                    tracing::warn!(group = %group, version = %version, error = %e, "discovery of a group-version failed");
                    slot.error = Some(e.to_string());
                }
            }
        }
        Ok((out, false))
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, DiscoveryError> {
        let body = self
            .inner
            .client
            .get()
            .abs_path(path)
            .bytes()
            .await
            .map_err(|source| DiscoveryError::Request {
                path: path.to_string(),
                source,
            })?;
        decode(path, &body)
    }
}

fn decode<T: DeserializeOwned>(path: &str, body: &[u8]) -> Result<T, DiscoveryError> {
    serde_json::from_slice(body).map_err(|source| DiscoveryError::Decode {
        path: path.to_string(),
        source,
    })
}
