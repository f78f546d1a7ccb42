#!/usr/bin/env bash
# Parameter sweep: runs the baseline with occupancy.scale from 0.5 to 1.5 and collects the peak.
#   examples/sweep_scale.sh [OUTDIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/results/sweep}
ct=${CITYTWIN:-$root/build/release/tools/citytwin/citytwin}
mkdir -p "$out"
echo "scale,occupancy.peak_people" >"$out/sweep.csv"
for scale in 0.5 0.75 1.0 1.25 1.5; do
  sed "s/^scale = .*/scale = $scale/; s#\.\./assets#$root/assets#" "$root/scenarios/baseline.toml" >"$out/s_$scale.toml"
  "$ct" run -q "$out/s_$scale.toml" -o "$out/scale_$scale" >/dev/null
  peak=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['kpis']['occupancy.peak_people']['value'])" \
    "$out/scale_$scale/kpis.json")
  echo "$scale,$peak" >>"$out/sweep.csv"
done
cat "$out/sweep.csv"
