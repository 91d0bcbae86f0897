//! `kubectl exec` and `kubectl port-forward` with kubegen: run commands in a pod (output,
//! stdin, exit code), then forward a local port to it.
//!
//! `cargo run -p kubegen-examples --example exec` runs against an in-process test server
//! (whose pods bound to a node run scripted commands: `echo`, `cat`, `exit N`, ...);
//! with `KUBECONFIG` set, pass a running pod: `--example exec -- NAMESPACE POD [PORT]`.

use kubegen_api::core::v1::{Container, ContainerPort, Pod, PodSpec};
use kubegen_api::Clientset;
use kubegen_runtime::connect::{serve_port_forward, ExecOptions};
use kubegen_runtime::meta::ObjectMeta;
use kubegen_runtime::rest::CreateOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cluster = kubegen_examples::connect().await?;
    let clientset = Clientset::new(cluster.client.clone());
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (namespace, pod, port) = match (&cluster.server, args.as_slice()) {
        (Some(_), _) => {
            create_demo_pod(&clientset).await?;
            ("default".to_string(), "exec-demo".to_string(), 8080)
        }
        (None, [ns, pod, rest @ ..]) => {
            let port = rest.first().map(|p| p.parse()).transpose()?.unwrap_or(80);
            (ns.clone(), pod.clone(), port)
        }
        (None, _) => return Err("with KUBECONFIG set, pass NAMESPACE POD [PORT]".into()),
    };
    let pods = clientset.core_v1().pods(&namespace);

    // Output and exit code.
    let options = ExecOptions::command(["sh", "-c", "echo hello from the pod; exit 3"]);
    let mut process = pods.exec(&pod, &options).await?;
    let mut out = String::new();
    if let Some(mut stdout) = process.stdout.take() {
        stdout.read_to_string(&mut out).await?;
    }
    let status = process.join().await?;
    println!("stdout {out:?}, exit code {}", status.code());

    // Stdin: `cat` echoes it back until stdin is closed.
    let options = ExecOptions::command(["cat"]).stdin(true).stderr(false);
    let mut process = pods.exec(&pod, &options).await?;
    if let Some(mut stdin) = process.stdin.take() {
        stdin.write_all(b"typed into stdin\n").await?;
        stdin.shutdown().await?;
    }
    let mut echoed = String::new();
    if let Some(mut stdout) = process.stdout.take() {
        stdout.read_to_string(&mut echoed).await?;
    }
    println!("cat gave back {echoed:?} ({:?})", process.join().await?);

    // Port-forward: a local listener, one WebSocket per connection.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let local = listener.local_addr()?;
    let forward = tokio::spawn(serve_port_forward(
        cluster.client.clone(),
        namespace.clone(),
        pod.clone(),
        port,
        listener,
    ));
    println!("forwarding {local} to {namespace}/{pod}:{port}");
    if cluster.server.is_some() {
        // The test server's pods echo on their declared ports.
        let mut conn = tokio::net::TcpStream::connect(local).await?;
        conn.write_all(b"ping").await?;
        let mut back = [0u8; 4];
        conn.read_exact(&mut back).await?;
        println!("through the forward: {:?}", String::from_utf8_lossy(&back));
        forward.abort();
    } else {
        println!("press Ctrl-C to stop");
        tokio::signal::ctrl_c().await?;
        forward.abort();
    }
    Ok(())
}

/// A pod bound to a node, with port 8080 declared (the test server runs and echoes it).
async fn create_demo_pod(clientset: &Clientset) -> Result<(), Box<dyn std::error::Error>> {
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some("exec-demo".into()),
            ..Default::default()
        },
        spec: Some(PodSpec {
            node_name: Some("kubegen-node".into()),
            containers: Some(vec![Container {
                name: Some("main".into()),
                image: Some("busybox".into()),
                ports: Some(vec![ContainerPort {
                    container_port: Some(8080),
                    ..Default::default()
                }]),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    };
    clientset
        .core_v1()
        .pods("default")
        .create(&CreateOptions::default(), &pod)
        .await?;
    Ok(())
}
