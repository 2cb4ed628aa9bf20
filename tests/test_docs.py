"""The README documents what a newcomer and an administrator need: fails when something is undocumented."""
from __future__ import annotations

import re
import tomllib

import pytest

from core.cli import COMMANDS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    assert "bash scripts/run.sh" in README
    assert "bash scripts/test.sh" in README
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [name for name, _ in COMMANDS])
def test_every_cli_command_is_shown_in_the_readme(command):
    assert re.search(rf"python -m core {command}\b", README), f"README lacks an example of `{command}`"


@pytest.mark.parametrize("key", sorted(tomllib.loads((ROOT / "data" / "zone.toml").read_text("utf-8"))))
def test_every_zone_setting_is_mentioned_in_the_readme(key):
    assert key in README or key.replace("_", " ") in README, f"data/zone.toml `{key}` is undocumented"


def test_every_pinned_requirement_is_pinned():
    lines = [l.strip() for l in (ROOT / "requirements.txt").read_text().splitlines()]
    packages = [l for l in lines if l and not l.startswith("#")]
    assert packages and all("==" in l for l in packages), packages


FORMAT_DOC = (ROOT / "docs" / "submission-format.md").read_text(encoding="utf-8")


def _schema_columns():
    from core.submission.schema import SHEETS, columns
    return [(spec.name, c) for spec in SHEETS.values() for c in columns(spec.model)]


@pytest.mark.parametrize("sheet, column", _schema_columns(), ids=lambda v: getattr(v, "header", v))
def test_every_sheet_column_and_alias_is_in_the_format_doc(sheet, column):
    section = FORMAT_DOC.split(f"### {sheet}", 1)
    assert len(section) == 2, f"docs/submission-format.md has no section for sheet {sheet}"
    body = section[1].split("\n### ", 1)[0]
    row = next((line for line in body.splitlines() if line.startswith(f"| {column.header} |")), None)
    assert row is not None, f"{sheet}「{column.header}」is not documented"
    for alias in column.aliases:
        assert alias in row or "as above" in row, f"{sheet}「{column.header}」: alias {alias} undocumented"
