"""Server-rendered SVG charts: plain strings, shown inline in pages and embedded in documents.

Accessible by construction: role="img" with <title> and <desc>, axis labels, and every value
written beside its bar, so the chart reads without colour (and without the chart at all).
Only presentation attributes (fill, stroke…), never style attributes: the CSP stays strict.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 640, 320
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 16, 40, 56
BAR = "#1f4e8c"
AXIS = "#333333"
GRID = "#d0d0d0"
TEXT = "#1a1a1a"


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _nice_max(value: float) -> float:
    """The first round number (1, 2, 2.5, 5 × 10^n) at or above `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def bar_chart(title: str, description: str, labels: Sequence[str],
              values: Sequence[float | None], *, x_label: str, y_label: str,
              number: Callable[[float], str], missing: str, chart_id: str) -> str:
    """One bar per label; a None value draws no bar and writes `missing` instead."""
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    top = _nice_max(max((v for v in values if v is not None), default=0))
    slot = plot_w / max(len(labels), 1)
    bar_w = slot * 0.6
    base_y = MARGIN_TOP + plot_h
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" class="chart" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="sans-serif" font-size="12">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    for tick in range(5):
        value = top * tick / 4
        y = base_y - plot_h * tick / 4
        parts.append(f'<line x1="{MARGIN_LEFT}" y1="{y:.1f}" x2="{WIDTH - MARGIN_RIGHT}" '
                     f'y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'fill="{TEXT}">{escape(number(value))}</text>')
    for index, (label, value) in enumerate(zip(labels, values)):
        centre = MARGIN_LEFT + slot * index + slot / 2
        if value is None:
            parts.append(f'<text x="{centre:.1f}" y="{base_y - 6:.1f}" text-anchor="middle" '
                         f'fill="{TEXT}" font-style="italic">{escape(missing)}</text>')
        else:
            height = plot_h * value / top
            parts.append(f'<rect x="{centre - bar_w / 2:.1f}" y="{base_y - height:.1f}" '
                         f'width="{bar_w:.1f}" height="{height:.1f}" fill="{BAR}">'
                         f'<title>{escape(label)} : {escape(number(value))}</title></rect>')
            parts.append(f'<text x="{centre:.1f}" y="{base_y - height - 5:.1f}" '
                         f'text-anchor="middle" fill="{TEXT}" font-weight="bold">'
                         f'{escape(number(value))}</text>')
        parts.append(f'<text x="{centre:.1f}" y="{base_y + 18:.1f}" text-anchor="middle" '
                     f'fill="{TEXT}">{escape(label)}</text>')
    parts.append(f'<line x1="{MARGIN_LEFT}" y1="{base_y}" x2="{WIDTH - MARGIN_RIGHT}" '
                 f'y2="{base_y}" stroke="{AXIS}" stroke-width="1.5"/>')
    parts.append(f'<line x1="{MARGIN_LEFT}" y1="{MARGIN_TOP - 8}" x2="{MARGIN_LEFT}" '
                 f'y2="{base_y}" stroke="{AXIS}" stroke-width="1.5"/>')
    parts.append(f'<text x="{MARGIN_LEFT + plot_w / 2:.1f}" y="{HEIGHT - 12}" '
                 f'text-anchor="middle" fill="{TEXT}">{escape(x_label)}</text>')
    parts.append(f'<text x="{MARGIN_LEFT - 6}" y="{MARGIN_TOP - 16}" text-anchor="start" '
                 f'fill="{TEXT}">{escape(y_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
