//! The connect verbs of pods over WebSocket, answered as a kubelet would for a pod bound to
//! a node: `exec` and `attach` run a scripted process ([`crate::pod_process`]) spoken as
//! `v5.channel.k8s.io` or `v4.channel.k8s.io`; `portforward` (`v4.channel.k8s.io`
//! port-forward framing) echoes on the ports a container declares and refuses the others.
//! Before upgrading, the checks of a real API server: the pod exists, the container is one
//! of its own, the pod has a node.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use hyper::header::{
    HeaderValue, CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_PROTOCOL, UPGRADE,
};
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::objects::load;
use super::subresources::container_of;
use super::{State, Target};
use crate::catalog::ResourceDef;
use crate::http::{ApiError, Body, Req};
use crate::pod_process::{self, Exit, Input, Output};
use crate::store::StoredObject;

const V5: &str = "v5.channel.k8s.io";
const V4: &str = "v4.channel.k8s.io";

type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// `pods/{name}/exec` and `pods/{name}/attach`.
pub(crate) fn exec(
    state: &Arc<State>,
    req: &Req,
    t: &Target,
    attach: bool,
) -> Result<Response<Body>, ApiError> {
    let pod = load(state, t)?;
    let container = container_of(&pod, req.q("container"))?;
    bound_to_a_node(&pod)?;
    let (stdin, stdout, stderr, tty) = (
        req.q_bool("stdin"),
        req.q_bool("stdout"),
        req.q_bool("stderr"),
        req.q_bool("tty"),
    );
    if !(stdin || stdout || stderr) {
        return Err(ApiError::bad_request(
            "you must specify at least 1 of stdin, stdout, stderr",
        ));
    }
    let argv = if attach {
        container_command(&pod, &container)
    } else {
        req.q_all("command")
    };
    if argv.is_empty() {
        return Err(ApiError::bad_request(
            "you must specify at least one command for the container",
        ));
    }
    let mut session = Session {
        argv,
        stdin,
        stdout,
        stderr,
        tty,
        v5: false,
    };
    if super::connect_spdy::is_spdy(req) {
        return super::connect_spdy::exec(req, session);
    }
    if state.faults.refuses_websocket() {
        return Ok(no_websocket());
    }
    let (response, protocol, upgrade) = accept(req, &[V5, V4])?;
    session.v5 = protocol == V5;
    tokio::spawn(async move {
        match upgrade.await {
            Ok(upgraded) => {
                let socket =
                    WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None)
                        .await;
                session.run(socket).await;
            }
            Err(e) => tracing::debug!(error = %e, "exec: upgrade failed"),
        }
    });
    Ok(response)
}

/// `pods/{name}/portforward?ports=P[,Q…]`.
pub(crate) fn port_forward(
    state: &Arc<State>,
    req: &Req,
    t: &Target,
) -> Result<Response<Body>, ApiError> {
    let pod = load(state, t)?;
    bound_to_a_node(&pod)?;
    let mut ports = Vec::new();
    for value in req.q_all("ports") {
        for p in value.split(',').filter(|p| !p.trim().is_empty()) {
            let port = p
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| ApiError::bad_request(format!("invalid port {p:?}")))?;
            ports.push(port);
        }
    }
    if ports.is_empty() {
        return Err(ApiError::bad_request(
            "query parameter \"ports\" is required",
        ));
    }
    let open = declared_ports(&pod);
    let target = format!("{}/{}", pod.namespace, pod.name);
    if super::connect_spdy::is_spdy(req) {
        return super::connect_spdy::port_forward(req, ports, open, target);
    }
    if state.faults.refuses_websocket() {
        return Ok(no_websocket());
    }
    let (response, _, upgrade) = accept(req, &[V4])?;
    tokio::spawn(async move {
        match upgrade.await {
            Ok(upgraded) => {
                let socket =
                    WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None)
                        .await;
                forward(socket, &ports, &open, &target).await;
            }
            Err(e) => tracing::debug!(error = %e, "portforward: upgrade failed"),
        }
    });
    Ok(response)
}

