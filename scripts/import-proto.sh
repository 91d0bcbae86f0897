#!/usr/bin/env bash
# Imports the protobuf schemas of a Kubernetes version into kubegen-openapi:
#
#   scripts/import-proto.sh v1.NN PROTO_DIR GO_SRC_DIR
#
# PROTO_DIR holds the `generated.proto` files at their import paths (`k8s.io/api/core/v1/...`);
# GO_SRC_DIR holds the Go sources of the same release at the same paths (k8s.io/api,
# k8s.io/apiextensions-apiserver/pkg/apis, k8s.io/kube-aggregator/pkg/apis). Every
# `generated.proto` except apimachinery's (whose types kubegen-meta codes by hand) is stored
# gzip-compressed under `openapi/v1.NN/proto/`, with the SHA-256 of each in `SHA256SUMS`.
#
# The .proto files do not say which fields Go holds as plain values: such a scalar field is
# always on the protobuf wire, its zero value included, while the JSON form leaves it out
# (`omitempty`). `zero-is-unset.txt` lists them, one message a line (`package.Message field
# field...`), so protobuf decoding reads their zero value as unset, as the JSON form shows it.
set -euo pipefail
version=${1:?usage: import-proto.sh v1.NN PROTO_DIR GO_SRC_DIR}
proto_dir=${2:?PROTO_DIR}
go_dir=${3:?GO_SRC_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/openapi/$version/proto
rm -rf "$out"
mkdir -p "$out"
cd "$proto_dir"
files=$(find k8s.io -name generated.proto -not -path 'k8s.io/apimachinery/*' | LC_ALL=C sort)
: > "$out/SHA256SUMS"
: > "$out/zero-is-unset.txt.tmp"
for f in $files; do
    mkdir -p "$out/$(dirname "$f")"
    gzip -9 -n -c "$f" > "$out/$f.gz"
    (cd "$proto_dir" && sha256sum "$f") >> "$out/SHA256SUMS"
    package=$(sed -n 's/^package \(.*\);$/\1/p' "$f")
    dir=$go_dir/$(dirname "$f")
    # Go struct fields with a protobuf tag, held by value (no `*`, `[]`, `map[`), whose JSON
    # tag says `omitempty`.
    find "$dir" -maxdepth 1 -name '*.go' -not -name '*_test.go' -not -name 'generated.pb.go' \
        -not -name 'zz_generated*' | LC_ALL=C sort | xargs cat | awk -v pkg="$package" '
        /^type [A-Za-z0-9_]+ struct \{/ { msg = $2; fields = ""; next }
        msg != "" && /^\}/ { if (fields != "") print pkg "." msg fields; msg = ""; next }
        msg != "" && /protobuf:"/ && /json:"[^"]*,omitempty/ {
            if ($2 ~ /^(\*|\[\]|map\[)/) next
            if (match($0, /protobuf:"[^"]*name=[A-Za-z0-9_]+/) == 0) next
            tag = substr($0, RSTART, RLENGTH); sub(/.*name=/, "", tag)
            fields = fields " " tag
        }' >> "$out/zero-is-unset.txt.tmp"
done
LC_ALL=C sort "$out/zero-is-unset.txt.tmp" > "$out/zero-is-unset.txt"
rm "$out/zero-is-unset.txt.tmp"
echo "imported $(echo "$files" | wc -w) .proto files into $out"
