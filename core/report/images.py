"""Server-side chart export: plotly figure -> PNG bytes via kaleido and Debian's chromium."""
from __future__ import annotations

import atexit
import shutil
import threading
import warnings

import plotly.graph_objects as go

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
_lock = threading.Lock()
_server_started = False


class ChartExportError(RuntimeError):
    """Charts cannot be exported as images here; the message says what to install, in Chinese."""


def chromium_path() -> str | None:
    """The browser kaleido and the PDF printer use, or None when none is installed."""
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def figure_png(fig: go.Figure, width: int, height: int, scale: float = 1) -> bytes:
    """The figure as PNG bytes of exactly width×height×scale pixels."""
    if chromium_path() is None:
        raise ChartExportError("未找到 chromium 浏览器,无法导出图表图片;"
                               "请运行 bash scripts/setup_system.sh 安装 chromium 和中文字体")
    _ensure_server()
    try:
        with warnings.catch_warnings():
            # plotly passes browser options a running server ignores; harmless
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            return fig.to_image(format="png", width=width, height=height, scale=scale)
    except Exception as exc:  # noqa: BLE001 - kaleido raises many types; one Chinese message
        raise ChartExportError(f"图表图片导出失败:{type(exc).__name__}: {exc}") from exc


def _ensure_server() -> None:
    """Start kaleido's persistent browser once: later exports take ~0.25 s instead of ~2 s."""
    global _server_started
    with _lock:
        if _server_started:
            return
        import kaleido

        try:
            kaleido.start_sync_server(silence_warnings=True)
        except Exception:  # noqa: BLE001 - already running in this process is fine
            pass
        _server_started = True
        atexit.register(_stop_server)


def _stop_server() -> None:
    import kaleido

    try:
        kaleido.stop_sync_server(silence_warnings=True)
    except Exception:  # noqa: BLE001 - best effort at interpreter exit
        pass
