//! A small `kubectl get`: resolve what the user typed with discovery and the RESTMapper, list
//! with the dynamic client, print a table (NAME, AGE and a few columns for common kinds).
//!
//! ```text
//! cargo run -p kubegen-examples --example get -- deploy -n default
//! cargo run -p kubegen-examples --example get -- pods -A -l app=web
//! cargo run -p kubegen-examples --example get -- apps/v1/Deployment web -n default
//! cargo run -p kubegen-examples --example get -- widgets.example.com -n default
//! ```
//!
//! Uses `KUBECONFIG` when set (discovery cached under the user's cache folder, like kubectl),
//! else an in-process test server seeded with a few Deployments so there is something to see.

use kubegen_runtime::discovery::{ApiResource, DiscoveryClient, RestMapper};
use kubegen_runtime::dynamic::{DynamicClient, DynamicObject};
use kubegen_runtime::meta::Time;
use kubegen_runtime::rest::{Client, CreateOptions, GetOptions, ListOptions};
use serde_json::{json, Value};

const USAGE: &str = "usage: get RESOURCE [NAME...] [-n NAMESPACE | -A] [-l SELECTOR]";

struct Args {
    resource: String,
    names: Vec<String>,
    namespace: Option<String>,
    all_namespaces: bool,
    selector: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut out = Args {
        resource: String::new(),
        names: Vec::new(),
        namespace: None,
        all_namespaces: false,
        selector: None,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-n" | "--namespace" => out.namespace = Some(args.next().ok_or("-n needs a value")?),
            "-A" | "--all-namespaces" => out.all_namespaces = true,
            "-l" | "--selector" => out.selector = Some(args.next().ok_or("-l needs a value")?),
            "-h" | "--help" => return Err(USAGE.into()),
            s if s.starts_with('-') => return Err(format!("unknown flag {s}\n{USAGE}")),
            _ => positional.push(arg),
        }
    }
    let mut positional = positional.into_iter();
    out.resource = positional.next().ok_or(USAGE)?;
    out.names = positional.collect();
    Ok(out)
}

/// A column: its header and how to compute a cell.
type Column = (&'static str, fn(&DynamicObject) -> String);

/// Extra columns for a few well-known kinds.
fn columns(kind: &str) -> Vec<Column> {
    fn int(o: &DynamicObject, p: &str) -> i64 {
        o.pointer(p).and_then(Value::as_i64).unwrap_or(0)
    }
    fn text(o: &DynamicObject, p: &str) -> String {
        match o.pointer(p) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => "<none>".into(),
            Some(v) => v.to_string(),
        }
    }
    match kind {
        "Deployment" | "StatefulSet" | "ReplicaSet" => vec![
            ("READY", |o| {
                format!(
                    "{}/{}",
                    int(o, "/status/readyReplicas"),
                    int(o, "/spec/replicas")
                )
            }),
            ("UP-TO-DATE", |o| {
                int(o, "/status/updatedReplicas").to_string()
            }),
            ("AVAILABLE", |o| {
                int(o, "/status/availableReplicas").to_string()
            }),
        ],
        "Pod" => vec![
            ("READY", |o| {
                let total = o
                    .pointer("/spec/containers")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                let ready = o
                    .pointer("/status/containerStatuses")
                    .and_then(Value::as_array)
                    .map_or(0, |s| {
                        s.iter().filter(|c| c["ready"] == json!(true)).count()
                    });
                format!("{ready}/{total}")
            }),
            ("STATUS", |o| text(o, "/status/phase")),
        ],
        "Service" => vec![
            ("TYPE", |o| text(o, "/spec/type")),
            ("CLUSTER-IP", |o| text(o, "/spec/clusterIP")),
        ],
        "ConfigMap" | "Secret" => vec![("DATA", |o| {
            o.pointer("/data")
                .and_then(Value::as_object)
                .map_or(0, |m| m.len())
                .to_string()
        })],
        "Namespace" => vec![("STATUS", |o| text(o, "/status/phase"))],
        _ => Vec::new(),
    }
}

