"""`python -m core users add|list|remove`: the administrator manages dashboard accounts."""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from core.access import sessions
from core.access.accounts import (
    ROLE_LABELS,
    AuthError,
    UsersFileError,
    add_user,
    canonical,
    list_users,
    load_users,
    remove_user,
    users_path,
)
from core.access.audit import record
from core.cli import EXIT_USAGE
from core.db import open_db
from core.submission.status import zone_county_list

CLI_ACTOR = "cli"  # the command line acts as the administrator (as for ingest)


def add_parser(subparsers) -> None:
    """Register the users command and its add / list / remove actions."""
    p = subparsers.add_parser("users", help="管理看板账号(添加、列出、删除)",
                              description="管理看板账号。账号保存在 data/users.toml(或环境变量 PILOT_USERS 指定的文件),"
                                          "密码以加盐的 scrypt 哈希保存;账号名不区分大小写。每次增删改都记入审计日志。")
    p.add_argument("--users", type=Path, default=None, metavar="FILE",
                   help="账号文件(默认:环境变量 PILOT_USERS,否则 data/users.toml)")
    sub = p.add_subparsers(dest="users_action", required=True, metavar="操作")
    add = sub.add_parser("add", help="添加账号或重设密码")
    add.add_argument("name", help="登录名(英文字母、数字、下划线;不区分大小写)")
    add.add_argument("--role", required=True, choices=list(ROLE_LABELS),
                     help="admin=实验区管理员, clerk=县区填报员, viewer=查看")
    add.add_argument("--county", default=None,
                     help="县区填报员所属县区,如 松溪县(须是实验区的县区:data/zone.toml 的 counties,或已有报送的县区)")
    add.add_argument("--display", default="", help="显示名称,如 张三")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码(一行),用于脚本")
    add.add_argument("--replace", action="store_true", help="账号已存在时重设其角色和密码")
    sub.add_parser("list", help="列出所有账号")
    rm = sub.add_parser("remove", help="删除账号")
    rm.add_argument("name")


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码(至少8个字符):")
    if getpass.getpass("再次输入密码:") != first:
        print("两次输入的密码不一致,未做任何修改", file=sys.stderr)
        return None
    return first


def _actor_detail(path: Path) -> dict:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = ""
    return {"users_file": str(path), "os_user": who}


def run(args: argparse.Namespace) -> int:
    """Run the chosen account action (audited in the database's log); exit 1 when it is refused."""
    path = args.users or users_path()
    try:
        if args.users_action == "list":
            if args.users and not path.is_file():  # a path typed by hand: say it is not there
                print(f"账号文件 {path} 不存在(请检查 --users 的路径)", file=sys.stderr)
                return EXIT_USAGE
            users = list_users(path)
            if not users:
                print(f"尚无账号(账号文件 {path} 不存在或其中没有账号)" if not path.is_file()
                      else f"账号文件 {path} 中没有账号")
            for u in users:
                print(f"{u.username}\t{u.role_label}\t{u.county or ''}\t{u.display}")
            return 0
        password = None
        if args.users_action == "add":
            password = _read_password(args.password_stdin)
            if password is None:
                return 1
        # The change and its audit entry go together: the database is opened first (busy: no change).
        with open_db(args.db) as con:
            detail = _actor_detail(path)
            if args.users_action == "remove":
                name = canonical(args.name)
                if not remove_user(name, path):
                    print(f"账号「{args.name}」不存在", file=sys.stderr)
                    return 1
                ended = sessions.store(path).end_account(name)
                record(con, CLI_ACTOR, "user_remove", detail={"username": name, "sessions_ended": ended, **detail})
                print(f"已删除账号「{name}」" + (f",其{ended}个登录已结束" if ended else ""))
                return 0
            existed = canonical(args.name) in load_users(path)
            user = add_user(args.name, password, args.role, args.county, args.display, path,
                            replace=args.replace, counties=zone_county_list(con))
            ended = sessions.store(path).end_account(user.username) if existed else 0
            record(con, CLI_ACTOR, "user_change" if existed else "user_add", county=user.county,
                   detail={"username": user.username, "role": user.role, "display": user.display,
                           "password_reset": True, "sessions_ended": ended, **detail})
    except UsersFileError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except (AuthError, sessions.SessionError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"已保存账号「{user.username}」:{user.label},账号文件 {path}")
    if args.county and user.county is None:  # only a clerk belongs to a county
        print(f"提示:{user.role_label}不属于某个县区,--county「{args.county}」未使用", file=sys.stderr)
    return 0
