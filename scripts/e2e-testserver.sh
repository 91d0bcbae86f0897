#!/usr/bin/env bash
# The real-cluster path without a cluster: starts kubegen-testserver as a separate process
# on loopback (TLS and a token), and runs scripts/e2e.sh through the kubeconfig it writes,
# so the runtime's config loader is what connects. Used by .ci/run.
# Usage: scripts/e2e-testserver.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build -q -p kubegen-testserver --bin kubegen-testserver
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
target/debug/kubegen-testserver --port 0 --tls --token "e2e-$RANDOM$RANDOM" \
  --kubeconfig "$work/kubeconfig" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  [ -f "$work/kubeconfig" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "kubegen-testserver exited:" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
[ -f "$work/kubeconfig" ] || { echo "kubegen-testserver wrote no kubeconfig" >&2; exit 1; }
head -n1 "$work/server.log"
scripts/e2e.sh "$work/kubeconfig"
# The sweep must find nothing a passing run left behind (and its binary must work).
scripts/e2e-cleanup.sh "$work/kubeconfig"
