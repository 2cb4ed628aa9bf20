"""The zone's clock (core.month.today/now/clock): the zone's time, whatever the server is set to."""
from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from core import month
from core.db import open_db
from core.month import is_past_due, on_time
from core.zone import ZoneConfigError, load_zone

# 2026-11-05 23:30 UTC is 2026-11-06 07:30 in Beijing: the morning after October's due day.
INSTANT = datetime(2026, 11, 5, 23, 30, 12, 345678, tzinfo=timezone.utc)
SAMPLE = "白石县_2026-10.xlsx"


@pytest.fixture
def utc_server(monkeypatch):
    """A server set to UTC (TZ), with no PILOT_TODAY."""
    monkeypatch.delenv(month.TODAY_ENV, raising=False)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def stopped(utc_server, monkeypatch):
    """The machine's clock stopped at INSTANT."""
    monkeypatch.setattr(month, "_utc_now", lambda: INSTANT)


def test_today_and_now_are_the_zones_on_a_utc_server(stopped):
    assert load_zone().utc_offset_hours == 8
    assert month.today() == date(2026, 11, 6)
    assert month.now() == datetime(2026, 11, 6, 7, 30, 12)  # naive, zone-local, whole seconds
    assert month.clock() == datetime(2026, 11, 6, 7, 30, 12, 345678)  # stamps keep their order within a second
    assert not on_time(month.now(), "2026-10", 5)  # received the 6th in the zone: late
    assert is_past_due("2026-10", 5)  # the month closed at midnight Beijing time, not 08:00


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Shanghai"])
def test_the_real_clock_reads_the_zones_time_whatever_the_servers_zone(monkeypatch, tz):
    monkeypatch.delenv(month.TODAY_ENV, raising=False)
    monkeypatch.setenv("TZ", tz)
    time.tzset()
    try:
        before = datetime.now(timezone.utc) + timedelta(hours=8)
        got = month.now()
        after = datetime.now(timezone.utc) + timedelta(hours=8)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert got.tzinfo is None
    assert before.replace(tzinfo=None, microsecond=0) <= got <= after.replace(tzinfo=None)


def test_pilot_today_sets_the_date_and_the_zone_clock_the_time(stopped, monkeypatch):
    monkeypatch.setenv(month.TODAY_ENV, "2026-11-04")
    assert month.today() == date(2026, 11, 4)
    assert month.now() == datetime(2026, 11, 4, 7, 30, 12)
    assert month.clock().date() == date(2026, 11, 6)  # stamps of what happens keep the real day


def test_the_offset_comes_from_the_zone_file(stopped, monkeypatch, tmp_path):
    path = tmp_path / "zone.toml"
    path.write_text('name = "区"\nsource = "s"\ndue_day = 5\nutc_offset_hours = 0\n', encoding="utf-8")
    monkeypatch.setenv("PILOT_ZONE", str(path))
    assert month.today() == date(2026, 11, 5)
    assert month.now() == datetime(2026, 11, 5, 23, 30, 12)


def test_a_zone_file_without_the_offset_is_on_beijing_time(tmp_path):
    path = tmp_path / "zone.toml"
    path.write_text('name = "区"\nsource = "s"\ndue_day = 5\n', encoding="utf-8")
    assert load_zone(path).utc_offset_hours == 8


def test_an_offset_out_of_range_names_file_and_entry(tmp_path):
    path = tmp_path / "zone.toml"
    path.write_text('name = "区"\nsource = "s"\ndue_day = 5\nutc_offset_hours = 80\n', encoding="utf-8")
    with pytest.raises(ZoneConfigError) as exc:
        load_zone(path)
    assert "「utc_offset_hours」应为" in str(exc.value) and str(path) in str(exc.value)


def test_an_upload_is_stamped_on_the_zones_clock(stopped, db_path, samples_dir):
    from core.submission.ingest import ingest_file
    from core.submission.status import submission_matrix

    r = ingest_file(samples_dir / SAMPLE, db_path=db_path)
    assert r.status == "accepted", r.issues
    with open_db(db_path) as con:
        received, ingested = con.execute("SELECT received_at, ingested_at FROM submission").fetchone()
        cell = submission_matrix(con, "2026-10")
        at = con.execute("SELECT max(\"at\") FROM audit_log").fetchone()[0]
    assert received == datetime(2026, 11, 6, 7, 30, 12)
    assert ingested == at == datetime(2026, 11, 6, 7, 30, 12, 345678)
    assert cell.set_index("county").loc["白石县", "status"] == "逾期"


def test_no_module_reads_the_servers_clock_as_a_date():
    """Dates and times of day come from core.month (durations may use time.time/monotonic)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = []
    for folder in ("core", "pages", "ui"):
        for base, _, files in os.walk(os.path.join(root, folder)):
            for name in files:
                path = os.path.join(base, name)
                if not name.endswith(".py") or path.endswith(os.path.join("core", "month.py")):
                    continue
                text = open(path, encoding="utf-8").read()
                found += [f"{path}: {word}" for word in ("datetime.now(", "date.today(", "datetime.today(",
                                                         "datetime.utcnow(") if word in text]
    assert not found
