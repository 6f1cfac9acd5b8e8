"""Charts for the word processors: the document's SVG, rasterised without any network."""
from __future__ import annotations

import cairosvg


def svg_to_png(svg: str, width: int = 1600) -> bytes | None:
    """PNG of a server-rendered SVG, or None if it cannot be drawn (the alt text remains).
    `unsafe=False`: cairosvg then fetches nothing but data: URLs, and no XML entities."""
    try:
        return cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=width, unsafe=False)
    except Exception:  # a broken chart must not lose the whole document
        return None
