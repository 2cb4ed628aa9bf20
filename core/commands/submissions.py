"""`python -m core submissions [--period YYYY-MM] [--json]`: who sent what, when."""
from __future__ import annotations

import argparse
import json

import pandas as pd

from core.commands import period_arg
from core.db import open_db
from core.present.labels import county_list_note
from core.submission.status import county_list_unset, submission_history, submission_matrix
from core.zone import load_zone


def add_parser(subparsers) -> None:
    """Register the submissions command."""
    p = subparsers.add_parser("submissions", help="各县区各月报送情况(按时/逾期/未报送/已驳回)",
                              description="各县区×月份:报送状态、现行版本、收到时间、问题数量及历史版本。")
    p.add_argument("--period", type=period_arg, default=None, metavar="YYYY-MM", help="只看某个月")
    p.add_argument("--json", action="store_true", help="以JSON输出")


def _ts(value) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%S")


def _text(value) -> str | None:
    """A text cell of the matrix, None when absent (pandas 3 turns a missing string into NaN)."""
    return None if value is None or pd.isna(value) else str(value)


def _int(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def run(args: argparse.Namespace) -> int:
    """Print the status matrix; exit 1 when there is nothing to show."""
    with open_db(args.db) as con:
        matrix = submission_matrix(con, args.period)
        histories = {(r.county, r.period): submission_history(con, r.county, r.period)
                     for r in matrix.itertuples()}
        unset = county_list_unset(con)
    if args.json:
        listed = bool(load_zone().counties)
        out = [_json_row(r, histories[(r.county, r.period)], listed) for r in matrix.itertuples()]
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        if unset:
            print(f"注意:{county_list_note()}。")
        _print_table(matrix, histories)
    return 0 if len(matrix) else 1


def _json_row(r, history: pd.DataFrame, listed: bool) -> dict:
    """One county × month; `counties_configured` (added, docs/cli.md): whether data/zone.toml lists the
    zone's counties (false: the counties are those that have reported so far, 未报送 only among them)."""
    return {
        "county": r.county, "period": r.period, "status": r.status, "due_date": r.due_date,
        "submission_id": _int(r.submission_id), "file": _text(r.file_name), "received_at": _ts(r.received_at),
        "first_accepted_at": _ts(r.first_accepted_at), "errors": int(r.n_errors),
        "warnings": int(r.n_warnings),
        "history": [{"submission_id": int(h.submission_id), "file": h.file_name, "status": h.status,
                     "in_force": bool(h.in_force), "received_at": _ts(h.received_at),
                     "ingested_at": _ts(h.ingested_at), "replaces": _int(h.replaces),
                     "errors": int(h.n_errors), "warnings": int(h.n_warnings), "sha256": h.sha256,
                     "submitted_by": h.submitted_by} for h in history.itertuples()],
        "counties_configured": listed,
    }


def _print_table(matrix: pd.DataFrame, histories: dict) -> None:
    if matrix.empty:
        print("暂无报送记录")
        return
    for period, group in matrix.groupby("period", sort=True):
        due = group["due_date"].iloc[0]
        print(f"{period}(截止 {due})")
        for r in group.itertuples():
            line, file_name = f"  {r.county}  {r.status}", _text(r.file_name)
            if _int(r.submission_id) is not None:
                line += f"  现行第{int(r.submission_id)}号「{file_name}」 收到 {_ts(r.received_at)}"
            elif file_name:
                line += f"  「{file_name}」 收到 {_ts(r.received_at)}"
            line += f"  错误{int(r.n_errors)} 提示{int(r.n_warnings)}"
            earlier = len(histories[(r.county, r.period)]) - (1 if file_name else 0)
            if earlier > 0:
                line += f"  另有{earlier}个历史版本"
            print(line)
