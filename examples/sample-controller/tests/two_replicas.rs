//! The sample controller as two separate processes against the in-process test server (or
//! the cluster of `KUBEGEN_E2E_KUBECONFIG` and `KUBEGEN_E2E_CONTEXT`): a Foo gets its
//! Deployment and status, a change of replicas scales it, deletion leaves the owner
//! reference for garbage collection, and killing the leader hands the work to the other.
//!
//! Neither server runs controllers: Deployments never get available replicas, so the Foo's
//! status must say what the Deployment's does (0).

use std::future::Future;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use kubegen_api::apps::v1::Deployment;
use kubegen_api::coordination::v1::CoordinationV1Client;
use kubegen_api::events::v1::EventsV1Client;
use kubegen_api::Clientset as CoreClientset;
use kubegen_runtime::meta::{DeleteOptions, Object};
use kubegen_runtime::rest::{CreateOptions, GetOptions, ListOptions, Patch, PatchOptions};
use kubegen_sample_controller::crds::Clientset;
use kubegen_sample_controller::{new_foo, run::CONTROLLER_NAME, Foo, CRD_YAML};
use kubegen_test_support::{TestEnv, KUBECONFIG_ENV};
use tokio::process::{Child, Command};

const LEASE_SECONDS: u64 = 3;
const LIMIT: Duration = Duration::from_secs(30);

/// Polls `check` until it gives a value, or fails the test after `LIMIT`.
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn replica(kubeconfig: &PathBuf, namespace: &str, identity: &str) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sample-controller"));
    if let Some(context) = std::env::var_os("KUBEGEN_E2E_CONTEXT").filter(|c| !c.is_empty()) {
        command.arg("--context").arg(context);
    }
    command
        .args(["--namespace", namespace, "--identity", identity])
        .args(["--lease-seconds", &LEASE_SECONDS.to_string()])
        .env("KUBECONFIG", kubeconfig)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("starting sample-controller")
}

async fn install_crd(env: &TestEnv) {
    let crd: serde_json::Value = kubegen::yaml::from_str(CRD_YAML).unwrap();
    env.ensure_crd(crd).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_reconcile_foos_and_hand_over_on_a_kill() {
    let env = TestEnv::start("sample-controller").await;
    install_crd(&env).await;
    let ns = env.namespace.clone();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = match env.server() {
        Some(server) => {
            let path = dir.path().join("kubeconfig");
            server.write_kubeconfig(&path).unwrap();
            path
        }
        None => PathBuf::from(std::env::var_os(KUBECONFIG_ENV).unwrap()),
    };
    let mut replicas = vec![
        ("replica-a", replica(&kubeconfig, &ns, "replica-a")),
        ("replica-b", replica(&kubeconfig, &ns, "replica-b")),
    ];

    let foos = Clientset::new(env.client.clone())
        .samplecontroller_v1alpha1()
        .foos(&ns);
    let deployments = CoreClientset::new(env.client.clone())
        .apps_v1()
        .deployments(&ns);
    let created = foos
        .create(
            &CreateOptions::default(),
            &new_foo("example-foo", "example-foo-deploy", 1),
        )
        .await
        .unwrap();

    // Its Deployment, owned by it, with the replicas asked for.
    let deployment_replicas = |want: i32| {
        let deployments = deployments.clone();
        move || {
            let deployments = deployments.clone();
            async move {
                let d: Deployment = deployments
                    .get("example-foo-deploy", &GetOptions::default())
                    .await
                    .ok()?;
                (d.spec.as_ref()?.replicas == Some(want)).then_some(d)
            }
        }
    };
    let deployment = eventually("the deployment", deployment_replicas(1)).await;
    let owner = &deployment.metadata.owner_references.as_ref().unwrap()[0];
    assert_eq!(owner.kind, "Foo");
    assert_eq!(owner.controller, Some(true));
    assert_eq!(Some(owner.uid.as_str()), created.metadata().uid.as_deref());

    // The status says what the Deployment's does: no controller makes replicas available.
    let available = deployment
        .status
        .as_ref()
        .and_then(|s| s.available_replicas)
        .unwrap_or(0);
    eventually("the foo's status", || {
        let foos = foos.clone();
        async move {
            let f: Foo = foos.get("example-foo", &GetOptions::default()).await.ok()?;
            (f.status?.available_replicas == Some(i64::from(available))).then_some(())
        }
    })
    .await;

    // Events on the Foo.
    let events = EventsV1Client::new(env.client.clone());
    eventually("a Synced event", || {
        let events = events.clone();
        let ns = ns.clone();
        async move {
            let list = events
                .events(&ns)
                .list(&ListOptions::default())
                .await
                .ok()?;
            list.items
                .iter()
                .any(|e| {
                    e.reason.as_deref() == Some("Synced")
                        && e.reporting_controller.as_deref() == Some(CONTROLLER_NAME)
                        && e.regarding.as_ref().and_then(|r| r.name.as_deref())
                            == Some("example-foo")
                })
                .then_some(())
        }
    })
    .await;

    let scale = |n: i64| {
        let foos = foos.clone();
        async move {
            let patch = Patch::Merge(serde_json::json!({"spec": {"replicas": n}}));
            foos.patch("example-foo", &PatchOptions::default(), &patch)
                .await
                .unwrap();
        }
    };
    scale(3).await;
    eventually("scaling to 3", deployment_replicas(3)).await;

    // Kill the leader: the other replica takes the Lease within the lease duration (plus
    // its retry period) and goes on reconciling.
    let leases = CoordinationV1Client::new(env.client.clone());
    let holder = |leases: CoordinationV1Client, ns: String| async move {
        let lease = leases
            .leases(&ns)
            .get(CONTROLLER_NAME, &GetOptions::default())
            .await
            .ok()?;
        lease.spec?.holder_identity.map(|h| h.to_string())
    };
    let leader = eventually("a leader", || holder(leases.clone(), ns.clone())).await;
    let index = replicas
        .iter()
        .position(|(id, _)| *id == leader)
        .unwrap_or_else(|| panic!("unknown leader {leader:?}"));
    let (_, mut killed) = replicas.remove(index);
    killed.kill().await.unwrap();
    let survivor = replicas[0].0;
    let killed_at = tokio::time::Instant::now();
    eventually("the other replica to lead", || {
        let (leases, ns) = (leases.clone(), ns.clone());
        async move { (holder(leases, ns).await? == survivor).then_some(()) }
    })
    .await;
    assert!(
        killed_at.elapsed() < Duration::from_secs(LEASE_SECONDS * 4),
        "takeover took {:?}",
        killed_at.elapsed()
    );
    scale(2).await;
    eventually("scaling to 2 by the new leader", deployment_replicas(2)).await;

    // Deletion: the Foo goes; its Deployment keeps the owner reference that garbage
    // collection (not running here) follows.
    foos.delete("example-foo", &DeleteOptions::default())
        .await
        .unwrap();
    eventually("the foo to be gone", || {
        let foos = foos.clone();
        async move {
            match foos.get("example-foo", &GetOptions::default()).await {
                Err(e) if e.is_not_found() => Some(()),
                _ => None,
            }
        }
    })
    .await;

    for (_, mut child) in replicas {
        let _ = child.kill().await;
    }
    env.finish().await;
}
