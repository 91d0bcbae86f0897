//! CustomResourceDefinitions a test installs: labelled, waited for, removed at the end.
//!
//! On a real cluster a CRD is not servable the moment it is created: the apiextensions
//! controller must accept its names and mark it `Established` first, and discovery shows it
//! only then. Tests that install one go through [`TestEnv::install_crd`] so they never race
//! that controller, and never leave CRDs behind on a shared cluster.

use std::time::Duration;

use kubegen_runtime::rest::Method;
use serde_json::Value;

use crate::{TestEnv, TEST_LABEL};

const CRDS: &str = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

/// How long a real cluster may take to establish a CRD.
const ESTABLISH_TIMEOUT: Duration = Duration::from_secs(60);

impl TestEnv {
    /// A per-run API group under `example.com` (`<base>-<run id>.example.com`), so CRDs of
    /// concurrent runs on one cluster never collide.
    pub fn unique_group(&self, base: &str) -> String {
        format!("{base}-{}.example.com", self.run_id())
    }

    /// Creates the CRD `crd` (labelled with [`TEST_LABEL`]), waits until it is `Established`,
    /// and deletes it at [`TestEnv::finish`]. Returns the created object.
    ///
    /// Panics (failing the test) if the server refuses it or does not establish it in time.
    pub async fn install_crd(&self, mut crd: Value) -> Value {
        let name = crd_name(&crd);
        if let Some(meta) = crd.get_mut("metadata").and_then(Value::as_object_mut) {
            let labels = meta
                .entry("labels")
                .or_insert_with(|| Value::Object(Default::default()));
            if let Some(labels) = labels.as_object_mut() {
                labels.insert(TEST_LABEL.into(), Value::String(self.run_id().into()));
            }
        }
        self.client
            .request(Method::POST)
            .abs_path(CRDS)
            .json_body(&crd)
            .json::<Value>()
            .await
            .unwrap_or_else(|e| panic!("creating CRD {name}: {e}"));
        self.delete_at_finish(CRDS, &name);
        self.wait_established(&name).await
    }

    /// Makes sure the CRD `crd` exists (creating it when absent; one already there is
    /// fine) and waits until it is `Established`. For CRDs with a fixed group, such as the
    /// ones generated code is built from: shared by every run, so never deleted by a test.
    pub async fn ensure_crd(&self, crd: Value) -> Value {
        let name = crd_name(&crd);
        let created = self
            .client
            .request(Method::POST)
            .abs_path(CRDS)
            .json_body(&crd)
            .json::<Value>()
            .await;
        if let Err(e) = created {
            assert!(e.is_already_exists(), "creating CRD {name}: {e}");
        }
        self.wait_established(&name).await
    }

    async fn wait_established(&self, name: &str) -> Value {
        let deadline = tokio::time::Instant::now() + ESTABLISH_TIMEOUT;
        loop {
            let current: Value = self
                .client
                .request(Method::GET)
                .abs_path(&format!("{CRDS}/{name}"))
                .json()
                .await
                .unwrap_or_else(|e| panic!("reading CRD {name}: {e}"));
            if is_established(&current) {
                return current;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("CRD {name} not Established after {ESTABLISH_TIMEOUT:?}: {current}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn crd_name(crd: &Value) -> String {
    crd.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("CRD without metadata.name: {crd}"))
        .to_owned()
}

fn is_established(crd: &Value) -> bool {
    crd.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|conditions| {
            conditions.iter().any(|c| {
                c.get("type").and_then(Value::as_str) == Some("Established")
                    && c.get("status").and_then(Value::as_str) == Some("True")
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn established_only_with_a_true_condition() {
        assert!(!is_established(&json!({})));
        assert!(!is_established(
            &json!({"status": {"conditions": [{"type": "Established", "status": "False"}]}})
        ));
        assert!(is_established(&json!({"status": {"conditions": [
            {"type": "NamesAccepted", "status": "True"},
            {"type": "Established", "status": "True"}]}})));
    }
}
