"""The command line: argparse over a list of command modules in core/commands/."""
from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from pathlib import Path
from types import ModuleType

from core.paths import default_db_path

# (module in core/commands, help line). Modules are imported only when needed,
# so a command whose module does not exist yet just says so.
COMMANDS: list[tuple[str, str]] = [
    ("ingest", "载入县区报送的工作簿(文件或文件夹)"),
    ("submissions", "各县区各月报送情况(按时/逾期/未报送/已驳回)"),
    ("template", "生成县区填报模板"),
    ("indicators", "计算监测指标"),
    ("demo", "生成演示数据"),
    ("report", "生成月报"),
    ("users", "管理看板账号"),
    ("backup", "备份数据库和原始文件"),
    ("restore", "从备份恢复数据库和原始文件"),
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help with its usage line in Chinese."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="用法:" if prefix is None else prefix)


# argparse's own error messages (English), as the administrator reads them: (pattern, Chinese)
ARGPARSE_MESSAGES = (
    (r"argument (\S+): ", r"参数 \1:"),
    (r"invalid choice: (.+?) \(choose from (.+)\)", r"无效的选项 \1(可选:\2)"),
    (r"the following arguments are required: (.+)", r"缺少必填参数:\1"),
    (r"unrecognized arguments: (.+)", r"无法识别的参数:\1"),
    (r"expected one argument", "需要一个值"),
    (r"expected at least one argument", "至少需要一个值"),
    (r"invalid (\w+) value: (.+)", r"值 \2 无效(应为 \1)"),
    (r"ambiguous option: (\S+) could match (.+)", r"选项 \1 不明确,可能是:\2"),
    (r"not allowed with argument (.+)", r"不能与参数 \1 同时使用"),
)


class ArgumentParser(argparse.ArgumentParser):
    """argparse in Chinese (usage, help, section titles, the error line); exits 2 on a usage error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title, self._optionals.title = "位置参数", "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message: str):
        for pattern, chinese in ARGPARSE_MESSAGES:
            message = re.sub(pattern, chinese, message)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"参数错误:{message}\n")


def _load(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"core.commands.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"core.commands.{name}":
            return None
        raise


def build_parser(selected: str | None = None) -> ArgumentParser:
    """The full parser; only the selected command's module is imported (all of them when None)."""
    parser = ArgumentParser(prog="python -m core", description="实验区监测看板 命令行工具")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    for name, help_text in COMMANDS:
        module = _load(name) if selected in (None, name) else None
        if module is not None:
            module.add_parser(sub)
            cmd = sub.choices[name]
            cmd.set_defaults(_run=module.run)
        else:
            cmd = sub.add_parser(name, help=help_text, description=help_text)
            cmd.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)  # listed in help only
        if not any(a.dest == "db" for a in cmd._actions):
            cmd.add_argument("--db", type=Path, default=None,
                             help="数据库文件(默认:环境变量 PILOT_DB,否则 data/pilot.duckdb)")
    return parser


def _selected(argv: list[str]) -> str | None:
    names = {n for n, _ in COMMANDS}
    for token in argv:
        if not token.startswith("-"):
            return token if token in names else None
    return None


def main(argv: list[str] | None = None) -> int:
    """Parse argv, run the command, return the exit code; never a traceback for bad input."""
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    from core.db import DatabaseUnavailable
    from core.month import MonthError
    from core.zone import ZoneConfigError
    try:
        return _main(argv)
    except DatabaseUnavailable as exc:
        print(f"{exc}({exc.path})", file=sys.stderr)
        return EXIT_FAILED
    except (ZoneConfigError, MonthError) as exc:  # a setting to mend (data/zone.toml, PILOT_TODAY): its own message
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # output piped into `head` etc.: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - one Chinese line, never a traceback
        print(f"程序内部错误:{type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _main(argv: list[str]) -> int:
    selected = _selected(argv)
    try:
        args = build_parser(selected).parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if getattr(args, "db", None) is None:
        args.db = default_db_path()
    return int(args._run(args))
