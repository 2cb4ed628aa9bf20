"""`python -m core demo [--db PATH]`: rebuild the demo zone from scratch through the real ingest."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from core.demo.build import DEMO_WORKBOOK_DIR


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」不是有效的日期,应写成 YYYY-MM-DD") from None


def add_parser(subparsers) -> None:
    """Register the demo command."""
    p = subparsers.add_parser("demo", help="生成演示数据",
                              description="删除指定数据库后重新生成演示实验区:按县区常用的表格式样生成各月工作簿,"
                                          "再通过正常的载入流程逐个载入。每次运行结果完全相同。")
    p.add_argument("--workbooks", type=Path, default=DEMO_WORKBOOK_DIR, metavar="DIR",
                   help="演示工作簿的存放文件夹(默认:data/demo-workbooks)")
    p.add_argument("--today", type=_date_arg, default=None, metavar="YYYY-MM-DD",
                   help="以该日期为「今天」:上一个月份全部报齐,本月只有部分县区提前报送(默认:今天)")
    p.add_argument("--counties", type=int, default=8, metavar="N", help="县区数(默认8;压力测试可用更大规模)")
    p.add_argument("--schools", type=int, default=None, metavar="N",
                   help="每个县区的学校数(默认:各县40–120所不等)")
    p.add_argument("--months", type=int, default=24, metavar="N", help="报齐的月份数(默认24;另加本月)")
    p.add_argument("--json", action="store_true", help="以JSON输出摘要")


def run(args: argparse.Namespace) -> int:
    """Build the demo; exit 1 if any demo workbook was not accepted (a bug, never expected)."""
    from core.demo.build import build_demo

    progress = None if args.json else _print_progress
    for name in ("counties", "schools", "months"):
        value = getattr(args, name)
        if value is not None and value < 1:
            print(f"参数错误:--{name} 应为正整数", file=sys.stderr)
            return 2
    summary = build_demo(args.db, workbook_dir=args.workbooks, today=args.today, progress=progress,
                         n_counties=args.counties, schools_per_county=args.schools, months=args.months)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        print(f"\n演示数据已生成:{len(summary['counties'])}个县区、{summary['schools']}所学校,"
              f"{summary['periods'][0]} 至 {summary['periods'][1]}(另有 {summary['open_period']} 部分县区已报送),"
              f"共{summary['workbooks']}个工作簿,用时{summary['seconds']}秒")
        print(f"数据库:{summary['db']};工作簿:{summary['workbook_dir']}")
        for county, notes in summary["features"].items():
            print(f"  {county}:" + ";".join(notes))
        for name in summary["rejected"]:
            print(f"未通过校验:{name}", file=sys.stderr)
    return 1 if summary["rejected"] else 0


def _print_progress(n: int, total: int, label: str) -> None:
    line = f"[{n}/{total}] {label}"
    if sys.stdout.isatty():
        print(f"\r{line}", end="\n" if n == total else "", flush=True)
    elif n == total or n % 24 == 0:  # a log file gets a line now and then, not one per workbook
        print(line, flush=True)