/// The answer of a server (or a proxy in front of it) without WebSocket for the connect
/// verbs: plain text, as the kubelet's stream handshake writes its refusals.
fn no_websocket() -> Response<Body> {
    let mut response = Response::new(crate::http::body::full(Bytes::from_static(
        b"unable to upgrade: WebSocket is not supported here\n",
    )));
    *response.status_mut() = StatusCode::BAD_REQUEST;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// `{pods,services,nodes}/[SCHEME:]NAME[:PORT]/proxy[/PATH]`. The test server's pods, services
/// and nodes have no network, so a proxy request gets the answer a real API server gives
/// for objects without one: a pod without an IP is "address not allowed", a service port
/// that is not declared is unavailable, a service without endpoints is not found, a node
/// without addresses cannot be reached.
pub(crate) fn proxy(state: &Arc<State>, t: &Target) -> Result<Response<Body>, ApiError> {
    let segment = t.name.as_deref().unwrap_or_default();
    let (name, port) = proxy_name(segment);
    let object = state
        .store
        .get(&t.res.storage_key(), t.ns.as_deref().unwrap_or(""), name)
        .ok_or_else(|| ApiError::not_found(&t.res, name))?;
    match t.res.plural.as_str() {
        "pods" => Err(ApiError::bad_request("address not allowed")),
        "services" => {
            if let Some(port) = port {
                service_port(&object, name, port)?;
            }
            Err(not_found_like(&t.res, name))
        }
        "nodes" => Err(ApiError::new(
            500,
            "",
            "no preferred addresses found; known addresses: []",
        )),
        _ => Err(ApiError::method_not_allowed()),
    }
}

/// The name and port of `[scheme:]name[:port]`.
fn proxy_name(segment: &str) -> (&str, Option<&str>) {
    let parts: Vec<&str> = segment.split(':').collect();
    match parts.as_slice() {
        [scheme, name] if matches!(*scheme, "http" | "https") => (name, None),
        [name, port] => (name, Some(port)),
        [_, name, port] => (name, Some(port)),
        _ => (segment, None),
    }
}

/// A service's port by number or name, or the API server's refusal.
fn service_port(service: &StoredObject, name: &str, port: &str) -> Result<(), ApiError> {
    let declared = service
        .value
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|p| {
            p.get("name").and_then(Value::as_str) == Some(port)
                || p.get("port")
                    .and_then(Value::as_u64)
                    .map(|n| n.to_string())
                    .as_deref()
                    == Some(port)
        });
    if declared {
        Ok(())
    } else {
        Err(ApiError::new(
            503,
            "ServiceUnavailable",
            format!("no service port {port} found for service \"{name}\""),
        ))
    }
}

/// No endpoints controller fills a service's endpoints here: the API server reports the
/// missing endpoints as the service not being found.
fn not_found_like(res: &ResourceDef, name: &str) -> ApiError {
    ApiError::not_found(res, name)
}

fn bound_to_a_node(pod: &StoredObject) -> Result<(), ApiError> {
    let node = pod.value.pointer("/spec/nodeName").and_then(Value::as_str);
    if node.is_none_or(str::is_empty) {
        return Err(ApiError::bad_request(format!(
            "pod {} does not have a host assigned",
            pod.name
        )));
    }
    Ok(())
}

/// The container's `command` and `args`, or `cat`.
fn container_command(pod: &StoredObject, container: &str) -> Vec<String> {
    let spec = pod
        .value
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .and_then(|cs| {
            cs.iter()
                .find(|c| c.get("name").and_then(Value::as_str) == Some(container))
        });
    let words = |key: &str| -> Vec<String> {
        spec.and_then(|c| c.get(key))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut argv = words("command");
    argv.extend(words("args"));
    if argv.is_empty() {
        argv.push("cat".into());
    }
    argv
}

/// Every `containerPort` of the pod's containers: what listens.
fn declared_ports(pod: &StoredObject) -> Vec<u16> {
    pod.value
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("ports").and_then(Value::as_array))
        .flatten()
        .filter_map(|p| p.get("containerPort").and_then(Value::as_u64))
        .filter_map(|p| u16::try_from(p).ok())
        .collect()
}

/// The `101` answer to a WebSocket upgrade speaking one of `supported` (in the server's
/// order of preference), or the kubelet's refusal.
fn accept(
    req: &Req,
    supported: &[&'static str],
) -> Result<(Response<Body>, &'static str, hyper::upgrade::OnUpgrade), ApiError> {
    let upgrade_required = || ApiError::bad_request("Upgrade request required");
    let is_websocket = req
        .header("upgrade")
        .is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    if !is_websocket {
        return Err(upgrade_required());
    }
    let key = req
        .header("sec-websocket-key")
        .ok_or_else(upgrade_required)?;
    let offered: Vec<&str> = req
        .headers
        .get_all(SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let protocol = supported
        .iter()
        .copied()
        .find(|p| offered.contains(p))
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "none of the subprotocols {offered:?} is supported; supported: {supported:?}"
            ))
        })?;
    let upgrade = req.take_upgrade().ok_or_else(upgrade_required)?;
    let mut response = Response::new(crate::http::body::full(Bytes::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static(protocol));
    if let Ok(accept) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        headers.insert(SEC_WEBSOCKET_ACCEPT, accept);
    }
    Ok((response, protocol, upgrade))
}

/// One exec or attach over an upgraded connection.
pub(super) struct Session {
    pub(super) argv: Vec<String>,
    pub(super) stdin: bool,
    pub(super) stdout: bool,
    pub(super) stderr: bool,
    pub(super) tty: bool,
    v5: bool,
}

