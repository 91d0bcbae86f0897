//! `kubegen-testserver`: serves the test API server on loopback for manual use.
//!
//! ```text
//! cargo run -p kubegen-testserver -- --port 8080 [--bind 127.0.0.1] [--tls] [--token T]
//!     [--spec-dir DIR] [--kubeconfig PATH]
//! ```
//!
//! `--port 0` picks a free port; `--kubeconfig PATH` then tells a script where to connect.
//! SIGINT or SIGTERM stops it.
//!
//! ```text
//! ```

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use kubegen_testserver::TestServer;

const USAGE: &str = "usage: kubegen-testserver [--port N] [--bind IP] [--tls] [--token T] [--client-cert-auth] [--spec-dir DIR] [--kubeconfig PATH]";

fn main() -> ExitCode {
    let mut port: u16 = 8080;
    let mut bind = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut builder = TestServer::builder();
    let mut kubeconfig = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        let r: Result<(), String> = (|| {
            match a.as_str() {
                "--port" => {
                    port = value("--port")?
                        .parse()
                        .map_err(|e| format!("--port: {e}"))?
                }
                "--bind" => {
                    bind = value("--bind")?
                        .parse()
                        .map_err(|e| format!("--bind: {e}"))?
                }
                "--tls" => builder = builder.clone().tls(true),
                "--client-cert-auth" => builder = builder.clone().client_cert_auth(true),
                "--token" => builder = builder.clone().token(value("--token")?),
                "--spec-dir" => builder = builder.clone().spec_dir(value("--spec-dir")?),
                "--kubeconfig" => kubeconfig = Some(value("--kubeconfig")?),
                "-h" | "--help" => return Err(USAGE.to_string()),
                other => return Err(format!("unknown argument {other}\n{USAGE}")),
            }
            Ok(())
        })();
        if let Err(e) = r {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    }
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("starting runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let server = match builder.addr(SocketAddr::new(bind, port)).start().await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("kubegen-testserver: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("kubegen-testserver serving on {}", server.base_url());
        if let Some(path) = kubeconfig {
            // Written aside and renamed, so a script waiting for the file never reads half
            // of it (with `--port 0` the file is how it learns the port).
            let partial = format!("{path}.partial");
            if let Err(e) = server.write_kubeconfig(&partial) {
                eprintln!("kubegen-testserver: {e}");
                return ExitCode::FAILURE;
            }
            if let Err(e) = std::fs::rename(&partial, &path) {
                eprintln!("kubegen-testserver: moving {partial} to {path}: {e}");
                return ExitCode::FAILURE;
            }
            println!("kubeconfig written to {path}");
        } else {
            println!("{}", server.kubeconfig());
        }
        let _ = tokio::signal::ctrl_c().await;
        server.shutdown().await;
        ExitCode::SUCCESS
    })
}
