#!/usr/bin/env bash
# Fuzzes every target (or the ones named) with libFuzzer on the stable toolchain: the same
# instrumentation cargo-fuzz adds (`cargo fuzz run --sanitizer none`), without nightly.
# New inputs go to a scratch corpus; `MERGE=1` folds the ones adding coverage into the
# committed corpus/<target>. Crashes are written to $OUT/<target>-crash-*.
# Usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]   (default 600 s, every target)
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(watch_event fields_v1 json_text kubeconfig crd_manifest openapi_spec label_selector field_selector quantity time)
fi
host=$(rustc -vV | sed -n 's/^host: //p')
# --target: the flags then reach only the target's code, not build scripts or proc macros.
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
cargo build --release --features libfuzzer --target "$host" --bins
bin=${CARGO_TARGET_DIR:-target}/$host/release
OUT=${OUT:-$(mktemp -d /tmp/kubegen-fuzz.XXXXXX)}
echo "scratch corpora and crashes in $OUT"
status=0
for t in "${targets[@]}"; do
  mkdir -p "$OUT/$t"
  echo "== $t for ${seconds}s"
  # Bounded: 10 s per input, 2 GB of memory, 256 MB in one allocation.
  if ! "$bin/$t" "$OUT/$t" "corpus/$t" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -malloc_limit_mb=256 -artifact_prefix="$OUT/$t-" \
      -print_final_stats=1 2> "$OUT/$t.log"; then
    status=1
    echo "$t: FAILED (see $OUT/$t.log)"
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$OUT/$t.log" || true
  if [ "${MERGE:-}" = 1 ]; then
    "$bin/$t" -merge=1 "corpus/$t" "$OUT/$t" 2>> "$OUT/$t.log" >/dev/null
  fi
done
exit $status
