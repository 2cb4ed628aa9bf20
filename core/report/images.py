"""Chart pictures: plotly figures drawn by plotly.js in the process's one chromium (core/report/browser.py)."""
from __future__ import annotations

import base64
from collections.abc import Iterable

import plotly.graph_objects as go
import plotly.io as pio

from core.report.browser import ChartExportError, chromium_path, shared

__all__ = ["ChartExportError", "chromium_path", "figure_json", "figure_pictures", "figure_png", "png_bytes"]


def figure_json(fig: go.Figure) -> str:
    """The figure as JSON that is safe inside a <script> (no "<": county names are county text)."""
    return pio.to_json(fig, validate=False).replace("<", "\\u003c")


def figure_pictures(figures: Iterable[str], fmt: str, width: int, height: int, scale: float = 1) -> list[str]:
    """Each figure JSON drawn at width×height (×scale) as a data: URL, 'svg' or 'png', in one browser
    call; a generator's next figure is built while the browser draws the last one."""
    return shared.run(lambda browser, deadline: browser.draw(figures, fmt, width, height, scale, deadline))


def figure_png(fig: go.Figure, width: int, height: int, scale: float = 1) -> bytes:
    """The figure as PNG bytes of exactly width×height×scale pixels."""
    return png_bytes(figure_pictures([figure_json(fig)], "png", width, height, scale)[0])


def png_bytes(url: str) -> bytes:
    """The PNG of a 'data:image/png;base64,…' URL."""
    return base64.b64decode(url.partition(",")[2])
