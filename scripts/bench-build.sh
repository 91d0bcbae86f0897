#!/usr/bin/env bash
# Clean-build time of kubegen-api versus k8s-openapi 0.29 (feature v1_36, types only), dev
# profile, in one run: everything, all group-versions' types, then only core-v1 + apps-v1. Prints seconds and ratios (targets: ≤ 0.8 and
# ≤ 0.3). Not part of CI. Usage: scripts/bench-build.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make_crate() { # name, dependency lines
  mkdir -p "$tmp/$1/src"
  printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2021"\n\n[workspace]\n\n[dependencies]\n%s\n' "$1" "$2" > "$tmp/$1/Cargo.toml"
  echo 'fn main() {}' > "$tmp/$1/src/main.rs"
  (cd "$tmp/$1" && cargo fetch -q)
}

clean_build() { # name -> seconds
  rm -rf "$tmp/$1/target"
  local start end
  start=$(date +%s.%N)
  (cd "$tmp/$1" && cargo build -q)
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

make_crate ours-all "kubegen-api = { path = \"$root/generated\" }"
make_crate ours-types "kubegen-api = { path = \"$root/generated\", default-features = false, features = [\"all\"] }"
make_crate ours-two "kubegen-api = { path = \"$root/generated\", default-features = false, features = [\"core-v1\", \"apps-v1\"] }"
make_crate peer "k8s-openapi = { version = \"0.29\", features = [\"v1_36\"] }"

peer=$(clean_build peer)
all=$(clean_build ours-all)
types=$(clean_build ours-types)
two=$(clean_build ours-two)
printf 'k8s-openapi 0.29 (v1_36)        %6.1f s\n' "$peer"
printf 'kubegen-api, everything (types, clients, informers: HTTP/TLS stack included) %6.1f s  ratio %.2f\n' "$all" "$(echo "$all / $peer" | bc -l)"
printf 'kubegen-api, all group-versions, types only  %6.1f s  ratio %.2f (target <= 0.8)\n' "$types" "$(echo "$types / $peer" | bc -l)"
printf 'kubegen-api, core-v1 + apps-v1  %6.1f s  ratio %.2f (target <= 0.3)\n' "$two" "$(echo "$two / $peer" | bc -l)"
