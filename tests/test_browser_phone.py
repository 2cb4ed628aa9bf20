"""The phone view (issue 18): every monitoring page and the slideshow at 390×844 in a real Chromium
with mobile emulation, each opened in a fresh browser as a forwarded link is.

On every page: no page-wide horizontal scrolling, no text running past the screen's edge (a grid
or a table may scroll inside itself), no tile line cut off, no visible text under 12 px, and the
month / county filters at the top. Screenshots go to test-artifacts/phone-*.png. The wide layout
(1920×1080) keeps its sidebar filters and hides the phone row.
"""
from __future__ import annotations

import pytest
from test_browser import (  # noqa: F401  (fixtures: the same server and browser as test_browser.py)
    ARTIFACTS,
    _assert_no_exception,
    _settle,
    browser,
    server,
)

PHONE = {"width": 390, "height": 844}
PHONE_PAGES = {"/": "总览", "/quality": "优质学校", "/pe": "体育", "/homework": "作业",
               "/whole_child": "综合育人", "/compare": "县区对比", "/slideshow": "投影放映"}
MIN_FONT = 12  # px

# Everything the phone view must not do, as a list of findings (empty: the page is right).
PROBLEMS_JS = """(minFont) => {
  const out = [];
  const W = window.innerWidth;
  const main = document.querySelector('[data-testid="stMain"]');
  for (const [name, el] of [["document", document.scrollingElement], ["stMain", main]]) {
    if (el && el.scrollWidth > W) out.push(`page scrolls sideways: ${name}.scrollWidth ${el.scrollWidth} > ${W}`);
  }
  // an element whose content may scroll sideways by design (the status grid, tables, tab lists)
  const scroller = (el) => {
    for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === "auto" || o === "scroll") return a;
    }
    return null;
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= 0) return null;  // a folded sidebar is off-screen
    const cs = getComputedStyle(el);
    if (cs.visibility === "hidden" || cs.display === "none" || el.closest('[aria-hidden="true"]')) return null;
    return r;
  };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const text = n.data.trim();
    const el = n.parentElement;
    if (!text || !el || el.closest("script, style, noscript, title") || seen.has(el)) continue;
    seen.add(el);
    const r = visible(el);
    if (!r) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minFont) out.push(`${size}px text: «${text.slice(0, 30)}»`);
    const box = scroller(el);
    if (r.right > W + 1 && !box) out.push(`past the screen's edge (${Math.round(r.right)} > ${W}): «${text.slice(0, 30)}»`);
    if (box && box.getBoundingClientRect().right > W + 1) out.push(`scrolling box wider than the screen: «${text.slice(0, 30)}»`);
  }
  for (const chart of document.querySelectorAll(".js-plotly-plot")) {  // text past a chart's own edge is cut
    const edge = chart.querySelector(".main-svg")?.getBoundingClientRect().right ?? W;
    for (const t of chart.querySelectorAll("text")) {
      const r = t.getBoundingClientRect();
      if (r.width > 0 && r.right > Math.min(edge, W) + 1) out.push(`chart text cut (${Math.round(r.right)} > ${Math.round(edge)}): «${t.textContent.slice(0, 30)}»`);
    }
  }
  for (const el of document.querySelectorAll(".hx-tile, .hx-tile *")) {
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
      out.push(`tile text cut: «${el.innerText.slice(0, 30)}» (${el.scrollWidth} > ${el.clientWidth})`);
  }
  return out;
}"""


def _phone(browser):
    """A fresh phone: nothing remembered from an earlier visit (a link opened from a chat)."""
    return browser.new_context(viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True,
                               locale="zh-CN")


def _problems(page) -> list[str]:
    """What is wrong on the page; waits (up to 30 s) for the phone layout to settle first: a fresh
    session lays its charts out for the phone after the screen's width has been reported."""
    try:
        page.wait_for_function(f"() => ({PROBLEMS_JS})({MIN_FONT}).length === 0", timeout=30_000, polling=500)
    except Exception:  # noqa: BLE001 - the assertion below names what is still wrong
        pass
    _settle(page)
    return page.evaluate(PROBLEMS_JS, MIN_FONT)


