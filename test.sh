#!/usr/bin/env bash
# Everything CI checks: build with warnings as errors, Bicep build + lint, every test project against
# a fresh Azurite on free ports. Ends with "N passed, N failed, N skipped"; non-zero exit on any failure.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/azurite.sh

engage_npm_install

# The browser tests (digest rendering, dashboard) drive Debian's Chromium (no browser download).
if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Debian chromium for the browser tests (digest, dashboard)..."
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

# Warnings are errors through Directory.Build.props (not a global -p: property, which would also reach the
# SDK-generated WorkerExtensions project and turn its unfixable NU1603 restore warnings into errors).
echo "Building (warnings are errors)..."
dotnet build EngageFunctions.sln -c Release --nologo -v quiet

if [ -x infra/validate.sh ]; then
  infra/validate.sh
fi

mkdir -p .engage
blob=$(engage_free_port); queue=$(engage_free_port); table=$(engage_free_port)
AZURITE_PID=""
results=$(mktemp -d)
cleanup() {
  if [ -n "$AZURITE_PID" ]; then kill "$AZURITE_PID" 2>/dev/null || true; wait "$AZURITE_PID" 2>/dev/null || true; fi
  rm -rf "$results"
}
trap cleanup EXIT
engage_start_azurite "$blob" "$queue" "$table" --inMemoryPersistence > .engage/azurite-test.log 2>&1
export ENGAGE_TEST_STORAGE
ENGAGE_TEST_STORAGE=$(engage_connection_string "$blob" "$queue" "$table")
echo "Azurite (pid $AZURITE_PID) on blob $blob, queue $queue, table $table"

# Errors the tests' DevHosts log (the exception behind a 500 among them): printed below when a test fails.
export ENGAGE_TEST_HOST_ERRORS="$results/host-errors.log"

status=0
for project in $(find Tests -name '*.csproj' | sort); do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" || status=1
done

# Sum the counters of every TRX file (one per test project).
read -r passed failed skipped < <(python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    # A skipped xunit test is a result with outcome NotExecuted; the counters do not always carry it.
    s += sum(1 for r in ET.parse(path).getroot().iter("{%s}UnitTestResult" % ns["t"]) if r.get("outcome") == "NotExecuted")
print(p, f, s)
PY
)
trx_count=$(find "$results" -name '*.trx' | wc -l)
projects=$(find Tests -name '*.csproj' | wc -l)
if [ "$trx_count" -ne "$projects" ]; then
  echo "Only $trx_count of $projects test projects produced results" >&2
  status=1
fi
if [ "$failed" -ne 0 ]; then status=1; fi
if [ "$status" -ne 0 ] && [ -s "$ENGAGE_TEST_HOST_ERRORS" ]; then
  # Many tests provoke errors on purpose; the ones near a failure's time are the ones to read: first every
  # error's first line (UTC timestamps), then the last entries whole, with their exceptions.
  echo "--- every error the tests' DevHosts logged (first lines, timestamps UTC) ---"
  grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$ENGAGE_TEST_HOST_ERRORS" | tail -n 200 || true
  echo "--- the last 200 lines of that log, exceptions included ---"
  tail -n 200 "$ENGAGE_TEST_HOST_ERRORS"
  echo "--- end of DevHost errors ---"
fi
cleanup; trap - EXIT
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
