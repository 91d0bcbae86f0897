//! Reading a live cluster's OpenAPI v3 spec through the runtime's config and REST client
//! (kubeconfig, in-cluster, exec plugins, TLS): `/version`, the `/openapi/v3` index, and each
//! group-version document at its `serverRelativeURL`, joined onto the server URL's own path
//! prefix (clusters behind a proxy live at `https://host/k8s/clusters/c-1`).

use std::collections::BTreeMap;
use std::path::Path;

use futures_util::stream::{self, StreamExt};
use kubegen_runtime::config::{redact_url, Config, Loader, RateLimit};
use kubegen_runtime::rest::{Client, RequestBuilder, Uri};
use serde::Deserialize;

use super::error::FetchError;
use super::layout::{self, DOCUMENTS_DIR, LOCK_FILE};
use super::lock::{document_hash, Lock, LockedDocument};
use super::stage::{self, StageError, Staging};

/// Documents downloaded at the same time.
const DEFAULT_CONCURRENCY: usize = 8;

/// The cluster configuration kubectl would use: `kubeconfig` if given, else `KUBECONFIG`,
/// in-cluster, `~/.kube/config`; `context` instead of the current context. The rate limit is
/// kubectl's for discovery (50 requests/s, bursts of 300), since a fetch is a short burst.
pub fn load_config(kubeconfig: Option<&Path>, context: Option<&str>) -> Result<Config, FetchError> {
    let mut loader = Loader::from_env();
    if let Some(path) = kubeconfig {
        loader = loader.explicit_path(path);
    }
    loader.overrides.context = context.map(str::to_owned);
    let mut config = loader.load()?;
    config.rate_limit = Some(RateLimit {
        qps: 50.0,
        burst: 300,
    });
    Ok(config)
}

/// The `/openapi/v3` index: each document's index path (`apis/apps/v1`) and
/// `serverRelativeURL` (`/openapi/v3/apis/apps/v1?hash=...`).
pub type Index = BTreeMap<String, String>;

#[derive(Deserialize)]
struct RawIndex {
    paths: BTreeMap<String, RawEntry>,
}

#[derive(Deserialize)]
struct RawEntry {
    #[serde(rename = "serverRelativeURL")]
    server_relative_url: String,
}

/// One group-version document as served.
#[derive(Clone, Debug)]
pub struct Document {
    /// The body, byte for byte.
    pub bytes: Vec<u8>,
    /// Upper-case hex SHA-512 of `bytes`.
    pub hash: String,
    /// Whether the server redirected (its hash in the URL was stale: the document changed
    /// since the index was read).
    pub redirected: bool,
}

/// What a fetch did.
#[derive(Clone, Debug, Default)]
pub struct FetchReport {
    /// The server, without credentials.
    pub server: String,
    /// `gitVersion` of `/version`.
    pub server_version: String,
    /// Documents in the output.
    pub documents: usize,
    /// Index paths downloaded this time.
    pub downloaded: Vec<String>,
    /// Documents kept from the previous fetch (same hash).
    pub reused: usize,
    /// Index paths of the previous fetch that are gone.
    pub removed: Vec<String>,
}

/// Fetches from one server.
#[derive(Clone, Debug)]
pub struct Fetcher {
    client: Client,
    server: String,
    concurrency: usize,
}

/// The server URL for messages and the lock: no credentials, query or fragment, no
/// trailing `/`.
fn redacted(url: &Uri) -> String {
    redact_url(url).trim_end_matches('/').to_owned()
}

/// `/openapi/v3/apis/apps/v1?hash=AB..` → `/openapi/v3/apis/apps/v1`, for messages.
fn shown(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

/// The `hash` query parameter of a `serverRelativeURL`.
fn announced_hash(url: &str) -> Option<String> {
    let query = url.parse::<Uri>().ok()?.query()?.to_owned();
    let hash = query_pairs(&query).find(|(k, _)| k == "hash");
    hash.map(|(_, v)| v)
}

/// The decoded `key=value` pairs of a query string (`+` is a space, `%XX` a byte).
fn query_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        percent_encoding::percent_decode_str(&s)
            .decode_utf8_lossy()
            .into_owned()
    };
    query.split('&').filter(|p| !p.is_empty()).map(move |pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k), decode(v))
    })
}

/// Whether the file at `path` still has `hash`.
fn file_has_hash(path: &Path, hash: &str) -> bool {
    std::fs::read(path).is_ok_and(|bytes| document_hash(&bytes) == hash)
}

