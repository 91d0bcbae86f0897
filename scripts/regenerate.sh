#!/usr/bin/env bash
# Regenerates generated/ (kubegen-api) from the pinned spec that kubegen carries
# (openapi/v1.36), then refreshes the copy of its manifest the generator bundles.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q -p kubegen -- generate --kube-version v1.36 \
  --crate-settings scripts/kubegen-api.toml --out generated "$@"
# The generator bundles kubegen-api's manifest (CRD-only generation maps built-ins onto it).
cp generated/manifest.json codegen/data/kubegen-api.manifest.json
