"""Small charts drawn on the server as inline SVG: no chart library, no CDN, no script.

The SVG uses presentation attributes only (no `style`), so it passes a strict
Content-Security-Policy, prints, and can be swapped in by the dashboard's live refresh.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 36, 40


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]
    fill: str
    stroke: str = "none"


def nice_step(maximum: int, lines: int = 5) -> int:
    """A round gridline step (1, 2 or 5 times a power of ten) giving at most `lines` lines."""
    if maximum <= 0:
        return 1
    raw = maximum / lines
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return max(1, int(factor * power))
    return int(10 * power)


def _number(value: int) -> str:
    """Grouped in thousands the way the page's language writes them: 2.000 or 2,000."""
    return formats.number_format(value, force_grouping=True)


def bar_chart_svg(
    *, labels: Sequence[str], series: Sequence[Series], title: str, description: str = ""
) -> SafeString:
    """Grouped bars, one group per label, one bar per series; each bar has a tooltip."""
    count = max(len(labels), 1)
    peak = max([0, *(v for s in series for v in s.values)])
    step = nice_step(peak)
    top_value = max(step, math.ceil(peak / step) * step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / count
    bar_w = group_w * 0.8 / max(len(series), 1)

    def y(value: int) -> float:
        return TOP + plot_h - plot_h * max(value, 0) / top_value

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'class="chart" role="img" aria-labelledby="chart-title chart-desc" '
        # Hours run left to right on a right-to-left page too; "end" is then their right.
        'direction="ltr" font-family="system-ui, sans-serif" font-size="14">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description)}</desc>',
    ]
    for value in range(0, top_value + 1, step):
        line_y = y(value)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{line_y:.1f}" y2="{line_y:.1f}" '
            'stroke="#ddd" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{line_y + 4:.1f}" text-anchor="end" fill="#555">'
            f"{_number(value)}</text>"
        )
    for index, label in enumerate(labels):
        group_x = LEFT + index * group_w + group_w * 0.1
        for number, item in enumerate(series):
            value = item.values[index] if index < len(item.values) else 0
            bar_y = y(value)
            parts.append(
                f'<rect x="{group_x + number * bar_w:.1f}" y="{bar_y:.1f}" '
                f'width="{bar_w * 0.92:.1f}" height="{TOP + plot_h - bar_y:.1f}" '
                f'fill="{item.fill}" stroke="{item.stroke}">'
                f"<title>{escape(item.name)}, {escape(label)}: {_number(value)}</title></rect>"
            )
        parts.append(
            f'<text x="{LEFT + index * group_w + group_w / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
            f'text-anchor="middle" fill="#1d1d1b">{escape(label)}</text>'
        )
    legend_x = LEFT
    for item in series:
        parts.append(
            f'<rect x="{legend_x}" y="8" width="14" height="14" fill="{item.fill}" '
            f'stroke="{item.stroke}"/><text x="{legend_x + 18}" y="20" fill="#1d1d1b">'
            f"{escape(item.name)}</text>"
        )
        legend_x += 28 + 8 * len(item.name)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)
