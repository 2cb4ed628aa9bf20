"""`python -m core ingest PATH... [--json] [--received-at …]`: load county workbooks."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from core.submission.ingest import (
    STATUS_LABELS,
    IngestResult,
    collect_files,
    ingest_paths,
)

MAX_ISSUES_SHOWN = 10


def received_at_arg(text: str) -> datetime:
    """Parse --received-at: YYYY-MM-DD or YYYY-MM-DDTHH:MM."""
    for fmt in ("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"「{text}」不是有效的时间,应写成 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM")


def add_parser(subparsers) -> None:
    """Register the ingest command."""
    p = subparsers.add_parser("ingest", help="载入县区报送的工作簿(文件或文件夹)",
                              description="校验并载入县区报送的工作簿;文件夹会递归读取,按文件名顺序处理。")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="工作簿文件或文件夹")
    p.add_argument("--json", action="store_true", help="以JSON输出结果")
    p.add_argument("--received-at", type=received_at_arg, default=None, metavar="YYYY-MM-DD[THH:MM]",
                   help="县区发送时间(默认:现在),据此判断按时/逾期")


def run(args: argparse.Namespace) -> int:
    """Ingest every workbook; exit 1 if any was rejected, 2 if a path cannot be read."""
    _, _, missing = collect_files(args.paths)
    if missing:
        for m in missing:
            print(f"找不到路径或无法读取:{m}", file=sys.stderr)
        return 2
    progress = None if args.json else _print_progress
    batch = ingest_paths(args.paths, db_path=args.db, received_at=args.received_at, progress=progress)
    if args.json:
        print(json.dumps(batch.model_dump(mode="json"), ensure_ascii=False, indent=1))
    else:
        for s in batch.skipped:
            print(f"跳过 {s.file}:{s.reason}")
        counts = {k: sum(1 for r in batch.results if r.status == k) for k in STATUS_LABELS}
        print(f"共处理{len(batch.results)}个文件:已接收{counts['accepted']}个,已驳回{counts['rejected']}个,"
              f"重复{counts['duplicate']}个" + (f";跳过{len(batch.skipped)}个非工作簿文件" if batch.skipped else ""))
    return 1 if batch.any_rejected else 0


def _print_progress(n: int, total: int, r: IngestResult) -> None:
    where = f"{r.county or '县区不明'} {r.period or '月份不明'}"
    head = f"[{n}/{total}] {r.file}:{STATUS_LABELS[r.status]}"
    if r.status == "accepted":
        rows = "、".join(f"{k}{v}行" for k, v in r.rows.items() if v)
        extra = f",替换第{r.replaces}号" if r.replaces else ""
        warn = sum(1 for i in r.issues if i.severity == "warning")
        print(f"{head}({where},第{r.submission_id}号,{rows}{extra}" + (f",{warn}条提示" if warn else "") + ")")
    elif r.status == "duplicate":
        print(f"{head}:{r.issues[0].message}")
    else:
        errors = [i for i in r.issues if i.severity == "error"]
        print(f"{head}({where},{len(errors)}处错误)")
        for i in errors[:MAX_ISSUES_SHOWN]:
            print(f"    {i.message}")
        if len(errors) > MAX_ISSUES_SHOWN:
            print(f"    ……另有{len(errors) - MAX_ISSUES_SHOWN}处错误")
    sys.stdout.flush()
