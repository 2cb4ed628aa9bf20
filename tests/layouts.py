"""County-office layouts of the same data (issue 12), built by the tests: the plain template layout
and the 统计表 layout clerks really send — title rows, 所属县区/学段类型/城乡类型 merged down, a two-row
体育 header, 小计 rows per 学段, a 总计 row above the data, 合计 and footer rows — in .xlsx, .xls, .ods.
"""
from __future__ import annotations

from builders import (
    HW_HEADER,
    PE_HEADER,
    ROSTER_HEADER,
    Merges,
    build_ods,
    build_workbook,
    build_xls,
    valid_submission_sheets,
)

COUNTY, PERIOD = "云岭县", "2026-10"
TYPE_ORDER = ("小学", "初级中学", "九年一贯制学校", "完全中学", "高级中学", "十二年一贯制学校")


def plain_sheets(n_schools: int = 12) -> dict[str, list[list]]:
    """The template layout, with 体质健康 figures filled in so that those columns count too."""
    sheets = valid_submission_sheets(COUNTY, PERIOD, n_schools)
    students = {r[0]: r[5] for r in sheets["学校名册"][1:]}
    for row in sheets["体育"][1:]:
        tested = students[row[0]] - 7
        row[7:10] = [tested, tested - 23, (tested - 23) // 2]
    return sheets


def _groups(rows: list[list], types: dict[str, str]) -> list[tuple[str, list[list]]]:
    """Data rows grouped by school type, in TYPE_ORDER (a county form lists schools by 学段)."""
    return [(t, [r for r in rows if types[r[0]] == t]) for t in TYPE_ORDER if any(types[r[0]] == t for r in rows)]


def _total(label: str, rows: list[list], width: int, label_col: int, numeric: range) -> list:
    out = [None] * width
    out[label_col] = label
    for j in numeric:
        values = [r[j] for r in rows if isinstance(r[j], (int, float)) and not isinstance(r[j], bool)]
        out[j] = sum(values) if values else None
    return out


def county_sheets(plain: dict[str, list[list]]) -> tuple[dict[str, list[list]], Merges]:
    """The same data as county offices lay it out, and the merged ranges (0-based, inclusive)."""
    roster = plain["学校名册"][1:]
    types = {r[0]: r[3] for r in roster}
    merges: Merges = {"学校名册": [], "体育": [], "作业": []}
    width = len(ROSTER_HEADER)
    rows = [[f"{COUNTY}2026年10月学校名册统计表"] + [None] * (width - 1),
            ["填报单位:云岭县教育局"] + [None] * (width - 1), list(ROSTER_HEADER)]
    merges["学校名册"].append((0, 0, 0, width - 1))
    first = len(rows)
    for stype, group in _groups(roster, types):
        start = len(rows)
        for r in group:
            rows.append(list(r))
        merges["学校名册"].append((start, 3, len(rows) - 1, 3))  # 学段类型 merged over its group
        for k in range(start + 1, len(rows)):  # the merged cells hold nothing of their own
            rows[k][3] = None
        _merge_runs(rows, merges["学校名册"], start, len(rows), 4)  # 城乡类型: equal neighbours merged
        rows.append(_total(f"{stype}小计", group, width, 1, range(5, 8)))
    merges["学校名册"].append((first, 2, len(rows) - 1, 2))  # 所属县区 over every school (and 小计)
    for k in range(first + 1, len(rows)):
        rows[k][2] = None
    rows.append(_total("合计", roster, width, 1, range(5, 8)))
    rows.append(["填报人:张三", None, None, "联系电话:0871-1234567", None, "审核人:李四"] + [None] * (width - 6))

    pe_rows = plain["体育"][1:]
    w = len(PE_HEADER)
    group_row = ["学校标识码", "学校名称", "体育课周课时", None, None, None, "日均校内体育活动时间(分钟)",
                 "体质健康", None, None]
    sub_row = [None, None, "1-2年级", "3-6年级", "初中", "高中", None, "测试人数", "及格人数", "优良人数"]
    pe = [[f"{COUNTY}2026年10月体育工作统计表"] + [None] * (w - 1), group_row, sub_row]
    merges["体育"] += [(0, 0, 0, w - 1), (1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 1, 5), (1, 6, 2, 6), (1, 7, 1, 9)]
    for stype, group in _groups(pe_rows, types):
        pe += [list(r) for r in group]
        label = f"其中:{stype}小计" if stype == "九年一贯制学校" else f"{stype}小计"
        pe.append(_total(label, group, w, 1, range(2, 10)))
    pe.append(_total("合计", pe_rows, w, 0, range(2, 10)))
    pe.append(["填报日期:2026年11月3日"] + [None] * (w - 1))

    hw_rows = plain["作业"][1:]
    w = len(HW_HEADER)
    hw = [[f"{COUNTY}2026年10月作业管理统计表"] + [None] * (w - 1), list(HW_HEADER),
          _total("全县总计", hw_rows, w, 1, range(3, 7))]  # a 总计 row above the data
    merges["作业"].append((0, 0, 0, w - 1))
    for stype, group in _groups(hw_rows, types):
        hw += [list(r) for r in group]
        hw.append(_total(f"{stype}小计", group, w, 1, range(3, 7)))
    return {**plain, "学校名册": rows, "体育": pe, "作业": hw}, merges


def _merge_runs(rows: list[list], merges: list, start: int, end: int, col: int) -> None:
    k = start
    while k < end:
        m = k
        while m + 1 < end and rows[m + 1][col] == rows[k][col]:
            m += 1
        if m > k:
            merges.append((k, col, m, col))
            for i in range(k + 1, m + 1):
                rows[i][col] = None
        k = m + 1


def build_xlsx(sheets: dict[str, list[list]], merges: Merges | None = None) -> bytes:
    """An .xlsx (openpyxl) with the given merged ranges."""
    return build_workbook(sheets, merges=merges)


BUILDERS = {".xlsx": build_xlsx, ".xls": build_xls, ".ods": build_ods}


def workbook(suffix: str, county_layout: bool, n_schools: int = 12) -> bytes:
    """The test zone's workbook in the plain or the county layout, as .xlsx, .xls or .ods."""
    plain = plain_sheets(n_schools)
    sheets, merges = county_sheets(plain) if county_layout else (plain, {})
    return BUILDERS[suffix](sheets, merges)

