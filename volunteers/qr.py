"""QR codes of links (a site's invitation, a helper's personal link) as inline SVG, made
with segno on the server: no script and no image request, so they work under the strict
Content-Security-Policy and print sharply at any size (the SVG has a viewBox and no size;
CSS sizes it)."""

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str, *, title: str) -> SafeString:
    """The QR code of `url` as an `<svg>` element (error correction M: a printed code still
    reads with a crease or a stain). segno escapes `title`; the rest is path data."""
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True, svgclass="qr-code", title=title
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308 (made by segno)