impl Fetcher {
    /// A fetcher using `client` (its base URL, path prefix included, is the server).
    pub fn new(client: Client) -> Self {
        let server = redacted(client.base_url());
        Self {
            client,
            server,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }

    /// A fetcher for a configuration (see [`load_config`]).
    pub fn from_config(config: Config) -> Result<Self, FetchError> {
        let server = redacted(&config.cluster_url);
        let client = Client::new(config).map_err(|source| FetchError::Client {
            server,
            source: Box::new(source),
        })?;
        Ok(Self::new(client))
    }

    /// How many documents are downloaded at the same time (default 8).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The server URL, without credentials.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// A GET of a server-relative URL (path and query), joined onto the base URL's path.
    fn get(&self, url: &str) -> Result<RequestBuilder, FetchError> {
        let invalid = || FetchError::InvalidIndexEntry {
            server: self.server.clone(),
            path: shown(url).to_owned(),
            url: url.to_owned(),
        };
        // Root-relative only (`/openapi/v3/...`): not another host (`//h/p`, `https://h/p`).
        if !url.starts_with('/') || url.starts_with("//") {
            return Err(invalid());
        }
        let parsed: Uri = url.parse().map_err(|_| invalid())?;
        if parsed.authority().is_some() {
            return Err(invalid());
        }
        let mut req = self.client.get().abs_path(parsed.path());
        for (k, v) in query_pairs(parsed.query().unwrap_or("")) {
            req = req.param(&k, v);
        }
        Ok(req)
    }

    async fn body(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let bytes = self
            .get(url)?
            .bytes()
            .await
            .map_err(|e| FetchError::from_request(&self.server, shown(url), e))?;
        Ok(bytes.to_vec())
    }

    /// `/version`, as JSON.
    pub async fn version(&self) -> Result<serde_json::Value, FetchError> {
        let bytes = self.body("/version").await?;
        serde_json::from_slice(&bytes).map_err(|source| FetchError::InvalidVersion {
            server: self.server.clone(),
            path: "/version".into(),
            source,
        })
    }

    /// The `/openapi/v3` index.
    pub async fn index(&self) -> Result<Index, FetchError> {
        let bytes = self.body("/openapi/v3").await?;
        let raw: RawIndex =
            serde_json::from_slice(&bytes).map_err(|source| FetchError::InvalidIndex {
                server: self.server.clone(),
                path: "/openapi/v3".into(),
                source,
            })?;
        Ok(raw
            .paths
            .into_iter()
            .map(|(path, entry)| (path, entry.server_relative_url))
            .collect())
    }

    /// One document at its `serverRelativeURL`, following the redirect a stale hash gets.
    /// `Ok(None)` when the server has no such document (`404`): it went away since the
    /// index was read, or a redirect behind a proxy left the path prefix.
    pub async fn document(&self, url: &str) -> Result<Option<Document>, FetchError> {
        let req = self.get(url)?;
        let requested = req.url().ok();
        let resp = match req.send().await {
            Ok(resp) => resp,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(FetchError::from_request(&self.server, shown(url), e)),
        };
        let redirected = requested.as_ref() != Some(resp.url());
        if redirected {
            tracing::debug!(server = %self.server, path = shown(url), to = %resp.url().path(), "followed a redirect: the document changed since the index was read");
        }
        let bytes = resp.bytes().await.map_err(|e| FetchError::Body {
            server: self.server.clone(),
            path: shown(url).to_owned(),
            source: Box::new(e),
        })?;
        serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).map_err(|source| {
            FetchError::InvalidDocument {
                server: self.server.clone(),
                path: shown(url).to_owned(),
                source,
            }
        })?;
        let hash = document_hash(&bytes);
        if !redirected && announced_hash(url).is_some_and(|h| h != hash) {
            tracing::debug!(server = %self.server, path = shown(url), "the served bytes do not hash to the index's hash");
        }
        Ok(Some(Document {
            bytes: bytes.to_vec(),
            hash,
            redirected,
        }))
    }

