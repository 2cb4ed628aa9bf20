"""DuckDB's own settings (core.db.DUCKDB_SETTINGS) hold on every connection the app opens."""
from __future__ import annotations

import duckdb

from core.db import DUCKDB_SETTINGS, open_db


def _expected(name: str, value: str) -> str:
    """The setting as DuckDB reports it back (e.g. 256MB -> 244.1 MiB)."""
    with duckdb.connect() as con:
        con.execute(f"SET {name} = '{value}'")
        return con.execute(f"SELECT current_setting('{name}')").fetchone()[0]


def test_every_connection_has_the_settings(tmp_path):
    path = tmp_path / "pilot.duckdb"
    assert DUCKDB_SETTINGS  # the memory bound at least
    expected = {name: _expected(name, value) for name, value in DUCKDB_SETTINGS.items()}
    default = duckdb.connect().execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert expected["memory_limit"] != default  # the bound is not DuckDB's default
    for _ in range(2):  # a new database instance each time (the last connection closed it)
        with open_db(path) as con:
            assert {n: con.execute(f"SELECT current_setting('{n}')").fetchone()[0] for n in expected} == expected
            with open_db(path) as inner:  # a second connection to the open instance
                assert {n: inner.execute(f"SELECT current_setting('{n}')").fetchone()[0] for n in expected} == expected
