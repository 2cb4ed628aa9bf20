"""总览's county × indicator status grid as HTML: value, sign, change arrow; a click opens the county.

Each cell shows its value with a status sign (✓ △ ✕, not colour alone) and the change since
last month; cells near their target are tinted, cells far from it carry the full colour
(core/present/shading.py). The `rating` view colours the cells by the 5-level status × change
rating instead, with its 3 × 5 grid as the legend. Every cell links to 县区对比 on that county
and indicator (the zone row to the county comparison).
"""
from __future__ import annotations

from html import escape

import pandas as pd

from core.indicators.catalog import load_catalog
from core.present import numbers as n
from core.present.labels import completeness_marker
from core.present.palette import load_palette, status_style
from core.present.shading import Look, change_mark, rating_look, readable_on, status_look
from core.present.wrapping import html_breaks
from ui.drill import page_link_href
from ui.narrow import BREAK

# A cell is td › a (sign, value) › span (change): three elements, not five. A province grid part
# is ~1,000 elements that the browser sanitises (st.html) and lays out on the first screen; each
# element costs there (bench/RESULTS.md). The sign's gap is a hair space, not its own element.
HAIR = "\u200a"
VIEWS = {"status": "达标状态", "rating": "综合评级(状态×变化)"}
CHANGE_CLASSES = ("显著改善", "改善", "持平", "退步", "显著退步")

CSS = """
<style>
table.sg { width:100%; border-collapse:separate; border-spacing:3px; table-layout:fixed;
  font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif; }
table.sg th { font-size:var(--sg-head); font-weight:600; padding:1px 3px; text-align:center;
  vertical-align:bottom; line-height:1.15; color:#1a1a1a; background:#fff; border:none;
  word-break:keep-all; overflow-wrap:anywhere; }
table.sg th .sg-target { display:block; font-weight:400; font-size:0.85em; color:#444; }
table.sg th.sg-rowhead { text-align:left; width:calc(var(--sg-rowhead) - 8px); vertical-align:middle; }
table.sg tr.sg-zone th.sg-rowhead { font-weight:800; }
table.sg tr.sg-zone td { box-shadow: inset 0 -3px 0 rgba(0,0,0,0.35); }
table.sg td { padding:0; border-radius:4px; border:none; text-align:center; }
table.sg td a { display:block; padding:var(--sg-pad) 2px; color:inherit; text-decoration:none;
  font-size:var(--sg-cell); line-height:1.15; border-radius:4px; }  /* its line as tall as the value's */
table.sg td a:hover { outline:3px solid #1f4e99; outline-offset:-3px; }
table.sg .sg-v { font-weight:700; white-space:nowrap; }
table.sg .sg-c { display:block; font-size:var(--sg-small); font-weight:400; white-space:nowrap; }
table.sg td.sg-far .sg-v { font-weight:800; }
.sg-foot { display:flex; flex-wrap:wrap; align-items:center; gap:4px 10px; font-size:var(--sg-small);
  color:#333; margin-top:2px; }
.sg-chip { display:inline-block; padding:0 7px; border-radius:4px; white-space:nowrap; }
table.sg-key { border-collapse:separate; border-spacing:2px; font-size:var(--sg-small); }
table.sg-key th, table.sg-key td { padding:0 5px; text-align:center; font-weight:400; white-space:nowrap; border:none; }
/* Type sized from the grid's own width (a container) and its column count (--sg-cols): a cell's
   content is at most --sg-ems of its type wide (「✓100.0% ▲100.0」), so no value or change is
   ever cut, whatever the screen, the sidebar and the number of columns; --sg-max caps it on wide
   screens. On a phone (ui/narrow.py) the grid scrolls inside itself in the phone's own sizes:
   the base sizes below have no specificity (:where) so its rules win. */
:where(.sg-wrap) { --sg-cell:16px; --sg-small:13px; --sg-head:14px; --sg-pad:3px; }
.sg-wrap { container-type:inline-size; }
.sg-foot-wrap { container-type:normal; }  /* sized by its row, not a container */
@media (min-width: @WIDE@px) {
  .sg-wrap { --sg-max:16px; --sg-ems:5.1; --sg-rowhead:100px;
    --sg-cell:clamp(12px, calc((100cqw - var(--sg-rowhead)) / var(--sg-cols, 8) / var(--sg-ems)), var(--sg-max));
    --sg-small:calc(var(--sg-cell) * 0.8); --sg-head:min(14px, calc(var(--sg-cell) * 0.88)); }
  /* projector: the change beside the value, one line per row (the grid fits under the tiles) */
  .sg-wrap.sg-projector { --sg-max:19px; --sg-ems:7.8; --sg-rowhead:72px; --sg-pad:1px;
    --sg-head:min(16px, calc(var(--sg-cell) * 0.88)); }
}
@media (min-width: @WIDE@px) and (min-height: 1000px) {
  .sg-wrap.sg-projector { --sg-max:25px; --sg-pad:5px; --sg-rowhead:90px; --sg-head:min(20px, calc(var(--sg-cell) * 0.84)); }
}
.sg-wrap.sg-projector table.sg .sg-c { display:inline; margin-left:0.2em; }
</style>
""".replace("@WIDE@", str(BREAK + 1))  # the phone layout below BREAK


