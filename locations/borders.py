"""Is a point inside the Netherlands?

The outline is the European Netherlands with the Wadden islands, the IJsselmeer, the
Zeeland estuaries and the territorial sea (12 nautical miles), from OpenStreetMap via the
`@geo-maps/countries-maritime-10m` package (ODbL), with Belgium and Germany cut out and
simplified by about 10 m (see `scripts/extract_netherlands_border.py`). A point on a beach
or a boat in the Wadden Sea is inside; a point a few hundred metres into Belgium or Germany
is outside.

Known limits: the Caribbean Netherlands are outside (the action days happen in Europe),
and in Baarle the tiny Dutch counter-enclaves inside Belgian enclaves count as Belgium.
An organiser can allow a location outside the outline explicitly.
"""

import functools
import json
import math
from pathlib import Path

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

OUTLINE_FILE = Path(__file__).resolve().parent / "data" / "netherlands.geojson"


@functools.cache
def netherlands_outline() -> BaseGeometry:
    geometry = shape(json.loads(OUTLINE_FILE.read_text())["geometry"])
    shapely.prepare(geometry)
    return geometry


def is_in_netherlands(latitude: float, longitude: float) -> bool:
    """True when (latitude, longitude) on WGS 84 lies inside the Netherlands' outline."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return False
    outline = netherlands_outline()
    # `covers` rather than `contains`: a point exactly on the line counts as inside.
    return bool(outline.covers(shapely.Point(longitude, latitude)))
