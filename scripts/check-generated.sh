#!/usr/bin/env bash
# Fails with a readable diff when generated/ is not exactly what the generator produces
# (`kubegen check`: the verify-codegen step, also offered to users for their own crates).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q -p kubegen -- check --kube-version v1.36 \
  --crate-settings scripts/kubegen-api.toml --out generated "$@"
