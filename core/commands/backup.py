"""`python -m core backup -o DIR`: copy the database and the raw-file archive, with a manifest."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.access.backup import BackupError, backup


def add_parser(subparsers) -> None:
    """Register the backup command."""
    p = subparsers.add_parser("backup", help="备份数据库和原始文件",
                              description="把数据库和全部原始报送文件复制到一个文件夹,并写入校验清单 manifest.json;"
                                          "数据库副本会逐块读回校验,已损坏的数据库不会被当作备份。"
                                          "看板运行时也可备份(需稍候获得数据库锁)。")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="DIR", help="备份文件夹(新的或空的)")
    p.add_argument("--force", action="store_true", help="覆盖该文件夹中已有的备份")


def run(args: argparse.Namespace) -> int:
    """Write the backup; exit 1 when it cannot be done."""
    try:
        m = backup(args.output, args.db, force=args.force)
    except BackupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"已备份到 {args.output}:数据库({m['db_bytes'] / 1e6:.1f} MB,{m['submissions']}份报送记录,已读回校验),"
          f"原始文件{len(m['archive_files'])}个")
    if m["missing_archive_files"]:
        print(f"注意:数据库记录的{len(m['missing_archive_files'])}个原始文件在存档中找不到", file=sys.stderr)
    return 0
