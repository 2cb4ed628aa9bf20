"""What users see when something is wrong on the server: a Chinese message, never a traceback or a server path."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.cli import main
from core.db import DatabaseCorrupt, open_db
from core.submission.ingest import ingest_file
from tests.builders import build_workbook, valid_submission_sheets

ROOT = Path(__file__).resolve().parent.parent


def _damaged(db: Path, how: str) -> None:
    if how == "not a database":
        db.write_bytes(b"PK\x03\x04 this is a zip, not a database" * 100)
        return
    ingest_file(build_workbook(valid_submission_sheets("云岭县", "2026-10")), file_name="x.xlsx", db_path=db,
                received_at=datetime(2026, 11, 3))
    size = db.stat().st_size
    with db.open("r+b") as fh:  # every block after the file headers damaged
        fh.seek(12288)
        fh.write(b"\xff" * (size - 12288))


@pytest.mark.parametrize("how", ["not a database", "damaged block"])
def test_a_damaged_database_is_a_chinese_message_on_the_page_and_in_the_cli(db_path, how, capsys):
    _damaged(db_path, how)
    with pytest.raises(DatabaseCorrupt):
        with open_db(db_path) as con:
            con.execute("SELECT * FROM school").fetchall()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(e.value for e in at.error)
    assert "数据库文件已损坏" in shown and "core restore" in shown
    assert str(db_path.parent) not in shown
    capsys.readouterr()  # (AppTest's logging noise)
    assert main(["submissions", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("数据库文件已损坏") and "Traceback" not in err


def _raise(kind: str):
    from pathlib import Path

    import streamlit as st
    from streamlit.errors import StreamlitAPIException

    from core.db import DatabaseCorrupt
    from ui.web import on_script_error

    exc = {"nul": StreamlitAPIException("Filename cannot contain null bytes."),
           "db": DatabaseCorrupt(Path("/srv/secret/pilot.duckdb")),
           "bug": KeyError("/srv/secret/path")}[kind]
    assert on_script_error(exc) is True  # Streamlit's own traceback display is suppressed
    st.write("done")


@pytest.mark.parametrize("kind, expected", [("nul", "文件名含有不允许的字符"), ("db", "数据库文件已损坏"),
                                            ("bug", "页面出现内部错误")])
def test_script_errors_show_a_chinese_message_without_server_paths(kind, expected):
    at = AppTest.from_function(_raise, args=(kind,), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(e.value for e in at.error)
    assert expected in shown and "/srv/secret" not in shown


def test_a_file_name_with_a_nul_character_never_shows_a_traceback(db_path):
    """Streamlit refuses such a name before the page runs; the app's handler explains it (st.App only:
    AppTest runs without it, so here the refusal itself is checked)."""
    at = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=60).run()
    book = build_workbook(valid_submission_sheets("云岭县", "2026-09"))
    at.file_uploader[0].set_value([("a\x00b.xlsx", book, "application/octet-stream")]).run()
    assert [e.value for e in at.exception] == ["Filename cannot contain null bytes."]
    with open_db(db_path) as con:
        assert con.execute("SELECT count(*) FROM submission").fetchone()[0] == 0
