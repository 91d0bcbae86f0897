#!/usr/bin/env bash
# Fails with a readable diff when generated/ is not exactly what the generator produces.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo run -q -p kubegen --release -- generate --workspace --out "$tmp/generated" "$@"
if ! diff -ru generated "$tmp/generated" > "$tmp/diff"; then
  echo "generated/ differs from the generator's output (first 200 lines of the diff):" >&2
  head -n 200 "$tmp/diff" >&2
  echo "Regenerate with scripts/regenerate.sh and commit the result." >&2
  exit 1
fi
echo "generated/ is up to date"
