#!/usr/bin/env bash
# Runs Engage's benchmarks, prints their markdown and rewrites their sections of docs/benchmarks.md.
#
#   bench/run.sh                 # every benchmark, full sizes (tens of minutes on 2 cores)
#   bench/run.sh folds ingest    # only these
#   bench/run.sh --smoke [name…] # tiny sizes, prints only (docs/benchmarks.md is left alone)
#
# Each benchmark is a console project bench/Engage.Bench.<Name> whose Main takes [--smoke] [--out FILE] and
# writes one markdown section: what it measures, its baseline (measured in the same run) and the ratio. Every
# figure is a ratio against that baseline: absolute times depend on the machine and on Azurite.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/azurite.sh

all=(folds reads window ingest webhook import identities)
smoke=""
names=()
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke="--smoke" ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) names+=("$arg") ;;
  esac
done
[ ${#names[@]} -gt 0 ] || names=("${all[@]}")
for name in "${names[@]}"; do
  if [[ ! " ${all[*]} " == *" $name "* ]]; then
    echo "Unknown benchmark '$name' (known: ${all[*]})" >&2
    exit 2
  fi
done

engage_npm_install

# The community benchmark compares with python-igraph and networkx from Debian (run by /usr/bin/python3, which
# sees Debian's packages; PyPI is not reachable here).
if [[ " ${names[*]} " == *" folds "* ]] && ! /usr/bin/python3 -c 'import igraph, networkx' 2>/dev/null; then
  echo "Installing python3-igraph and python3-networkx from apt..."
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-igraph python3-networkx >/dev/null
fi

echo "Building (Release)..."
dotnet build EngageFunctions.sln -c Release --nologo -v quiet -clp:ErrorsOnly

sections=$(mktemp -d)
trap 'rm -rf "$sections"' EXIT
failed=()
for name in "${names[@]}"; do
  project="Engage.Bench.${name^}"
  echo "== $name ($project) =="
  if ! dotnet "bench/$project/bin/Release/net10.0/$project.dll" $smoke --out "$sections/$name.md"; then
    failed+=("$name")
  fi
done

if [ -z "$smoke" ]; then
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  dirty=$(git status --porcelain 2>/dev/null | grep -qv '^??' && echo " (with uncommitted changes)" || true)
  machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), .NET $(dotnet --version), Azurite $(node -p 'require("./node_modules/azurite/package.json").version'), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  /usr/bin/env python3 bench/splice.py docs/benchmarks.md "$sections" "$(date -u +%Y-%m-%d)" "$commit$dirty" "$machine" "${names[@]}"
  echo "Rewrote the sections ${names[*]} of docs/benchmarks.md"
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "Failed: ${failed[*]}" >&2
  exit 1
fi
