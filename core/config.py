"""Reading the zone office's TOML data files, with errors that name the file and the entry."""
from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError


def read_toml(path: Path, error: type[Exception] = ValueError) -> dict:
    """Parse a TOML file; `error` (Chinese message) if it is missing or not valid TOML."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"配置文件 {path} 不存在") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(f"配置文件 {path} 格式有误:{exc}") from None


def describe_errors(path: Path, exc: ValidationError, raw: dict,
                    hints: dict[str, str] | None = None) -> str:
    """Pydantic errors as one Chinese message: file, entry (with its id when known) and what must hold.

    `hints` maps a field name to the sentence shown when its value is out of range
    (e.g. {"due_day": "应为1–28之间的日期"}).
    """
    parts = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = ".".join(str(p) for p in loc) or "(整个文件)"
        if len(loc) >= 2 and isinstance(loc[1], int):
            entry = raw.get(loc[0], [])
            if isinstance(entry, list) and loc[1] < len(entry) and isinstance(entry[loc[1]], dict):
                ident = entry[loc[1]].get("id") or entry[loc[1]].get("indicator")
                if ident:
                    where = f"{loc[0]}「{ident}」" + "".join(f".{p}" for p in loc[2:])
        parts.append(f"「{where}」{_explain(err, (hints or {}).get(str(loc[-1]) if loc else ''))}")
    return f"配置文件 {path} 有误:" + ";".join(parts)


_RANGE_ERRORS = {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}


def _explain(err: dict, hint: str | None) -> str:
    kind = err["type"]
    if kind == "missing":
        return "缺少此项"
    if kind == "extra_forbidden":
        return "是未知的配置项"
    if kind == "string_too_short":
        return "不能为空"
    if kind in _RANGE_ERRORS and hint:
        return hint
    if kind == "literal_error":
        return f"取值「{err.get('input')}」不在允许范围内({err.get('ctx', {}).get('expected', '')})"
    return f"取值「{err.get('input')}」不正确({err.get('msg')})"
