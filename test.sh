#!/usr/bin/env bash
# Builds Quarry and runs every test project; ends with "N passed, N failed".
# Tests start the real servers they need (Redis, RabbitMQ, PostgreSQL) on 127.0.0.1 from the binaries on PATH;
# .ci/run installs those with apt-get.
set -uo pipefail
cd "$(dirname "$0")"

results=$(mktemp -d "${TMPDIR:-/tmp}/quarry-test-results.XXXXXX")
trap 'rm -rf "$results"' EXIT

dotnet build Quarry.slnx -c Debug --nologo -v:q -clp:NoSummary
build=$?
if [ $build -ne 0 ]; then
  echo "error: build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# One test project at a time: several at once on two cores make the timing-sensitive integration tests flaky.
dotnet test Quarry.slnx --no-build -c Debug --nologo -m:1 --logger "trx" --results-directory "$results" "$@"
status=$?

passed=0; failed=0; files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* timeout="\([0-9]*\)".*/\1/p' <<<"$counters")
  a=$(sed -n 's/.* aborted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
done

if [ $status -ne 0 ] && [ $failed -eq 0 ]; then
  echo "error: dotnet test exited with $status but reported no failed test (a test host crashed?)"
  failed=1
fi
if [ $((passed + failed)) -eq 0 ]; then
  echo "error: no test ran ($files result files)"
  status=1
fi
echo "$passed passed, $failed failed"
[ $status -eq 0 ] && [ $failed -eq 0 ]
