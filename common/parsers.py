"""The API's parsers: DRF's, with JSON nested too deeply refused as a 400.

Kept apart from `common.api`, which imports DRF's views: DRF reads its parser setting
(`DEFAULT_PARSER_CLASSES`, naming `JSONParser` here) while it defines them.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

# No body of this API nests deeper than a few levels; a deeply nested one is an attack
# (`[[[[…]]]]` a hundred thousand deep made the JSON decoder raise RecursionError: a 500).
MAX_JSON_DEPTH = 32


def _depth_exceeds(data, limit: int) -> bool:
    """Whether `data` (parsed JSON) nests containers deeper than `limit`; not recursive."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than MAX_JSON_DEPTH with a 400
    `parse_error` (DRF's own lets the decoder's RecursionError through as a 500). It is
    DRF's default parser (settings.REST_FRAMEWORK); a view that names its parsers names
    this one. DRF reads the body through `request.body`, so Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE applies (`common.api.suspicious_request_answer`)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
        else:
            if not _depth_exceeds(data, MAX_JSON_DEPTH):
                return data
        raise exceptions.ParseError(
            _("JSON parse error - nested deeper than %(depth)d levels.") % {"depth": MAX_JSON_DEPTH}
        )