impl Session {
    async fn run(self, mut socket: Socket) {
        let (stdin_tx, stdin_rx) = mpsc::channel::<Bytes>(16);
        let (resize_tx, resize_rx) = mpsc::channel(4);
        let (out_tx, mut out_rx) = mpsc::channel::<(u8, Bytes)>(16);
        let mut stdin_tx = self.stdin.then_some(stdin_tx);
        let mut input = Input {
            stdin: self.stdin.then_some(stdin_rx),
            resize: resize_rx,
        };
        let output = Output {
            tx: out_tx,
            tty: self.tty,
        };
        let argv = self.argv.clone();
        let process =
            tokio::spawn(async move { pod_process::run(&argv, &mut input, &output).await });
        loop {
            tokio::select! {
                message = socket.next() => match message {
                    Some(Ok(Message::Binary(data))) => match data.split_first() {
                        Some((0, chunk)) => {
                            if let Some(tx) = &stdin_tx {
                                let _ = tx.send(Bytes::copy_from_slice(chunk)).await;
                            }
                        }
                        Some((4, size)) => {
                            if let Some(size) = parse_size(size) {
                                let _ = resize_tx.send(size).await;
                            }
                        }
                        // v5: closing stdin ends what the process reads.
                        Some((255, [0])) if self.v5 => stdin_tx = None,
                        _ => {}
                    },
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => {}
                },
                out = out_rx.recv() => match out {
                    Some((stream, data)) => {
                        let wanted = if stream == 1 { self.stdout } else { self.stderr };
                        if wanted {
                            let mut frame = vec![stream];
                            frame.extend_from_slice(&data);
                            if socket.send(Message::Binary(Bytes::from(frame))).await.is_err() {
                                return;
                            }
                        }
                    }
                    // The process ended and its output is all sent.
                    None => break,
                },
            }
        }
        let exit = match process.await {
            Ok(exit) => exit,
            Err(e) => Exit::NotFound(format!("the process failed: {e}")),
        };
        let mut frame = vec![3u8];
        frame.extend_from_slice(exit_status(&self.argv, &exit).to_string().as_bytes());
        let _ = socket.send(Message::Binary(Bytes::from(frame))).await;
        let _ = socket.close(None).await;
    }
}

/// The resize channel's JSON (`{"Width":80,"Height":24}`).
pub(super) fn parse_size(data: &[u8]) -> Option<(u16, u16)> {
    let v: Value = serde_json::from_slice(data).ok()?;
    let dim = |k: &str| v.get(k)?.as_u64().and_then(|n| u16::try_from(n).ok());
    Some((dim("Width")?, dim("Height")?))
}

/// The `Status` a kubelet writes on the error channel when a process ends.
pub(super) fn exit_status(argv: &[String], exit: &Exit) -> Value {
    match exit {
        Exit::Code(0) => json!({"metadata": {}, "status": "Success"}),
        Exit::Code(code) => json!({
            "metadata": {},
            "status": "Failure",
            "message": format!(
                "command terminated with non-zero exit code: error executing command [{}], exit code {code}",
                argv.join(" ")
            ),
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]},
        }),
        Exit::NotFound(message) => json!({
            "metadata": {},
            "status": "Failure",
            "message": format!("Internal error occurred: error executing command in container: {message}"),
            "reason": "InternalError",
            "details": {"causes": [{"message": message}]},
            "code": 500,
        }),
    }
}

/// Port-forward: each port's data and error channels open with the port number; declared
/// ports echo, others report the refusal on their error channel and the connection closes.
async fn forward(mut socket: Socket, ports: &[u16], open: &[u16], pod: &str) {
    for (i, port) in ports.iter().enumerate() {
        for channel in [2 * i, 2 * i + 1] {
            let mut frame = vec![channel as u8];
            frame.extend_from_slice(&port.to_le_bytes());
            if socket
                .send(Message::Binary(Bytes::from(frame)))
                .await
                .is_err()
            {
                return;
            }
        }
    }
    let mut refused = false;
    for (i, port) in ports.iter().enumerate() {
        if !open.contains(port) {
            refused = true;
            let mut frame = vec![(2 * i + 1) as u8];
            frame.extend_from_slice(refusal_message(*port, pod).as_bytes());
            let _ = socket.send(Message::Binary(Bytes::from(frame))).await;
        }
    }
    if refused {
        let _ = socket.close(None).await;
        return;
    }
    while let Some(Ok(message)) = socket.next().await {
        match message {
            Message::Binary(data) => {
                let is_data = data.first().is_some_and(|c| c % 2 == 0);
                if is_data && socket.send(Message::Binary(data)).await.is_err() {
                    return;
                }
            }
            Message::Close(_) => return,
            _ => {}
        }
    }
}

/// The kubelet's message for a port nothing listens on.
pub(super) fn refusal_message(port: u16, pod: &str) -> String {
    format!(
        "error forwarding port {port} to pod {pod}: failed to connect to localhost:{port} inside namespace: dial tcp 127.0.0.1:{port}: connect: connection refused"
    )
}
