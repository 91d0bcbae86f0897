#!/usr/bin/env bash
# Informer sync benchmark (not part of CI): kubegen's informer (full and metadata-only) versus
# kube-rs 5's watcher + reflector and a plain GET, against one kubegen-testserver holding N
# realistic pods; each side in its own process. Prints time to synced, events/s, peak RSS and
# RSS after sync, and the ratios. Usage: scripts/bench-informers.sh [--pods 50000] [--rounds 1]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release -q -p kubegen-testserver --manifest-path "$root/Cargo.toml"
cd "$root/bench"
cargo run --release -q --bin informer_sync -- --testserver "$root/target/release/kubegen-testserver" "$@"