def _cell(row: pd.Series | None, row_label: str, col_name: str, view: str, href: str) -> str:
    if row is None:
        look = Look("none", *load_palette().grid.tints["none"], load_palette().grid.signs["none"],
                    status_style("none").label)
        return (f'<td style="background:{look.background};color:{look.text}">'
                f'<a class="sg-v" data-nav href="{escape(href)}">—</a></td>')
    unit = row.get("unit") or ""
    status = status_look(row)
    rating = rating_look(row)
    look = rating if view == "rating" and rating is not None else status
    if view == "rating" and rating is None:  # no rating (no target or no last month): shown neutral
        look = Look("none", *load_palette().grid.tints["none"], "", status.label)
    value = n.format_value(row.get("value"), unit)
    change = change_mark(row)
    marker = completeness_marker(row)
    tip = [f"{row_label} · {col_name}:{value}", status.label,
           n.format_target(row.get("target"), row.get("direction"), unit), n.format_change(row.get("change"), unit)]
    if not n.is_missing(row.get("expected")):
        tip.insert(2, f"应达 {n.format_value(row.get('expected'), unit)}")
    if rating is not None:
        tip.append(f"综合评级 {rating.label}")
    if marker:
        tip.append(marker)
    css = ' class="sg-far"' if look.far else ""
    return (f'<td{css} style="background:{look.background};color:{look.text}">'
            f'<a class="sg-v" data-nav href="{escape(href)}" title="{escape(" · ".join(tip))}">'
            f'{escape(look.sign)}{HAIR}{escape(value)}<span class="sg-c">{escape(change)}</span></a></td>')


def grid_cells(rows: list[tuple[str, str | None]], zone: pd.DataFrame, by_county: pd.DataFrame,
               columns) -> dict[tuple[str, str], pd.Series]:
    """grid_html's `cells` of `rows` (label, county or None for the zone) from compute_indicators rows:
    the zone's, and each county's of `by_county`, of the indicators `columns` (no 学段 rows)."""
    cells = {}
    for label, county in rows:
        frame = zone if county is None else by_county[by_county["county"] == county]
        frame = frame[frame["indicator"].isin(columns) & frame["stage"].isna()]
        cells.update(((label, r["indicator"]), r) for _, r in frame.iterrows())
    return cells


