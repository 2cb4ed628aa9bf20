"""Shared fixtures: the tests' own sample zone, the zone office's reference samples, a private database."""
from __future__ import annotations

from pathlib import Path

import pytest
from sample_zone import write_sample_zone

ROOT = Path(__file__).resolve().parent.parent
# The zone office's reference samples with their expected indicator values: beside a checkout of the
# project (../shared/samples), not part of it. Tests comparing with them skip when they are absent.
REFERENCE = ROOT.parent / "shared" / "samples"
NO_REFERENCE = "参考样例 ../shared/samples 不在本仓库旁(独立克隆时正常),跳过与其逐项比对的测试"


@pytest.fixture(scope="session")
def _own_samples(tmp_path_factory) -> Path:
    return write_sample_zone(tmp_path_factory.mktemp("samples") / "workbooks")


@pytest.fixture
def samples_dir(_own_samples) -> Path:
    """The tests' own 24 sample workbooks (tests/sample_zone.py): 3 counties × 2026-03 … 2026-10."""
    return _own_samples


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """../shared/samples (workbooks/ and expected-indicators-*.json); the test skips when it is absent."""
    if not (REFERENCE / "workbooks").is_dir():
        pytest.skip(NO_REFERENCE)
    return REFERENCE


@pytest.fixture
def db_path(tmp_path, monkeypatch) -> Path:
    """A database of the test's own (never data/pilot.duckdb); PILOT_DB points at it."""
    path = tmp_path / "pilot.duckdb"
    monkeypatch.setenv("PILOT_DB", str(path))
    return path


@pytest.fixture(autouse=True)
def _no_real_accounts(tmp_path_factory, monkeypatch):
    """Tests never read the deployment's data/users.toml (nor its sessions) and run in demo mode,
    chosen explicitly; tests of accounts unset PILOT_DEMO and add users to this file."""
    monkeypatch.setenv("PILOT_USERS", str(tmp_path_factory.mktemp("accounts") / "users.toml"))
    monkeypatch.setenv("PILOT_DEMO", "1")
