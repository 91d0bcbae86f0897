//! `sample-controller`: one replica of the Foo controller. Run two (same `--namespace`,
//! different `--identity`): one leads, the other takes over when it goes away.
//!
//! ```text
//! sample-controller --namespace NS --identity ID [--lease-seconds N] [--context NAME]
//! ```
//!
//! The cluster comes from `KUBECONFIG` (or in-cluster config, or `~/.kube/config`);
//! `--context` picks a context of `KUBECONFIG` other than its current one. Stops
//! on Ctrl-C (handing the Lease over at once); exits with status 1 when leadership is lost.

use std::process::ExitCode;
use std::time::Duration;

use kubegen_controller::CancellationToken;
use kubegen_runtime::config::{Config, Overrides};
use kubegen_runtime::rest::Client;
use kubegen_sample_controller::run::{run, Settings};

fn usage(problem: &str) -> ExitCode {
    eprintln!("sample-controller: {problem}");
    eprintln!(
        "usage: sample-controller --namespace NS --identity ID [--lease-seconds N] [--context NAME]"
    );
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut namespace = None;
    let mut identity = None;
    let mut lease_seconds: u64 = 15;
    let mut context = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next();
        match arg.as_str() {
            "--namespace" => namespace = value(),
            "--identity" => identity = value(),
            "--context" => context = value(),
            "--lease-seconds" => match value().and_then(|v| v.parse().ok()) {
                Some(n) if n >= 2 => lease_seconds = n,
                _ => return usage("--lease-seconds takes a whole number of at least 2"),
            },
            other => return usage(&format!("unknown argument {other:?}")),
        }
    }
    let (Some(namespace), Some(identity)) = (namespace, identity) else {
        return usage("--namespace and --identity are required");
    };
    let mut settings = Settings::new(namespace, identity);
    // client-go's proportions: renew deadline 2/3 of the lease, retry 2/15.
    settings.lease_duration = Duration::from_secs(lease_seconds);
    settings.renew_deadline = settings.lease_duration * 2 / 3;
    settings.retry_period = settings.lease_duration * 2 / 15;
    let client = match client(context) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sample-controller: {e}");
            return ExitCode::FAILURE;
        }
    };
    let cancel = CancellationToken::new();
    let on_signal = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_signal.cancel();
        }
    });
    match run(client, settings, cancel).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sample-controller: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A client for the default configuration chain, or for `context` of `KUBECONFIG`.
fn client(context: Option<String>) -> Result<Client, Box<dyn std::error::Error>> {
    let Some(context) = context else {
        return Ok(Client::try_default()?);
    };
    let path = std::env::var_os("KUBECONFIG").ok_or("--context needs KUBECONFIG")?;
    let overrides = Overrides {
        context: Some(context),
        ..Overrides::default()
    };
    Ok(Client::new(Config::from_kubeconfig_file(
        std::path::Path::new(&path),
        overrides,
    )?)?)
}
