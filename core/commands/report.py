"""`python -m core report --period YYYY-MM -o FILE`: the monthly report (月报), format from the suffix."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.commands import period_arg
from core.report.build import FORMATS, write_report
from core.report.data import ReportError
from core.report.images import ChartExportError


def add_parser(subparsers) -> None:
    """Register the report command."""
    kinds = ";".join(f"{k} {v}" for k, v in FORMATS.items())
    p = subparsers.add_parser("report", help="生成月报",
                              description=f"生成实验区月报,格式由输出文件后缀决定:{kinds}。")
    p.add_argument("--period", type=period_arg, default=None, metavar="YYYY-MM",
                   help="报告月份(默认:最近一个已截止或已报齐的月份)")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE",
                   help="输出文件(.xlsx / .pdf / .html / .zip)")


def run(args: argparse.Namespace) -> int:
    """Write the report; exit 1 when there is no data or charts cannot be drawn, 2 for a bad path."""
    out: Path = args.output
    if out.suffix.lower() not in FORMATS:
        print(f"不支持的月报格式「{out.suffix or '(无后缀)'}」,请用 {'、'.join(FORMATS)} 结尾的文件名",
              file=sys.stderr)
        return 2
    try:
        written = write_report(args.db, args.period, out)
    except (ReportError, ChartExportError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"无法写入文件 {out}:{exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"已生成月报:{written}({FORMATS[out.suffix.lower()]})")
    return 0
