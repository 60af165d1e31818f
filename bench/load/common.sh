# Sourced by the load scripts after setting root: a temporary work directory, a random loopback port, and a
# cleanup that stops the server the script started (by its PID) and removes the work directory.
# Usage: . "$root/bench/load/common.sh" NAME
work=$(mktemp -d "${TMPDIR:-/tmp}/quarry-$1-load.XXXXXX")
port=$((20000 + RANDOM % 20000))
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
