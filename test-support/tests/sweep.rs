//! The sweep behind `scripts/e2e-cleanup.sh` deletes labelled cluster-scoped objects (test
//! namespaces included) and nothing else.

use kubegen_runtime::rest::Method;
use kubegen_test_support::sweep::{sweep, Swept};
use kubegen_test_support::{Needs, TestEnv, TEST_LABEL};

async fn cluster_role(env: &TestEnv, name: &str, labelled: bool) {
    let labels = if labelled {
        serde_json::json!({TEST_LABEL: env.run_id()})
    } else {
        serde_json::json!({})
    };
    env.client
        .request(Method::POST)
        .group_version("rbac.authorization.k8s.io", "v1")
        .resource("clusterroles")
        .json_body(&serde_json::json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": name, "labels": labels},
            "rules": [],
        }))
        .bytes()
        .await
        .unwrap();
}

async fn exists(env: &TestEnv, group: &str, resource: &str, name: &str) -> bool {
    match env
        .client
        .get()
        .group_version(group, "v1")
        .resource(resource)
        .name(name)
        .bytes()
        .await
    {
        Ok(_) => true,
        Err(e) if e.is_not_found() => false,
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn sweeps_labelled_cluster_objects_only() {
    // Sweeping a shared cluster would delete the namespaces of tests running beside it.
    let Some(env) = TestEnv::requiring("sweep", &[Needs::OwnServer]).await else {
        return;
    };
    let leftover = env.unique_name("leftover");
    let kept = env.unique_name("kept");
    cluster_role(&env, &leftover, true).await;
    cluster_role(&env, &kept, false).await;

    let mut swept = sweep(&env.client).await.unwrap();
    swept.sort_by(|a, b| a.resource.cmp(&b.resource));
    assert_eq!(
        swept,
        [
            Swept {
                resource: "clusterroles.rbac.authorization.k8s.io".into(),
                name: leftover.clone(),
            },
            Swept {
                resource: "namespaces".into(),
                name: env.namespace.clone(),
            },
        ]
    );
    let rbac = "rbac.authorization.k8s.io";
    assert!(!exists(&env, rbac, "clusterroles", &leftover).await);
    assert!(exists(&env, rbac, "clusterroles", &kept).await);
    // A second sweep finds nothing left (the namespace may still be terminating on a real
    // cluster, but the test server deletes it at once).
    assert!(sweep(&env.client).await.unwrap().is_empty());
}
