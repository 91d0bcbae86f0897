//! The connect verbs over real upgrades: exec, attach and port-forward over WebSocket, and
//! proxy requests. The in-process test server runs every pod bound to a node as a scripted
//! process (see the test server's `pod_process`); a real API server without kubelets
//! refuses with its own errors, and these tests check exactly those there.

mod support;

use std::time::Duration;

use kubegen_runtime::config::Config;
use kubegen_runtime::connect::spdy::{FrameError, SessionError};
use kubegen_runtime::connect::{
    serve_port_forward, AttachOptions, Error, ExecOptions, ProxyTarget, StreamProtocol,
    TerminalSize,
};
use kubegen_runtime::rest::{Client, Method};
use kubegen_test_support::Needs;
use kubegen_test_support::TestEnv;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The node the test pods are bound to (no such node exists on a real cluster).
const NODE: &str = "kubegen-node";
const LIMIT: Duration = Duration::from_secs(20);

/// Creates a pod; `node` binds it (so a kubelet would run it).
async fn create_pod(env: &TestEnv, name: &str, node: Option<&str>, container: Value) -> Value {
    // A real server admits pods only with their service account present (no controller
    // creates `default` here).
    let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}});
    let created = env
        .client
        .post()
        .namespace(env.namespace.as_str())
        .resource("serviceaccounts")
        .json_body(&sa)
        .json::<Value>()
        .await;
    if let Err(e) = created {
        assert!(e.is_already_exists(), "creating the service account: {e}");
    }
    let mut spec = json!({"containers": [container]});
    if let Some(node) = node {
        spec["nodeName"] = json!(node);
    }
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec});
    env.client
        .post()
        .namespace(env.namespace.as_str())
        .resource("pods")
        .json_body(&pod)
        .json::<Value>()
        .await
        .unwrap_or_else(|e| panic!("creating pod {name}: {e}"))
}

fn container(name: &str) -> Value {
    json!({"name": name, "image": "busybox"})
}

/// Whether pods bound to a node run here: the in-process test server runs them; against a
/// kubeconfig the first connect answer tells (a real cluster without kubelets refuses).
fn runs_pods(env: &TestEnv) -> bool {
    env.server().is_some()
}

/// A real API server without the pod's node answers the node's lookup as not found.
fn assert_no_node(e: &Error) {
    assert!(
        e.is_not_found(),
        "expected the server's missing-node error, got {e}"
    );
    let message = e.server_message().unwrap_or_default();
    assert!(message.contains(NODE), "{message}");
}

async fn read_all(r: Option<impl tokio::io::AsyncRead + Unpin>) -> String {
    let mut out = String::new();
    if let Some(mut r) = r {
        tokio::time::timeout(LIMIT, r.read_to_string(&mut out))
            .await
            .expect("reading timed out")
            .expect("reading");
    }
    out
}

/// Writes `text` to a forwarded port and reads the echo back, within [`LIMIT`].
async fn assert_echoes<S>(stream: &mut S, text: &[u8])
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    stream.write_all(text).await.unwrap();
    let mut back = vec![0u8; text.len()];
    tokio::time::timeout(LIMIT, stream.read_exact(&mut back))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back, text);
}

/// Reading a port-forward stream to port 9999 (nothing listens there) ends with the
/// server's refusal as a typed error.
async fn assert_refused(mut refused: impl tokio::io::AsyncRead + Unpin) {
    let e = tokio::time::timeout(LIMIT, refused.read_to_end(&mut Vec::new()))
        .await
        .unwrap()
        .unwrap_err();
    match e.get_ref().and_then(|i| i.downcast_ref::<Error>()) {
        Some(Error::PortForward { port, message, .. }) => {
            assert_eq!(*port, 9999);
            assert!(message.contains("connection refused"), "{message}");
        }
        other => panic!("expected a port-forward error, got {other:?} ({e})"),
    }
}

