//! `kubegen-e2e-cleanup KUBECONFIG [CONTEXT]`: deletes every cluster-scoped object the
//! integration tests labelled `kubegen.dev/e2e` (their namespaces included) and lists them.

use std::process::ExitCode;

use kubegen_runtime::config::{Config, Overrides};
use kubegen_runtime::rest::Client;
use kubegen_test_support::sweep::sweep;

const USAGE: &str = "usage: kubegen-e2e-cleanup KUBECONFIG [CONTEXT]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, context) = match args.as_slice() {
        [path] if path != "-h" && path != "--help" => (path.clone(), None),
        [path, context] => (path.clone(), Some(context.clone())),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let overrides = Overrides {
        context,
        ..Overrides::default()
    };
    let config = match Config::from_kubeconfig_file(&path, overrides) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kubegen-e2e-cleanup: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let client = match Client::new(config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kubegen-e2e-cleanup: client for {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kubegen-e2e-cleanup: starting runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(sweep(&client)) {
        Ok(swept) => {
            for s in &swept {
                println!("deleted {} {}", s.resource, s.name);
            }
            println!("{} object(s) deleted", swept.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kubegen-e2e-cleanup: {e}");
            ExitCode::FAILURE
        }
    }
}
