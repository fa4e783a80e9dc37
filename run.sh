#!/usr/bin/env bash
# Starts Engage locally: installs the npm tools (Azurite), starts Azurite with its data under .engage/,
# builds and starts DevHost on http://127.0.0.1:7071, and stops both on Ctrl-C or SIGTERM.
# Any setting can be given as an environment variable, e.g. Sources__GitHub__Secret=... ./run.sh
set -euo pipefail
cd "$(dirname "$0")"
. scripts/azurite.sh

command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (https://dot.net)." >&2; exit 1; }
command -v node >/dev/null || { echo "Node.js 20+ and npm are required (for Azurite)." >&2; exit 1; }
engage_npm_install

# Local defaults. These are development-only values (README "Configure"); real deployments keep
# their secrets in Key Vault. Environment variables given to run.sh win.
: "${ENGAGE_BLOB_PORT:=10000}" "${ENGAGE_QUEUE_PORT:=10001}" "${ENGAGE_TABLE_PORT:=10002}"
: "${ENGAGE_URL:=http://127.0.0.1:7071}"
export Sources__Standard__Secret="${Sources__Standard__Secret:-whsec_bG9jYWwtZGV2ZWxvcG1lbnQtb25seS1zdGFuZGFyZA==}"
export Sources__GitHub__Secret="${Sources__GitHub__Secret:-local-development-only-github}"
export Sources__Slack__SigningSecret="${Sources__Slack__SigningSecret:-local-development-only-slack}"
export Sources__X__ConsumerSecret="${Sources__X__ConsumerSecret:-local-development-only-x}"
export Sources__Discourse__Secret="${Sources__Discourse__Secret:-local-development-only-discourse}"
export Sources__Mastodon__Secret="${Sources__Mastodon__Secret:-local-development-only-mastodon}"
export Unsubscribe__SigningKey="${Unsubscribe__SigningKey:-local-development-only-unsubscribe-key}"
export Digest__PublicBaseUrl="${Digest__PublicBaseUrl:-$ENGAGE_URL}"
export Email__PickupDirectory="${Email__PickupDirectory:-$PWD/.engage/outbox}"
export Urls="$ENGAGE_URL"

echo "Building DevHost..."
dotnet build DevHost/Engage.DevHost.csproj -c Release --nologo -v quiet

mkdir -p .engage/azurite
AZURITE_PID="" HOST_PID=""
stop() {
  trap - INT TERM EXIT
  echo "Stopping..."
  if [ -n "$HOST_PID" ]; then kill "$HOST_PID" 2>/dev/null || true; wait "$HOST_PID" 2>/dev/null || true; fi
  if [ -n "$AZURITE_PID" ]; then kill "$AZURITE_PID" 2>/dev/null || true; wait "$AZURITE_PID" 2>/dev/null || true; fi
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

if [ -z "${AzureWebJobsStorage:-}" ]; then
  engage_start_azurite "$ENGAGE_BLOB_PORT" "$ENGAGE_QUEUE_PORT" "$ENGAGE_TABLE_PORT" \
    --location .engage/azurite
  export AzureWebJobsStorage
  AzureWebJobsStorage=$(engage_connection_string "$ENGAGE_BLOB_PORT" "$ENGAGE_QUEUE_PORT" "$ENGAGE_TABLE_PORT")
  echo "Azurite (pid $AZURITE_PID) keeps its data in .engage/azurite"
fi

started=$(date +%s.%N)
dotnet DevHost/bin/Release/net10.0/Engage.DevHost.dll --contentRoot "$PWD/DevHost/bin/Release/net10.0" </dev/null &
HOST_PID=$!
health_key=()
if [ -n "${DevHost__ApiKey:-}" ]; then health_key=(-H "x-functions-key: $DevHost__ApiKey"); fi
until curl -fsS "${health_key[@]}" "$ENGAGE_URL/api/health" >/dev/null 2>&1; do
  if ! kill -0 "$HOST_PID" 2>/dev/null; then echo "DevHost exited during start-up" >&2; exit 1; fi
  sleep 0.1
done
elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
echo "Engage is serving on $ENGAGE_URL (healthy after ${elapsed} s). Ctrl-C stops it."
if [ -n "${DevHost__ApiKey:-}" ]; then
  echo "Every route but webhooks and unsubscribe needs the key: header 'x-functions-key: \$DevHost__ApiKey' or ?code=..."
else
  echo "Every route is open to anyone who can reach $ENGAGE_URL. To require a key (as Azure does), start with"
  echo "  DevHost__ApiKey=\$(openssl rand -hex 24) ./run.sh   and send it as header 'x-functions-key' or ?code=..."
fi
wait "$HOST_PID"
