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
    return _access_sentence(action, detail)


def _access_sentence(action: str, detail: dict) -> str:
    """Sign-ins, account changes and database restores (core/access)."""
    where = f"(地址 {detail['address']})" if detail.get("address") else ""
    ended = f",结束其{detail['sessions_ended']}个登录" if detail.get("sessions_ended") else ""
    name = f"账号「{detail.get('username', '')}」"
    if action in ("login", "login_failed", "logout"):
        return {"login": "登录成功", "login_failed": "登录失败(账号或密码不正确)", "logout": "退出登录"}[action] + where
    if action in ("user_add", "user_change"):
        from core.access.accounts import ROLE_LABELS

        role = ROLE_LABELS.get(detail.get("role"), detail.get("role") or "")
        verb = "新建" if action == "user_add" else "修改(重设密码)"
        return f"{verb}{name},角色 {role}{ended}"
    if action == "user_remove":
        return f"删除{name}{ended}"
    if action == "db_restore":
        kept = f",原数据库保留为 {detail['replaced_db_kept_as']}" if detail.get("replaced_db_kept_as") else ""
        return (f"从备份 {detail.get('backup', '')}(备份于 {_when(detail.get('backup_created_at'))})恢复数据库;"
                f"带入备份之后的审计日志 {detail.get('audit_entries_carried_over', 0)} 条{kept}")
    return MISSING  # reopen / relock: the action and the month say it all
