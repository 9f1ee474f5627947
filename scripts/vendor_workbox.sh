#!/usr/bin/env bash
# Refresh the vendored Workbox modules that the counter's service worker loads
# (tallies/views/worker.py, WORKBOX_MODULES) from the npm registry: their .prod.js builds,
# with the source maps that collectstatic's manifest storage expects beside them.
# Usage: scripts/vendor_workbox.sh [version]
set -euo pipefail
VERSION="${1:-7.4.1}"
MODULES="workbox-core workbox-routing workbox-strategies"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
DEST="$ROOT/static/vendor/workbox"
rm -rf "$DEST"
mkdir -p "$DEST"
for module in $MODULES; do
  # npm pack checks each tarball against the registry's integrity hash.
  npm pack --silent "$module@$VERSION" >/dev/null
  mkdir "$module" && tar xzf "$module-$VERSION.tgz" -C "$module"
  cp "$module/package/build/$module.prod.js" "$module/package/build/$module.prod.js.map" "$DEST/"
done
cp workbox-core/package/LICENSE "$DEST/LICENSE"
LINE="workbox-core, workbox-routing, workbox-strategies $VERSION (npm registry, MIT; the .prod.js builds only, loaded by /sw.js)"
grep -v '^workbox-core, ' "$ROOT/static/vendor/VERSIONS" > VERSIONS || true
echo "$LINE" >> VERSIONS
cp VERSIONS "$ROOT/static/vendor/VERSIONS"
echo "vendored $MODULES $VERSION into $DEST"
