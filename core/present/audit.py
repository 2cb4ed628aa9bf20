"""The audit log's 详情 as a Chinese sentence (the log stores it as JSON with English keys)."""
from __future__ import annotations

import json
from datetime import datetime

MISSING = "—"


def _when(text) -> str:
    try:
        return datetime.fromisoformat(str(text)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(text)


def _replaces(detail: dict) -> str:
    n = detail.get("replaces")
    return f",取代第{n}号报送成为现行版本" if n not in (None, "") else ""


def detail_sentence(action: str, detail) -> str:
    """One sentence for an audit entry's detail (a dict or its JSON text); — when there is nothing to say."""
    if isinstance(detail, str):
        try:
            detail = json.loads(detail) if detail.strip() else {}
        except ValueError:
            return detail
    detail = detail if isinstance(detail, dict) else {}
    file = f"文件「{detail['file']}」" if detail.get("file") else "文件"
    received = f"(收到时间 {_when(detail['received_at'])})" if detail.get("received_at") else ""
    comment = detail.get("comment")
    if action == "ingest":
        if detail.get("status") == "rejected":
            return f"{file}未通过校验,已驳回{received}"
        return f"{file}通过校验并入库{received}{_replaces(detail)}"
    if action == "restore":
        return f"恢复为现行版本{_replaces(detail)}"
    if action in ("approve", "return"):
        verb = "审核通过" if action == "approve" else "退回县区修改"
        return f"{verb},审核意见:{comment}" if comment else verb
    if action == "refused":
        return f"{file}未受理:{detail.get('reason') or '无权报送或月份已锁定'}"
    return MISSING  # reopen / relock: the action and the month say it all