def grid_html(cells: dict[tuple[str, str], pd.Series], rows: list[tuple[str, str | None]],
              cols: list[tuple[str, str]], view: str = "status", projector: bool = False,
              footer: str = "", carried: dict[str, str] | None = None) -> tuple[str, str]:
    """(the grid, its legend and footer line): `rows` are (label, county or None for the zone),
    `cols` (indicator id, short name); `cells[(label, indicator)]` is the compute_indicators row;
    `carried`: the URL parameters the cells' links keep (default: this session's, ui.drill)."""
    head = []
    for ind, name in cols:
        ref = next((cells[(label, ind)] for label, _ in rows if (label, ind) in cells), None)
        target = "" if ref is None else n.format_target(ref.get("target"), ref.get("direction"),
                                                         ref.get("unit")).removeprefix("目标 ")
        head.append(f'<th>{html_breaks(name)}<span class="sg-target">{escape("目标" + target if target != "无目标" else target)}'
                    f"</span></th>")
    body, used = [], set()
    for label, county in rows:
        tds = []
        for ind, name in cols:
            row = cells.get((label, ind))
            if row is not None:
                look = status_look(row)
                used.add((look.key, look.far))
            tds.append(_cell(row, label, name, view, page_link_href("compare", carried, indicator=ind,
                                                                     drill=county or "")))
        zone = ' class="sg-zone"' if county is None else ""
        body.append(f'<tr{zone}><th class="sg-rowhead">{escape(label)}</th>{"".join(tds)}</tr>')
    legend = rating_legend(compact=projector) if view == "rating" else status_legend(used)
    wrap = "sg-wrap sg-projector" if projector else "sg-wrap"
    cols_var = f'style="--sg-cols:{len(cols)}"'
    table = (f'<div class="{wrap}" {cols_var}><table class="sg"><thead><tr><th class="sg-rowhead"></th>'
             f'{"".join(head)}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')
    foot = (f'<div class="{wrap} sg-foot-wrap" {cols_var}><div class="sg-foot">{legend}'
            f'<span>{escape(load_palette().grid.change_note)}</span><span>{escape(footer)}</span></div></div>')
    return table, foot


def _chip(look: Look, text: str) -> str:
    return (f'<span class="sg-chip" style="background:{look.background};color:{look.text}">'
            f'{escape(look.sign)} {escape(text)}</span>')


def status_legend(used: set[tuple[str, bool]]) -> str:
    """Chips for 达标, 接近, 未达标 near and far (always), then the other keys the grid uses."""
    grid = load_palette().grid
    out = []
    for key, far in [("green", False), ("amber", False), ("red", False), ("red", True),
                     *sorted(k for k in used if k[0] not in ("green", "amber", "red"))]:
        style = status_style(key)
        if far:
            look = Look(key, style.color, style.text_color, grid.signs[key], "")
            text = f"{style.label}({grid.far_label})"
        else:
            look = Look(key, *grid.tints.get(key, (style.color, style.text_color)), grid.signs.get(key, ""), "")
            text = f"{style.label}({grid.near_label})" if key == "red" else style.label
        out.append(_chip(look, text))
    return "".join(out)


def rating_legend(compact: bool = False) -> str:
    """The 3 × 5 grid: status (rows) × change since last month (columns) → rating 1 差 … 5 优;
    `compact` (projector): the five levels in one line, the grid as its tooltip."""
    r = load_catalog().rating
    signs = load_palette().grid.rating_signs
    if compact:
        explain = "综合评级 = 达标状态 × 较上月变化:" + ";".join(
            f"{status_style(st).label}:" + "、".join(f"{c}{r.labels[lv - 1]}" for c, lv in zip(CHANGE_CLASSES, r.grid[st]))
            for st in ("green", "amber", "red"))
        chips = "".join(_chip(Look("", c, readable_on(c), signs[i], ""), r.labels[i])
                        for i, c in reversed(list(enumerate(r.colours))))
        return f'<span title="{escape(explain)}">{chips}</span>'
    head = "".join(f"<th>{c}</th>" for c in CHANGE_CLASSES)
    body = []
    for status in ("green", "amber", "red"):
        tds = []
        for level in r.grid[status]:
            colour = r.colours[level - 1]
            look = Look("", colour, readable_on(colour), signs[level - 1], "")
            tds.append(f'<td style="background:{look.background};color:{look.text}">'
                       f"{escape(look.sign)} {escape(r.labels[level - 1])}</td>")
        body.append(f"<tr><th>{escape(status_style(status).label)}</th>{''.join(tds)}</tr>")
    return f'<table class="sg-key"><tr><th>状态 ╲ 较上月</th>{head}</tr>{"".join(body)}</table>'

