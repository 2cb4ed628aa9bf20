"""The row models are the format spec: they match the DB schema and carry complete column metadata."""
from __future__ import annotations

import re

import pytest

from core.paths import ROOT
from core.submission.bands import COMPULSORY_TYPES, SCHOOL_BANDS, STAGE_GROUPS
from core.submission.parsed import SHEET_NAMES
from core.submission.schema import SHEETS, columns, db_columns

SQL = (ROOT / "core" / "sql" / "schema.sql").read_text(encoding="utf-8")


def table_columns(table: str) -> list[str]:
    body = re.search(rf"CREATE TABLE IF NOT EXISTS {table} \((.*?)\n\);", SQL, re.S).group(1)
    names = [line.split()[0] for line in body.splitlines() if line.strip() and not line.strip().startswith(("--", "PRIMARY"))]
    return [n for n in names if n != "submission_id"]


@pytest.mark.parametrize("key", list(SHEETS))
def test_model_columns_are_the_db_columns(key):
    assert db_columns(SHEETS[key].model) == table_columns(key)


def test_sheet_names_agree_with_parsed_contract():
    assert {k: s.name for k, s in SHEETS.items()} == SHEET_NAMES


@pytest.mark.parametrize("key", list(SHEETS))
def test_every_column_has_header_kind_and_hint(key):
    for c in columns(SHEETS[key].model):
        assert c.header and c.expected, c
        assert (c.kind == "enum") == bool(c.enum), c
        assert (c.req == "band") == (c.band is not None), c
        if c.band:
            assert any(c.band in bands for bands in SCHOOL_BANDS.values())


def test_aliases_do_not_collide_within_a_sheet():
    for spec in SHEETS.values():
        names = [n for c in columns(spec.model) for n in (c.header, *c.aliases)]
        assert len(names) == len(set(names)), spec.name


def test_school_type_table():
    assert set(SCHOOL_BANDS) == set(columns(SHEETS["school"].model)[3].enum)
    assert COMPULSORY_TYPES == set(SCHOOL_BANDS) - {"高级中学"}
    assert STAGE_GROUPS["小学"] == "primary" and STAGE_GROUPS["完全中学"] == "junior"


def test_ranges_from_the_spec_reach_the_model():
    cols = {c.name: c for c in columns(SHEETS["pe"].model)}
    assert (cols["activity_minutes"].lo, cols["activity_minutes"].hi) == (0, 300)
    assert cols["activity_minutes"].expected == "0–300之间的分钟数"
    field = SHEETS["pe"].model.model_fields["activity_minutes"]
    assert {type(m).__name__ for m in field.metadata} >= {"Ge", "Le"}


def test_synonyms_name_a_listed_value_and_no_listed_value_or_other_synonym():
    from core.reading.cells import fold
    for spec in SHEETS.values():
        for c in columns(spec.model):
            words = [fold(w) for w, _ in c.synonyms]
            assert (c.kind == "enum") or not c.synonyms, c
            assert all(value in c.enum for _, value in c.synonyms), c
            assert len(set(words)) == len(words) and not set(words) & {fold(v) for v in c.enum}, c
    assert dict(columns(SHEETS["school"].model)[3].synonyms)["初中"] == "初级中学"