/// A local listener forwarding to `pod`'s port 8080: each of two connections echoes.
async fn assert_listener_forwards(env: &TestEnv, pod: &str, label: &str) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let serving = tokio::spawn(serve_port_forward(
        env.client.clone(),
        env.namespace.clone(),
        pod.into(),
        8080,
        listener,
    ));
    for round in 0..2 {
        let mut local = tokio::net::TcpStream::connect(addr).await.unwrap();
        assert_echoes(&mut local, format!("{label} round {round}").as_bytes()).await;
    }
    serving.abort();
}

#[tokio::test]
async fn exec_streams_stdout_stderr_and_the_exit_code() {
    let env = TestEnv::start("connect-exec").await;
    let ns = env.namespace.clone();
    create_pod(&env, "runner", Some(NODE), container("main")).await;
    let options = ExecOptions::command(["sh", "-c", "echo hello world; stderr oops; exit 3"]);
    match env.client.exec(&ns, "runner", &options).await {
        Ok(mut process) => {
            let (stdout, stderr) = (process.stdout.take(), process.stderr.take());
            let (out, err) = tokio::join!(read_all(stdout), read_all(stderr));
            assert_eq!(out, "hello world\n");
            assert_eq!(err, "oops\n");
            let status = tokio::time::timeout(LIMIT, process.join())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(status.code(), 3);
            assert!(!status.success());

            let ok = env
                .client
                .exec(&ns, "runner", &ExecOptions::command(["echo", "a", "b"]))
                .await
                .unwrap();
            let status = ok.join().await.unwrap();
            assert!(status.success());

            // An executable that is not there: the failure arrives on the error channel.
            let mut missing = env
                .client
                .exec(&ns, "runner", &ExecOptions::command(["no-such-tool"]))
                .await
                .unwrap();
            drop(missing.stdout.take());
            let e = missing.join().await.unwrap_err();
            assert!(matches!(e, Error::Remote(_)), "{e}");
            assert!(
                e.server_message()
                    .unwrap()
                    .contains("executable file not found"),
                "{e}"
            );
        }
        Err(e) if !runs_pods(&env) => assert_no_node(&e),
        Err(e) => panic!("exec: {e}"),
    }
    env.finish().await;
}

#[tokio::test]
async fn exec_stdin_is_closed_and_a_terminal_resizes() {
    let env = TestEnv::start("connect-stdin").await;
    let ns = env.namespace.clone();
    create_pod(&env, "cat", Some(NODE), container("main")).await;
    let options = ExecOptions::command(["cat"]).stdin(true).stderr(false);
    match env.client.exec(&ns, "cat", &options).await {
        Ok(mut process) => {
            let mut stdin = process.stdin.take().unwrap();
            stdin.write_all(b"ping\npong\n").await.unwrap();
            // v5 closes stdin on the server: `cat` ends.
            stdin.shutdown().await.unwrap();
            drop(stdin);
            assert_eq!(read_all(process.stdout.take()).await, "ping\npong\n");
            assert!(process.join().await.unwrap().success());

            let tty = ExecOptions::command(["wait-resize"]).tty(true);
            let mut process = env.client.exec(&ns, "cat", &tty).await.unwrap();
            assert!(process.stderr.is_none());
            let size = TerminalSize {
                width: 132,
                height: 43,
            };
            assert!(process.resize(size).await);
            assert_eq!(read_all(process.stdout.take()).await, "132x43\n");
            assert!(process.join().await.unwrap().success());
        }
        Err(e) if !runs_pods(&env) => assert_no_node(&e),
        Err(e) => panic!("exec: {e}"),
    }
    env.finish().await;
}

#[tokio::test]
async fn attach_reaches_the_containers_process() {
    let env = TestEnv::start("connect-attach").await;
    let ns = env.namespace.clone();
    let mut c = container("main");
    c["command"] = json!(["sh", "-c"]);
    c["args"] = json!(["echo attached; cat"]);
    create_pod(&env, "attached", Some(NODE), c).await;
    let options = AttachOptions {
        stdin: true,
        stdout: true,
        ..AttachOptions::default()
    };
    match env.client.attach(&ns, "attached", &options).await {
        Ok(mut process) => {
            let mut stdin = process.stdin.take().unwrap();
            stdin.write_all(b"typed\n").await.unwrap();
            stdin.shutdown().await.unwrap();
            assert_eq!(read_all(process.stdout.take()).await, "attached\ntyped\n");
            assert!(process.join().await.unwrap().success());
        }
        Err(e) if !runs_pods(&env) => assert_no_node(&e),
        Err(e) => panic!("attach: {e}"),
    }
    env.finish().await;
}

