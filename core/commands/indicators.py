"""`python -m core indicators [--period] [--level] [--county] [--indicator] [--format]`: the monthly figures."""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys

from core.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from core.commands import period_arg
from core.db import open_db
from core.indicators import compute_indicators, month_completeness
from core.indicators.catalog import load_catalog
from core.indicators.completeness import (
    NOT_COMPARABLE,
    Completeness,
    month_choices,
    months_without_data,
    pick_default,
)
from core.indicators.compute import COLUMNS
from core.indicators.targets import STATUS_LABELS
from core.present.export import neutralise
from core.present.labels import completeness_marker, county_list_note, no_data_text, reporting_text
from core.submission.status import county_list_unset
from core.zone import load_zone
from core.present.numbers import format_target, format_value, signed_text

LEVEL_NAMES = {"zone": "实验区", "county": "县区", "school": "学校"}
STAGE_NAMES = {"primary": "小学", "junior": "初中", None: ""}


def add_parser(subparsers) -> None:
    """Register the indicators command."""
    p = subparsers.add_parser("indicators", help="计算监测指标",
                              description="计算某月的监测指标(实验区/县区/学校),含目标与达标状态。")
    p.add_argument("--period", type=period_arg, default=None, metavar="YYYY-MM",
                   help="月份(默认:最近一个已截止或已报齐的月份)")
    p.add_argument("--level", choices=["zone", "county", "school"], default="zone",
                   help="层级:zone 实验区(默认)、county 县区、school 学校")
    p.add_argument("--county", default=None, metavar="县区", help="只看某个县区")
    p.add_argument("--indicator", default=None, metavar="指标ID", help="只看某个指标,如 activity_hour_compliance")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table", help="输出格式(默认 table)")


def _plain(value):
    """JSON/CSV value: None for null/NaN, int for whole-number counts, else as is."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return value


def _count(value):
    value = _plain(value)
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Added after COLUMNS (docs/cli.md: keys may be added): on zone rows, whether data/zone.toml lists the
# zone's counties (false: counties_expected are the counties that have reported so far); null elsewhere.
LISTED = "counties_configured"


def records(df, listed: bool | None = None) -> list[dict]:
    """Rows as JSON-ready dicts: the cli.md contract keys first, then the extras (LISTED last)."""
    listed = bool(load_zone().counties) if listed is None else listed
    out = []
    for r in df.to_dict("records"):
        row = {c: _plain(r[c]) for c in COLUMNS}
        row["numerator"], row["denominator"] = _count(r["numerator"]), _count(r["denominator"])
        if row["rating"] is not None:
            row["rating"] = int(row["rating"])
        row[LISTED] = listed if row["level"] == "zone" else None
        out.append(row)
    return out


def _csv_cell(value):
    """CSV text as JSON writes it: true/false for booleans, empty for null."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def run(args: argparse.Namespace) -> int:
    """Compute and print the indicators; exit 1 when there is no data, 2 for an unknown indicator."""
    if args.indicator is not None and args.indicator not in load_catalog().ids:
        print(f"参数错误:未知指标「{args.indicator}」,可用的指标:{'、'.join(load_catalog().ids)}", file=sys.stderr)
        return EXIT_USAGE
    with open_db(args.db) as con:
        choices = month_choices(con)
        period = args.period or pick_default(choices)
        df = compute_indicators(con, period, args.level, args.county, args.indicator)
        month = month_completeness(con, period) if period else None
        unset = county_list_unset(con)
    rows = records(df)
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    elif args.format == "csv":
        # For Excel too (a redirect into 指标.csv): a UTF-8 BOM so Chinese shows correctly, and
        # county text that a spreadsheet would run as a formula neutralised (numbers unchanged).
        buf = io.StringIO()
        buf.write("\ufeff")
        writer = csv.DictWriter(buf, fieldnames=[*COLUMNS, LISTED], lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: neutralise(_csv_cell(v)) for k, v in r.items()} for r in rows)
        sys.stdout.write(buf.getvalue())
    else:
        _print_table(rows, period, month if args.county is None else None, unset)
        gap = months_without_data(choices)
        if rows and gap:
            print(f"注意:{no_data_text(gap, choices[0].period)}")
    if not rows:
        where = f"「{args.county}」" if args.county else ""
        print(f"{where}{period or ''} 没有可计算的指标数据", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _target(r: dict) -> str:
    if r["target"] is None:
        return "—"
    text = format_target(r["target"], r["direction"], r["unit"]).removeprefix("目标 ")
    if r["expected"] is not None:
        text += f"(本月应达{format_value(r['expected'], r['unit'])})"
    return text


def _print_table(rows: list[dict], period, month: Completeness | None, unset: bool = False) -> None:
    if not rows:
        return
    print(f"{period} 监测指标 · {LEVEL_NAMES[rows[0]['level']]}")
    if unset:
        print(f"注意:{county_list_note()}。")
    if month is not None and not month.complete:
        print(f"{reporting_text(month.n_reporting, len(month.expected))};未报送县区(未计入实验区数据):"
              f"{'、'.join(month.missing)}。计数类指标不完整,不与目标和上月比较;比率类指标只含已报送县区。")
    header = ["指标", "对象", "数值", "分子/分母", "目标", "状态", "较上月"]
    table = [header]
    for r in rows:
        who = r["county"] or "实验区"
        if r["level"] == "school":
            who = f"{r['county']} {r['school_name'] or r['school_id']}"
        if r["stage"]:
            who += f"({STAGE_NAMES[r['stage']]})"
        frac = f"{r['numerator']}/{r['denominator']}" if r["denominator"] is not None else ""
        marker = completeness_marker(r)
        status = "无数据" if r["value"] is None and r["target"] is not None else STATUS_LABELS[r["status"]]
        if r["completeness"] == NOT_COMPARABLE:
            status = marker
        value = format_value(r["value"], r["unit"]) + (f"({marker})" if marker and status != marker else "")
        delta = "" if r["change"] is None else signed_text(r["change"], r["unit"], change=True)
        table.append([r["name"], who, value, frac, _target(r), status, delta])
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths)).rstrip())


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))
