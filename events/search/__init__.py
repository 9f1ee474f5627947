"""Finding sites on the map and in the sites API: `filters` reads the query parameters,
`results` runs the one query and builds the GeoJSON features, so that the API, the map
page and its list show the same sites in the same places."""

from .filters import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_RADIUS_KM,
    MAX_PAGE_SIZE,
    MAX_RADIUS_KM,
    NearPoint,
    SiteFilters,
    SiteResults,
    locate_place,
    parse_date,
    parse_kind,
    parse_site_filters,
)
from .results import feature_collection, search_sites, site_feature, site_ids_near

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_RADIUS_KM",
    "MAX_PAGE_SIZE",
    "MAX_RADIUS_KM",
    "NearPoint",
    "SiteFilters",
    "SiteResults",
    "feature_collection",
    "locate_place",
    "parse_date",
    "parse_kind",
    "parse_site_filters",
    "search_sites",
    "site_feature",
    "site_ids_near",
]
