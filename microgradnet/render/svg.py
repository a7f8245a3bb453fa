"""SVG from Graphviz, made to fit a page: scaled to its container, and trimmed for the step-through page.

Graphviz gives its SVG a fixed size in points, so a wide graph overflows a notebook's cell and is
clipped. `fit_width` lets it shrink to the width it is shown in (never beyond its own size, and
with its proportions kept by its viewBox).
"""

from __future__ import annotations

import re

__all__ = ["fit_width"]

_ROOT = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def fit_width(svg: str) -> str:
    """svg scaled down to its container's width (CSS max-width) and no wider than itself; unchanged if no size."""
    return _ROOT.sub(lambda m: f'{m.group(0)} style="width:100%;max-width:{m.group(1)}pt;height:auto"', svg, count=1)