/// kubectl's short age: `42s`, `7m`, `3h`, `12d`.
fn age(o: &DynamicObject) -> String {
    let Some(created) = o.metadata.creation_timestamp else {
        return "<unknown>".into();
    };
    let secs = (Time::now().as_unix_seconds() - created.as_unix_seconds()).max(0);
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 2 * 3600 => format!("{}m", s / 60),
        s if s < 2 * 86400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86400),
    }
}

fn print_table(resource: &ApiResource, objects: &[DynamicObject], with_namespace: bool) {
    let extra = columns(&resource.kind);
    let mut header: Vec<String> = Vec::new();
    if with_namespace {
        header.push("NAMESPACE".into());
    }
    header.push("NAME".into());
    header.extend(extra.iter().map(|(h, _)| h.to_string()));
    header.push("AGE".into());
    let mut rows = vec![header];
    for o in objects {
        let mut row = Vec::new();
        if with_namespace {
            row.push(o.namespace().unwrap_or("").to_string());
        }
        row.push(o.name().unwrap_or("").to_string());
        row.extend(extra.iter().map(|(_, cell)| cell(o)));
        row.push(age(o));
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0))
        .collect();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        println!("{}", line.join("   ").trim_end());
    }
}

/// Gives an empty test server something to show.
async fn seed(client: &Client, mapper: &RestMapper) -> Result<(), Box<dyn std::error::Error>> {
    let deployments = mapper.resolve("deployments.apps").await?;
    let api = DynamicClient::new(client.clone())
        .resource(&deployments)
        .namespace("default");
    for (name, replicas) in [("web", 3), ("api", 2), ("worker", 1)] {
        let labels = json!({"app": name});
        let object = DynamicObject::new(name, &deployments).with(
            "spec",
            json!({
                "replicas": replicas,
                "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels},
                             "spec": {"containers": [{"name": name, "image": "nginx:1.27"}]}}
            }),
        );
        api.create(&CreateOptions::default(), &object).await?;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    let cluster = kubegen_examples::connect().await?;
    let client = cluster.client.clone();
    // A real cluster's discovery is cached on disk like kubectl's; a throw-away test server's
    // is not (its port changes every run).
    let discovery = if cluster.server.is_some() {
        DiscoveryClient::new(client.clone())
    } else {
        DiscoveryClient::cached(client.clone())
    };
    let mapper = RestMapper::new(discovery);
    if cluster.server.is_some() {
        seed(&client, &mapper).await?;
    }

    let resource = match mapper.resolve(&args.resource).await {
        Ok(r) => r,
        Err(e) if e.is_not_found() => {
            eprintln!(
                "error: the server doesn't have a resource type \"{}\"",
                args.resource
            );
            std::process::exit(1);
        }
        Err(e) => return Err(e.into()),
    };
    let api = DynamicClient::new(client.clone()).resource(&resource);
    let all_namespaces = args.all_namespaces && resource.namespaced;
    let api = if resource.namespaced && !args.all_namespaces {
        api.namespace(
            args.namespace
                .clone()
                .unwrap_or_else(|| client.default_namespace().to_string()),
        )
    } else {
        api
    };

    let objects = if args.names.is_empty() {
        let options = ListOptions {
            label_selector: args.selector.clone(),
            ..ListOptions::default()
        };
        api.list_all(&options).await?.items
    } else {
        let mut found = Vec::new();
        for name in &args.names {
            match api.get(name, &GetOptions::default()).await {
                Ok(o) => found.push(o),
                Err(e) if e.is_not_found() => {
                    eprintln!(
                        "Error from server (NotFound): {} \"{name}\" not found",
                        resource.plural
                    )
                }
                Err(e) => return Err(e.into()),
            }
        }
        found
    };
    if objects.is_empty() {
        match api.namespace_name() {
            Some(ns) if args.names.is_empty() => eprintln!("No resources found in {ns} namespace."),
            _ if args.names.is_empty() => eprintln!("No resources found"),
            _ => {}
        }
        return Ok(());
    }
    print_table(&resource, &objects, all_namespaces);
    Ok(())
}
