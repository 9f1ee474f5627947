"""Write `locations/data/netherlands.geojson`: the European Netherlands with its territorial sea.

Source: the npm package `@geo-maps/countries-maritime-10m` (OpenStreetMap data, ODbL; about
10 m accuracy). The country's polygon there also holds the Caribbean Netherlands and
overlaps Belgium at the enclaves of Baarle; this script keeps the European mainland polygon
(with the islands and the territorial sea), cuts out every piece of Belgium and Germany,
and simplifies the outline by about 10 m.

Usage (needs npm and shapely, both only for this step):

    cd "$(mktemp -d)" && npm pack @geo-maps/countries-maritime-10m@0.6.0 && tar xzf *.tgz
    python scripts/extract_netherlands_border.py package/map.geo.json
"""

import json
import sys
from pathlib import Path

from shapely import make_valid
from shapely.geometry import MultiPolygon, box, mapping, shape

TOLERANCE_DEGREES = 0.0001  # about 7 m east-west and 11 m north-south at 52° N
EUROPE = box(2.0, 50.0, 8.0, 54.5)
OUT = Path(__file__).resolve().parent.parent / "locations" / "data" / "netherlands.geojson"


def main(source: str) -> None:
    features = json.loads(Path(source).read_text())["features"]
    countries = {f["properties"]["A3"]: shape(f["geometry"]) for f in features}
    european = [part for part in countries["NLD"].geoms if part.intersects(EUROPE)]
    mainland = max(european, key=lambda part: part.area)
    # Baarle: the mainland polygon covers the Belgian enclaves (the source repeats them as
    # small Dutch polygons, meant as holes), so cut Belgium out. The source has no Dutch
    # counter-enclaves inside those enclaves: they come out as Belgium.
    netherlands = mainland
    for neighbour in ("BEL", "DEU"):
        netherlands = netherlands.difference(countries[neighbour])
    netherlands = make_valid(netherlands.simplify(TOLERANCE_DEGREES, preserve_topology=True))
    if netherlands.geom_type == "GeometryCollection":
        netherlands = MultiPolygon(
            [p for g in netherlands.geoms for p in getattr(g, "geoms", [g]) if p.area > 0]
        )
    geometry = mapping(netherlands)
    rounded = json.loads(json.dumps(geometry), parse_float=lambda v: round(float(v), 5))
    document = {
        "type": "Feature",
        "properties": {
            "name": "Nederland (Europees deel, met territoriale zee)",
            "source": "@geo-maps/countries-maritime-10m 0.6.0, simplified by ~10 m",
            "licence": "© OpenStreetMap contributors, ODbL 1.0",
        },
        "geometry": rounded,
    }
    OUT.write_text(json.dumps(document, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main(sys.argv[1])
