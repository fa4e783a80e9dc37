#!/usr/bin/env bash
# Compiles and lints the Bicep under infra/ offline, with the Bicep CLI restored from NuGet.
# Writes .engage/infra/main.json (the ARM template the infra tests read). Fails on any error, and on
# any warning: bicepconfig.json raises the linter rules to errors, and compiler warnings (BCPxxx:
# unknown property, missing types for an API version, ...) fail here.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

version=0.49.2
packages="$root/.tools/nuget"
bicep="$packages/azure.bicep.commandline.linux-x64/$version/tools/bicep"
out="$root/.engage/infra"

now_ms() { date +%s%3N; }
elapsed() { echo "$(( $(now_ms) - $1 )) ms"; }

start=$(now_ms)
if [ ! -f "$bicep" ]; then
  echo "Restoring Bicep CLI $version from NuGet..."
  dotnet restore infra/tools/BicepCli.proj --packages "$packages" --nologo -v quiet \
    -p:BaseIntermediateOutputPath="$root/.tools/obj/BicepCli/"
fi
if [ ! -f "$bicep" ]; then
  echo "Bicep CLI not found at $bicep after restore" >&2
  exit 1
fi
chmod +x "$bicep"
echo "Bicep CLI: $("$bicep" --version) ($(elapsed "$start"))"

# Runs one bicep command; prints its diagnostics; fails on a non-zero exit or any warning.
run_bicep() {
  local label=$1; shift
  local t log status=0
  t=$(now_ms)
  log=$(mktemp)
  "$bicep" "$@" >"$log" 2>&1 || status=$?
  cat "$log"
  if [ "$status" -ne 0 ]; then
    echo "bicep $label failed (exit $status)" >&2
    rm -f "$log"; exit 1
  fi
  if grep -q ' : Warning ' "$log"; then
    echo "bicep $label reported warnings; they fail the build" >&2
    rm -f "$log"; exit 1
  fi
  rm -f "$log"
  echo "bicep $label: ok ($(elapsed "$t"))"
}

mkdir -p "$out"
rm -f "$out/main.json"
run_bicep build build infra/main.bicep --outfile "$out/main.json"
run_bicep lint lint infra/main.bicep
echo "infra/validate.sh: ok ($(elapsed "$start"))"
