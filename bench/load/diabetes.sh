#!/usr/bin/env bash
# Single-row diabetes prediction end to end through the embedded queue and in-process workers (what a fresh
# `quarry serve` runs), at a fixed rate next to GET /healthz, reading the server's own time from Server-Timing.
# Usage: bench/load/diabetes.sh [rate=100] [seconds=60]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rate=${1:-100}; seconds=${2:-60}
. "$root/bench/load/common.sh" diabetes

dotnet build "$root/src/Quarry" -c Release --nologo -v:q -clp:NoSummary >/dev/null
dotnet build "$root/bench/Quarry.Bench" -c Release --nologo -v:q -clp:NoSummary >/dev/null
bench="dotnet $root/bench/Quarry.Bench/bin/Release/net10.0/Quarry.Bench.dll"
Quarry__Movies__Bootstrap=false Quarry__Playlists__Bootstrap=false Logging__LogLevel__Default=Warning \
  dotnet "$root/src/Quarry/bin/Release/net10.0/quarry.dll" serve --data-dir "$work/data" --urls "http://127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server_pid=$!
ready() { curl -s "http://127.0.0.1:$port/readyz" | grep -q '"diabetes":{"status":"healthy"'; }
for _ in $(seq 600); do ready && break; sleep 0.2; done
ready || { echo "diabetes model not loaded"; cat "$work/serve.log"; exit 1; }

python3 - "$work/bodies.txt" <<'PY'
import json, random, sys
rng = random.Random(42)
with open(sys.argv[1], "w") as f:
    for _ in range(1000):
        row = [rng.randint(0, 12), rng.randint(60, 190), rng.randint(50, 100), rng.randint(10, 50), rng.randint(0, 300),
               round(rng.uniform(19, 50), 1), round(rng.uniform(0.1, 1.5), 3), rng.randint(21, 70)]
        f.write(json.dumps({"rows": [row]}) + "\n")
PY
echo "== GET /healthz at $rate req/s (baseline)"
$bench rate --url "http://127.0.0.1:$port/healthz" --rate "$rate" --seconds "$seconds"
echo "== POST /api/predict/diabetes (one row, through the embedded queue and a worker) at $rate req/s"
$bench rate --url "http://127.0.0.1:$port/api/predict/diabetes" --bodies-file "$work/bodies.txt" --rate "$rate" --seconds "$seconds"
