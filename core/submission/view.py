"""Tables the 数据报送 and 报送情况 pages show: issues, the county × month status matrix, version history."""
from __future__ import annotations

import pandas as pd

from core.month import period_label
from core.present.palette import status_style
from core.submission.issues import Issue
from core.submission.plausibility import METRICS, number
from core.submission.status import LATE, MISSING, ON_TIME, REJECTED

# Submission status -> the display status whose colour it takes (data/ui.toml [status.*]).
STATUS_COLOR_KEYS: dict[str, str] = {ON_TIME: "green", LATE: "amber", REJECTED: "red", MISSING: "none"}
SEVERITY_LABELS: dict[str, str] = {"error": "错误", "warning": "警告"}
ISSUE_COLUMNS = ["严重程度", "工作表", "行", "列", "值", "说明"]
REVIEW_LABELS: dict[str, str] = {"approved": "审核通过", "returned": "退回"}
RESULT_LABELS: dict[str, str] = {"accepted": "已接收", "rejected": "已驳回", "duplicate": "重复文件"}
HISTORY_LABELS: dict[str, str] = {
    "submission_id": "报送编号", "file_name": "文件名", "status": "结果", "in_force": "当前生效",
    "received_at": "报送时间", "ingested_at": "载入时间", "replaces": "替换报送编号",
    "n_errors": "错误数", "n_warnings": "警告数", "review_status": "审核状态", "review_comment": "审核意见",
    "submitted_by": "报送账号", "sha256": "文件SHA-256",
}
MATRIX_LABELS: dict[str, str] = {
    "county": "县区", "period": "报送月份", "status": "状态", "due_date": "截止日期",
    "submission_id": "生效报送编号", "file_name": "文件名", "received_at": "报送时间",
    "first_accepted_at": "首次接收时间", "n_errors": "错误数", "n_warnings": "警告数",
    "versions": "版本数", "review_status": "审核状态",
}


def issues_frame(issues: list[Issue] | pd.DataFrame) -> pd.DataFrame:
    """Issues (objects or submission_issues rows) as a Chinese table: 严重程度, 工作表, 行, 列, 值, 说明."""
    if isinstance(issues, pd.DataFrame):
        records = issues.to_dict("records")
    else:
        records = [i.model_dump() for i in issues]
    rows = [{
        "严重程度": SEVERITY_LABELS.get(r.get("severity"), r.get("severity")),
        "工作表": _text(r.get("sheet")) or "(整个工作簿)",
        "行": None if _blank(r.get("row")) else int(r["row"]),
        "列": _text(r.get("column")),
        "值": _text(r.get("value")),
        "说明": _text(r.get("message")),
    } for r in records]
    frame = pd.DataFrame(rows, columns=ISSUE_COLUMNS)
    frame["行"] = frame["行"].astype("Int64")
    return frame


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _text(value: object) -> str:
    return "" if _blank(value) else str(value)


def cell_text(row: pd.Series) -> str:
    """What one matrix cell says: the status, plus issue counts when there are any."""
    parts = [row["status"]]
    if row.get("n_errors"):
        parts.append(f"错误{int(row['n_errors'])}")
    if row.get("n_warnings"):
        parts.append(f"警告{int(row['n_warnings'])}")
    review = REVIEW_LABELS.get(row.get("review_status") or "")
    if review:
        parts.append(review)
    return " · ".join(parts)


