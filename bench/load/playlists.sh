#!/usr/bin/env bash
# Load test of POST /api/recommend next to GET /healthz on the same server, in the same run.
# Usage: bench/load/playlists.sh [duration=60s] [connections=16]
# Needs: wrk (Debian package), python3. Builds Release, trains the demo model, serves on 127.0.0.1.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
duration=${1:-60s}
connections=${2:-16}
. "$root/bench/load/common.sh" playlists

dotnet build "$root/src/Quarry" -c Release --nologo -v:q -clp:NoSummary >/dev/null
quarry="$root/src/Quarry/bin/Release/net10.0/quarry.dll"
dotnet "$quarry" datasets make playlists --out "$work/playlists.csv" >/dev/null
dotnet "$quarry" train playlists --dataset "$work/playlists.csv" --data-dir "$work/data" 2>/dev/null
Logging__LogLevel__Default=Warning dotnet "$quarry" serve --data-dir "$work/data" --urls "http://127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 200); do curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" && break; sleep 0.1; done

export SONGS=$(rule_songs "http://127.0.0.1:$port")
echo "request: {\"songs\":$SONGS}"
curl -s -X POST "http://127.0.0.1:$port/api/recommend" -d "{\"songs\":$SONGS}" | head -c 400; echo

echo "== warm-up"
wrk -t1 -c"$connections" -d5s -s "$root/bench/load/recommend.lua" "http://127.0.0.1:$port/api/recommend" >/dev/null
for target in healthz recommend; do
  echo "== $target ($duration, $connections connections, 1 wrk thread)"
  if [ "$target" = recommend ]; then
    wrk -t1 -c"$connections" -d"$duration" --latency -s "$root/bench/load/recommend.lua" "http://127.0.0.1:$port/api/recommend"
  else
    wrk -t1 -c"$connections" -d"$duration" --latency "http://127.0.0.1:$port/healthz"
  fi
done
echo "server RSS: $(grep VmHWM /proc/$server_pid/status)"
