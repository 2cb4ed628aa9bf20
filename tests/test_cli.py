"""The command line: exit codes, JSON shapes, Chinese errors, never a traceback."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import cli

ROOT = Path(__file__).resolve().parent.parent
RESULT_KEYS = {"file", "status", "county", "period", "submission_id", "replaces", "rows", "issues"}
ISSUE_KEYS = {"severity", "sheet", "row", "column", "value", "message"}


def run_cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PILOT_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_all_samples_accepted_then_duplicates_then_status(db_path, samples_dir):
    p = run_cli("ingest", str(samples_dir), "--json", "--received-at", "2026-11-03T09:00", db=db_path)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr
    results = json.loads(p.stdout)["results"]
    assert len(results) == 24
    for r in results:
        assert set(r) >= RESULT_KEYS
        assert r["status"] == "accepted", (r["file"], r["issues"])
        assert isinstance(r["submission_id"], int) and r["county"] in {"松溪县", "白石县", "望江区"}
        assert set(r["rows"]) == {"学校名册", "体育", "作业", "优质学校", "综合育人"} and r["rows"]["学校名册"] > 0
        assert all(set(i) == ISSUE_KEYS for i in r["issues"])
    assert [r["file"] for r in results] == sorted(r["file"] for r in results)
    assert {(r["county"], r["period"]) for r in results} == {
        (c, f"2026-{m:02d}") for c in ("松溪县", "白石县", "望江区") for m in range(3, 11)}

    again = run_cli("ingest", str(samples_dir / "白石县_2026-10.xlsx"), db=db_path)
    assert again.returncode == 0 and "重复文件" in again.stdout

    status = run_cli("submissions", "--json", "--period", "2026-10", db=db_path)
    assert status.returncode == 0, status.stderr
    rows = json.loads(status.stdout)
    assert {r["county"] for r in rows} == {"松溪县", "白石县", "望江区"}
    # 2026-11-03 is before the 5th: on time; each has one version in force.
    assert {r["status"] for r in rows} == {"按时"}
    assert all(len(r["history"]) == 1 and r["history"][0]["in_force"] for r in rows)


def test_bad_inputs_exit_codes_and_no_traceback(db_path, tmp_path):
    empty = tmp_path / "空.xlsx"
    empty.write_bytes(b"")
    csv = tmp_path / "名单.xlsx"
    csv.write_text("学校标识码,学校名称\n2110000001,一小\n", encoding="utf-8")
    p = run_cli("ingest", str(empty), str(csv), "--json", db=db_path)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    results = json.loads(p.stdout)["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert all(r["submission_id"] is None and r["issues"][0]["severity"] == "error" for r in results)

    missing = run_cli("ingest", str(tmp_path / "没有这个文件.xlsx"), db=db_path)
    assert missing.returncode == 2 and "找不到路径" in missing.stderr and "Traceback" not in missing.stderr


@pytest.mark.parametrize("argv", [
    [], ["nosuch"], ["ingest"], ["ingest", "x", "--received-at", "昨天"],
    ["submissions", "--period", "2026-13"], ["template", "--county", "松溪县"],
])
def test_usage_errors_exit_2(argv, db_path, capsys):
    assert cli.main(argv) == 2
    assert "参数错误" in capsys.readouterr().err


def test_human_ingest_output_and_rejection_exit_1(db_path, samples_dir, tmp_path, capsys):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a workbook")
    assert cli.main(["ingest", str(samples_dir / "松溪县_2026-03.xlsx"), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "[1/2] 松溪县_2026-03.xlsx:已接收(松溪县 2026-03,第1号" in out
    assert "[2/2] 坏.xlsx:已驳回" in out
    assert "共处理2个文件:已接收1个,已驳回1个,重复0个" in out


def test_submissions_human_output(db_path, samples_dir, capsys):
    assert cli.main(["ingest", str(samples_dir / "松溪县_2026-03.xlsx"), "--received-at", "2026-04-07"]) == 0
    capsys.readouterr()
    assert cli.main(["submissions"]) == 0
    out = capsys.readouterr().out
    assert "2026-03(截止 2026-04-05)" in out and "松溪县  逾期  现行第1号" in out


def test_submissions_missing_county_has_no_file(db_path, samples_dir, capsys):
    """A county that sent nothing for a month: no file, no time, in text and in (strict) JSON."""
    for name in ("松溪县_2026-03.xlsx", "白石县2026年3月监测数据.xlsx", "白石县-202604报送.xlsx"):
        assert cli.main(["ingest", str(samples_dir / name), "--received-at", "2026-05-01"]) == 0
    capsys.readouterr()
    assert cli.main(["submissions", "--period", "2026-04"]) == 0
    out = capsys.readouterr().out
    missing = next(line for line in out.splitlines() if "松溪县" in line)
    assert missing.split() == ["松溪县", "未报送", "错误0", "提示0"]
    assert cli.main(["submissions", "--period", "2026-04", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    row = next(r for r in rows if r["county"] == "松溪县")
    assert (row["status"], row["file"], row["received_at"], row["submission_id"]) == ("未报送", None, None, None)


def test_empty_database_submissions_exit_1(db_path, capsys):
    assert cli.main(["submissions", "--db", str(db_path)]) == 1
    assert "暂无报送记录" in capsys.readouterr().out


def test_unexpected_error_is_one_chinese_line(db_path, capsys, monkeypatch):
    import core.commands.submissions as cmd

    def boom(*a, **k):
        raise RuntimeError("意外")

    monkeypatch.setattr(cmd, "submission_matrix", boom)
    assert cli.main(["submissions"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("程序内部错误") and "Traceback" not in err and err.count("\n") == 1


def test_every_command_takes_db(db_path):
    parser = cli.build_parser()
    for name, sub in parser._subparsers._group_actions[0].choices.items():
        assert any(a.dest == "db" for a in sub._actions), name


@pytest.mark.parametrize("argv, said", [
    (["indicators", "--level", "foo"], "参数错误:参数 --level:无效的选项 'foo'(可选:'zone', 'county', 'school')"),
    (["indicators", "--period"], "参数错误:参数 --period:需要一个值"),
    (["ingest"], "参数错误:缺少必填参数:PATH"),
    (["indicators", "--bogus"], "参数错误:无法识别的参数:--bogus"),
])
def test_usage_errors_and_help_are_in_chinese(argv, said, db_path, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert said in err and err.startswith("用法:python -m core") and "usage" not in err
    assert cli.main(["indicators", "--help"]) == 0
    out = capsys.readouterr().out
    assert "显示本帮助并退出" in out and "选项:" in out and "show this help" not in out and "options" not in out


def test_a_bad_pilot_today_is_said_as_the_setting_to_mend(db_path, capsys, monkeypatch):
    monkeypatch.setenv("PILOT_TODAY", "2026-13-01")
    assert cli.main(["indicators", "--db", str(db_path)]) == 1
    assert capsys.readouterr().err.strip() == "环境变量 PILOT_TODAY「2026-13-01」不是有效的日期,应写成 YYYY-MM-DD"