    /// Fetches every document of the index (or those under `include`, see
    /// [`layout::is_included`]) into `out`, whole or not at all. Documents whose hash the lock
    /// of a previous fetch into `out` already has are not downloaded again.
    pub async fn fetch_into(
        &self,
        out: &Path,
        include: &[String],
    ) -> Result<FetchReport, FetchError> {
        if !stage::replaceable(out) {
            return Err(FetchError::NotAFetchDirectory {
                path: out.to_path_buf(),
            });
        }
        let version = self.version().await?;
        let index = self.index().await?;
        let previous = match Lock::read(&out.join(LOCK_FILE)) {
            Ok(lock) => lock.unwrap_or_default(),
            Err(e) => {
                tracing::warn!("{e}; downloading every document again");
                Lock::default()
            }
        };
        let staging = Staging::beside(out).map_err(write_error)?;
        let mut lock = Lock {
            server: self.server.clone(),
            server_version: version,
            documents: BTreeMap::new(),
        };
        let mut report = FetchReport {
            server: self.server.clone(),
            server_version: lock
                .server_version
                .get("gitVersion")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned(),
            ..FetchReport::default()
        };

        let mut wanted = Vec::new();
        for (path, url) in &index {
            if !layout::is_included(path, include) {
                continue;
            }
            let Some(file) = layout::file_name(path) else {
                tracing::warn!(server = %self.server, path, "skipping an index path that cannot be a file name");
                continue;
            };
            let rel = format!("{DOCUMENTS_DIR}/{file}");
            let unchanged = previous.documents.get(path).filter(|prev| {
                prev.file == rel
                    && announced_hash(url).as_deref() == Some(prev.hash.as_str())
                    && file_has_hash(&out.join(&rel), &prev.hash)
            });
            match unchanged {
                Some(prev) => {
                    staging.reuse(&rel).map_err(write_error)?;
                    lock.documents.insert(path.clone(), prev.clone());
                    report.reused += 1;
                }
                None => wanted.push((path.clone(), rel, url.clone())),
            }
        }

        let mut results: Vec<_> = stream::iter(wanted)
            .map(|(path, rel, url)| async move {
                let doc = self.document(&url).await;
                (path, rel, doc)
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        results.sort_by(|a, b| a.0.cmp(&b.0));
        let mut vanished = Vec::new();
        for (path, rel, doc) in results {
            match doc? {
                Some(doc) => {
                    staging.write(&rel, &doc.bytes).map_err(write_error)?;
                    lock.documents.insert(
                        path.clone(),
                        LockedDocument {
                            file: rel,
                            hash: doc.hash,
                        },
                    );
                    report.downloaded.push(path);
                }
                None => vanished.push((path, rel)),
            }
        }
        if !vanished.is_empty() {
            // The index moved on while we read it: ask again once.
            let fresh = self.index().await?;
            for (path, rel) in vanished {
                let Some(url) = fresh.get(&path) else {
                    tracing::warn!(server = %self.server, path, "the document went away during the fetch");
                    continue;
                };
                let doc = self
                    .document(url)
                    .await?
                    .ok_or_else(|| FetchError::Status {
                        server: self.server.clone(),
                        path: shown(url).to_owned(),
                        code: 404,
                        message: "the index lists this document but the server does not serve it"
                            .into(),
                    })?;
                staging.write(&rel, &doc.bytes).map_err(write_error)?;
                lock.documents.insert(
                    path.clone(),
                    LockedDocument {
                        file: rel,
                        hash: doc.hash,
                    },
                );
                report.downloaded.push(path);
            }
        }

        report.removed = previous
            .documents
            .keys()
            .filter(|p| !lock.documents.contains_key(*p))
            .cloned()
            .collect();
        report.documents = lock.documents.len();
        staging
            .write(LOCK_FILE, lock.to_json().as_bytes())
            .map_err(write_error)?;
        staging.commit().map_err(write_error)?;
        Ok(report)
    }
}

fn write_error(e: StageError) -> FetchError {
    FetchError::Write {
        path: e.path,
        source: e.source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_lose_credentials() {
        let url: Uri = "https://user:pw@k.example/k8s/clusters/c-1/?x=1"
            .parse()
            .unwrap();
        assert_eq!(redacted(&url), "https://k.example/k8s/clusters/c-1");
    }

    #[test]
    fn hashes_come_from_the_query() {
        assert_eq!(
            announced_hash("/openapi/v3/api/v1?hash=ABC").as_deref(),
            Some("ABC")
        );
        assert_eq!(announced_hash("/openapi/v3/api/v1"), None);
    }

    #[test]
    fn relative_urls_join_onto_the_prefix() {
        let config = Config::new("https://k.example/k8s/clusters/c-1/".parse().unwrap());
        let f = Fetcher::from_config(config).unwrap();
        let url = f
            .get("/openapi/v3/apis/apps/v1?hash=AB")
            .unwrap()
            .url()
            .unwrap();
        assert_eq!(
            url.to_string(),
            "https://k.example/k8s/clusters/c-1/openapi/v3/apis/apps/v1?hash=AB"
        );
        assert!(f.get("https://elsewhere.example/openapi/v3").is_err());
        assert!(f.get("//elsewhere.example/openapi/v3").is_err());
        assert!(f.get("openapi/v3").is_err());
    }
}
