"""What plotly.js costs in the browser for the charts of a page: `Plotly.newPlot` of each spec.

Builds the charts the topic pages draw (the same core.present builders, from the same core
queries) for one month of a database, serialises them as the pages send them, and times
`Plotly.newPlot` of each in Debian's chromium (Playwright), median of `--runs`. Prints per chart
the spec size and the draw time, and per page the sum (what a click waits for in plotly.js).

    python -m bench.draw --db /tmp/draw-prov.duckdb --runs 3

The database is opened like every reader opens it (core.db.open_db runs the schema SQL): point
it at a copy of a read-only database.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import plotly
import plotly.io as pio

from bench.browser import CHROMIUM, CHROMIUM_ARGS

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
NORMAL, PROJECTOR = 14, 20  # ui/projector.py chart fonts
DRAW_JS = """async ([spec, width]) => {
  const div = document.getElementById('plot');
  Plotly.purge(div);
  div.style.width = width + 'px';
  const t = performance.now();
  await Plotly.newPlot(div, spec.data, {...spec.layout, width: width}, {responsive: false});
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t;
}"""


def build(db: Path, period: str | None, county: str | None):
    from core.db import open_db
    from core.indicators import compute_indicators, indicator_trend, school_detail
    from core.indicators.catalog import load_catalog
    from core.indicators.completeness import default_period
    from core.month import period_label
    from core.present import charts, figures
    from core.zone import load_zone

    cat, zone_cfg = load_catalog(), load_zone()
    th = cat.thresholds
    with open_db(db) as con:
        period = period or default_period(con)
        t = time.perf_counter()
        zone = compute_indicators(con, period, level="zone")
        counties = compute_indicators(con, period, level="county")
        detail = school_detail(con, period, county=county)
        trends = {}
        for ind in ("activity_hour_compliance", "pe_lessons_compliance", "hw_g36_minutes_mean",
                    "hw_g79_minutes_mean"):
            trends[ind] = (indicator_trend(con, ind, level="county", end=period, months=12),
                           indicator_trend(con, ind, level="zone", end=period, months=12))
        print(f"data for {period}: {time.perf_counter() - t:.1f} s")
    source, as_of = zone_cfg.source, ""
    zone, counties = zone[zone["stage"].isna()], counties[counties["stage"].isna()]

    def bars(ind, size=NORMAL):
        rows = counties[counties["indicator"] == ind]
        z = zone[zone["indicator"] == ind]
        return figures.county_bars(ind, period, rows, z.iloc[0] if len(z) else None, source, as_of,
                                   base_size=size, highlight=county)

    def trend(ind, limit=None):
        c, z = trends[ind]  # every county, as ui/render.trend_chart loads them
        return figures.trend_lines(ind, period, c, z, source, as_of, county=county, limit=limit)

    def dist(column, limit, direction, what):
        return charts.distribution_chart(detail[column], limit, direction,
                                         f"{period_label(period)} 实验区{what}分布", "分钟",
                                         caption=charts.Caption(what, "", source, as_of), base_size=NORMAL)

    half, full = 920, 1840
    wc = [i.id for i in cat.indicator if i.topic == "whole_child"]
    wc = [i for i in wc if counties.loc[counties["indicator"] == i, "target"].notna().any()]
    pages = {
        "体育": [("bar activity", bars("activity_hour_compliance"), half),
                 ("trend activity", trend("activity_hour_compliance"), half),
                 ("bar lessons", bars("pe_lessons_compliance"), half),
                 ("trend lessons", trend("pe_lessons_compliance"), half),
                 ("dist minutes", dist("activity_minutes", th.activity_minutes, ">=", "日均校内体育活动时间"), full),
                 ("bar fitness pass", bars("fitness_pass_rate"), half),
                 ("bar fitness good", bars("fitness_good_rate"), half)],
        "作业": [("dist g36", dist("g36_minutes", th.hw_g36_max_minutes, "<=", "三至六年级日均作业时长"), half),
                 ("dist g79", dist("g79_minutes", th.hw_g79_max_minutes, "<=", "初中日均作业时长"), half),
                 ("trend g36", trend("hw_g36_minutes_mean", th.hw_g36_max_minutes), half),
                 ("trend g79", trend("hw_g79_minutes_mean", th.hw_g79_max_minutes), half),
                 ("bar g36", bars("hw_g36_compliance"), half),
                 ("bar g79", bars("hw_g79_compliance"), half),
                 ("bar g12", bars("hw_g12_none_rate"), full)],
        "县区对比": [("bar activity", bars("activity_hour_compliance"), full)],
        "综合育人": [(f"bar {i}", bars(i), half) for i in wc],
        "投影放映": [("bar activity (projector)", bars("activity_hour_compliance", PROJECTOR), 1230)],
        # the floor: one chart of the pilot's size (8 counties, a label per bar) with title, caption, legend
        "参照 8 counties": [("bar activity, 8 counties", figures.county_bars(
            "activity_hour_compliance", period,
            counties[counties["county"].isin(sorted(counties["county"].unique())[:8])
                     & (counties["indicator"] == "activity_hour_compliance")],
            zone[zone["indicator"] == "activity_hour_compliance"].iloc[0], source, as_of), half)],
    }
    return period, pages


def measure(pages: dict, runs: int, png: Path | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.set_content('<div id="plot"></div>')
        page.add_script_tag(path=str(PLOTLY_JS))
        for name, charts_ in pages.items():
            rows = []
            for chart, fig, width in charts_:
                spec = json.loads(pio.to_json(fig, validate=False))
                times = [page.evaluate(DRAW_JS, [spec, width]) for _ in range(runs + 1)][1:]
                if png:
                    png.mkdir(parents=True, exist_ok=True)
                    page.locator("#plot").screenshot(path=str(png / f"{name}-{chart.replace(' ', '_')}.png"))
                rows.append({"chart": chart, "traces": len(spec["data"]),
                             "annotations": len(spec["layout"].get("annotations", [])),
                             "kb": round(len(json.dumps(spec)) / 1024), "ms": round(statistics.median(times))})
            out[name] = rows
        browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--period")
    ap.add_argument("--county", help="as with a county chosen in the filter")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", type=Path, help="write the figures here as well")
    ap.add_argument("--png", type=Path, help="a screenshot of each chart into this folder")
    args = ap.parse_args(argv)
    period, pages = build(args.db, args.period, args.county)
    result = measure(pages, args.runs, args.png)
    for name, rows in result.items():
        print(f"\n{name} ({period}{', ' + args.county if args.county else ''}): "
              f"plotly.js {sum(r['ms'] for r in rows)} ms, {sum(r['kb'] for r in rows)} KB of specs")
        for r in rows:
            print(f"  {r['chart']:<34} {r['traces']:>4} traces {r['annotations']:>4} notes "
                  f"{r['kb']:>5} KB {r['ms']:>5} ms")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
