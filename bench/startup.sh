#!/usr/bin/env bash
# Start-up of the quarry executable under each build and runtime setting: `--version` (best of N, hyperfine) and
# `serve` until the first 200 from /healthz (best of 5).
# Usage: bench/startup.sh [RUNS=10]. Needs hyperfine, curl, python3.
# QUARRY_PUBLISHED=DIR uses a folder ./publish.sh already wrote instead of publishing again.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-10}
work=$(mktemp -d "${TMPDIR:-/tmp}/quarry-startup.XXXXXX")
trap 'rm -rf "$work"' EXIT

dotnet build "$root/src/Quarry" -c Release --nologo -v:q -clp:NoSummary >/dev/null
if [ -n "${QUARRY_PUBLISHED:-}" ]; then ln -s "$(realpath "$QUARRY_PUBLISHED")" "$work/pub"; else "$root/publish.sh" "$work/pub" >/dev/null; fi
jit="$root/src/Quarry/bin/Release/net10.0"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

version() {  # label, env (or -), command...
  local label=$1 env=$2; shift 2
  local ms
  ms=$(env ${env/#-/} hyperfine -N -w 3 -r "$runs" --export-json "$work/h.json" "$*" >/dev/null 2>&1 && python3 -c "import json;r=json.load(open('$work/h.json'))['results'][0];print(f\"{min(r['times'])*1000:.1f} | {r['median']*1000:.1f}\")")
  echo "| $label | $ms |"
}
echo
echo "| \`quarry --version\` | best (ms) | median (ms) |"
echo "|---|---:|---:|"
version "JIT: dotnet quarry.dll (build output)" - dotnet "$jit/quarry.dll" --version
version "JIT: apphost (build output)" - "$jit/quarry" --version
version "JIT only: apphost, DOTNET_ReadyToRun=0 (no precompiled code at all)" DOTNET_ReadyToRun=0 "$jit/quarry" --version
version "ReadyToRun application (publish.sh app/)" - "$work/pub/app/quarry" --version
version "ReadyToRun + DOTNET_TieredPGO=0" DOTNET_TieredPGO=0 "$work/pub/app/quarry" --version
version "ReadyToRun + DOTNET_TieredCompilation=0" DOTNET_TieredCompilation=0 "$work/pub/app/quarry" --version
version "ReadyToRun + DOTNET_TC_QuickJitForLoops=0" DOTNET_TC_QuickJitForLoops=0 "$work/pub/app/quarry" --version
version "NativeAOT launcher (publish.sh quarry)" - "$work/pub/quarry" --version

echo
echo "| \`quarry serve\` until /healthz answers | best of 5 (ms) |"
echo "|---|---:|"
serve() {  # label, env (or -), command...
  local label=$1 env=$2; shift 2
  local best
  best=$(python3 - "$env" "$@" <<'PY'
import os, random, subprocess, sys, time, urllib.request, tempfile
env = dict(os.environ)
if sys.argv[1] != "-":
    k, v = sys.argv[1].split("=", 1); env[k] = v
env.update({"Quarry__Playlists__Bootstrap": "false", "Quarry__Movies__Bootstrap": "false", "Quarry__Predict__Bootstrap": "false",
            "Logging__LogLevel__Default": "Warning"})
times = []
failures = []
while len(times) < 5 and len(failures) < 5:
    port = random.randint(20000, 40000)
    with tempfile.TemporaryDirectory() as data:
        start = time.perf_counter()
        p = subprocess.Popen([*sys.argv[2:], "serve", "--urls", f"http://127.0.0.1:{port}", "--data-dir", data],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                    times.append(time.perf_counter() - start)
                    break
                except OSError:
                    if p.poll() is not None:
                        # A port taken by someone else, for instance: try again on another.
                        failures.append(p.stderr.read().strip().splitlines()[-1:])
                        break
                    time.sleep(0.002)
        finally:
            p.terminate(); p.wait()
print(f"{min(times)*1000:.0f}" if times else f"failed: {failures}")
PY
)
  echo "| $label | $best |"
}
serve "JIT: apphost (build output)" - "$jit/quarry"
serve "ReadyToRun application" - "$work/pub/app/quarry"
serve "ReadyToRun + DOTNET_TieredPGO=0" DOTNET_TieredPGO=0 "$work/pub/app/quarry"
serve "NativeAOT launcher, exec of the ReadyToRun application" - "$work/pub/quarry"
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