def status_pivot(matrix: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The matrix as county rows × month columns: (cell texts, statuses), same shape, Chinese labels."""
    if matrix.empty:
        empty = pd.DataFrame(index=pd.Index([], name="县区"))
        return empty, empty
    m = matrix.assign(text=matrix.apply(cell_text, axis=1), month=matrix["period"].map(period_label))
    order = [period_label(p) for p in sorted(matrix["period"].unique())]
    counties = list(dict.fromkeys(matrix["county"]))
    texts = m.pivot(index="county", columns="month", values="text").reindex(index=counties, columns=order)
    statuses = m.pivot(index="county", columns="month", values="status").reindex(index=counties, columns=order)
    texts.index.name = statuses.index.name = "县区"
    texts.columns.name = statuses.columns.name = None
    return texts, statuses


def status_css(status: str | None) -> str:
    """CSS for a matrix cell of this submission status (colours from data/ui.toml)."""
    style = status_style(STATUS_COLOR_KEYS.get(status or "", "none"))
    return f"background-color: {style.color}; color: {style.text_color}"


def status_counts(matrix: pd.DataFrame) -> dict[str, int]:
    """How many county-months have each status, in the order 按时, 逾期, 已驳回, 未报送."""
    counts = matrix["status"].value_counts() if not matrix.empty else pd.Series(dtype=int)
    return {s: int(counts.get(s, 0)) for s in STATUS_COLOR_KEYS}


def matrix_table(matrix: pd.DataFrame) -> pd.DataFrame:
    """The long matrix with Chinese headers, for download."""
    review = [REVIEW_LABELS.get(s, "待审核") if not _blank(sid) else ""
              for s, sid in zip(matrix["review_status"], matrix["submission_id"])]
    out = matrix.assign(period=matrix["period"].map(period_label), review_status=review)
    return out.rename(columns=MATRIX_LABELS)[list(MATRIX_LABELS.values())]


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """Version history with Chinese headers and labels (结果, 当前生效 是/否, 审核状态)."""
    out = history.assign(
        status=history["status"].map(lambda s: RESULT_LABELS.get(s, s)),
        review_status=history["review_status"].map(lambda s: REVIEW_LABELS.get(s, "待审核") if isinstance(s, str)
                                                     else "待审核"),
        in_force=history["in_force"].map(lambda v: "是" if v is True or v == 1 else "否"),
        received_at=history["received_at"].map(_when), ingested_at=history["ingested_at"].map(_when),
        replaces=history["replaces"].map(lambda v: "" if _blank(v) else f"第{int(v)}号"),
        review_comment=history["review_comment"].map(_text), submitted_by=history["submitted_by"].map(_text),
    )
    return out.rename(columns=HISTORY_LABELS)[list(HISTORY_LABELS.values())]


def _when(value: object) -> str:
    return "" if _blank(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def version_label(row: pd.Series) -> str:
    """One version in a picker: 「第17号 · 2026-11-03 09:30 · 已接收(生效) · 文件名」."""
    when = _when(row["received_at"])
    result = RESULT_LABELS.get(row["status"], row["status"])
    if row.get("in_force") is True or row.get("in_force") == 1:
        result += "(生效)"
    return f"第{int(row['submission_id'])}号 · {when} · {result} · {row['file_name']}"


QUALITY_LABELS: dict[str, str] = {
    "county": "县区", "school_id": "学校标识码", "school_name": "学校名称", "kind": "提示",
    "metric_name": "数据项", "value": "本月填写", "reference": "对照", "reason": "说明",
}
QUALITY_KINDS: dict[str, str] = {"outlier": "与本县区其他学校相差很大", "jump": "与上月相比变化很大",
                                 "hours": "疑似按小时填写"}
QUALITY_REFERENCES: dict[str, str] = {"outlier": "本县区中位数", "jump": "上月"}


def quality_table(warnings: pd.DataFrame) -> pd.DataFrame:
    """Implausible values (core.indicators.dataquality) in the clerk's words: values with units, no scores."""
    out = warnings.copy()
    unit = out["metric"].map(lambda m: METRICS[m][1])
    out["value"] = [f"{number(v)}{u}" for v, u in zip(out["value"], unit)]
    out["reference"] = ["" if _blank(r) else f"{QUALITY_REFERENCES.get(k, '')}{number(r)}{u}"
                        for r, k, u in zip(out["reference"], out["kind"], unit)]
    out["kind"] = out["kind"].map(lambda k: QUALITY_KINDS.get(k, k))
    return out[list(QUALITY_LABELS)].rename(columns=QUALITY_LABELS)


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as display text, blanks as '' (for st.table, which would print <NA>/None)."""
    return frame.apply(lambda col: col.map(lambda v: "" if _blank(v) else str(v))).astype(object)
