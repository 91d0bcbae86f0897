#!/usr/bin/env bash
# Runs every integration suite that uses kubegen-test-support against the cluster of a
# kubeconfig, then prints the passed, failed and skipped (with reason) tests.
# Usage: scripts/e2e.sh KUBECONFIG [CONTEXT]
# Suites: each tests/*.rs file of a member crate (nested ones too) that uses
# kubegen_test_support. Leftovers of crashed runs:
# scripts/e2e-cleanup.sh KUBECONFIG [CONTEXT]. Extra cargo flags: E2E_CARGO_FLAGS.
set -uo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ] || [ ! -f "$1" ]; then
  echo "usage: scripts/e2e.sh KUBECONFIG [CONTEXT]" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
KUBEGEN_E2E_KUBECONFIG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
export KUBEGEN_E2E_KUBECONFIG
if [ $# -eq 2 ]; then export KUBEGEN_E2E_CONTEXT=$2; else unset KUBEGEN_E2E_CONTEXT; fi
cd "$root"

# "--test a --test b ..." for every suite using the test environment. One cargo invocation over
# the workspace, so features unify as in `cargo test --workspace` and nothing is rebuilt.
tests=""
for f in */tests/*.rs */*/tests/*.rs; do
  [ -f "$f" ] || continue
  grep -q 'kubegen_test_support' "$f" || continue
  tests+=" --test $(basename "$f" .rs)"
done
if [ -z "$tests" ]; then
  echo "e2e: no suites use kubegen_test_support" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KUBEGEN_E2E_SKIP_LOG=$work/skipped
: > "$KUBEGEN_E2E_SKIP_LOG"
status=0
echo "== suites:$tests"
# --no-fail-fast: one failing suite must not hide the others' results.
# shellcheck disable=SC2086
cargo test ${E2E_CARGO_FLAGS:-} --workspace --no-fail-fast $tests 2>&1 | tee -a "$work/log"
if [ "${PIPESTATUS[0]}" -ne 0 ]; then
  status=1
  echo "cargo test" >> "$work/cargo-failed"
fi

# "<suite> <test>" of each result line, the suite taken from cargo's "Running" line.
results() {
  awk -v want="$1" '
    /^ *Running / { n = split($0, p, "[/ ()]+"); for (i = 1; i <= n; i++) if (p[i] ~ /\.rs$/) { s = p[i]; sub(/\.rs$/, "", s) } }
    $1 == "test" && $NF == want && $(NF-1) == "..." { print s, $2 }
  ' "$work/log" | sort -u
}
results ok > "$work/ok"
results FAILED > "$work/failed"
cut -f1 "$KUBEGEN_E2E_SKIP_LOG" | sort -u > "$work/skipped-names"
comm -23 "$work/ok" "$work/skipped-names" > "$work/passed"

echo
echo "== e2e against $KUBEGEN_E2E_KUBECONFIG${KUBEGEN_E2E_CONTEXT:+ (context $KUBEGEN_E2E_CONTEXT)}"
echo "passed: $(wc -l < "$work/passed")"
sed 's/^/  /' "$work/passed"
echo "failed: $(wc -l < "$work/failed")"
sed 's/^/  /' "$work/failed"
echo "skipped: $(sort -u "$KUBEGEN_E2E_SKIP_LOG" | wc -l)"
sort -u "$KUBEGEN_E2E_SKIP_LOG" | sed 's/\t/: /; s/^/  /'
if [ -s "$work/cargo-failed" ]; then
  echo "cargo test exited with an error (build failure or failed tests; see above)"
fi
if [ -s "$work/failed" ]; then status=1; fi
exit $status