#[tokio::test]
async fn connect_errors_carry_the_servers_message() {
    let env = TestEnv::start("connect-errors").await;
    let ns = env.namespace.clone();
    create_pod(&env, "unbound", None, container("main")).await;
    let echo = ExecOptions::command(["echo", "hi"]);

    let e = env
        .client
        .exec(&ns, "no-such-pod", &echo)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(e.server_message(), Some("pods \"no-such-pod\" not found"));

    let e = env
        .client
        .exec(&ns, "unbound", &echo.clone().container("nope"))
        .await
        .unwrap_err();
    assert!(e.is_bad_request(), "{e}");
    assert_eq!(
        e.server_message(),
        Some("container nope is not valid for pod unbound")
    );

    // Not scheduled: no node to run on.
    for e in [
        env.client.exec(&ns, "unbound", &echo).await.unwrap_err(),
        env.client
            .port_forward(&ns, "unbound", 80)
            .await
            .unwrap_err(),
    ] {
        assert!(e.is_bad_request(), "{e}");
        assert_eq!(
            e.server_message(),
            Some("pod unbound does not have a host assigned")
        );
    }

    // Caught before connecting.
    let none = ExecOptions::command(["ls"]).stdout(false).stderr(false);
    let e = env.client.exec(&ns, "unbound", &none).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Request(kubegen_runtime::rest::Error::InvalidRequest(_))
        ),
        "{e}"
    );
    env.finish().await;
}

#[tokio::test]
async fn port_forward_connects_refuses_and_serves_a_listener() {
    let env = TestEnv::start("connect-portforward").await;
    let ns = env.namespace.clone();
    let mut c = container("web");
    c["ports"] = json!([{"containerPort": 8080}]);
    create_pod(&env, "web", Some(NODE), c).await;
    match env.client.port_forward(&ns, "web", 8080).await {
        Ok(mut stream) => {
            assert_echoes(&mut stream, b"hello port").await;
            // Nothing listens on 9999: reading ends with the server's refusal.
            assert_refused(env.client.port_forward(&ns, "web", 9999).await.unwrap()).await;
            // A local listener: each connection is forwarded on its own WebSocket.
            assert_listener_forwards(&env, "web", "websocket").await;
        }
        Err(e) if !runs_pods(&env) => assert_no_node(&e),
        Err(e) => panic!("port-forward: {e}"),
    }
    env.finish().await;
}

#[tokio::test]
async fn proxy_requests_get_the_servers_answers() {
    let env = TestEnv::start("connect-proxy").await;
    let ns = env.namespace.clone();
    let client: &Client = &env.client;
    let get = |target: ProxyTarget, path: &'static str| async move {
        client
            .proxy(Method::GET, &target, path)
            .bytes()
            .await
            .unwrap_err()
    };
    let e = get(ProxyTarget::pod(&ns, "nope").port(80), "/healthz").await;
    assert!(e.is_not_found(), "{e}");
    assert_eq!(
        e.api().map(|e| e.message()),
        Some("pods \"nope\" not found")
    );

    // A pod without an IP (never run) cannot be reached.
    create_pod(&env, "unbound", None, container("main")).await;
    let e = get(ProxyTarget::pod(&ns, "unbound").port(8080), "/a/b").await;
    assert!(e.api().is_some_and(|e| e.is_bad_request()), "{e}");
    assert_eq!(e.api().map(|e| e.message()), Some("address not allowed"));

    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api"},
        "spec": {"ports": [{"name": "http", "port": 80}], "selector": {"app": "api"}}});
    client
        .post()
        .namespace(ns.as_str())
        .resource("services")
        .json_body(&svc)
        .json::<Value>()
        .await
        .unwrap();
    let e = get(ProxyTarget::service(&ns, "api").port(81), "/").await;
    assert!(e.api().is_some_and(|e| e.is_service_unavailable()), "{e}");
    assert_eq!(
        e.api().map(|e| e.message()),
        Some("no service port 81 found for service \"api\"")
    );
    // No endpoints controller here: the missing endpoints read as the service not found.
    let e = get(ProxyTarget::service(&ns, "api").port("http"), "/").await;
    assert!(e.is_not_found(), "{e}");
    env.finish().await;
}

