//! A small controller in client-go style: keep a hash of the ConfigMaps a Deployment mounts as
//! an annotation on its pod template, so that changing a ConfigMap rolls the Deployment's pods.
//!
//! The shape is the one of every client-go controller: a shared informer factory feeds two
//! typed informers (Deployments, ConfigMaps); their event handlers only put Deployment *keys*
//! into a rate-limited work queue; a few workers take keys out, read the current state from the
//! listers (the cache, never the server), and patch the Deployment through the typed client
//! when the annotation is stale. A failed key is retried with per-key exponential backoff.
//!
//! ConfigMap events find the Deployments to requeue through a custom index on the Deployment
//! informer ("which `namespace/configmap` does this Deployment mount?"), so a ConfigMap change
//! costs an index lookup, not a scan.

use std::future::Future;
use std::sync::Arc;

use kubegen_api::apps::v1::Deployment;
use kubegen_api::core::v1::{ConfigMap, PodSpec, VolumeSource};
use kubegen_api::{Clientset, InformerFactoryExt};
use kubegen_runtime::cache::{
    index_func, object_key, split_key, EventHandlerFns, IndexError, Indexers, SharedInformerFactory,
};
use kubegen_runtime::rest::{Client, Patch, PatchOptions};
use kubegen_runtime::workqueue::RateLimitingQueue;
use sha2::{Digest, Sha256};

/// The pod-template annotation holding the hash of the mounted ConfigMaps.
pub const HASH_ANNOTATION: &str = "kubegen.dev/config-hash";

/// The Deployment index: `namespace/configmap` of every ConfigMap a Deployment mounts.
const BY_CONFIG_MAP: &str = "by-configmap";

/// Retries of one key before the controller gives up on it until its next event.
const MAX_RETRIES: usize = 15;

/// Why one reconciliation failed (the key is retried with backoff).
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// The queue held a key that is not `namespace/name`.
    #[error("malformed deployment key {0:?}")]
    BadKey(String),
    /// Patching the Deployment failed.
    #[error("patching deployment {key}: {source}")]
    Patch {
        /// The work-queue key (`namespace/name`).
        key: String,
        /// The request's error.
        #[source]
        source: kubegen_runtime::rest::Error,
    },
}

/// The controller: informers, listers and queue, shared by its workers (cheap to clone).
#[derive(Clone)]
pub struct ConfigHashController {
    clientset: Clientset,
    deployments: kubegen_runtime::cache::SharedIndexInformer<Deployment>,
    config_maps: kubegen_api::core::v1::ConfigMapLister,
    queue: RateLimitingQueue<String>,
}

impl ConfigHashController {
    /// Registers the controller's informers, index and event handlers on `factory` (start the
    /// factory afterwards, or let [`ConfigHashController::run`] do it).
    pub fn new(
        client: Client,
        factory: &SharedInformerFactory<Client>,
    ) -> Result<Self, IndexError> {
        let deployments = factory.apps_v1().deployments().informer();
        let config_map_informer = factory.core_v1().config_maps();
        let queue = RateLimitingQueue::with_default_rate_limiter();

        let mut indexers = Indexers::new();
        indexers.insert(
            BY_CONFIG_MAP.to_string(),
            index_func(|d: &Deployment| {
                let ns = d.metadata.namespace.as_deref().unwrap_or_default();
                mounted_config_maps(d)
                    .into_iter()
                    .map(|name| format!("{ns}/{name}"))
                    .collect()
            }),
        );
        deployments.add_indexers(indexers)?;

        let q = queue.clone();
        let q2 = queue.clone();
        deployments.add_event_handler(
            EventHandlerFns::new()
                .on_add(move |d: &Arc<Deployment>, _| q.add(object_key(&**d)))
                .on_update(move |_, d: &Arc<Deployment>| q2.add(object_key(&**d))),
        );

        // A ConfigMap event requeues every Deployment mounting it.
        let enqueue_mounting = {
            let store = deployments.store();
            let queue = queue.clone();
            move |cm: &ConfigMap| {
                let key = object_key(cm);
                match store.index_keys(BY_CONFIG_MAP, &key) {
                    Ok(keys) => keys.into_iter().for_each(|k| queue.add(k)),
                    Err(e) => tracing::error!(error = %e, "deployment index missing"),
                }
            }
        };
        let (on_add, on_update, on_delete) = (
            enqueue_mounting.clone(),
            enqueue_mounting.clone(),
            enqueue_mounting,
        );
        config_map_informer.informer().add_event_handler(
            EventHandlerFns::new()
                .on_add(move |cm: &Arc<ConfigMap>, _| on_add(cm))
                .on_update(move |_, cm: &Arc<ConfigMap>| on_update(cm))
                .on_delete(move |cm| on_delete(cm.object())),
        );

        Ok(Self {
            clientset: Clientset::new(client),
            deployments,
            config_maps: config_map_informer.lister(),
            queue,
        })
    }

    /// Starts `factory`, waits for its caches, and runs `workers` workers until `shutdown`
    /// completes; then drains the queue (in-flight keys finish) and returns.
    pub async fn run(
        &self,
        factory: &SharedInformerFactory<Client>,
        workers: usize,
        shutdown: impl Future<Output = ()>,
    ) {
        factory.start();
        if !factory.wait_for_cache_sync().await {
            tracing::error!("informer caches did not sync");
            return;
        }
        tracing::info!(workers, "caches synced, starting workers");
        let handles: Vec<_> = (0..workers.max(1))
            .map(|_| {
                let this = self.clone();
                tokio::spawn(async move { this.worker().await })
            })
            .collect();
        shutdown.await;
        self.queue.shut_down_with_drain().await;
        for handle in handles {
            let _ = handle.await;
        }
    }

