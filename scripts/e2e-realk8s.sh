#!/usr/bin/env bash
# The real server in CI: starts the kube-apiserver + etcd of realk8s (REALK8S_DIR, default
# ../shared/realk8s beside the checkout; skipped with a message when it is not there), then
#  1. runs every integration suite against it (scripts/e2e.sh), and the differential suite
#     that sends the same requests to it and to the test server and compares the answers;
#  2. runs the examples against it (client_go_tour, get, the CRD build.rs example);
#  3. installs the fetch-generated example's CRDs, `kubegen fetch`es the server's documents,
#     builds that example from them and runs its typed-client and informer tests there;
#  4. runs the chaos suite's short version (runtime/tests/chaos.rs: informers through a
#     fault proxy, the server killed and restarted, etcd compacted; KUBEGEN_CHAOS_SECONDS,
#     default 45 here) — last, since it restarts the server;
# and stops the server. Exits non-zero when anything fails.
# Usage: scripts/e2e-realk8s.sh   (APISERVER_PORT etc. as realk8s's start.sh reads them)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
realk8s=${REALK8S_DIR:-$root/../shared/realk8s}
if [[ ! -x $realk8s/start.sh ]]; then
  echo "e2e-realk8s: skipped: no real server at $realk8s (set REALK8S_DIR)"
  exit 0
fi
state=$(mktemp -d /tmp/kubegen-realk8s.XXXXXX)
cleanup() { "$realk8s/stop.sh" "$state" > /dev/null 2>&1; rm -rf "$state"; }
trap cleanup EXIT
if ! RESET=1 "$realk8s/start.sh" "$state" > "$state/start.log" 2>&1; then
  cat "$state/start.log" >&2
  exit 1
fi
tail -n 2 "$state/start.log" | head -n 1
kc=$state/kubeconfig
failed=()
step() {
  local name=$1; shift
  echo "== $name"
  "$@" || failed+=("$name")
}

step "integration suites" scripts/e2e.sh "$kc"
step "differential: test server vs real server" env KUBEGEN_E2E_KUBECONFIG="$kc" \
  cargo test -q -p kubegen-testserver --test differential

export KUBECONFIG=$kc
step "example client_go_tour" cargo run -q -p kubegen-examples --example client_go_tour
step "example get" cargo run -q -p kubegen-examples --example get -- pods -A

# CRDs go in through the API as YAML, as `kubectl apply` sends them.
api() {
  curl -sS --cacert "$state/pki/ca.crt" -H "Authorization: Bearer $(cat "$state/admin.token")" "$@"
}
install_crds() {
  local f name
  for f in examples/crd-build/crds/*.yaml examples/fetch-generated/crds/*.yaml; do
    local out
    out=$(api -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/yaml' \
      --data-binary "@$f" "$(server)/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
    [[ $out == 201 || $out == 409 ]] || { echo "installing $f: HTTP $out" >&2; return 1; }
  done
  for name in widgets.example.com $(grep -h '^  name:' examples/fetch-generated/crds/*.yaml | awk '{print $2}'); do
    for _ in $(seq 1 50); do
      local crd
      crd=$(api "$(server)/apis/apiextensions.k8s.io/v1/customresourcedefinitions/$name")
      grep -q '"type": *"Established"' <<<"$crd" && continue 2
      sleep 0.2
    done
    echo "CRD $name never became Established" >&2
    return 1
  done
}
server() { grep -m1 'server:' "$kc" | awk '{print $2}'; }
step "install CRDs" install_crds
step "example crd-build" cargo run -q -p kubegen-example-crd-build -- default

fetch_and_test() {
  cargo run -q -p kubegen -- fetch --kubeconfig "$kc" --out "$state/fetched" \
    --include apis/stores.example.org --include apis/example.com || return 1
  KUBEGEN_FETCHED_SPEC=$state/fetched KUBEGEN_E2E_KUBECONFIG=$kc \
    cargo test -q -p kubegen-example-fetch-generated --test against_testserver
}
step "kubegen fetch from the real server, then the generated crate's tests" fetch_and_test

# The chaos suite kills the apiserver and starts both again on the same state (data kept),
# and compacts through etcd's own API.
chaos_restart="kill -KILL \$(cat '$state/pids/kube-apiserver.pid') 2>/dev/null; \
  '$realk8s/stop.sh' '$state' && '$realk8s/start.sh' '$state'"
step "chaos: informers through faults, a restart and compaction" env \
  KUBEGEN_E2E_KUBECONFIG="$kc" KUBEGEN_CHAOS_RESTART="$chaos_restart" \
  KUBEGEN_CHAOS_ETCD_URL="http://127.0.0.1:${ETCD_CLIENT_PORT:-2379}" \
  KUBEGEN_CHAOS_SECONDS="${KUBEGEN_CHAOS_SECONDS:-45}" \
  cargo test -q -p kubegen-runtime --test chaos -- --nocapture

echo
if [[ ${#failed[@]} -gt 0 ]]; then
  printf 'e2e-realk8s: FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "e2e-realk8s: all steps passed"
