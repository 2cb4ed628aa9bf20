"""Where the project's files live: database, raw-file archive, data files."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"


def default_db_path() -> Path:
    """The database file: env PILOT_DB, else data/pilot.duckdb under the project root."""
    env = os.environ.get("PILOT_DB")
    return Path(env) if env else DATA_DIR / "pilot.duckdb"


def archive_dir(db_path: Path) -> Path:
    """Raw files are archived beside their database, so a test database gets its own archive."""
    return db_path.parent / f"{db_path.stem}-archive"
