#!/usr/bin/env bash
# Imports a Kubernetes version's OpenAPI v3 spec into openapi/VERSION/, the form the
# `kubegen-openapi` crate embeds: one gzip file per document (`v3/*_openapi.json.gz`, written
# with `gzip -n` so the same input gives the same bytes), `SHA256SUMS` of the uncompressed
# documents, and `SOURCE.md` saying where they came from.
#
#   scripts/import-spec.sh v1.37 DIR [--source "TEXT"]
#
# DIR is what `kubegen fetch --out DIR` wrote (its `fetch-lock.json` names the server and its
# version) or any folder holding `v3/*_openapi.json`. A new version is added to
# openapi/versions.toml; make it the pinned one there by hand.
set -euo pipefail
usage() { echo "usage: $0 VERSION DIR [--source TEXT]" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
version=$1 src=$2; shift 2
source_text=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --source) [[ $# -ge 2 ]] || usage; source_text=$2; shift 2 ;;
    *) usage ;;
  esac
done
[[ $version =~ ^v1\.[0-9]+$ ]] || { echo "$0: version must look like v1.36, got '$version'" >&2; exit 2; }
docs=$src/v3
[[ -d $docs ]] || docs=$src
shopt -s nullglob
files=("$docs"/*_openapi.json)
[[ ${#files[@]} -gt 0 ]] || { echo "$0: no *_openapi.json documents in $docs" >&2; exit 1; }
for f in "${files[@]}"; do
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$f" \
    || { echo "$0: $f is not valid JSON" >&2; exit 1; }
done

root=$(cd "$(dirname "$0")/.." && pwd)
dest=$root/openapi/$version
staging=$(mktemp -d "$root/openapi/.import-$version.XXXXXX")
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/v3"
for f in "${files[@]}"; do
  gzip -n -9 -c "$f" > "$staging/v3/$(basename "$f").gz"
done
(cd "$docs" && sha256sum -- *_openapi.json) > "$staging/SHA256SUMS"

{
  echo "# Kubernetes $version: OpenAPI v3 documents"
  echo
  echo "Imported on $(date -u +%Y-%m-%d) by \`scripts/import-spec.sh\`: ${#files[@]} documents,"
  echo "gzip-compressed; \`SHA256SUMS\` holds the hashes of the uncompressed documents (the"
  echo "\`kubegen-openapi\` crate's tests check them)."
  echo
  echo "## Where they came from"
  echo
  if [[ -n $source_text ]]; then
    echo "$source_text"
  elif [[ -f $src/SOURCE.txt ]]; then
    cat "$src/SOURCE.txt"
  elif [[ -f $src/fetch-lock.json ]]; then
    python3 - "$src/fetch-lock.json" <<'PY'
import json, sys
lock = json.load(open(sys.argv[1]))
v = lock.get("serverVersion", {})
print(f"`kubegen fetch` from {lock.get('server', '?')}: gitVersion {v.get('gitVersion', '?')}, "
      f"gitCommit {v.get('gitCommit', '?')}, built {v.get('buildDate', '?')}.")
PY
  else
    echo "Not recorded: pass --source."
  fi
} > "$staging/SOURCE.md"

rm -rf "$dest"
mv "$staging" "$dest"
trap - EXIT
chmod 755 "$dest"

if ! grep -q "^name = \"$version\"" "$root/openapi/versions.toml"; then
  printf '\n[[version]]\nname = "%s"\nspec = "%s"\n' "$version" "$version" >> "$root/openapi/versions.toml"
fi
echo "imported $version: ${#files[@]} documents into openapi/$version ($(du -sh "$dest" | cut -f1))"
