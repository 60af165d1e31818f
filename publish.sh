#!/usr/bin/env bash
# Publishes the quarry executable for linux-x64 into one folder (default ./artifacts/quarry):
#   OUT/quarry      NativeAOT launcher: runs --version and mine itself, execs OUT/app/quarry for every other command
#   OUT/app/        the full application, framework-dependent, ReadyToRun-compiled (needs the .NET 10 runtime)
# Usage: ./publish.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")"
out=$(realpath -m "${1:-artifacts/quarry}")
rm -rf "$out"
dotnet publish src/Quarry -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$out/app" --nologo -v:q -clp:NoSummary
dotnet publish src/Quarry.Launcher -c Release -r linux-x64 -o "$out/launcher" --nologo -v:q -clp:NoSummary
mv "$out/launcher/quarry" "$out/quarry"
rm -rf "$out/launcher"
echo "published $out/quarry (launcher) and $out/app/ (application)"
