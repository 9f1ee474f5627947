#!/usr/bin/env bash
# Refresh the vendored Leaflet and Leaflet.markercluster from the npm registry.
# The files are committed so that a fresh clone needs no npm and the pages use no CDN.
# Usage: scripts/vendor_leaflet.sh [leaflet-version] [markercluster-version]
set -euo pipefail
LEAFLET="${1:-1.9.4}"
CLUSTER="${2:-1.5.3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
# npm pack checks each tarball against the registry's integrity hash.
npm pack --silent "leaflet@$LEAFLET" "leaflet.markercluster@$CLUSTER" >/dev/null
tar xzf "leaflet-$LEAFLET.tgz" && mv package leaflet
tar xzf "leaflet.markercluster-$CLUSTER.tgz" && mv package cluster

DEST="$ROOT/static/vendor"
rm -rf "$DEST/leaflet" "$DEST/leaflet.markercluster"
mkdir -p "$DEST/leaflet" "$DEST/leaflet.markercluster"
cp -r leaflet/dist/leaflet.js leaflet/dist/leaflet.js.map leaflet/dist/leaflet.css \
      leaflet/dist/images leaflet/LICENSE "$DEST/leaflet/"
cp cluster/dist/leaflet.markercluster.js cluster/dist/leaflet.markercluster.js.map \
   cluster/dist/MarkerCluster.css cluster/dist/MarkerCluster.Default.css \
   cluster/MIT-LICENCE.txt "$DEST/leaflet.markercluster/"
cat > "$DEST/VERSIONS" <<TXT
leaflet $LEAFLET (npm registry, BSD-2-Clause)
leaflet.markercluster $CLUSTER (npm registry, MIT)
TXT
echo "vendored leaflet $LEAFLET and leaflet.markercluster $CLUSTER into $DEST"
