"""`python -m core restore DIR [--force]`: put a backup back (database and raw-file archive)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.access.backup import BackupError, restore


def add_parser(subparsers) -> None:
    """Register the restore command."""
    p = subparsers.add_parser("restore", help="从备份恢复数据库和原始文件",
                              description="先核对备份的校验清单,再恢复数据库和原始文件。请先停止看板。"
                                          "已有数据库时须加 --force;原有文件会改名为 *.before-restore-时间 保留。")
    p.add_argument("backup_dir", type=Path, metavar="DIR", help="backup 命令生成的备份文件夹")
    p.add_argument("--force", action="store_true", help="覆盖现有数据库(原文件改名保留)")


def run(args: argparse.Namespace) -> int:
    """Restore the backup; exit 1 when it is refused, 2 when the folder does not exist."""
    if not args.backup_dir.is_dir():
        print(f"备份文件夹 {args.backup_dir} 不存在", file=sys.stderr)
        return 2
    try:
        m = restore(args.backup_dir, args.db, force=args.force)
    except BackupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"已从 {args.backup_dir}(备份于 {m['created_at']})恢复数据库到 {args.db},"
          f"{m['submissions']}份报送记录,原始文件{len(m['archive_files'])}个")
    return 0
