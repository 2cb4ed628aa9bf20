"""Plausible, fictitious Chinese names for the demo zone: counties, towns, villages, schools."""
from __future__ import annotations

import numpy as np

# The eight counties of the embedded demo (none of them is a sample county 松溪县/白石县/望江区).
DEMO_COUNTIES: tuple[str, ...] = ("云岭县", "石门县", "清溪县", "临江区", "枫林县", "东湖区", "龙泉县", "桃源县")

# Syllables for further counties (benchmark scale) and for towns and villages.
_FIRST = "青白红金玉凤龙桂柳松梅竹兰杏桃梨茶麻石岩沙河湖溪泉江山岭坪坝水云"
_SECOND = "山水阳溪岭川坪源林江河湾塘桥口冲田寨坡岗台城庄"
TOWNS: tuple[str, ...] = (
    "青石", "白沙", "柳湾", "大坪", "河口", "新场", "马鞍", "凤凰", "黄泥", "杨柳", "观音", "长坡",
    "石桥", "桂花", "梨树", "红岩", "茶园", "金竹", "五里", "三合", "平坝", "高坡", "水口", "龙塘",
    "双河", "永安", "太平", "兴隆", "和平", "安乐", "花桥", "麻柳", "清水", "六合", "大兴", "回龙",
)
VILLAGES: tuple[str, ...] = (
    "上寨", "下坝", "中坪", "沙坝", "岩脚", "坪上", "田坝", "竹林", "松林", "核桃", "板桥", "新田",
    "老街", "白果", "杉树", "大湾", "小河", "油坊", "石门", "龙井", "枫香", "马场", "桥头", "湾里",
)
_NUMERALS = "一二三四五六七八九十"
TWELVE_YEAR = ("外国语学校", "育才学校", "启明学校", "博文学校", "英才学校", "新华学校")


def county_names(n: int) -> list[str]:
    """n distinct county names: the eight demo counties first, then generated ones."""
    names = list(DEMO_COUNTIES[:n])
    for a in _FIRST:
        for b in _SECOND:
            if len(names) >= n:
                return names
            name = f"{a}{b}{'区' if (len(names) % 5 == 3) else '县'}"
            if name not in names and name not in ("松溪县", "白石县", "望江区"):
                names.append(name)
    return names


def numeral(k: int) -> str:
    """Chinese numeral for 1..99 (一, 十, 十二, 二十三); Arabic digits from 100 (province-scale benchmark)."""
    if k >= 100:
        return str(k)
    if k <= 10:
        return _NUMERALS[k - 1]
    tens, ones = divmod(k, 10)
    head = "" if tens == 1 else _NUMERALS[tens - 1]
    return head + "十" + (_NUMERALS[ones - 1] if ones else "")


def school_names(county: str, types: list[str], locales: list[str], rng: np.random.Generator) -> list[str]:
    """One unique, plausible name per school (县城 schools numbered, town and village schools by place)."""
    counters: dict[str, int] = {}
    used: set[str] = set()
    names = []
    for school_type, locale in zip(types, locales):
        for attempt in range(30):
            town = TOWNS[int(rng.integers(len(TOWNS)))]
            village = VILLAGES[int(rng.integers(len(VILLAGES)))]
            name = _candidate(county, school_type, locale, town, village, counters, numbered=attempt >= 20)
            if name not in used:
                break
        used.add(name)
        names.append(name)
    return names


def _candidate(stem: str, school_type: str, locale: str, town: str, village: str,
               counters: dict[str, int], numbered: bool) -> str:
    def nth(prefix: str, kind: str) -> str:
        counters[prefix + kind] = counters.get(prefix + kind, 0) + 1
        return f"{prefix}第{numeral(counters[prefix + kind])}{kind}"

    place = f"{town}{'镇' if locale == '镇区' else '乡'}"
    if school_type == "小学":
        if locale == "城区" or numbered:
            return nth(stem if locale == "城区" else place, "小学")
        return f"{town}镇中心小学" if locale == "镇区" else f"{place}{village}小学"
    if school_type == "初级中学":
        return nth(stem, "中学") if locale == "城区" else nth(place, "中学") if numbered else f"{place}中学"
    if school_type == "九年一贯制学校":
        if locale == "城区":
            return nth(stem, "实验学校")
        return nth(place, "学校") if numbered else f"{place}九年一贯制学校"
    if school_type in ("完全中学", "高级中学"):  # county towns number their 中学 in one series
        return nth(stem, "中学")
    counters["twelve"] = counters.get("twelve", 0) + 1
    k = counters["twelve"]
    return f"{stem}{TWELVE_YEAR[k - 1]}" if k <= len(TWELVE_YEAR) else nth(stem, "实验学校")
