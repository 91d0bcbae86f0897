#!/usr/bin/env bash
# Generates a crate from another Kubernetes version's spec and compiles it (default v1.33).
# Usage: scripts/check-other-versions.sh [v1.33 v1.34 ...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(v1.33)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
cargo build -q -p kubegen --release
for v in "${versions[@]}"; do
  out="$tmp/kubegen-api-$v"
  ./target/release/kubegen generate --kube-version "$v" --out "$out" \
    --crate-name "kubegen-api-${v//./-}" --runtime-path "$root/runtime"
  echo "[workspace]" >> "$out/Cargo.toml"
  CARGO_TARGET_DIR="$root/target/other-versions" cargo check -q --manifest-path "$out/Cargo.toml" --all-features
  echo "$v: generated $(find "$out/src" -name '*.rs' | wc -l) files, compiles"
done
