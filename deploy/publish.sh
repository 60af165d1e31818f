#!/usr/bin/env bash
# Publishes the quarry executable (framework-dependent, every role, the web UI) into one directory.
# The Dockerfile's build stage runs this, and so does the test that proves the image's steps in CI.
#   deploy/publish.sh OUT_DIR        (QUARRY_REVISION=<commit> stamps the build metadata when there is no .git)
set -euo pipefail
out=${1:?usage: deploy/publish.sh OUT_DIR}
cd "$(dirname "$0")/.."

args=(src/Quarry/Quarry.csproj -c Release -o "$out" --nologo -v:q -clp:NoSummary -p:UseAppHost=false)
if [ -n "${QUARRY_REVISION:-}" ]; then
  args+=("-p:SourceRevisionId=$QUARRY_REVISION")
fi
dotnet publish "${args[@]}"
# The image is glibc Linux: native libraries for other platforms only take space.
find "$out/runtimes" -mindepth 1 -maxdepth 1 -type d ! -name linux-x64 ! -name linux-arm64 -exec rm -rf {} +
test -f "$out/quarry.dll" && test -d "$out/wwwroot"
