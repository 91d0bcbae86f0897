//! The generated pod client's connect methods (`exec`, `port_forward`, `proxy`) over the
//! runtime's WebSocket client: against the in-process test server, whose pods bound to a
//! node run scripted commands, or a real cluster through `KUBEGEN_E2E_KUBECONFIG`, whose
//! refusal (no such node: no kubelet) is checked instead.

use kubegen_api::core::v1::{Container, ContainerPort, Pod, PodSpec, ServiceAccount};
use kubegen_api::Clientset;
use kubegen_runtime::connect::{Error, ExecOptions};
use kubegen_runtime::meta::ObjectMeta;
use kubegen_runtime::rest::{CreateOptions, Method};
use kubegen_test_support::TestEnv;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const NODE: &str = "kubegen-node";

#[tokio::test]
async fn typed_pod_client_connect_methods() {
    let env = TestEnv::start("typed-connect").await;
    let clientset = Clientset::new(env.client.clone());
    let core = clientset.core_v1();
    // A real server admits pods only with their service account present.
    let sa = ServiceAccount {
        metadata: ObjectMeta {
            name: Some("default".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    if let Err(e) = core
        .service_accounts(&env.namespace)
        .create(&CreateOptions::default(), &sa)
        .await
    {
        assert!(e.is_already_exists(), "{e}");
    }
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some("typed".into()),
            ..Default::default()
        },
        spec: Some(PodSpec {
            node_name: Some(NODE.into()),
            containers: Some(vec![Container {
                name: Some("main".into()),
                image: Some("busybox".into()),
                ports: Some(vec![ContainerPort {
                    container_port: Some(7000),
                    ..Default::default()
                }]),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let pods = core.pods(&env.namespace);
    pods.create(&CreateOptions::default(), &pod).await.unwrap();

    let options = ExecOptions::command(["echo", "typed", "client"]);
    match pods.exec("typed", &options).await {
        Ok(mut process) => {
            let mut out = String::new();
            let mut stdout = process.stdout.take().unwrap();
            stdout.read_to_string(&mut out).await.unwrap();
            assert_eq!(out, "typed client\n");
            assert!(process.join().await.unwrap().success());

            let mut conn = pods.port_forward("typed", 7000).await.unwrap();
            conn.write_all(b"echo").await.unwrap();
            let mut back = [0u8; 4];
            conn.read_exact(&mut back).await.unwrap();
            assert_eq!(&back, b"echo");
        }
        Err(e) if env.server().is_none() => {
            assert!(e.is_not_found(), "expected the missing node, got {e}");
            assert!(e.server_message().unwrap_or_default().contains(NODE), "{e}");
        }
        Err(e) => panic!("exec: {e}"),
    }

    // A pod without an IP cannot be proxied to (both servers say so).
    let e = pods
        .proxy(Method::GET, "typed:7000", "/")
        .bytes()
        .await
        .unwrap_err();
    assert_eq!(e.api().map(|a| a.message()), Some("address not allowed"));

    // A client of all namespaces cannot name the pod's.
    let e = core.pods_all().exec("typed", &options).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Request(kubegen_runtime::rest::Error::InvalidRequest(_))
        ),
        "{e}"
    );
    env.finish().await;
}
