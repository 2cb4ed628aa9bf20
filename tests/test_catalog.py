"""The indicator catalogue (data/indicators.toml) against the project's own docs/indicators.md (and the contract)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.indicators.catalog import CatalogError, load_catalog

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "indicators.md"  # the project's own definitions, in its own words
# The zone office's contract, beside a checkout (not part of it): compared when present.
SPEC = ROOT.parent / "shared" / "spec" / "indicators.md"
ROW = re.compile(r"^\| ([a-z][a-z0-9_]*) \| ([^|]+?) \| [^|]+ \| ([^|]+?) \|$", re.M)
ITEM = re.compile(r"^\| (r\d) [^|]+ \| [^|]+ \| ([\d.]+) \| ([\d.]+) \|$", re.M)


def table_indicators(path: Path = DOC) -> list[tuple[str, str, str]]:
    """(id, 名称, unit) of every indicator table row of an indicators document."""
    return [r for r in ROW.findall(path.read_text(encoding="utf-8")) if r[0] not in ("id", "item")]


def spec_indicators() -> list[tuple[str, str, str]]:
    """The documented indicators (docs/indicators.md)."""
    return table_indicators(DOC)


def test_doc_is_parsed():
    assert len(spec_indicators()) == 26


def test_doc_matches_the_zone_contract_when_present():
    if not SPEC.is_file():
        pytest.skip("../shared/spec/indicators.md 不在本仓库旁(独立克隆时正常)")
    assert sorted(table_indicators(SPEC)) == sorted(spec_indicators())
    assert sorted(ITEM.findall(SPEC.read_text(encoding="utf-8"))) == sorted(ITEM.findall(DOC.read_text("utf-8")))


@pytest.mark.parametrize("ind_id, name, unit", spec_indicators())
def test_every_spec_indicator_is_in_the_catalogue(ind_id, name, unit):
    ind = load_catalog().get(ind_id)
    assert (ind.name, ind.unit) == (name, unit)
    assert ind.direction in (">=", "<=") and ind.source and ind.definition


def test_catalogue_has_nothing_outside_the_spec():
    assert sorted(load_catalog().ids) == sorted(i for i, _, _ in spec_indicators())


def test_resource_thresholds_match_the_spec():
    spec = {i: (float(p), float(j)) for i, p, j in ITEM.findall(DOC.read_text(encoding="utf-8"))}
    cat = {it.id: (it.threshold["primary"], it.threshold["junior"]) for it in load_catalog().resource_item}
    assert len(spec) == 7 and cat == spec


def test_policy_thresholds():
    th = load_catalog().thresholds
    assert th.pe_lessons == {"g12": 4, "g36": 3, "g79": 3, "g1012": 2}
    assert (th.activity_minutes, th.hw_g36_max_minutes, th.hw_g79_max_minutes) == (60, 60, 90)
    assert th.cv_max == {"primary": 0.50, "junior": 0.45}
    assert (th.resource_min_items, th.resource_floor) == (6, 0.85)


def test_cv_indicators_have_no_school_level():
    cat = load_catalog()
    assert "school" not in cat.get("resource_cv_max").levels
    assert "school" not in cat.get("submission_on_time_rate").levels


def test_bad_catalogue_names_file_and_entry(tmp_path):
    text = (ROOT / "data" / "indicators.toml").read_text(encoding="utf-8")
    path = tmp_path / "indicators.toml"
    path.write_text(text.replace('unit = "分钟"\ntopic = "pe"', 'unit = "分钟"\ntopic = "sport"', 1),
                    encoding="utf-8")
    with pytest.raises(CatalogError) as exc:
        load_catalog(path)
    assert str(path) in str(exc.value) and "activity_minutes_mean" in str(exc.value) and "topic" in str(exc.value)


def test_unknown_indicator_message():
    with pytest.raises(KeyError, match="未知指标"):
        load_catalog().get("nope")


# ---------------------------------------------------------------- one entry per indicator

def _catalogue_text() -> str:
    return (ROOT / "data" / "indicators.toml").read_text(encoding="utf-8")


def test_an_entry_without_a_computation_fails_loudly(tmp_path):
    # Before: an indicator with metadata but no computation was silently missing from every page.
    text = _catalogue_text().replace('numerator = "activity_ok"\n', "", 1)
    path = tmp_path / "indicators.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match="activity_hour_compliance.*numerator"):
        load_catalog(path)
    both = _catalogue_text().replace('compute = "on_time"', 'compute = "on_time"\nnumerator = "has_pe"', 1)
    path.write_text(both, encoding="utf-8")
    with pytest.raises(CatalogError, match="submission_on_time_rate.*两者都有"):
        load_catalog(path)
    unknown = _catalogue_text().replace('compute = "on_time"', 'compute = "on_tyme"', 1)
    path.write_text(unknown, encoding="utf-8")
    with pytest.raises(CatalogError, match="compute"):
        load_catalog(path)


def test_every_summed_entry_says_what_it_counts():
    from core.indicators.measures import measures
    cat = load_catalog()
    sums = measures(cat)
    for ind in cat.indicator:
        assert (ind.id in sums) == (ind.compute is None), ind.id
        if ind.id in sums:
            num, den = sums[ind.id]
            assert ind.numerator in num and ind.scope in num and ind.denominator in den


def test_grade_bands_come_from_one_table():
    from core.submission.bands import BAND_KEYS, SCHOOL_BANDS, STAGE_GROUPS
    from core.submission.schema import SHEETS, columns
    cat = load_catalog()
    assert cat.scope.bands == {t: tuple(BAND_KEYS[b] for b in bands) for t, bands in SCHOOL_BANDS.items()}
    assert cat.scope.stage_group == {t: g for t, g in STAGE_GROUPS.items() if g}
    assert set(cat.thresholds.pe_lessons) == set(BAND_KEYS.values())
    assert not re.search(r"^(bands|stage_group)\.", _catalogue_text(), re.M)  # not typed a second time
    banded = [c for sheet in SHEETS.values() for c in columns(sheet.model) if c.band]
    assert len(banded) >= 7
    for c in banded:  # the sheets' per-band columns carry their band's key (lessons_g36, g36_minutes)
        assert BAND_KEYS[c.band] in c.name, c.name
