#!/usr/bin/env bash
# Whole-process and mining-only comparison of `quarry mine` with Christian Borgelt's C eclat, built from source in this run.
# Usage: bench/fimi/compare-eclat.sh ECLAT_SOURCE_DIR [DATA_DIR] [RUNS]
#   ECLAT_SOURCE_DIR (or env ECLAT_SRC): a folder with eclat/src, tract/src, util/src, math/src and apriori/src of his
#     FIM sources (not part of this repository); it is copied to a temporary folder and built there with its makefile.
#   DATA_DIR: the FIMI files (default ../shared/data/fimi beside the repository); RUNS: runs per command (default 10).
# Needs gcc, make, python3, hyperfine. Publishes quarry with ./publish.sh (or uses QUARRY_PUBLISHED=DIR, a folder it
# already wrote) and builds bench/Quarry.Bench (Release).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source_dir=${1:-${ECLAT_SRC:-}}
data=${2:-$root/../shared/data/fimi}
runs=${3:-10}
if [ -z "$source_dir" ] || [ ! -f "$source_dir/eclat/src/makefile" ]; then
  echo "usage: $0 ECLAT_SOURCE_DIR [DATA_DIR] [RUNS]  (ECLAT_SOURCE_DIR must hold eclat/src/makefile)" >&2
  exit 2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/quarry-eclat.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "building eclat from $source_dir"
mkdir -p "$work/eclat-src"
for part in eclat tract util math apriori; do cp -r "$source_dir/$part" "$work/eclat-src/"; done
find "$work/eclat-src" -name '*.o' -delete
make -s -C "$work/eclat-src/eclat/src" eclat >/dev/null 2>"$work/eclat-build.log" || { cat "$work/eclat-build.log"; exit 1; }
eclat="$work/eclat-src/eclat/src/eclat"
"$eclat" 2>&1 | sed -n 3p

if [ -n "${QUARRY_PUBLISHED:-}" ]; then
  ln -s "$(realpath "$QUARRY_PUBLISHED")" "$work/quarry"
else
  echo "publishing quarry"
  "$root/publish.sh" "$work/quarry" >/dev/null
fi
dotnet build "$root/bench/Quarry.Bench" -c Release --nologo -v:q -clp:NoSummary >/dev/null
python3 "$root/bench/fimi/compare.py" --eclat "$eclat" --quarry "$work/quarry/quarry" \
  --bench "$root/bench/Quarry.Bench/bin/Release/net10.0/Quarry.Bench.dll" --data "$data" --runs "$runs" --work "$work"
