"""What the server accepts matches what the dashboard checks (.streamlit/config.toml)."""
from __future__ import annotations

import tomllib

from core.reading.filecheck import MAX_FILE_BYTES
from tests.conftest import ROOT

CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_upload_limit_is_the_file_check_limit():
    assert CONFIG["server"]["maxUploadSize"] * 1024 * 1024 == MAX_FILE_BYTES  # Streamlit's MB are MiB


def test_a_browser_cannot_send_large_widget_state_and_requests_from_other_sites_are_refused():
    assert CONFIG["server"]["maxWidgetStateSize"] <= 2
    assert CONFIG["server"]["enableXsrfProtection"] is True


def test_readme_sizes_the_proxy_for_the_upload_limit():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    limit = CONFIG["server"]["maxUploadSize"]
    assert f"client_max_body_size {limit + 1}m" in readme
