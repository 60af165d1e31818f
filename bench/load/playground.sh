#!/usr/bin/env bash
# Playground latency: print(5) through POST /py/eval back to back and at a fixed rate, next to plain
# `python3 -c 'print(5)'` processes started in the same run.
# Usage: bench/load/playground.sh [requests=500] [rate=5] [seconds=60] [baseline=200]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
requests=${1:-500}; rate=${2:-5}; seconds=${3:-60}; baseline=${4:-200}
. "$root/bench/load/common.sh" playground

dotnet build "$root/src/Quarry" -c Release --nologo -v:q -clp:NoSummary >/dev/null
dotnet build "$root/bench/Quarry.Bench" -c Release --nologo -v:q -clp:NoSummary >/dev/null

Quarry__Movies__Bootstrap=false Quarry__Playlists__Bootstrap=false Quarry__Predict__Bootstrap=false Logging__LogLevel__Default=Warning \
  dotnet "$root/src/Quarry/bin/Release/net10.0/quarry.dll" serve --data-dir "$work/data" --urls "http://127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/serve.log"; exit 1; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(/usr/bin/python3 --version)"
dotnet "$root/bench/Quarry.Bench/bin/Release/net10.0/Quarry.Bench.dll" playground --url "http://127.0.0.1:$port" \
  --requests "$requests" --rate "$rate" --seconds "$seconds" --baseline "$baseline"
