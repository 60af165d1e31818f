#!/usr/bin/env bash
# POST /api/recommend (or GET /healthz) on the bare Kestrel app and on Quarry servers run with different settings, all
# served at once on 127.0.0.1 from the same demo playlist model and measured by wrk in alternating rounds: requests/s and
# each server's CPU per request (utime + stime from /proc/PID/stat over the round). Shows what a setting is worth, and how
# close Quarry gets to the bare app with per-request extras switched off.
# Usage: bench/load/http-variants.sh [rounds=4] [path=/api/recommend] [NAME=VAR=value,VAR=value ...]
#   default variants: shipped (no settings) and bare (every per-request extra off, one service)
# Needs: wrk, curl, python3 (Debian packages).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-4}
path=${2:-/api/recommend}
shift $(($# < 2 ? $# : 2))
variants=("$@")
if [ ${#variants[@]} -eq 0 ]; then
  variants=("shipped=" "extras-off=Quarry__Services=playlists,Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics=None,Quarry__Telemetry__Metrics=false")
fi
. "$root/bench/load/common.sh" http-variants
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; cleanup' EXIT

dotnet build "$root/src/Quarry" -c Release --nologo -v:q -clp:NoSummary >/dev/null
dotnet build "$root/bench/BareKestrel" -c Release --nologo -v:q -clp:NoSummary >/dev/null
quarry="$root/src/Quarry/bin/Release/net10.0/quarry.dll"
dotnet "$quarry" datasets make playlists --out "$work/playlists.csv" >/dev/null
dotnet "$quarry" train playlists --dataset "$work/playlists.csv" --data-dir "$work/data" >/dev/null 2>&1

names=(bare)
ports=("$port")
dotnet "$root/bench/BareKestrel/bin/Release/net10.0/BareKestrel.dll" --urls "http://127.0.0.1:$port" >"$work/bare.log" 2>&1 &
pids+=($!)
for i in "${!variants[@]}"; do
  name=${variants[$i]%%=*}
  settings=${variants[$i]#*=}
  p=$((port + 1 + i))
  cp -r "$work/data" "$work/data-$name"
  IFS=',' read -r -a env_list <<<"$settings"
  env ${env_list[@]+"${env_list[@]}"} Logging__LogLevel__Default=Warning \
    dotnet "$quarry" serve --data-dir "$work/data-$name" --urls "http://127.0.0.1:$p" >"$work/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
  ports+=("$p")
done
for p in "${ports[@]}"; do
  for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$p/healthz" && break; sleep 0.1; done
done

export SONGS=$(rule_songs "http://127.0.0.1:${ports[1]}")
script=()
[ "$path" = /api/recommend ] && script=(-s "$root/bench/load/recommend.lua")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for k in "${!ports[@]}"; do wrk -t1 -c16 -d10s "${script[@]}" "http://127.0.0.1:${ports[$k]}$path" >/dev/null; done

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
echo "| round | server | requests/s | CPU per request (µs) | of bare |"
echo "|---|---|---:|---:|---:|"
for round in $(seq "$rounds"); do
  bare_rps=""
  for k in "${!ports[@]}"; do
    before=$(cpu "${pids[$k]}")
    out=$(wrk -t1 -c16 -d8s "${script[@]}" "http://127.0.0.1:${ports[$k]}$path")
    after=$(cpu "${pids[$k]}")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    [ -z "$bare_rps" ] && bare_rps=$rps
    python3 -c "import os; t=os.sysconf('SC_CLK_TCK'); print(f'| $round | ${names[$k]} | {$rps:.0f} | {($after-$before)/t*1e6/$requests:.1f} | {$rps/$bare_rps:.2f} |')"
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
