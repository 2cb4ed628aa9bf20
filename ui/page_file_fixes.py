"""Fixes to Streamlit's own page files, applied as ui/static_files.py reads them into memory.

Streamlit 1.67 draws every plotly chart twice when the chart appears (a page click, a filter
change, a tab): about 20–25 ms of plotly.js in the browser per chart, a fifth of a click on a
two-chart page (bench/RESULTS.md, "Every chart drawn once"). Two causes, both in its PlotlyChart
module:

- **width**: the chart mounts before its element has been measured (width -1). plotly draws it,
  hidden, at its own default size, then again at the measured width. Fixed: the chart mounts
  once the width is known (the element is empty for that one frame).
- **theme**: after mounting, an effect applies the theme again, as a JSON copy of the whole
  figure. plotly.react then sees new data arrays and computes and draws everything anew. Fixed:
  a figure already themed with the same theme is left as it is (a theme change still re-themes).

Each fix is an exact text replacement in the minified file. Where its text is not found exactly
once (another Streamlit version), the file is served unchanged and the server log says which fix
did not apply; tests/test_page_file_fixes.py fails on the pinned version if one does not.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fix:
    name: str
    file_prefix: str  # the file's name up to its content hash, e.g. "PlotlyChart."
    old: str
    new: str


FIXES = (
    Fix("plotly chart mounts once its width is known", "PlotlyChart.",
        "return t?i(Je,{width:t,...e}):null",
        "return t&&t!==-1?i(Je,{width:t,...e}):null"),
    Fix("plotly chart themed once (initial state)", "PlotlyChart.",
        "return n?ve(n):Le(O,e.theme,c)",
        "return n?ve(n):Object.assign(Le(O,e.theme,c),{__stTheme:c,__stKind:e.theme})"),
    Fix("plotly chart themed once (theme effect)", "PlotlyChart.",
        "(0,P.useEffect)(()=>{F(t=>Le(t,e.theme,c))},[e.id,c,e.theme])",
        "(0,P.useEffect)(()=>{F(t=>t.__stTheme===c&&t.__stKind===e.theme?t:"
        "Object.assign(Le(t,e.theme,c),{__stTheme:c,__stKind:e.theme}))},[e.id,c,e.theme])"),
)


def fixes_for(name: str) -> list[Fix]:
    """The fixes that concern the page file called `name`."""
    return [f for f in FIXES if name.startswith(f.file_prefix) and name.endswith(".js")]


def applicable(body: bytes, fixes: list[Fix]) -> list[Fix]:
    """The fixes whose text occurs exactly once in `body`."""
    return [f for f in fixes if body.count(f.old.encode()) == 1]


def fixed(name: str, body: bytes) -> bytes:
    """`body` of the page file `name` with its fixes applied: all of them, or none (and a warning).
    (On bytes: the chart module is 4.7 MB, and a decoded copy would take five times as long.)"""
    fixes = fixes_for(name)
    if not fixes:
        return body
    found = applicable(body, fixes)
    if len(found) < len(fixes):
        LOG.warning("Streamlit page file %s served unchanged: its text differs from what these fixes "
                    "expect (another Streamlit version?): %s", name,
                    "; ".join(f.name for f in fixes if f not in found))
        return body
    for f in fixes:
        body = body.replace(f.old.encode(), f.new.encode())
    return body
