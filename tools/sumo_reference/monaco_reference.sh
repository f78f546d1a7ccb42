#!/usr/bin/env bash
# SUMO reference figures for the traffic model's comparison test (tests/data/traffic/).
# Builds SUMO's network of the bundled city, random trips at a moderate demand, runs Debian's SUMO 1.15
# with its IDM car-following model and writes the figures the test compares against.
#
# Usage: tools/sumo_reference/monaco_reference.sh [TRIPS_PER_HOUR] [WORKDIR]
# Needs: apt-get install -y sumo sumo-tools osmium-tool (SUMO_HOME=/usr/share/sumo).
# Writes: tests/data/traffic/monaco.net.xml, monaco_N.trips.xml, monaco_N_sumo.txt
set -euo pipefail
N=${1:-2000}
WORK=${2:-/tmp/citytwin-sumo-ref}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/tests/data/traffic
export SUMO_HOME=${SUMO_HOME:-/usr/share/sumo}
SEED=42
mkdir -p "$WORK" "$OUT"
cd "$WORK"
osmium cat -O -o city.osm "$ROOT/assets/monaco/monaco-2026-07-10.osm.pbf"
# --no-internal-links: Debian's SUMO 1.15 aborts on junction-internal lanes of this city (upstream #10845).
netconvert --osm-files city.osm -o city.net.xml \
  --geometry.remove --ramps.guess --junctions.join \
  --tls.guess-signals --tls.discard-simple --tls.join \
  --roundabouts.guess --remove-edges.isolated \
  --keep-edges.by-vclass passenger --keep-edges.components 1 \
  --output.street-names --no-warnings --seed $SEED --no-internal-links > netconvert.log 2>&1
P=$(python3 -c "print(3600.0/$N)")
python3 "$SUMO_HOME/tools/randomTrips.py" -n city.net.xml -o trips.xml -b 0 -e 3600 -p "$P" --seed $SEED \
  --fringe-factor 5 --min-distance 300 --vehicle-class passenger --validate --remove-loops \
  --trip-attributes 'departLane="best" departSpeed="max"' > randomTrips.log 2>&1
/usr/bin/time -f '%e %M' -o sumo.time \
  sumo -n city.net.xml -r trips.xml --begin 0 --end 7200 --step-length 1 --carfollow.model IDM \
  --seed $SEED --no-step-log --duration-log.statistics --tripinfo-output tripinfo.xml \
  --time-to-teleport 300 --ignore-route-errors > sumo.log 2>&1
cp city.net.xml "$OUT/monaco.net.xml"
cp trips.xml "$OUT/monaco_${N}.trips.xml"
python3 - "$N" > "$OUT/monaco_${N}_sumo.txt" <<'PY'
import re, sys, xml.etree.ElementTree as ET
log = open("sumo.log").read()
trips = ET.parse("trips.xml").getroot().findall("trip")
infos = ET.parse("tripinfo.xml").getroot().findall("tripinfo")
dur = [float(t.get("duration")) for t in infos]
rl = [float(t.get("routeLength")) for t in infos]
grab = lambda p: (re.search(p, log) or [None, "0"])[1]
inserted, teleports, ups = grab(r"Inserted: (\d+)"), grab(r"Teleports: (\d+)"), grab(r"UPS: ([\d.]+)")
wall, rss = open("sumo.time").read().split()
print("# SUMO 1.15 (Debian), IDM, step 1 s, seed 42, end 7200 s; tools/sumo_reference/monaco_reference.sh", sys.argv[1])
print(f"trips {len(trips)}")
print(f"inserted {inserted}")
print(f"arrived {len(infos)}")
print(f"teleports {teleports}")
print(f"mean_travel_time_s {sum(dur)/len(dur):.2f}")
print(f"mean_route_length_m {sum(rl)/len(rl):.2f}")
print(f"updates_per_s {ups}")
print(f"wall_s {wall}")
print(f"peak_rss_kb {rss}")
PY
cat "$OUT/monaco_${N}_sumo.txt"
