#!/usr/bin/env bash
# Shared by run.sh and test.sh: install the repo's npm tools, pick free ports, start Azurite as its own
# process (so $! is node itself) and wait until it listens. Source this file; it defines functions only.

engage_npm_install() {
  # npm ci only when node_modules is missing or older than the lock file.
  if [ ! -d node_modules/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "Installing npm tools (azurite, webhook examples, playwright-core) from package-lock.json..."
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

engage_free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

engage_wait_port() { # host port seconds
  local deadline=$(( $(date +%s) + $3 ))
  until node -e 'const c=require("net").connect(+process.argv[2],process.argv[1],()=>{c.end();process.exit(0)});c.on("error",()=>process.exit(1));' "$1" "$2" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ]; then return 1; fi
    sleep 0.2
  done
}

# engage_start_azurite BLOB QUEUE TABLE [--location DIR | --inMemoryPersistence] -> sets AZURITE_PID
engage_start_azurite() {
  local blob=$1 queue=$2 table=$3; shift 3
  node node_modules/azurite/dist/src/azurite.js \
    --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" \
    --skipApiVersionCheck --disableTelemetry --silent "$@" &
  AZURITE_PID=$!
  for port in "$blob" "$queue" "$table"; do
    if ! engage_wait_port 127.0.0.1 "$port" 30; then
      echo "Azurite did not start listening on port $port" >&2
      return 1
    fi
  done
}

engage_connection_string() { # blob queue table
  # The well-known Azurite development account (public, documented by Microsoft; not a secret).
  echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$2/devstoreaccount1;TableEndpoint=http://127.0.0.1:$3/devstoreaccount1;"
}
