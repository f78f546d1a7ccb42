#!/usr/bin/env bash
# Runs make_reference.mjs with epanet-js 0.9.0 installed (once) into an ignored cache folder.
#   tools/epanet_reference/run.sh NET.inp [ENGINE] [--time] > OUT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${EPANET_JS_DIR:-$here/../../build/epanet-js}
if [ ! -f "$cache/node_modules/epanet-js/package.json" ]; then
  mkdir -p "$cache"
  (cd "$cache" && [ -f package.json ] || echo '{"name":"epanet-js-cache","private":true,"type":"module"}' > package.json
   cd "$cache" && npm install --silent --no-audit --no-fund epanet-js@0.9.0 >&2)
fi
cp "$here/make_reference.mjs" "$cache/make_reference.mjs"
exec node "$cache/make_reference.mjs" "$@"
