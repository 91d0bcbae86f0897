#!/usr/bin/env bash
# Informer sync benchmark (not part of CI) against a real API server: kubegen, client-go and
# kube-rs, each listing mode against the same mode of the peers, one process per side, in one
# run; prints time to synced, client CPU seconds and peak RSS, and the ratios.
#
#   scripts/bench-informers.sh --kubeconfig PATH [--client-go BIN] [--rounds 3]
#       [--modes watchlist,list,paged,metadata,proto]
#
# The server must hold the pods already, e.g. 50,000 of them:
#   (cd bench && cargo run --release --bin load_pods -- --kubeconfig PATH --count 50000)
# --client-go names a built client-go informer (a Go program syncing a pods informer through
# the kubeconfig and printing {"objects", "synced_s", ...} as JSON; flags -mode
# full|metadata); without it client-go's column is left out.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/bench"
cargo build --profile informers -q --bin informer_sync
exec "$root/bench/target/informers/informer_sync" "$@"
