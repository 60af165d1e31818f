#!/usr/bin/env bash
# Cost of metrics on POST /api/recommend: two Quarry servers on the same model, one with metrics on (the default, scraped
# every 2 s as the dashboard does) and one with Quarry__Telemetry__Metrics=false, measured by wrk in alternating rounds.
# Usage: bench/load/metrics-overhead.sh [duration=10s] [connections=16] [rounds=5]
# Needs: wrk, curl, python3 (Debian packages).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
duration=${1:-10s}
connections=${2:-16}
rounds=${3:-5}
. "$root/bench/load/common.sh" metrics-overhead
off_port=$((port + 1))
off_pid=""
scraper_pid=""
trap '[ -n "$scraper_pid" ] && kill "$scraper_pid" 2>/dev/null; [ -n "$off_pid" ] && kill "$off_pid" 2>/dev/null; cleanup' EXIT

dotnet build "$root/src/Quarry" -c Release --nologo -v:q -clp:NoSummary >/dev/null
quarry="$root/src/Quarry/bin/Release/net10.0/quarry.dll"
dotnet "$quarry" datasets make playlists --out "$work/playlists.csv" >/dev/null
dotnet "$quarry" train playlists --dataset "$work/playlists.csv" --data-dir "$work/data" 2>/dev/null
# Only the playlist service, so neither server trains demo models in the background while it is measured.
export Quarry__Services=playlists Logging__LogLevel__Default=Warning
dotnet "$quarry" serve --data-dir "$work/data" --urls "http://127.0.0.1:$port" >"$work/on.log" 2>&1 &
server_pid=$!
Quarry__Telemetry__Metrics=false dotnet "$quarry" serve --data-dir "$work/data" --urls "http://127.0.0.1:$off_port" >"$work/off.log" 2>&1 &
off_pid=$!
for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" && curl -sf -o /dev/null "http://127.0.0.1:$off_port/readyz" && break; sleep 0.1; done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$off_port/metrics")" = 404 ] || { echo "error: metrics are not off on the second server"; exit 1; }
(while sleep 2; do curl -s -o /dev/null "http://127.0.0.1:$port/metrics"; done) &
scraper_pid=$!

export SONGS=$(rule_songs "http://127.0.0.1:$port")
echo "request: {\"songs\":$SONGS,\"limit\":10}"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

rps() { wrk -t1 -c"$connections" -d"$duration" -s "$root/bench/load/recommend.lua" "$@" | awk '/Requests\/sec/ {print $2}'; }
echo "== warm-up"
for p in $port $off_port; do wrk -t1 -c"$connections" -d5s -s "$root/bench/load/recommend.lua" "http://127.0.0.1:$p/api/recommend" >/dev/null; done

echo "| round | metrics on | metrics off | on/off |"
echo "|---|---:|---:|---:|"
total_on=0; total_off=0
for round in $(seq "$rounds"); do
  # Alternate which goes first, so a drift in the machine's load does not always favour the same one.
  if [ $((round % 2)) = 1 ]; then on=$(rps "http://127.0.0.1:$port/api/recommend"); off=$(rps "http://127.0.0.1:$off_port/api/recommend")
  else off=$(rps "http://127.0.0.1:$off_port/api/recommend"); on=$(rps "http://127.0.0.1:$port/api/recommend"); fi
  total_on=$(python3 -c "print($total_on + $on)"); total_off=$(python3 -c "print($total_off + $off)")
  echo "| $round | $on | $off | $(python3 -c "print(f'{$on/$off:.3f}')") |"
done
echo "| total | $(python3 -c "print(f'{$total_on:,.0f}')") | $(python3 -c "print(f'{$total_off:,.0f}')") | **$(python3 -c "print(f'{$total_on/$total_off:.3f}')")** |"
echo "recommendations counted by the metrics server: $(curl -s "http://127.0.0.1:$port/metrics" | awk '/^quarry_recommendations_duration_seconds_count/ {s += $2} END {print s}')"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); RSS on: $(grep VmHWM /proc/$server_pid/status | xargs); off: $(grep VmHWM /proc/$off_pid/status | xargs)"