/// A server that answers the upgrade without switching protocols (one that speaks only
/// SPDY/3.1 there, say): a typed refusal, not a hang or a garbled stream.
#[tokio::test]
async fn a_server_that_does_not_upgrade_is_a_typed_refusal() {
    use axum::routing::get;
    let app = axum::Router::new().route(
        "/api/v1/namespaces/ns/pods/p/exec",
        get(|headers: axum::http::HeaderMap| async move {
            assert_eq!(headers["upgrade"], "websocket");
            assert_eq!(
                headers["sec-websocket-protocol"],
                "v5.channel.k8s.io, v4.channel.k8s.io"
            );
            "SPDY only here"
        })
        .post(|headers: axum::http::HeaderMap| async move {
            assert_eq!(headers["upgrade"], "SPDY/3.1");
            assert_eq!(headers["x-stream-protocol-version"], "v4.channel.k8s.io");
            "SPDY only here"
        }),
    );
    let server = support::serve_http(app).await;
    let client = Client::new(Config::new(server.url().parse().unwrap())).unwrap();
    let e = client
        .exec("ns", "p", &ExecOptions::command(["ls"]))
        .await
        .unwrap_err();
    match &e {
        Error::UpgradeRefused {
            code,
            body,
            protocol,
            ..
        } => {
            // WebSocket was refused, so SPDY was tried: this server refuses that too.
            assert_eq!(*protocol, "SPDY/3.1");
            assert_eq!(*code, 200);
            assert_eq!(body, "SPDY only here");
        }
        other => panic!("expected UpgradeRefused, got {other:?}"),
    }
}

