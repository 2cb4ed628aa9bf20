"""Figures built once per data version and shown without plotly re-validating them on every rerun.

A plotly figure costs most where nobody looks: every property set on a `go.Figure` is validated,
and st.plotly_chart turns a figure into a dict (a deep copy) or re-validates a dict it is given.
On a rerun where the data did not change, the pages' figures are the same as last time:
- `cached_figure` (a decorator of the pages' figure builders) and `figure` (for a figure built
  inline on a page) keep the built figure per data version and arguments, for every session;
- `shown` keeps, on that figure, the plain spec of each way it is shown (title wrapped for its
  width, projector height), made from an unvalidated copy; st.plotly_chart gets it as a
  figure whose `to_dict` is that spec, so it serialises it straight away.
The figures are shared: nothing may change them after they are built (`shown` works on a copy).
"""
from __future__ import annotations

import functools
from typing import Callable

import plotly.graph_objects as go
from plotly.basedatatypes import BaseFigure

from ui import data


class ShownFigure(BaseFigure):
    """A figure spec (plain dict) ready for st.plotly_chart, which calls `to_dict` and serialises it."""

    def __init__(self, spec: dict):  # no BaseFigure.__init__: nothing to validate
        object.__setattr__(self, "_spec", spec)

    def to_dict(self) -> dict:
        return self._spec

    def __repr__(self) -> str:
        return f"ShownFigure({len(self._spec.get('data', []))} traces)"


def cached_figure(build: Callable) -> Callable:
    """Decorator: the builder runs once per data version and arguments (the result is shared)."""
    name = f"{build.__module__}.{build.__qualname__}"

    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        key = data.cache_key("figure", name, args, tuple(sorted(kwargs.items())))
        return data.remember(key, lambda: build(*args, **kwargs))

    return wrapper


def figure(parts: tuple, build: Callable[[], go.Figure]) -> go.Figure:
    """A figure built inline on a page, once per data version and `parts` (everything it depends on
    besides the data: page, chart, month, county, font size…)."""
    return data.remember(data.cache_key("figure", *parts), build)


def shown(fig: go.Figure, variant: tuple, adjust: Callable[[go.Figure], None]) -> ShownFigure:
    """The spec of `fig` as shown in `variant` (a key of how `adjust` changes it), made once per figure."""
    memo = fig.__dict__.setdefault("_shown_specs", {})
    spec = memo.get(variant)
    if spec is None:
        copy = go.Figure(fig.to_dict(), _validate=False)
        adjust(copy)
        spec = memo[variant] = ShownFigure(copy.to_dict())
    return spec