    /// The queue (for observing it: length, requeues).
    pub fn queue(&self) -> &RateLimitingQueue<String> {
        &self.queue
    }

    async fn worker(&self) {
        // The key is marked done when `key` is dropped, even if this worker is cancelled
        // or panics mid-reconcile (a stranded key would never be processed again).
        while let Some(key) = self.queue.get_guarded().await {
            match self.reconcile(&key).await {
                Ok(()) => self.queue.forget(&key),
                Err(e) if self.queue.num_requeues(&key) < MAX_RETRIES => {
                    tracing::warn!(error = %e, key = %*key, "reconcile failed, retrying");
                    self.queue.add_rate_limited(key.item().clone());
                }
                Err(e) => {
                    tracing::error!(error = %e, key = %*key, "reconcile failed, giving up");
                    self.queue.forget(&key);
                }
            }
        }
    }

    /// Brings one Deployment's annotation in line with its ConfigMaps as the caches see them.
    pub async fn reconcile(&self, key: &str) -> Result<(), ReconcileError> {
        let (Some(namespace), name) = split_key(key) else {
            return Err(ReconcileError::BadKey(key.to_string()));
        };
        let Some(deployment) = self.deployments.lister().namespace(namespace).get(name) else {
            return Ok(()); // deleted since it was queued
        };
        let names = mounted_config_maps(&deployment);
        let want = (!names.is_empty()).then(|| {
            let lister = self.config_maps.config_maps(namespace);
            config_hash(names.iter().map(|n| (n.as_str(), lister.get(n))))
        });
        if current_hash(&deployment) == want.as_deref() {
            return Ok(());
        }
        tracing::info!(%key, hash = ?want, "updating config hash");
        // A merge patch touches only our annotation (null removes it).
        let patch = Patch::Merge(serde_json::json!({
            "spec": {"template": {"metadata": {"annotations": {HASH_ANNOTATION: want}}}}
        }));
        self.clientset
            .apps_v1()
            .deployments(namespace)
            .patch(name, &PatchOptions::default(), &patch)
            .await
            .map_err(|source| ReconcileError::Patch {
                key: key.to_string(),
                source,
            })?;
        Ok(())
    }
}

/// The hash annotation on `deployment`'s pod template, if any.
pub fn current_hash(deployment: &Deployment) -> Option<&str> {
    deployment
        .spec
        .as_ref()?
        .template
        .as_ref()?
        .metadata
        .as_ref()?
        .annotations
        .as_ref()?
        .get(HASH_ANNOTATION)
        .map(|v| v.as_str())
}

/// Names of the ConfigMaps `deployment`'s pods mount (volumes and projected volumes), sorted
/// and without duplicates.
pub fn mounted_config_maps(deployment: &Deployment) -> Vec<String> {
    let spec: Option<&PodSpec> = deployment
        .spec
        .as_ref()
        .and_then(|s| s.template.as_ref())
        .and_then(|t| t.spec.as_deref());
    let mut names: Vec<String> = spec
        .and_then(|s| s.volumes.as_ref())
        .into_iter()
        .flatten()
        .flat_map(|v| {
            let (direct, projected) = match &v.source {
                Some(VolumeSource::ConfigMap(c)) => (c.name.clone(), None),
                Some(VolumeSource::Projected(p)) => (None, p.sources.as_ref()),
                _ => (None, None),
            };
            let projected = projected
                .into_iter()
                .flatten()
                .filter_map(|s| s.config_map.as_ref().and_then(|c| c.name.clone()));
            direct.into_iter().chain(projected)
        })
        .map(|n| n.to_string())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// SHA-256 (hex) over the named ConfigMaps' contents, in the order given; a missing ConfigMap
/// hashes differently from an empty one, so creating it later changes the hash.
pub fn config_hash<'a>(
    config_maps: impl IntoIterator<Item = (&'a str, Option<Arc<ConfigMap>>)>,
) -> String {
    let mut hasher = Sha256::new();
    // Length-prefixed fields: no two different inputs produce the same byte stream.
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    for (name, cm) in config_maps {
        field(name.as_bytes());
        let Some(cm) = cm else {
            field(b"\0absent");
            continue;
        };
        for (k, v) in cm.data.iter().flat_map(|d| d.iter()) {
            field(b"data");
            field(k.as_bytes());
            field(v.as_bytes());
        }
        for (k, v) in cm.binary_data.iter().flat_map(|d| d.iter()) {
            field(b"binaryData");
            field(k.as_bytes());
            field(&v.0);
        }
    }
    let digest = hasher.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubegen_runtime::meta::Map;

    fn cm(data: &[(&str, &str)]) -> Option<Arc<ConfigMap>> {
        let mut map = Map::new();
        for (k, v) in data {
            map.insert((*k).into(), (*v).into());
        }
        Some(Arc::new(ConfigMap {
            data: Some(map),
            ..Default::default()
        }))
    }

    #[test]
    fn hash_changes_with_content_name_and_presence() {
        let a = config_hash([("app", cm(&[("k", "v")]))]);
        assert_eq!(a, config_hash([("app", cm(&[("k", "v")]))]));
        assert_eq!(a.len(), 64);
        assert_ne!(a, config_hash([("app", cm(&[("k", "w")]))]));
        assert_ne!(a, config_hash([("other", cm(&[("k", "v")]))]));
        assert_ne!(
            config_hash([("app", None)]),
            config_hash([("app", cm(&[]))])
        );
        // Field boundaries are unambiguous.
        assert_ne!(
            config_hash([("app", cm(&[("ab", "c")]))]),
            config_hash([("app", cm(&[("a", "bc")]))])
        );
    }
}
