#!/usr/bin/env bash
# The invariant end-to-end run (Tests/Invariant) at 10x its ./test.sh size, with the 1x run as the baseline
# measured in the same session: both must pass (every figure equals the clean Domain fold); the script prints
# each run's size and times, and the 10x/1x ratio of ingest time per post.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/azurite.sh
engage_npm_install
dotnet build Tests/Engage.Tests.csproj -c Release --nologo -v quiet
scale=${1:-10}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for s in 1 "$scale"; do
  ENGAGE_INVARIANT_SCALE=$s dotnet test Tests/Engage.Tests.csproj -c Release --no-build --nologo \
    --filter "FullyQualifiedName~Invariant.InvariantEndToEndTests" \
    --logger "console;verbosity=detailed" > "$out/run$s.log" 2>&1 || { tail -40 "$out/run$s.log"; exit 1; }
  line=$(grep -E "distinct deliveries" "$out/run$s.log" | head -1)
  echo "scale $s: $line"
  echo "$line" | sed -E 's/.* ([0-9]+) posts from.*ingested by ([0-9.]+) s.*/\1 \2/' > "$out/fig$s"
done
read -r p1 t1 < "$out/fig1"; read -r pn tn < "$out/fig$scale"
python3 - "$p1" "$t1" "$pn" "$tn" <<'PY'
import sys
p1, t1, pn, tn = map(float, sys.argv[1:])
print(f"ingest seconds per post: 1x {t1 / p1:.4f} ({p1:.0f} posts), {pn / p1:.1f}x {tn / pn:.4f} ({pn:.0f} posts); ratio {(tn / pn) / (t1 / p1):.2f}")
PY
