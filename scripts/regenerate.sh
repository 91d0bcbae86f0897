#!/usr/bin/env bash
# Regenerates generated/ (kubegen-api) from the pinned spec (../shared/openapi/v1.36).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q -p kubegen --release -- generate --workspace --out generated "$@"
# The generator bundles kubegen-api's manifest (CRD-only generation maps built-ins onto it).
cp generated/manifest.json codegen/data/kubegen-api.manifest.json
