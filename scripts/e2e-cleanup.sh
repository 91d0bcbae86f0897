#!/usr/bin/env bash
# Deletes what the integration tests left on a cluster: every cluster-scoped object labelled
# kubegen.dev/e2e (test namespaces included, which takes their contents with them).
# Usage: scripts/e2e-cleanup.sh KUBECONFIG [CONTEXT]
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: scripts/e2e-cleanup.sh KUBECONFIG [CONTEXT]" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
exec cargo run -q -p kubegen-test-support --bin kubegen-e2e-cleanup -- "$@"
