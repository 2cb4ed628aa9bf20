"""Shared fixtures: the sample workbooks (the oracle) and a private database per test."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT.parent / "shared" / "samples"


@pytest.fixture
def samples_dir() -> Path:
    path = SAMPLES / "workbooks"
    if not path.is_dir():
        pytest.fail(f"sample workbooks not found at {path}")
    return path


@pytest.fixture
def db_path(tmp_path, monkeypatch) -> Path:
    """A database of the test's own (never data/pilot.duckdb); PILOT_DB points at it."""
    path = tmp_path / "pilot.duckdb"
    monkeypatch.setenv("PILOT_DB", str(path))
    return path


@pytest.fixture(autouse=True)
def _no_real_accounts(tmp_path_factory, monkeypatch):
    """Tests never read the deployment's data/users.toml: without a users file the app is in demo mode."""
    monkeypatch.setenv("PILOT_USERS", str(tmp_path_factory.mktemp("accounts") / "users.toml"))
    monkeypatch.delenv("PILOT_DEMO", raising=False)
