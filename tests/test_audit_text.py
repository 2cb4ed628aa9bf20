"""The audit log's 详情 reads as a Chinese sentence, never as the stored JSON."""
from __future__ import annotations

import json

import pytest

from core.present.audit import detail_sentence


@pytest.mark.parametrize("action, detail, expected", [
    ("ingest", {"file": "松溪县_2026-10.xlsx", "status": "accepted", "replaces": None,
                "received_at": "2026-11-03T09:47:00"},
     "文件「松溪县_2026-10.xlsx」通过校验并入库(收到时间 2026-11-03 09:47)"),
    ("ingest", {"file": "a.xlsx", "status": "accepted", "replaces": 181, "received_at": "2026-10-12T15:40:00"},
     "文件「a.xlsx」通过校验并入库(收到时间 2026-10-12 15:40),取代第181号报送成为现行版本"),
    ("ingest", {"file": "a.xlsx", "status": "rejected"}, "文件「a.xlsx」未通过校验,已驳回"),
    ("restore", {"replaces": 7}, "恢复为现行版本,取代第7号报送成为现行版本"),
    ("approve", {"comment": ""}, "审核通过"),
    ("return", {"comment": "体育活动时间按小时填写,请改为分钟"}, "退回县区修改,审核意见:体育活动时间按小时填写,请改为分钟"),
    ("refused", {"file": "a.xlsx", "reason": "该月份已锁定"}, "文件「a.xlsx」未受理:该月份已锁定"),
    ("reopen", {}, "—"),
    ("login", {"address": "10.1.2.3"}, "登录成功(地址 10.1.2.3)"),
    ("login_failed", {"address": "本机"}, "登录失败(账号或密码不正确)(地址 本机)"),
    ("user_change", {"username": "yl01", "role": "viewer", "sessions_ended": 2, "users_file": "/x"},
     "修改(重设密码)账号「yl01」,角色 查看,结束其2个登录"),
    ("user_remove", {"username": "yl01", "sessions_ended": 0}, "删除账号「yl01」"),
    ("db_restore", {"backup": "/备份/1105", "backup_created_at": "2026-11-05T10:00:00",
                    "audit_entries_carried_over": 3, "replaced_db_kept_as": "pilot.duckdb.before-restore-1"},
     "从备份 /备份/1105(备份于 2026-11-05 10:00)恢复数据库;带入备份之后的审计日志 3 条,"
     "原数据库保留为 pilot.duckdb.before-restore-1"),
])
def test_detail_sentences(action, detail, expected):
    assert detail_sentence(action, json.dumps(detail, ensure_ascii=False)) == expected
    assert detail_sentence(action, detail) == expected


def test_no_english_key_survives():
    for action in ("ingest", "restore", "approve", "return", "refused", "reopen", "relock"):
        text = detail_sentence(action, {"file": "x.xlsx", "status": "accepted", "replaces": 3,
                                        "received_at": "2026-01-02T03:04:05", "comment": "好", "reason": "锁定"})
        for key in ("file", "status", "replaces", "received_at", "comment", "reason", "{", "None",
                    "accepted"):
            assert key not in text, (action, text)