def _shot(page, name: str) -> None:
    """The first screen and the whole page (the scrolling element is stMain: grow the viewport)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"))
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": PHONE["width"], "height": min(int(height) + 40, 9000)})
    page.wait_for_timeout(600)
    page.screenshot(path=str(ARTIFACTS / f"phone-{name}-full.png"))
    page.set_viewport_size(PHONE)


@pytest.mark.parametrize("path", PHONE_PAGES)
def test_page_reads_on_a_phone(server, browser, path):
    context = _phone(browser)
    page = context.new_page()
    try:
        page.goto(server["url"] + path)
        _settle(page)
        _assert_no_exception(page, f"{path} phone")
        problems = _problems(page)
        _shot(page, path.strip("/") or "overview")
        assert not problems, f"{PHONE_PAGES[path]} at 390×844:\n" + "\n".join(problems[:20])
        # the sidebar is folded away; month and county are reachable at the top of the page
        assert page.locator('[data-testid="stSidebar"][aria-expanded="true"]').count() == 0
        row = page.locator(".st-key-phone_filters")
        assert row.is_visible(), "no month/county row on the phone"
        assert row.bounding_box()["y"] < 200, "the month/county row is not at the top"
        assert row.locator('[data-testid="stSelectbox"]').count() == 2
        if path in ("/", "/whole_child"):  # headline tiles two per row
            tiles = page.locator(".hx-tile")
            assert tiles.count() >= 2
            lefts = {round(tiles.nth(i).bounding_box()["x"]) for i in range(tiles.count())}
            assert len(lefts) == 2, f"tiles in {len(lefts)} columns"
    finally:
        context.close()


def test_phone_filters_choose_the_county_and_the_grid_scrolls_inside_itself(server, browser):
    context = _phone(browser)
    page = context.new_page()
    try:
        page.goto(server["url"] + "/")
        _settle(page)
        # the status grid: wider than the phone, it scrolls inside itself; the county column stays
        wrap = page.locator(".sg-wrap").first
        sizes = wrap.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert sizes[0] > sizes[1], "the grid fits without scrolling: nothing to check"
        head = page.locator("table.sg tbody th.sg-rowhead").first
        before = head.bounding_box()["x"]
        wrap.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
        page.wait_for_timeout(200)
        left = wrap.bounding_box()["x"]  # the column sticks at the box's edge (it sat a cell spacing in)
        assert left - 1 <= head.bounding_box()["x"] <= before + 1, "the county column scrolled away"
        # the phone row's county is the page's county (one selection, shared with the sidebar)
        page.locator('.st-key-phone_filters [data-testid="stSelectbox"]').nth(1).click()
        page.get_by_role("option", name="白石县").click()
        page.wait_for_function("() => document.querySelector('h1')?.innerText.includes('白石县')", timeout=60_000)
        _settle(page)
        assert "county=" in page.url
        assert not _problems(page)
        _shot(page, "overview-county")
    finally:
        context.close()


def test_wide_screen_keeps_its_layout(server, browser):
    """At 1920×1080: the sidebar's filters, no phone row (not even a hidden one), tiles four per row, the
    width not reported."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    try:
        page.goto(server["url"] + "/")
        _settle(page)
        assert page.locator(".st-key-phone_filters").count() == 0  # not sent at all: no hidden copy, no gap
        assert page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').count() == 2
        tiles = page.locator(".hx-tile")
        assert len({round(tiles.nth(i).bounding_box()["x"]) for i in range(tiles.count())}) == 4
        assert {c["name"]: c["value"] for c in page.context.cookies()}.get("hx_narrow") == "0"
    finally:
        page.close()
