# Sourced by the load scripts after setting root: a temporary work directory, a random loopback port, and a
# cleanup that stops the server the script started (by its PID) and removes the work directory.
# Usage: . "$root/bench/load/common.sh" NAME
work=$(mktemp -d "${TMPDIR:-/tmp}/quarry-$1-load.XXXXXX")
port=$((20000 + RANDOM % 20000))
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# A request that matches rules: the first popular song that starts a rule, plus its best recommendation (JSON array).
rule_songs() {
  python3 - "$1" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]
def post(songs):
    req = urllib.request.Request(base + "/api/recommend", json.dumps({"songs": songs}).encode(), {"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
songs = [s["song"] for s in json.load(urllib.request.urlopen(base + "/api/playlists/songs?limit=200"))["songs"]]
for song in songs:
    answer = post([song])
    if answer["source"] == "rules":
        print(json.dumps([song, answer["songs"][0]]))
        break
else:
    print(json.dumps(songs[:2]))
PY
}
