"""Hostile files (issue 13): time and peak memory of reading, and of annotating, each one.

    python -m bench.hostile                      # this tree
    python -m bench.hostile --code OTHER_TREE    # the same files against another checkout (before/after)

Each file is validated (validate_workbook, as an upload or ingest does) in a fresh process, and a
refused one is then annotated (annotate_workbook, the 下载标注问题的工作簿 button), also in a fresh
process. Printed per file: outcome, seconds, peak RSS of the calling process (what the dashboard
server would pay) and of the largest reading child (sampled every 10 ms; 0 when none was needed).
Targets: any file ≤ 20 MB in < 10 s and < 500 MB. Each measurement runs under an address-space
cap (--cap-mb, default 6000) so that the old code cannot take the shared machine down with it;
a process killed there shows as "killed at cap".
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "hostile"
TARGET_SECONDS, TARGET_MB = 10, 500


def cases() -> dict[str, bytes]:
    """File name -> bytes of every hostile file (built here: tests/hostile.py), plus one normal workbook."""
    sys.path[:0] = [str(ROOT / "tests")]
    from builders import build_xls, valid_submission_sheets
    from hostile import dense_xlsx, far_cell_ods, far_cell_xlsx, repeat_bomb_ods, valid_xlsx
    sheets = valid_submission_sheets()
    sheets["体育"] = sheets["体育"] + [[]] * (65535 - len(sheets["体育"])) + [[None] * 255 + ["x"]]
    # a pattern's worst case: the yes/no cells 32,000 characters of opening brackets (within the size limit)
    brackets = valid_submission_sheets(n_schools=20, whole_child=True)
    for sheet, columns in (("作业", (2, 5)), ("综合育人", (4, 5))):
        for row in brackets[sheet][1:]:
            for j in columns:
                row[j] = "是" + "(" * 32_000
    return {
        "normal_150_schools.xlsx": valid_xlsx(n_schools=150),
        "far_XFD1048576.xlsx": far_cell_xlsx("XFD1048576"),
        "far_XFD5000.xlsx": far_cell_xlsx("XFD5000"),
        "far_AZ1048576.xlsx": far_cell_xlsx("AZ1048576"),
        "far_XFD20000.xlsx": far_cell_xlsx("XFD20000"),
        "far_A1048576.xlsx": far_cell_xlsx("A1048576"),
        "far_XFD5000.ods": far_cell_ods("XFD5000"),
        "repeat_bomb.ods": repeat_bomb_ods(),
        "far_IV65536.xls": build_xls(sheets),
        "dense_100k_rows.xlsx": dense_xlsx(),
        "zip_bomb_sheet.xlsx": zip_bomb(),
        "large_5000_schools.xlsx": valid_xlsx(n_schools=5000),
        "dense_within_limits_19000x52.xlsx": dense_xlsx(19_000, 52),
        "bracket_cells_20_schools.xls": build_xls(brackets),  # .xls: not compressed, no ratio to refuse it by
    }


def zip_bomb(padding: int = 190 << 20) -> bytes:
    """A workbook whose first data sheet inflates to ~190 MB of spaces (filecheck refuses it by ratio)."""
    import io
    import zipfile
    sys.path[:0] = [str(ROOT / "tests")]
    from hostile import valid_xlsx
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(valid_xlsx())) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                body = body.replace(b"<sheetData>", b"<sheetData>" + b" " * padding, 1)
            zout.writestr(info, body)
    return out.getvalue()


def measure(path: str, what: str) -> dict:
    """Run in a fresh process: validate (and for what='annotate', annotate) the file; figures as a dict."""
    from core.submission.validate import validate_workbook
    data = Path(path).read_bytes()
    with descendants_peak(0.01) as peak_child:  # reading children are grandchildren
        t = time.perf_counter()
        parsed = validate_workbook(data, Path(path).name)
        out = {"outcome": "accepted" if parsed.ok else "rejected",
               "message": next((i.message for i in parsed.issues if i.severity == "error"), "")}
        if what == "annotate":
            from core.submission.annotate import annotate_workbook
            t = time.perf_counter()
            out["bytes"] = len(annotate_workbook(data, Path(path).name, parsed.issues))
        out["seconds"] = round(time.perf_counter() - t, 3)
    out["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out["child_mb"] = round(peak_child[0] / 1024)
    return out


@contextmanager
def descendants_peak(interval: float = 0.2):
    """The largest RSS (kB) of any descendant process while the block runs, sampled every `interval`
    seconds (a forkserver's workers are not this process's children: RUSAGE_CHILDREN never counts
    them). Yields a one-item list holding the peak."""
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(interval):
            peak[0] = max([peak[0], *descendant_rss(os.getpid())])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join()


def descendant_rss(root: int) -> list[int]:
    """VmRSS (kB) of every descendant process of root."""
    parents, rss = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/statm") as fh:
                rss[int(entry)] = int(fh.read().split()[1]) * resource.getpagesize() // 1024
        except (OSError, IndexError, ValueError):
            continue
    out, frontier = [], {root}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier}
        out += [rss.get(p, 0) for p in frontier]
    return out


def run_one(code: Path, path: Path, what: str, cap_mb: int, timeout: int) -> dict:
    """measure() in a fresh process on the given checkout, under an address-space cap."""
    snippet = ("import json, runpy, sys; measure = runpy.run_path(sys.argv[3])['measure']; "
               "print('@@' + json.dumps(measure(sys.argv[1], sys.argv[2]), ensure_ascii=False))")

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap_mb << 20, cap_mb << 20))

    env = {**os.environ, "PYTHONPATH": str(code)}
    t = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-c", snippet, str(path), what, __file__], cwd=code, env=env,
                              capture_output=True, text=True, timeout=timeout, preexec_fn=cap)
    except subprocess.TimeoutExpired:
        return {"outcome": f"still running after {timeout} s", "seconds": timeout}
    line = next((x[2:] for x in proc.stdout.splitlines() if x.startswith("@@")), None)
    if line is None:
        how = "killed at cap" if proc.returncode else "no result"
        return {"outcome": f"{how} (exit {proc.returncode})", "seconds": round(time.perf_counter() - t, 1),
                "error": (proc.stderr.strip().splitlines() or [""])[-1][:160]}
    return json.loads(line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--code", type=Path, default=ROOT, help="checkout whose core/ is measured (default: this one)")
    ap.add_argument("--cap-mb", type=int, default=6000, help="address-space cap per measuring process")
    ap.add_argument("--timeout", type=int, default=300, help="seconds before a measurement is abandoned")
    ap.add_argument("--only", nargs="*", help="file names to measure (default: all)")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, data in cases().items():
        if args.only and name not in args.only:
            continue
        path = OUT / name
        path.write_bytes(data)
        r = run_one(args.code.resolve(), path, "validate", args.cap_mb, args.timeout)
        rows.append((name, len(data), "read", r))
        if r.get("outcome") == "rejected":
            rows.append((name, len(data), "annotate", run_one(args.code.resolve(), path, "annotate",
                                                              args.cap_mb, args.timeout)))
    print(f"code: {args.code.resolve()}  (cap {args.cap_mb} MB per process)\n")
    print("| file | size | step | outcome | time | peak RSS (caller · reading child) | within target |")
    print("|---|---|---|---|---|---|---|")
    for name, size, step, r in rows:
        ok = "rss_mb" in r and r["seconds"] < TARGET_SECONDS and max(r["rss_mb"], r["child_mb"]) < TARGET_MB
        rss = f"{r['rss_mb']} MB · {r['child_mb']} MB" if "rss_mb" in r else "—"
        print(f"| {name} | {size / 1024:,.1f} KB | {step} | {r['outcome']} | {r['seconds']:.2f} s | {rss} | "
              f"{'ok' if ok else 'MISSED'} |")
    for name, _, step, r in rows:
        if step == "read" and (r.get("message") or r.get("error")):
            print(f"\n{name} ({step}): {r.get('message') or r.get('error')}")
    return 0


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
