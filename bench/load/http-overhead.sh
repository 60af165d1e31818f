#!/usr/bin/env bash
# Per-request overhead: Quarry's GET /healthz and POST /api/recommend against a bare Kestrel app (bench/BareKestrel),
# both served at once on 127.0.0.1, measured by wrk in alternating rounds of the same run (the order within a round flips
# each round, so drift of a shared machine falls on both), after 10 s of warm-up each; the last row is the median ratio.
# Usage: bench/load/http-overhead.sh [duration=10s] [connections=16] [rounds=5]
# Needs: wrk, curl, python3 (Debian packages).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
duration=${1:-10s}
connections=${2:-16}
rounds=${3:-5}
. "$root/bench/load/common.sh" http-overhead
bare_port=$((port + 1))
bare_pid=""
trap '[ -n "$bare_pid" ] && kill "$bare_pid" 2>/dev/null; cleanup' EXIT

dotnet build "$root/src/Quarry" -c Release --nologo -v:q -clp:NoSummary >/dev/null
dotnet build "$root/bench/BareKestrel" -c Release --nologo -v:q -clp:NoSummary >/dev/null
quarry="$root/src/Quarry/bin/Release/net10.0/quarry.dll"
dotnet "$quarry" datasets make playlists --out "$work/playlists.csv" >/dev/null
dotnet "$quarry" train playlists --dataset "$work/playlists.csv" --data-dir "$work/data" 2>/dev/null
Logging__LogLevel__Default=Warning dotnet "$quarry" serve --data-dir "$work/data" --urls "http://127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server_pid=$!
dotnet "$root/bench/BareKestrel/bin/Release/net10.0/BareKestrel.dll" --urls "http://127.0.0.1:$bare_port" >"$work/bare.log" 2>&1 &
bare_pid=$!
for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" && curl -sf -o /dev/null "http://127.0.0.1:$bare_port/" && break; sleep 0.1; done

export SONGS=$(rule_songs "http://127.0.0.1:$port")
echo "request: {\"songs\":$SONGS,\"limit\":10}"
curl -s -i -X POST "http://127.0.0.1:$port/api/recommend" -d "{\"songs\":$SONGS,\"limit\":10}" | head -c 600; echo
curl -s -i "http://127.0.0.1:$port/healthz"; echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

rps() { wrk -t1 -c"$connections" -d"$duration" "$@" | awk '/Requests\/sec/ {print $2}'; }
echo "== warm-up"
for p in $port $bare_port; do
  wrk -t1 -c"$connections" -d10s "http://127.0.0.1:$p/healthz" >/dev/null
  wrk -t1 -c"$connections" -d10s -s "$root/bench/load/recommend.lua" "http://127.0.0.1:$p/api/recommend" >/dev/null
done

echo "| round | quarry /healthz | bare /healthz | ratio | quarry /api/recommend | bare POST | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
health_ratios=()
recommend_ratios=()
for round in $(seq "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then
    qh=$(rps "http://127.0.0.1:$port/healthz"); bh=$(rps "http://127.0.0.1:$bare_port/healthz")
    qr=$(rps -s "$root/bench/load/recommend.lua" "http://127.0.0.1:$port/api/recommend")
    br=$(rps -s "$root/bench/load/recommend.lua" "http://127.0.0.1:$bare_port/api/recommend")
  else
    bh=$(rps "http://127.0.0.1:$bare_port/healthz"); qh=$(rps "http://127.0.0.1:$port/healthz")
    br=$(rps -s "$root/bench/load/recommend.lua" "http://127.0.0.1:$bare_port/api/recommend")
    qr=$(rps -s "$root/bench/load/recommend.lua" "http://127.0.0.1:$port/api/recommend")
  fi
  health_ratios+=("$(python3 -c "print(f'{$qh/$bh:.2f}')")")
  recommend_ratios+=("$(python3 -c "print(f'{$qr/$br:.2f}')")")
  echo "| $round | $qh | $bh | ${health_ratios[-1]} | $qr | $br | ${recommend_ratios[-1]} |"
done
median() { printf '%s\n' "$@" | sort -n | python3 -c "import sys; v=[float(l) for l in sys.stdin]; print(f'{v[len(v)//2] if len(v)%2 else (v[len(v)//2-1]+v[len(v)//2])/2:.2f}')"; }
echo "| median | | | $(median "${health_ratios[@]}") | | | $(median "${recommend_ratios[@]}") |"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); quarry RSS: $(grep VmHWM /proc/$server_pid/status | xargs); bare RSS: $(grep VmHWM /proc/$bare_pid/status | xargs)"
