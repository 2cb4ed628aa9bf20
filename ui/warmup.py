"""The overview's default month computed when the server starts, before anyone visits.

A fresh server has nothing in its caches: the first visitor of a province waited 5-10 s for the
month's indicator sums, the zone and county rows and the 数据截至 date (bench/RESULTS.md, "First
paint"). `start()` (app.py, when the web server imports it) computes exactly what the overview
asks for on its first run — the same `ui.data` calls, so the same cache keys — in one background
thread. It never blocks a session: a visitor who arrives meanwhile waits for the key being
computed (ui.data computes each key once) instead of computing it again, and everything else
goes on. Bounded: one month, the overview's own rows, once per server start.

Nothing happens on a database that does not exist yet or holds no submission: the first visitor's
run builds the demo zone there (ui/firstrun.py), and that build must not meet a reader.

The server says it is ready only when the warm-up is over (`READY`; ui/web.py's HealthWhenWarm
holds Streamlit's health check until then, at most READY_WAIT_S). A browser pings that check
before it opens its session, so a visitor who arrives during the warm-up sees the page's loading
screen a moment longer and then gets a warm first run, and whatever starts the server and waits
for its health (a service manager, the benchmark) knows when the dashboard can answer at speed.
"""
from __future__ import annotations

import ast
import importlib
import logging
import threading
from pathlib import Path

LOG = logging.getLogger(__name__)
THREAD_NAME = "pilot-warmup"
READY = threading.Event()  # set when the warm-up is over (done, nothing to do, or failed)
# The longest a health check is held for the warm-up: under the browser's own 15 s timeout for it
# (Streamlit's frontend then retries), and long enough for a province's month (~2 s here).
READY_WAIT_S = 10.0
ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ("app.py", "pages/overview.py")  # run by a new session's first visit: their imports are loaded first
# What Streamlit itself imports only when a page first checks an icon (streamlit.string_util's
# is_emoji and is_material_icon, asked by the navigation): the emoji catalogue alone takes ~28 ms.
STREAMLIT_LATE = ("streamlit.emojis", "streamlit.material_icon_names")
# Streamlit warns once per st.* call made outside a script run ("missing ScriptRunContext"): the
# warm-up's own calls (ui.data's spinner) are expected, so only those records are dropped.
CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


class _OwnThreadOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != THREAD_NAME


def script_imports(*scripts: str) -> list[str]:
    """The modules the given scripts import (at any depth of their code), in order, once each."""
    names: list[str] = []
    for script in scripts:
        for node in ast.walk(ast.parse((ROOT / script).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            else:
                continue
            names += [n for n in found if n not in names]
    return names


def load_modules(names: list[str]) -> None:
    """Import each module (a name that is an attribute, not a module, is skipped)."""
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def warm_overview() -> str | None:
    """Compute what the overview's first run needs for the default month; the month, or None when
    there is nothing to compute (no database, no data)."""
    from core.indicators.completeness import pick_default
    from ui import data, overview_grid

    load_modules([*script_imports(*SCRIPTS), *STREAMLIT_LATE])  # ~1.4 s (plotly, pandas, the pages' modules)
    path = Path(data.db_path())
    if not path.exists() or data.load("latest_submission_id") <= 0:
        return None
    choices = data.month_choices()
    data.load("zone_counties")
    data.load("county_list_unset")  # the administrator's note on the overview (ui/filters.county_list_note)
    if not choices:
        return None
    period = pick_default(choices)
    month = overview_grid.grid_month(period)  # the zone and county rows, the missing counties, 数据截至
    # The grid as a visitor opening the dashboard's address sees it: status view, not projector,
    # the URL carrying only the month (app.py writes it there on the first run).
    overview_grid.grid(month, "status", False, (period, None, None))
    overview_grid.download(month)
    return period


def _run() -> None:
    try:
        period = warm_overview()
        if period:
            LOG.info("overview of %s computed before the first visit", period)
    except BaseException:  # noqa: BLE001 - (st.stop's, on a busy database, too) the first visitor computes it
        LOG.warning("warming the overview failed; the first visitor computes it", exc_info=True)
    finally:
        READY.set()


def start() -> threading.Thread:
    """Start the warm-up in a daemon thread (the server's shutdown never waits for it)."""
    logging.getLogger(CONTEXT_LOGGER).addFilter(_OwnThreadOnly())
    thread = threading.Thread(target=_run, name=THREAD_NAME, daemon=True)
    thread.start()
    return thread
