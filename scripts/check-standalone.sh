#!/usr/bin/env bash
# What a user who never clones us gets, checked from a directory outside the repository with
# no `shared/` anywhere above it:
#  1. every publishable crate packages and builds from its packaged files alone
#     (`cargo package`, which verifies each one, the unpublished ones resolving from each
#     other);
#  2. `kubegen` installed with `cargo install --path codegen` generates a supported version
#     (`--kube-version v1.33`) and a CRD-only crate offline, and both compile against the
#     runtime and kubegen-api (path overrides standing in for the registry);
#  3. a program depending on kubegen-testserver and kubegen-api by path starts a TestServer
#     (the spec it serves comes from inside the crate) and lists pods through the clientset.
# Usage: scripts/check-standalone.sh [--no-package]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
package=1
[[ ${1:-} == --no-package ]] && package=0

work=$(mktemp -d /tmp/kubegen-standalone.XXXXXX)
trap 'rm -rf "$work"' EXIT
for dir in "$work" $(dirname "$work"); do
  d=$dir
  while [[ $d != / ]]; do
    [[ -e $d/shared ]] && { echo "check-standalone: $d/shared exists above $work" >&2; exit 1; }
    d=$(dirname "$d")
  done
done
# The workspace's own target dir: dependencies built by the other CI steps are reused.
export CARGO_TARGET_DIR=$root/target
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)

if [[ $package == 1 ]]; then
  echo "== cargo package (each crate compiled (checked) from its packaged files)"
  crates=(kubegen-openapi kubegen-meta kubegen-runtime kubegen kubegen-api kubegen-testserver kubegen-controller)
  (cd "$root" && cargo package --allow-dirty --no-verify -q "${crates[@]/#/-p}")
  # Verified here rather than by `cargo package`: cargo unpacks the crates it verifies
  # against into `$CARGO_HOME/registry/src/`, under a name that is the same for every run
  # at one path, and reuses an earlier copy and its builds (registry crates count as
  # immutable), so a second clone at the same path was checked against stale sources.
  # Unpacked at a new path each run, with each other patched in, nothing stale is reused.
  patches=()
  for crate in "${crates[@]}"; do
    tar -xzf "$root/target/package/$crate-$version.crate" -C "$work"
    patches+=(--config "patch.crates-io.$crate.path=\"$work/$crate-$version\"")
  done
  rm -rf "$root/target/package"   # the sources are unpacked; the copies take gigabytes
  for crate in "${crates[@]}"; do
    cp "$root/Cargo.lock" "$work/$crate-$version/"   # dependencies already built are reused
    cargo check -q --manifest-path "$work/$crate-$version/Cargo.toml" "${patches[@]}"
  done
fi

echo "== cargo install --path codegen"
cargo install -q --debug --locked --path "$root/codegen" --root "$work/install"
kubegen=$work/install/bin/kubegen
patch="[patch.crates-io]
kubegen-runtime = { path = \"$root/runtime\" }
kubegen-meta = { path = \"$root/meta\" }
kubegen-api = { path = \"$root/generated\" }

[workspace]"

cd "$work"
echo "== kubegen generate --kube-version v1.33"
"$kubegen" generate --kube-version v1.33 --out v133 --crate-name kubegen-api-v1-33
printf '\n%s\n' "$patch" >> v133/Cargo.toml
cp "$root/Cargo.lock" v133/   # the workspace's versions: dependencies already built are reused
cargo check -q --manifest-path v133/Cargo.toml --all-features
echo "v1.33: $(find v133/src -name '*.rs' | wc -l) files, compiles"

echo "== kubegen generate --crd"
cp "$root/fixtures/crds/certificates.cert-manager.io.yaml" .
"$kubegen" generate --crd certificates.cert-manager.io.yaml --out certs --crate-name certs
printf '\n%s\n' "$patch" >> certs/Cargo.toml
cp "$root/Cargo.lock" certs/
cargo check -q --manifest-path certs/Cargo.toml
echo "CRD-only crate: compiles"

echo "== bad input is a clear error"
expect_error() {
  local want=$1; shift
  if out=$("$kubegen" "$@" 2>&1); then echo "expected failure: kubegen $*" >&2; exit 1; fi
  grep -q -- "$want" <<<"$out" || { echo "kubegen $*: expected '$want' in: $out" >&2; exit 1; }
}
expect_error 'unknown Kubernetes version "v1.99"' generate --kube-version v1.99 --out bad1
expect_error 'missing.yaml' generate --crd missing.yaml --out bad2
mkdir -p corrupt/v3 && echo 'not gzip' > corrupt/v3/api__v1_openapi.json.gz
expect_error 'not a valid gzip document' generate --spec corrupt --out bad3

echo "== a TestServer in a user's program"
mkdir -p user/src
cat > user/Cargo.toml <<TOML
[package]
name = "testserver-user"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
kubegen-testserver = { path = "$root/testserver" }
kubegen-api = { path = "$root/generated", default-features = false, features = ["core-v1", "client"] }
kubegen-runtime = { path = "$root/runtime" }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }

[workspace]
TOML
cat > user/src/main.rs <<'RUST'
use kubegen_api::Clientset;
use kubegen_runtime::config::{Config, Overrides};
use kubegen_runtime::rest::{Client, ListOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = kubegen_testserver::TestServer::start().await?;
    let path = std::env::temp_dir().join(format!("testserver-user-{}", std::process::id()));
    server.write_kubeconfig(&path)?;
    let config = Config::from_kubeconfig_file(&path, Overrides::default())?;
    std::fs::remove_file(&path)?;
    let clientset = Clientset::new(Client::new(config)?);
    let namespaces = clientset.core_v1().namespaces().list(&ListOptions::default()).await?;
    let pods = clientset.core_v1().pods("default").list(&ListOptions::default()).await?;
    println!("namespaces: {}, pods in default: {}", namespaces.items.len(), pods.items.len());
    Ok(())
}
RUST
cp "$root/Cargo.lock" user/Cargo.lock
cargo run -q --manifest-path user/Cargo.toml
echo "standalone: ok"
