"""`python -m core restore DIR [--force]`: put a backup back (database and raw-file archive).
`python -m core restore --submission ID`: make an earlier accepted version of one submission the one in force.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.access.backup import BackupError, restore
from core.db import StoreError, open_db
from core.month import period_label
from core.submission.store import restore_submission

CLI_ACTOR = "cli"  # the command line acts as the administrator


def add_parser(subparsers) -> None:
    """Register the restore command."""
    p = subparsers.add_parser("restore", help="从备份恢复数据库和原始文件;或恢复某份报送的历史版本",
                              description="从备份恢复:先核对备份的校验清单和数据库文件,再恢复数据库和原始文件。"
                                          "请先停止看板。已有数据库时须加 --force;原有文件会改名为 "
                                          "*.before-restore-时间 保留,备份之后的审计日志会带入恢复后的数据库。"
                                          "恢复历史版本:--submission 报送编号,把该县区该月份的这一份"
                                          "(已接收的)报送恢复为现行版本,记入审计日志;看板运行时也可执行。")
    p.add_argument("backup_dir", type=Path, nargs="?", metavar="DIR", help="backup 命令生成的备份文件夹")
    p.add_argument("--force", action="store_true", help="覆盖现有数据库(原文件改名保留)")
    p.add_argument("--submission", type=int, default=None, metavar="ID",
                   help="恢复这一号报送为其县区、月份的现行版本(报送编号见 submissions 命令或「报送情况」页)")


def run(args: argparse.Namespace) -> int:
    """Restore the backup (or one submission's version); exit 1 when refused, 2 for a bad path or usage."""
    if args.submission is not None:
        if args.backup_dir is not None:
            print("参数错误:--submission 与备份文件夹不能同时使用", file=sys.stderr)
            return 2
        return _restore_version(args)
    if args.backup_dir is None:
        print("参数错误:请指定备份文件夹,或用 --submission 报送编号 恢复某份报送的历史版本", file=sys.stderr)
        return 2
    if not args.backup_dir.is_dir():
        print(f"备份文件夹 {args.backup_dir} 不存在", file=sys.stderr)
        return 2
    try:
        m = restore(args.backup_dir, args.db, force=args.force, actor=CLI_ACTOR)
    except BackupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"已从 {args.backup_dir}(备份于 {m['created_at']})恢复数据库到 {args.db},"
          f"{m['submissions']}份报送记录,原始文件{len(m['archive_files'])}个;"
          f"带入备份之后的审计日志{m['carried_audit']}条,本次恢复已记入审计日志")
    return 0


def _restore_version(args: argparse.Namespace) -> int:
    try:
        with open_db(args.db) as con:
            before = con.execute("SELECT county, period, in_force FROM submission WHERE id = ?",
                                 [args.submission]).fetchone()
            replaced = restore_submission(con, args.submission, CLI_ACTOR)
    except StoreError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    county, period, was_in_force = before
    where = f"{county} {period_label(period)}"
    if was_in_force:
        print(f"第{args.submission}号报送已是{where}的现行版本,未做修改")
    else:
        print(f"已将第{args.submission}号报送恢复为{where}的现行版本"
              + (f"(替换第{replaced}号)" if replaced else "") + ",已记入审计日志")
    return 0
