#!/usr/bin/env bash
# Publishes the quarry executable into one folder (default ./artifacts/quarry). The Dockerfile's build stage runs this,
# and so does the test that proves the image's steps in CI (tests/Quarry.Deploy.Tests/ImageStepsTests.cs).
#   OUT/quarry      NativeAOT launcher: runs --version and mine itself, execs OUT/app/quarry for every other command
#   OUT/app/        the full application (every role, the web UI), framework-dependent, ReadyToRun (needs the .NET 10 runtime)
# Usage: ./publish.sh [OUT]
#   QUARRY_RID=linux-x64|linux-arm64   the target; default this machine's (NativeAOT links with the target's toolchain)
#   QUARRY_REVISION=<commit>           stamps the build metadata when there is no .git (the image's build stage)
set -euo pipefail
cd "$(dirname "$0")"
out=$(realpath -m "${1:-artifacts/quarry}")

case "$(uname -m)" in
  x86_64) host_rid=linux-x64 ;;
  aarch64 | arm64) host_rid=linux-arm64 ;;
  *) host_rid="" ;;
esac
rid=${QUARRY_RID:-$host_rid}
case "$rid" in
  linux-x64 | linux-arm64) ;;
  *) echo "error: Quarry publishes for linux-x64 or linux-arm64, not '${rid:-$(uname -m)}'; set QUARRY_RID" >&2; exit 2 ;;
esac

args=(-c Release -r "$rid" --nologo -v:q -clp:NoSummary)
if [ -n "${QUARRY_REVISION:-}" ]; then
  args+=("-p:SourceRevisionId=$QUARRY_REVISION")
fi

launcher=$(mktemp -d)
trap 'rm -rf "$launcher"' EXIT
# Only what this script writes is replaced: OUT may be a directory with its own owner and mode (the image's /app).
mkdir -p "$out"
rm -rf "$out/quarry" "$out/app"
dotnet publish src/Quarry/Quarry.csproj "${args[@]}" --self-contained false -p:PublishReadyToRun=true -o "$out/app"
dotnet publish src/Quarry.Launcher/Quarry.Launcher.csproj "${args[@]}" -o "$launcher"
mv "$launcher/quarry" "$out/quarry"
# The image is glibc Linux: native libraries for other platforms only take space (a RID-specific publish brings none).
if [ -d "$out/app/runtimes" ]; then
  find "$out/app/runtimes" -mindepth 1 -maxdepth 1 -type d ! -name "$rid" -exec rm -rf {} +
fi
test -x "$out/quarry" && test -x "$out/app/quarry" && test -f "$out/app/quarry.dll" && test -d "$out/app/wwwroot"
# The application must start here (the launcher answers --version itself, so ask the application): a ReadyToRun image
# compiled in another mode (a composite or self-contained publish of the same tree reuses obj/) aborts before Main.
if [ "$rid" = "$host_rid" ] && ! "$out/app/quarry" --version >/dev/null 2>&1; then
  echo "error: the published application $out/app/quarry does not start; delete src/*/obj and publish again" >&2
  exit 1
fi
echo "published $out/quarry (launcher) and $out/app/ (application) for $rid"