/// exec, attach and port-forward over SPDY/3.1 (forced). The real server without the
/// pod's node answers SPDY's upgrade with the same typed error as WebSocket's.
#[tokio::test]
async fn spdy_exec_attach_and_port_forward() {
    let env = TestEnv::start("connect-spdy").await;
    let ns = env.namespace.clone();
    let mut c = container("main");
    c["ports"] = json!([{"containerPort": 8080}]);
    create_pod(&env, "spdy", Some(NODE), c).await;
    create_pod(&env, "spdy-unbound", None, container("main")).await;
    let spdy = StreamProtocol::Spdy;

    let options =
        ExecOptions::command(["sh", "-c", "echo over spdy; stderr oops; exit 7"]).protocol(spdy);
    match env.client.exec(&ns, "spdy", &options).await {
        Ok(mut process) => {
            assert_eq!(process.protocol(), spdy);
            let (stdout, stderr) = (process.stdout.take(), process.stderr.take());
            let (out, err) = tokio::join!(read_all(stdout), read_all(stderr));
            assert_eq!(out, "over spdy\n");
            assert_eq!(err, "oops\n");
            let status = tokio::time::timeout(LIMIT, process.join()).await.unwrap();
            assert_eq!(status.unwrap().code(), 7);

            // stdin, closed by the stream's FIN; a terminal's resize.
            let cat = ExecOptions::command(["cat"])
                .stdin(true)
                .stderr(false)
                .protocol(spdy);
            let mut process = env.client.exec(&ns, "spdy", &cat).await.unwrap();
            let mut stdin = process.stdin.take().unwrap();
            stdin.write_all(b"one\ntwo\n").await.unwrap();
            stdin.shutdown().await.unwrap();
            drop(stdin);
            assert_eq!(read_all(process.stdout.take()).await, "one\ntwo\n");
            assert!(process.join().await.unwrap().success());

            let tty = ExecOptions::command(["wait-resize"])
                .tty(true)
                .protocol(spdy);
            let mut process = env.client.exec(&ns, "spdy", &tty).await.unwrap();
            let size = TerminalSize {
                width: 100,
                height: 30,
            };
            assert!(process.resize(size).await);
            assert_eq!(read_all(process.stdout.take()).await, "100x30\n");
            assert!(process.join().await.unwrap().success());

            // A missing executable: the Status on the error stream.
            let missing = ExecOptions::command(["no-such-tool"]).protocol(spdy);
            let e = env
                .client
                .exec(&ns, "spdy", &missing)
                .await
                .unwrap()
                .join()
                .await
                .unwrap_err();
            assert!(matches!(e, Error::Remote(_)), "{e}");

            let attach = AttachOptions {
                stdin: true,
                stdout: true,
                protocol: spdy,
                ..AttachOptions::default()
            };
            let mut process = env.client.attach(&ns, "spdy", &attach).await.unwrap();
            let mut stdin = process.stdin.take().unwrap();
            stdin.write_all(b"attached\n").await.unwrap();
            stdin.shutdown().await.unwrap();
            assert_eq!(read_all(process.stdout.take()).await, "attached\n");
            assert!(process.join().await.unwrap().success());

            let mut stream = env
                .client
                .port_forward_with(&ns, "spdy", 8080, spdy)
                .await
                .unwrap();
            assert_eq!(stream.protocol(), spdy);
            assert_echoes(&mut stream, b"spdy port").await;
            stream.shutdown().await.unwrap();
            let mut rest = Vec::new();
            tokio::time::timeout(LIMIT, stream.read_to_end(&mut rest))
                .await
                .unwrap()
                .unwrap();
            assert!(rest.is_empty());

            assert_refused(
                env.client
                    .port_forward_with(&ns, "spdy", 9999, spdy)
                    .await
                    .unwrap(),
            )
            .await;
        }
        Err(e) if !runs_pods(&env) => {
            assert_no_node(&e);
            let e = env
                .client
                .port_forward_with(&ns, "spdy", 8080, spdy)
                .await
                .unwrap_err();
            assert_no_node(&e);
        }
        Err(e) => panic!("spdy exec: {e}"),
    }

    // Errors before the upgrade are the server's Status, as over WebSocket.
    let echo = ExecOptions::command(["echo"]).protocol(spdy);
    let e = env
        .client
        .exec(&ns, "no-such-pod", &echo)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let e = env
        .client
        .exec(&ns, "spdy-unbound", &echo)
        .await
        .unwrap_err();
    assert!(e.is_bad_request(), "{e}");
    assert_eq!(
        e.server_message(),
        Some("pod spdy-unbound does not have a host assigned")
    );
    env.finish().await;
}

/// A server that refuses WebSocket (plain-text 400, as a proxy or an older kubelet
/// answers): exec and port-forward fall back to SPDY/3.1; forced WebSocket is refused.
#[tokio::test]
async fn a_server_without_websocket_gets_spdy() {
    let Some(env) = TestEnv::requiring("connect-fallback", &[Needs::Faults]).await else {
        return;
    };
    let ns = env.namespace.clone();
    let mut c = container("main");
    c["ports"] = json!([{"containerPort": 8080}]);
    create_pod(&env, "old", Some(NODE), c).await;
    let server = env.server().expect("the test server");
    server.faults().refuse_websocket(true);

    let mut process = env
        .client
        .exec(&ns, "old", &ExecOptions::command(["echo", "fell back"]))
        .await
        .unwrap();
    assert_eq!(process.protocol(), StreamProtocol::Spdy);
    assert_eq!(read_all(process.stdout.take()).await, "fell back\n");
    assert!(process.join().await.unwrap().success());

    let mut stream = env.client.port_forward(&ns, "old", 8080).await.unwrap();
    assert_eq!(stream.protocol(), StreamProtocol::Spdy);
    assert_echoes(&mut stream, b"ping").await;

    // The listener: every connection ends up on SPDY.
    assert_listener_forwards(&env, "old", "spdy").await;

    let forced = ExecOptions::command(["echo"]).protocol(StreamProtocol::WebSocket);
    let e = env.client.exec(&ns, "old", &forced).await.unwrap_err();
    assert!(e.is_websocket_unsupported(), "{e}");
    match &e {
        Error::UpgradeRefused { code, body, .. } => {
            assert_eq!(*code, 400);
            assert!(body.contains("WebSocket is not supported"), "{body}");
        }
        other => panic!("expected UpgradeRefused, got {other:?}"),
    }
    // A Status about the pod is not a reason to fall back: it is the answer.
    let e = env
        .client
        .exec(&ns, "missing", &ExecOptions::command(["echo"]))
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    server.faults().refuse_websocket(false);
    env.finish().await;
}

