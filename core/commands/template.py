"""`python -m core template --county NAME --period YYYY-MM -o FILE.xlsx`: the blank county workbook."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.commands import period_arg
from core.submission.template import write_template


def add_parser(subparsers) -> None:
    """Register the template command."""
    p = subparsers.add_parser("template", help="生成县区填报模板",
                              description="生成县区某月的填报模板,学校名册按该县区最近一次通过的报送预填。")
    p.add_argument("--county", required=True, help="县区名称")
    p.add_argument("--period", required=True, type=period_arg, metavar="YYYY-MM", help="报送月份")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.xlsx", help="输出文件")


def run(args: argparse.Namespace) -> int:
    """Write the template; exit 2 if the output path cannot be written."""
    out: Path = args.output
    if out.suffix.lower() != ".xlsx":
        out = out.with_suffix(".xlsx")
    try:
        n = write_template(args.county.strip(), args.period, out, db_path=args.db)
    except OSError as exc:
        print(f"无法写入文件 {out}:{exc.strerror or exc}", file=sys.stderr)
        return 2
    roster = f"已预填{n}所学校" if n else "该县区尚无通过的报送,学校名册为空"
    print(f"已生成 {args.county} {args.period} 填报模板:{out}({roster})")
    return 0
