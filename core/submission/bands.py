"""Grade bands each school type covers, compulsory types and stage groups (submission-format.md)."""
from __future__ import annotations

# Grade-band keys, in school order, with the Chinese words used in messages.
BANDS: dict[str, str] = {
    "1-2": "1–2年级",
    "3-6": "3–6年级",
    "7-9": "初中(7–9年级)",
    "10-12": "高中(10–12年级)",
}
COMPULSORY_BANDS = frozenset({"1-2", "3-6", "7-9"})
# Each band's key in column names: the sheets' per-band columns (lessons_g12, g36_minutes), the
# per-school facts of the indicators (covers_g12) and the catalogue's thresholds (pe_lessons.g12).
BAND_KEYS: dict[str, str] = {"1-2": "g12", "3-6": "g36", "7-9": "g79", "10-12": "g1012"}

# 学段类型 -> grade bands that type covers.
SCHOOL_BANDS: dict[str, tuple[str, ...]] = {
    "小学": ("1-2", "3-6"),
    "初级中学": ("7-9",),
    "九年一贯制学校": ("1-2", "3-6", "7-9"),
    "完全中学": ("7-9", "10-12"),
    "高级中学": ("10-12",),
    "十二年一贯制学校": ("1-2", "3-6", "7-9", "10-12"),
}
SCHOOL_TYPES: tuple[str, ...] = tuple(SCHOOL_BANDS)

# 义务教育学校: every type covering a compulsory band (= every type except 高级中学).
COMPULSORY_TYPES = frozenset(t for t, bands in SCHOOL_BANDS.items() if COMPULSORY_BANDS & set(bands))

# Stage group for 优质均衡 (indicators.md): a mixed school is judged as a whole as junior.
STAGE_GROUPS: dict[str, str | None] = {
    "小学": "primary",
    "初级中学": "junior",
    "九年一贯制学校": "junior",
    "完全中学": "junior",
    "十二年一贯制学校": "junior",
    "高级中学": None,
}


def covers(school_type: str | None, band: str) -> bool:
    """True when a school of this type teaches the grade band (unknown type: False)."""
    return band in SCHOOL_BANDS.get(school_type or "", ())


def is_compulsory(school_type: str | None) -> bool:
    """True for 义务教育学校 (every type except 高级中学)."""
    return school_type in COMPULSORY_TYPES