/// A fake SPDY server: answers the upgrade with `101`, then writes `after` and ends its
/// side (or keeps it open when `hold`).
async fn fake_spdy_server(after: Vec<u8>, hold: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut conn, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut byte = [0u8; 1];
        while !request.ends_with(b"\r\n\r\n") {
            if conn.read(&mut byte).await.unwrap_or(0) == 0 {
                return;
            }
            request.push(byte[0]);
        }
        let head = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n";
        conn.write_all(head.as_bytes()).await.unwrap();
        conn.write_all(&after).await.unwrap();
        if !hold {
            // A FIN, not a reset: the reading side stays open and drains what the
            // client sends, so the client reads all that was written.
            let _ = conn.shutdown().await;
        }
        let mut sink = vec![0u8; 4096];
        let drain = async { while conn.read(&mut sink).await.unwrap_or(0) > 0 {} };
        let _ = tokio::time::timeout(Duration::from_secs(60), drain).await;
    });
    format!("http://{addr}")
}

async fn spdy_exec_against(url: String) -> Error {
    let client = Client::new(Config::new(url.parse().unwrap())).unwrap();
    let options = ExecOptions::command(["ls"]).protocol(StreamProtocol::Spdy);
    tokio::time::timeout(LIMIT, client.exec("ns", "p", &options))
        .await
        .expect("a broken SPDY server must not hang the client")
        .expect_err("a broken SPDY server cannot run a process")
}

/// Garbage frames, a connection closed mid-frame, and an oversized header block after the
/// upgrade: typed errors, never a panic or a hang.
#[tokio::test]
async fn broken_spdy_servers_are_typed_errors() {
    let spdy_source = |e: &Error| match e {
        Error::Spdy { source, .. } => source.clone(),
        other => panic!("expected a SPDY error, got {other:?}"),
    };

    // A control frame of SPDY version 2.
    let e = spdy_exec_against(
        fake_spdy_server(vec![0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 2], true).await,
    )
    .await;
    assert_eq!(
        spdy_source(&e),
        SessionError::Frame(FrameError::UnsupportedVersion(2))
    );

    // Closed in the middle of a frame's head.
    let e = spdy_exec_against(fake_spdy_server(vec![0x80, 3, 0], false).await).await;
    assert_eq!(
        spdy_source(&e),
        SessionError::Frame(FrameError::Truncated {
            read: 3,
            expected: 8
        })
    );

    // A SYN_REPLY whose header block is not zlib.
    let mut garbage = vec![0x80, 3, 0, 2, 0, 0, 0, 12, 0, 0, 0, 1];
    garbage.extend_from_slice(b"garbage!");
    let e = spdy_exec_against(fake_spdy_server(garbage, true).await).await;
    assert!(
        matches!(
            spdy_source(&e),
            SessionError::Frame(FrameError::HeaderBlock(_))
        ),
        "{e}"
    );

    // A control frame claiming 16 MiB.
    let e =
        spdy_exec_against(fake_spdy_server(vec![0x80, 3, 0, 2, 0, 0xff, 0xff, 0xff], true).await)
            .await;
    assert!(
        matches!(
            spdy_source(&e),
            SessionError::Frame(FrameError::TooLarge { .. })
        ),
        "{e}"
    );

    // A clean close before any stream is answered.
    let e = spdy_exec_against(fake_spdy_server(Vec::new(), false).await).await;
    assert!(
        matches!(spdy_source(&e), SessionError::Closed { .. }),
        "{e}"
    );
}
