#!/usr/bin/env bash
# The 100k-user movie benchmark: generate, import, train, then POST /api/movies/recommend at a fixed rate
# next to GET /healthz at the same rate (baseline), reading the server's own time from Server-Timing.
# Usage: bench/load/movies.sh [users=100000] [movies=10000] [ratings-per-user=20] [rate=200] [seconds=60]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
users=${1:-100000}; movies=${2:-10000}; per_user=${3:-20}; rate=${4:-200}; seconds=${5:-60}
. "$root/bench/load/common.sh" movies

dotnet build "$root/src/Quarry" -c Release --nologo -v:q -clp:NoSummary >/dev/null
dotnet build "$root/bench/Quarry.Bench" -c Release --nologo -v:q -clp:NoSummary >/dev/null
quarry="dotnet $root/src/Quarry/bin/Release/net10.0/quarry.dll"
bench="dotnet $root/bench/Quarry.Bench/bin/Release/net10.0/Quarry.Bench.dll"
measure() { /usr/bin/time -o "$work/time.txt" -f "$1: %e s wall, %M KB peak RSS" "${@:2}" 2>/dev/null; cat "$work/time.txt"; }

measure "generate" $quarry datasets make movies --out "$work/ml" --users "$users" --movies "$movies" --ratings-per-user "$per_user" --seed 42
measure "import" $quarry import movielens "$work/ml" --data-dir "$work/data"
measure "train" $quarry train movies --data-dir "$work/data"

Quarry__Movies__Bootstrap=false Quarry__Playlists__Bootstrap=false Logging__LogLevel__Default=Warning \
  $quarry serve --data-dir "$work/data" --urls "http://127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server_pid=$!
# Only the movie model matters here (the playlist service is not trained in this run).
movie_ready() { curl -s "http://127.0.0.1:$port/readyz" | grep -q '"movies":{"status":"healthy"'; }
for _ in $(seq 600); do movie_ready && break; sleep 0.2; done
movie_ready || { echo "movie model not loaded"; cat "$work/serve.log"; exit 1; }

# 1,000 request bodies: each likes 5 movies drawn from the 500 most liked (seeded), as a user building taste would.
python3 - "$port" "$work/bodies.txt" <<'PY'
import json, random, sys, urllib.request
port, out = sys.argv[1], sys.argv[2]
ids = []
for page in range(1, 6):
    body = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/movies?page={page}&pageSize=100"))
    ids += [m["id"] for m in body["movies"]]
rng = random.Random(42)
with open(out, "w") as f:
    for _ in range(1000):
        f.write(json.dumps({"liked": rng.sample(ids, 5), "limit": 10}) + "\n")
PY
head -n1 "$work/bodies.txt" > "$work/one.json"
curl -s -X POST "http://127.0.0.1:$port/api/movies/recommend" --data-binary "@$work/one.json" | head -c 300; echo

echo "== GET /healthz at $rate req/s (baseline)"
$bench rate --url "http://127.0.0.1:$port/healthz" --rate "$rate" --seconds "$seconds"
echo "== POST /api/movies/recommend at $rate req/s"
$bench rate --url "http://127.0.0.1:$port/api/movies/recommend" --bodies-file "$work/bodies.txt" --rate "$rate" --seconds "$seconds"
echo "server peak RSS: $(grep VmHWM /proc/$server_pid/status)"
