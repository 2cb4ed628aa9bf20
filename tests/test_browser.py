"""What users see: `streamlit run` in a real Chromium (Playwright), screenshots into test-artifacts/.

Visits every page normally and in projector mode at 1920×1080 and 1280×720 and finds no
English a user can see (text, tooltips, placeholders, toolbars, menus); runs a meeting from
the projector control bar alone; uploads a good and a spoiled sample workbook on 数据报送,
downloads the annotated workbook, opens 报送情况; fails on any Streamlit exception box.
Needs Debian chromium (scripts/setup_system.sh).
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import openpyxl
import pytest
from sample_zone import write_sample_zone

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
VIEWPORTS = {"1920x1080": (1920, 1080), "1280x720": (1280, 720)}
UPLOADED = "松溪县2026年10月报送表.xlsx"  # left out of the pre-built database, uploaded in the browser
RENDERED = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="需要 /usr/bin/chromium(运行 bash scripts/setup_system.sh 安装)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A streamlit server on a private database holding every sample but one; yields its base URL."""
    work = tmp_path_factory.mktemp("browser")
    db = work / "pilot.duckdb"
    books = work / "workbooks"
    write_sample_zone(books)  # the tests' own sample zone (tests/sample_zone.py)
    (books / UPLOADED).rename(work / UPLOADED)
    env = {**os.environ, "PILOT_DB": str(db), "PYTHONPATH": str(ROOT), "PILOT_DEMO": "1"}  # demo, chosen
    env.pop("PILOT_USERS", None)
    loaded = subprocess.run([sys.executable, "-m", "core", "ingest", str(books), "--db", str(db),
                             "--received-at", "2026-11-03"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    with _streamlit(env, "streamlit-server.log") as base:
        yield {"url": base, "upload": work / UPLOADED, "work": work}


@contextlib.contextmanager
def _streamlit(env: dict, log_name: str):
    """`streamlit run app.py` on a free port with `env`; yields its base URL once healthy."""
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / log_name, "w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
                             "--server.port", str(port), "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}; see the log in test-artifacts/")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail("streamlit did not answer /_stcore/health within 60 s")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield chromium
        chromium.close()


def _open(browser, url: str, size: tuple[int, int]):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]}, locale="zh-CN", accept_downloads=True)
    page.goto(url)
    _settle(page)
    return page


def _settle(page, timeout: float = 60_000) -> None:
    """Wait until the script has finished and charts (if any) are drawn."""
    page.wait_for_selector(RENDERED, timeout=timeout)
    page.wait_for_timeout(300)  # a rerun may start right after the first run (query params written)
    page.wait_for_selector(RENDERED, timeout=timeout)
    if page.locator('[data-testid="stPlotlyChart"]').count():
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=timeout)
    page.wait_for_timeout(500)


def _assert_no_exception(page, what: str) -> None:
    from ui.web import INTERNAL_ERROR  # what app.py's error handler shows instead of a traceback

    boxes = page.locator(EXCEPTION)
    assert boxes.count() == 0, f"{what}: Streamlit exception on the page:\n" + "\n".join(boxes.all_inner_texts())
    assert page.get_by_text(INTERNAL_ERROR[:12]).count() == 0, f"{what}: internal error (see the server log)"


def _shot(page, name: str, full: bool = False) -> Path:
    path = ARTIFACTS / f"{name}.png"
    if full:  # the scrolling element is stMain: grow the viewport to its height
        height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 0")
        size = page.viewport_size
        if height > size["height"]:
            page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 8000)})
            page.wait_for_timeout(500)
    page.screenshot(path=str(path))
    return path


@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("mode", ["normal", "projector"])
def test_overview_renders(server, browser, size, mode):
    url = server["url"] + ("/?mode=projector" if mode == "projector" else "/")
    page = _open(browser, url, VIEWPORTS[size])
    try:
        _assert_no_exception(page, f"总览 {mode} {size}")
        # the newest month of the samples is shown by default (松溪县's October is only uploaded later)
        assert "2026年10月" in page.locator('[data-testid="stMain"]').inner_text()
        _shot(page, f"overview-{mode}-{size}")
        if mode == "projector":
            assert page.locator('[data-testid="stSidebar"][aria-expanded="true"]').count() == 0
    finally:
        page.close()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_projector_overview_fits_the_screen(server, browser, size):
    """Projector 总览 on an open month (the newest: 2/3 counties, until test_upload_pages below sends
    松溪县's October, hence its place here): the bar in one row with the month's
    whole label, tiles with target vs actual, the status grid one line per county with no figure cut,
    its legend and footer, all on the screen without scrolling."""
    page = _open(browser, server["url"] + "/?mode=projector", VIEWPORTS[size])
    try:
        assert "县区已报送" in _bar_value(page, "bar_month")  # the open month, with its reporting count
        assert not _cut_labels(page, ".st-key-meeting_bar [role='combobox']")
        bar = page.locator(".st-key-meeting_bar").bounding_box()
        buttons = [page.locator(f".st-key-{k} button").first.bounding_box() for k in ("bar_prev", "bar_exit")]
        assert abs(buttons[0]["y"] - buttons[1]["y"]) < 5 and bar["height"] <= 100, (bar, buttons)  # one row
        for tile in page.locator(".hx-tile").all():
            text = tile.inner_text()
            assert "不完整" in text or "目标" in text or "应达" in text, text  # target vs actual
        assert not _cut_labels(page, ".hx-tile div, .hx-badge, table.sg td, table.sg .sg-v")
        rows = page.locator("table.sg tbody tr")
        assert rows.count() >= 3
        line = page.evaluate("() => { const v = document.querySelector('table.sg .sg-v');"
                             " return parseFloat(getComputedStyle(v).fontSize); }")
        for i in range(rows.count()):  # value and change on one line: 8 counties fit at 1280 × 720
            assert rows.nth(i).bounding_box()["height"] <= line * 1.6 + 4, (i, rows.nth(i).inner_text())
        page.locator(".sg-foot").wait_for()
        overflow = page.evaluate("() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                                 " return m.scrollHeight - m.clientHeight; }")
        assert overflow <= 0, f"the projector overview scrolls {overflow} px"
        _shot(page, f"overview-fits-{size}")
    finally:
        page.close()


def _navigate(page, title: str) -> None:
    """Go to a page the way a user does: its link in the sidebar navigation."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    page.wait_for_function("t => document.querySelector('h1')?.innerText.includes(t)", arg=title, timeout=60_000)
    _settle(page)


def _upload(page, path: Path, name: str | None = None, data: bytes | None = None) -> None:
    box = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    if data is None:
        box.set_input_files(str(path))
    else:
        box.set_input_files(files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}])


def _with_activity(path: Path, value: object, row: int = 1) -> tuple[bytes, str]:
    """The workbook with the `row`-th school's 体育 activity-minutes cell set to `value`; returns (bytes, that cell)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["体育"]
    header = next(r for r in range(1, 10) if any(c.value and "学校" in str(c.value) for c in ws[r]))
    col = next(c.column for c in ws[header] if c.value and "体育活动" in str(c.value))
    cell = ws.cell(row=header + row, column=col)
    cell.value = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), cell.coordinate


def _spoiled(path: Path) -> tuple[bytes, str]:
    """The workbook with one 体育 activity-minutes cell made non-numeric; returns (bytes, that cell)."""
    return _with_activity(path, "约一小时")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_upload_pages(server, browser, size):
    page = _open(browser, server["url"] + "/", VIEWPORTS[size])
    try:
        _navigate(page, "数据报送")
        _assert_no_exception(page, "数据报送")
        _shot(page, f"upload-empty-{size}")
        if size == "1920x1080":  # the good file is accepted once; the other size sees it as a duplicate
            _upload(page, server["upload"])
            page.get_by_text("已接收", exact=False).first.wait_for(timeout=60_000)
            _settle(page)
            _assert_no_exception(page, "数据报送 after upload")
            outcome = page.locator('[data-testid="stMain"] [data-testid="stAlert"]', has_text="已接收").first
            assert "松溪县 2026年10月" in outcome.inner_text()
            _shot(page, f"upload-accepted-{size}", full=True)
        else:
            data, coord = _spoiled(server["upload"])
            _upload(page, server["upload"], name="松溪县2026年10月_有错误.xlsx", data=data)
            page.get_by_text("已驳回", exact=False).first.wait_for(timeout=60_000)
            _settle(page)
            _assert_no_exception(page, "数据报送 after rejected upload")
            assert page.get_by_text("约一小时", exact=False).count() > 0
            _shot(page, f"upload-rejected-{size}", full=True)
            with page.expect_download() as dl:
                page.get_by_role("button", name="下载标注问题的工作簿").first.click()
            assert dl.value.suggested_filename.endswith("_问题标注.xlsx")
            annotated = openpyxl.load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
            assert annotated.sheetnames[0] == "问题清单"
            assert "约一小时" in annotated["体育"][coord].comment.text
        _navigate(page, "报送情况")
        _assert_no_exception(page, "报送情况")
        assert page.locator('[data-testid="stDataFrame"]').count() >= 1
        _shot(page, f"submissions-{size}", full=True)
    finally:
        page.close()


def test_upload_warns_of_minutes_written_as_hours(server, browser):
    """Accepted, and the clerk is told in plain words, on the page, in the annotated file and on 报送情况."""
    page = _open(browser, server["url"] + "/?county=松溪县&month=2026-10", VIEWPORTS["1920x1080"])
    try:
        _navigate(page, "数据报送")
        data, coord = _with_activity(server["upload"], 1.1, row=2)  # one school's minutes written in hours
        _upload(page, server["upload"], name="松溪县2026年10月报送表_更正.xlsx", data=data)
        page.get_by_text("已接收", exact=False).first.wait_for(timeout=60_000)
        _settle(page)
        _assert_no_exception(page, "数据报送 after an upload with hours")
        box = page.locator('[data-testid="stMain"] [data-testid="stAlert"]', has_text="请核实").first
        text = box.inner_text()
        assert "日均校内体育活动时间1.1分钟,远低于松溪县其他学校" in text and "是否按小时填写?" in text
        assert "z分数" not in page.locator('[data-testid="stMain"]').inner_text()
        _shot(page, "upload-hours-warning", full=True)
        with page.expect_download() as dl:
            page.get_by_role("button", name="下载标注问题的工作簿").first.click()
        annotated = openpyxl.load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
        assert "是否按小时填写" in annotated["体育"][coord].comment.text
        _navigate(page, "报送情况")
        _assert_no_exception(page, "报送情况 after an upload with hours")
        page.get_by_text("请核实的数值", exact=False).first.wait_for(timeout=60_000)
        _shot(page, "submissions-hours-warning", full=True)
    finally:
        page.close()


# Raw file names Streamlit's legacy pages/ mode would list in the sidebar instead of our titles.
RAW_PAGE_NAMES = ("app", "compare", "homework", "overview", "quality", "slideshow", "submissions", "upload")


@pytest.mark.parametrize("path, accounts", [("/upload", False), ("/pe", False), ("/upload", True)])
def test_first_request_to_a_page_goes_through_app(tmp_path, browser, path, accounts):
    """On a freshly started server the very first request opens a page URL directly: it must get
    app.py's navigation, login gate (or demo banner) and layout, never the page file alone."""
    from core.access.accounts import add_user

    users = tmp_path / "users.toml"
    if accounts:
        add_user("zhangsan", "correct-horse-9", "admin", path=users)
    env = {**os.environ, "PILOT_DB": str(tmp_path / "pilot.duckdb"), "PYTHONPATH": str(ROOT),
           "PILOT_USERS": str(users), "PILOT_NO_DEMO": "1"}
    env.pop("PILOT_DEMO", None)
    if not accounts:
        env["PILOT_DEMO"] = "1"  # demo mode only when chosen
    name = f"first-request{path.replace('/', '-')}{'-login' if accounts else ''}"
    with _streamlit(env, f"streamlit-{name}.log") as base:
        page = _open(browser, base + path, VIEWPORTS["1280x720"])
        try:
            _assert_no_exception(page, f"first request {path}")
            _shot(page, name)
            main = page.locator('[data-testid="stMain"]').inner_text()
            if accounts:  # nobody logged in: the login form, not the page
                assert "登录" in main and page.locator('input[type="password"]').count() == 1
                assert "上传县区月度报送工作簿" not in main
                assert page.locator('[data-testid="stSidebarNav"]').count() == 0
                page.get_by_label("账号", exact=True).fill("zhangsan")
                page.get_by_label("密码", exact=True).fill("correct-horse-9")
                page.get_by_role("button", name="登录").click()
                page.get_by_text("上传县区月度报送工作簿").first.wait_for(timeout=60_000)
                _settle(page)  # after login: the page the URL asked for, with the navigation
                assert page.locator('[data-testid="stSidebarNav"] a', has_text="数据报送").count() == 1
                _shot(page, name + "-after")
                return
            sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
            assert "演示模式" in main  # the banner, on the page itself
            nav = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
            labels = [t.splitlines()[-1].strip() for t in nav]
            for title in ("总览", "体育", "数据报送", "报送情况"):
                assert title in labels, labels
            assert not set(labels) & set(RAW_PAGE_NAMES), labels
            assert "月份" in sidebar or "县区" in sidebar  # app.py's global filters ran
            expected = "数据报送" if path == "/upload" else "还没有任何已接收的报送数据"
            assert expected in main
        finally:
            page.close()


def test_first_visitors_arriving_together_all_go_through_app(tmp_path, browser):
    """Several first requests at once on a fresh server (the race: one run switches Streamlit's
    legacy mode off while others are already routed by it): every page gets app.py's navigation."""
    env = {**os.environ, "PILOT_DB": str(tmp_path / "pilot.duckdb"), "PYTHONPATH": str(ROOT),
           "PILOT_USERS": str(tmp_path / "users.toml"), "PILOT_NO_DEMO": "1", "PILOT_DEMO": "1"}
    paths = ["/", "/quality", "/pe", "/upload", "/compare", "/submissions"]
    with _streamlit(env, "streamlit-first-visitors.log") as base:
        pages = [browser.new_page(viewport={"width": 1280, "height": 720}, locale="zh-CN") for _ in paths]
        for path, page in zip(paths, pages):  # don't wait for the loads: the first runs overlap
            page.goto(base + path, wait_until="commit")
        try:
            for path, page in zip(paths, pages):
                _settle(page)
                nav = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
                labels = [t.splitlines()[-1].strip() for t in nav]
                assert "总览" in labels and not set(labels) & set(RAW_PAGE_NAMES), (path, labels)
                # the demo banner on the page itself (st.html content may paint a moment after the run)
                page.locator('[data-testid="stMain"]', has_text="演示模式").wait_for(timeout=30_000)
        finally:
            for page in pages:
                page.close()


def test_compare_drills_from_a_county_bar_to_its_schools(server, browser):
    """县区对比: clicking a county's bar (at its bounding box) lists that county's schools."""
    from urllib.parse import parse_qs, urlparse

    # a month every county reported, an indicator on which they differ (equal bars are a sentence)
    page = _open(browser, server["url"] + "/compare?month=2026-09&indicator=hw_g79_compliance",
                 VIEWPORTS["1280x720"])
    try:
        chart = page.locator('[data-testid="stPlotlyChart"]').first
        bars = chart.locator("g.point path")
        # plotly puts in the axis labels after the bars: on a busy machine, later than _settle's wait
        chart.locator("g.xtick text").nth(1).wait_for(timeout=30_000)
        ticks = chart.locator("g.xtick text").all_text_contents()
        assert bars.count() == len(ticks) >= 2
        box = bars.nth(len(ticks) - 1).bounding_box()
        # near the bar's end: on an axis that does not start at 0 the bar's foot is cut off
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + min(6, box["height"] / 2))
        county = ticks[-1].removeprefix("▶ ").strip()
        page.wait_for_function("c => decodeURIComponent(location.search).includes('drill=' + c)", arg=county,
                               timeout=60_000)
        _settle(page)
        _assert_no_exception(page, "县区对比 drill-down")
        assert parse_qs(urlparse(page.url).query)["drill"] == [county]
        titles = page.locator('[data-testid="stPlotlyChart"] .gtitle').all_text_contents()
        assert any(f"{county}各校" in t.replace("\n", "") for t in titles), titles
        _shot(page, "compare-drill-1280x720", full=True)
    finally:
        page.close()


# ---------------------------------------------------------------- an interface entirely in Chinese

# Every page of the navigation by URL path (the overview is the root).
PAGE_PATHS = ["/", "/quality", "/pe", "/homework", "/whole_child", "/compare", "/slideshow", "/report", "/upload",
              "/submissions", "/review"]
# Latin words a Chinese user reads as Chinese text: file formats, key and unit names, 优质均衡 item codes.
ALLOWED_WORDS = ("excel", "pdf", "png", "csv", "xlsx", "xlsm", "xls", "ods", "wps", "sha", "kb", "mb",
                 "a4", "ctrl", "l1", "l2", "l3", "l4", "l5", "l6", "l7")
# Visible text and the attributes a browser or a tooltip shows: every Latin word not allowed above.
# Material icons (a ligature word drawn as a glyph: stIconMaterial, and an alert's icon stAlertDynamicIcon), code spans and the charts' own data are not text.
ENGLISH_JS = """
allowed => {
  const out = new Set();
  const shown = el => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const st = getComputedStyle(e);
      if (st.display === "none" || st.visibility === "hidden" || Number(st.opacity) === 0) return false;
    }
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const check = (text, where) => {
    for (const w of text.match(/[A-Za-z]{2,}/g) || []) {
      if (!allowed.includes(w.toLowerCase())) out.add(where + ": " + text.trim().slice(0, 100));
    }
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walker.nextNode());) {
    const el = n.parentElement;
    if (!el || !n.data.trim() || el.closest("script,style,code,noscript,[data-testid=stIconMaterial],[data-testid=stAlertDynamicIcon]")) continue;
    if (shown(el)) check(n.data, el.tagName.toLowerCase());
  }
  for (const el of document.querySelectorAll("[title],[placeholder],[data-title],[alt],[aria-label]")) {
    if (!shown(el) && !el.classList.contains("modebar-btn")) continue;
    for (const a of ["title", "placeholder", "data-title", "alt", "aria-label"]) {  // what a screen reader says too
      const v = el.getAttribute(a);
      if (v) check(v, "@" + a);
    }
  }
  return [...out];
}
"""


def _english(page) -> set[str]:
    return set(page.evaluate(ENGLISH_JS, list(ALLOWED_WORDS)))


def _reveal_and_scan(page) -> set[str]:
    """English on the page as loaded, and in what hovering a table or a chart brings up."""
    found = _english(page)
    table = page.locator('[data-testid="stDataFrame"]').first
    if table.count():
        table.scroll_into_view_if_needed()
        box = table.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + min(60, box["height"] / 2))
        page.wait_for_timeout(400)
        found |= _english(page)
        button = page.locator('[data-testid="stElementToolbar"] button').first
        if button.count():
            bb = button.bounding_box()
            page.mouse.move(bb["x"] + bb["width"] / 2, bb["y"] + bb["height"] / 2)
            page.wait_for_timeout(900)  # the tooltip
            found |= _english(page)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    if chart.count():
        chart.scroll_into_view_if_needed()
        chart.hover()
        page.wait_for_timeout(300)
        found |= _english(page)
    return found


@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("mode", ["normal", "projector"])
def test_every_page_speaks_chinese(server, browser, size, mode):
    """No English word a user can see on any page, in either mode, at either screen size."""
    query = "?mode=projector" if mode == "projector" else ""
    page = _open(browser, server["url"] + "/" + query, VIEWPORTS[size])
    try:
        english = {}
        for path in PAGE_PATHS:
            page.goto(server["url"] + path + query)
            _settle(page)
            _assert_no_exception(page, f"{path} {mode} {size}")
            found = _reveal_and_scan(page)
            if found:
                english[path] = sorted(found)
            _shot(page, f"page{path.replace('/', '-') or '-overview'}-{mode}-{size}")
        assert not english, english
    finally:
        page.close()


def test_a_stale_link_lands_on_the_overview(server, browser):
    """/overview (an old bookmark) opens the overview, without Streamlit's English dialog."""
    page = _open(browser, server["url"] + "/overview", VIEWPORTS["1280x720"])
    try:
        assert "监测总览" in page.locator('[data-testid="stMain"]').inner_text()
        assert page.locator('[role="dialog"]').count() == 0
        assert not _english(page)
    finally:
        page.close()


def test_the_server_allows_no_other_site_to_drive_the_page(server):
    """The served host config names no origin that may stop, rerun or hand a token to the page by
    postMessage (Streamlit's default lists its Community Cloud hosts; .streamlit/config.toml empties it)."""
    with urllib.request.urlopen(server["url"] + "/_stcore/host-config", timeout=10) as resp:
        assert json.load(resp)["allowedOrigins"] == []


def test_no_page_asks_another_host_for_anything(server, browser):
    """A county's intranet often has no way out, and Google's hosts are out of reach in China: every
    page, normal and projector, loads all it needs from the dashboard's own server. (Streamlit asked
    fonts.gstatic.com for the tab's icon, a material symbol; app.py now draws its own.)"""
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    elsewhere: list[str] = []
    page.on("request", lambda r: r.url.startswith((server["url"] + "/", "data:", "blob:")) or elsewhere.append(r.url))
    try:
        for path in PAGE_PATHS + ["/?mode=projector"]:
            page.goto(server["url"] + path)
            _settle(page)
            _assert_no_exception(page, path)
        icon = page.evaluate("document.querySelector(\"link[rel='shortcut icon']\").href")
        assert icon.startswith("data:image/svg+xml"), icon[:60]
        assert not elsewhere, sorted(set(elsewhere))
    finally:
        page.close()


# Counts plotly's draws of every chart of a page (its plotly_afterplot events), from the chart's start.
COUNT_DRAWS_JS = """(() => {
  const watch = () => document.querySelectorAll('.js-plotly-plot').forEach((gd) => {
    if (gd.__draws !== undefined || !gd.on) return;
    gd.__draws = 0;
    gd.on('plotly_afterplot', () => { gd.__draws += 1; });
  });
  document.addEventListener('DOMContentLoaded', () =>
    new MutationObserver(watch).observe(document.body, {childList: true, subtree: true}));
})()"""


def test_each_chart_is_drawn_once_when_its_page_opens(server, browser):
    """Streamlit 1.67 drew every plotly chart twice as it appeared (hidden at plotly's default size,
    then at the measured width, and again after re-theming a copy of the figure); the page files
    are served with ui/page_file_fixes.py's fixes, and each chart is drawn once. Nor does plotly
    draw one again inside that draw to widen its left margin for the y-axis labels (automargin):
    each figure asks for that room itself (core/present/charts/margin.py)."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page.add_init_script(COUNT_DRAWS_JS)
    page.goto(server["url"])
    _settle(page)
    for title in ("体育", "作业"):
        _navigate(page, title)
        page.wait_for_timeout(1000)  # a second draw came ~20-40 ms after the first
        draws = page.evaluate("[...document.querySelectorAll('.js-plotly-plot')].map(gd => gd.__draws)")
        assert len(draws) >= 2 and draws == [1] * len(draws), (title, draws)
        assert page.locator('[data-testid="stPlotlyChart"] .main-svg').count() >= len(draws)
        widened = page.evaluate("[...document.querySelectorAll('.js-plotly-plot')]"
                                ".map(gd => [gd._fullLayout.margin.l, gd._fullLayout._size.l])")
        assert all(used <= asked for asked, used in widened), (title, widened)
        _assert_no_exception(page, title)
    page.close()


def test_table_menus_and_uploader_speak_chinese(server, browser):
    """What a click brings up: a table's column menu, a select's option list, the uploader."""
    page = _open(browser, server["url"] + "/submissions", VIEWPORTS["1920x1080"])
    try:
        table = page.locator('[data-testid="stDataFrame"]').first
        box = table.bounding_box()
        # A header's menu button (⋮, drawn on the grid's canvas) sits at the column's right end:
        # walk right along the header row until a click hits it (other clicks just sort).
        for dx in range(120, 400, 6):
            page.mouse.move(box["x"] + dx, box["y"] + 17)
            page.mouse.click(box["x"] + dx, box["y"] + 17)
            if page.locator('[role="menuitem"]').count():
                break
        items = page.locator('[role="menuitem"]').all_inner_texts()
        assert any("升序" in t for t in items), items
        assert not _english(page)
        page.keyboard.press("Escape")
        page.locator('[data-testid="stSelectbox"] [role="combobox"]').first.click()
        page.wait_for_selector('[role="option"]', timeout=10_000)
        assert not _english(page)
        page.keyboard.press("Escape")
        page.goto(server["url"] + "/upload")
        _settle(page)
        uploader = page.locator('[data-testid="stFileUploader"]').inner_text()
        assert "选择文件" in uploader and "单个文件不超过20MB" in uploader, uploader
    finally:
        page.close()


# ---------------------------------------------------------------- running a meeting from the projector

def _bar_select(page, key: str, option: str) -> None:
    """Choose an option of a control-bar selector by clicking it, as a presenter does."""
    page.locator(f".st-key-{key} [role='combobox']").click()
    page.get_by_role("option", name=option).first.click()


def _header(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def _bar_value(page, key: str) -> str:
    """What a control-bar selector shows."""
    return page.locator(f".st-key-{key} [role='combobox']").input_value()


def _cut_labels(page, selector: str) -> list[str]:
    """Elements matching `selector` whose text is wider than their box (clipped or ellipsed)."""
    return page.evaluate("""sel => [...document.querySelectorAll(sel)]
        .filter(e => e.scrollWidth > e.clientWidth + 1)
        .map(e => (e.value || e.innerText).replace(/\\n/g, ' ') + ` ${e.scrollWidth}>${e.clientWidth}`)""", selector)


def _chart_titles(page) -> list[str]:
    return [t.replace("\n", "") for t in page.locator('[data-testid="stPlotlyChart"] .gtitle').all_text_contents()]


@pytest.mark.parametrize("size", VIEWPORTS)
def test_projector_meeting_runs_from_the_control_bar(server, browser, size):
    """Projector mode: the bar is visible and big; month, page, slideshow and leaving projector
    mode work with visible controls only; the sidebar can always be re-opened."""
    page = _open(browser, server["url"] + "/?mode=projector", VIEWPORTS[size])
    try:
        bar = page.locator(".st-key-meeting_bar")
        box = bar.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 120, box
        for key in ("bar_prev", "bar_next", "bar_show", "bar_exit"):
            b = page.locator(f".st-key-{key} button").first.bounding_box()
            assert b["height"] >= 40 and b["width"] >= 40, (key, b)
        assert page.locator('[data-testid="stExpandSidebarButton"]').is_visible()

        _bar_select(page, "bar_month", "2026年9月")  # month
        page.wait_for_function("() => location.search.includes('month=2026-09')", timeout=60_000)
        _settle(page)
        assert _bar_value(page, "bar_month").startswith("2026年9月")

        page.locator(".st-key-bar_next button").first.click()  # next page
        page.wait_for_function("() => location.pathname.endsWith('/quality')", timeout=60_000)
        _settle(page)
        assert _bar_value(page, "bar_page") == "优质学校" and _bar_value(page, "bar_month").startswith("2026年9月")
        assert any("2026年9月" in t for t in _chart_titles(page))
        _assert_no_exception(page, "projector → 优质学校")
        page.mouse.move(VIEWPORTS[size][0] // 2, VIEWPORTS[size][1] // 2)
        for _ in range(12):  # down a long page: the bar stays at the top of the screen
            page.mouse.wheel(0, 400)
        page.wait_for_function("() => document.querySelector('[data-testid=stMain]').scrollTop > 1000",
                               timeout=10_000)
        box = bar.bounding_box()
        assert box and 0 <= box["y"] <= 2 and page.locator(".st-key-bar_next button").first.is_visible(), box
        page.mouse.wheel(0, -10_000)

        _bar_select(page, "bar_page", "县区对比 / 学校明细")  # any page
        page.wait_for_function("() => location.pathname.endsWith('/compare')", timeout=60_000)
        _settle(page)
        assert _bar_value(page, "bar_page") == "县区对比 / 学校明细"
        assert not _cut_labels(page, ".st-key-meeting_bar [role='combobox']")  # the longest page name, whole

        page.locator(".st-key-bar_show button").click()  # slideshow
        page.wait_for_function("() => location.pathname.endsWith('/slideshow')", timeout=60_000)
        _settle(page)
        assert "(1/" in _header(page)
        chart = page.locator(".st-key-slide_chart").bounding_box()
        assert chart["height"] >= VIEWPORTS[size][1] * 0.7, chart  # the chart fills the screen
        assert not _cut_labels(page, ".st-key-slide_bar [role='combobox']")
        _bar_select(page, "bar_month", "2026年8月")  # the strip's month, with the mouse: it keeps the focus
        page.wait_for_function("() => location.search.includes('month=2026-08')", timeout=60_000)
        _settle(page)
        page.keyboard.press("ArrowRight")  # the arrows still turn the slides
        page.wait_for_function("() => document.querySelector('[data-testid=stMain]').innerText.includes('(2/')",
                               timeout=60_000)
        _settle(page)
        page.reload()  # the meeting PC reconnects: the same slide
        _settle(page)
        assert "(2/" in _header(page) and "slide=" in page.url
        _shot(page, f"meeting-slideshow-{size}")
        page.locator(".st-key-slide_end button").click()  # back to the overview
        page.wait_for_function("() => !location.pathname.endsWith('/slideshow')", timeout=60_000)
        _settle(page)
        assert _bar_value(page, "bar_page") == "总览" and "slide=" not in page.url  # the slide stays behind

        page.locator(".st-key-bar_exit button").click()  # leave projector mode
        page.wait_for_function("() => !location.search.includes('mode=projector')", timeout=60_000)
        _settle(page)
        assert page.locator(".st-key-meeting_bar").count() == 0
        if not page.locator('[data-testid="stSidebarNav"]').is_visible():
            page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.locator('[data-testid="stSidebarNav"]').wait_for(state="visible", timeout=10_000)
        assert "2026年8月" in _header(page)  # the month chosen in the meeting (the strip's, last) stays
    finally:
        page.close()


def test_slideshow_on_an_xga_projector_keeps_its_chart_above_the_strip(server, browser):
    """1024 × 768, an older meeting-room projector: the strip stays one row of buttons, the chart and
    its legend end above it, and the month ticks do not run into each other."""
    page = _open(browser, server["url"] + "/slideshow?mode=projector", (1024, 768))
    try:
        strip = page.locator(".st-key-slide_bar").bounding_box()
        chart = page.locator(".st-key-slide_chart").bounding_box()
        assert chart["y"] + chart["height"] <= strip["y"] + 2, (chart, strip)
        tops = {round(b["y"]) for b in (page.locator(f".st-key-{k} button").first.bounding_box()
                                        for k in ("slide_prev", "slide_next", "slide_end"))}
        assert max(tops) - min(tops) <= 4, tops  # one row
        ticks = page.evaluate("""() => [...document.querySelectorAll('.st-key-slide_chart .xtick text')]
            .map(t => t.getBoundingClientRect()).map(r => [r.left, r.right])""")
        assert len(ticks) >= 3 and all(a[1] <= b[0] for a, b in zip(ticks, ticks[1:])), ticks
        _shot(page, "meeting-slideshow-1024x768")
    finally:
        page.close()


def test_back_returns_to_the_previous_page(server, browser):
    """One history entry per page change: Back after a page change shows the page before."""
    page = _open(browser, server["url"] + "/", VIEWPORTS["1280x720"])
    try:
        _navigate(page, "体育")
        _navigate(page, "作业")
        page.go_back()
        page.wait_for_function("() => location.pathname.endsWith('/pe')", timeout=60_000)
        _settle(page)
        page.go_back()
        page.wait_for_function("() => location.pathname === '/' || location.pathname.endsWith('/')",
                               timeout=60_000)
        _settle(page)
        assert "监测总览" in _header(page)
    finally:
        page.close()


def test_a_status_grid_cell_opens_the_county_on_its_indicator(server, browser):
    """总览 → a county's cell → that county's schools on that indicator (their 课时 against the
    standard) → breadcrumb back to the counties → Back to the overview."""
    page = _open(browser, server["url"] + "/", VIEWPORTS["1280x720"])
    try:
        cell = page.locator('table.sg tbody tr:not(.sg-zone) a[href*="indicator=pe_lessons_compliance"]').first
        county = cell.locator("xpath=ancestor::tr/th").inner_text().strip()
        cell.click()
        page.wait_for_function("() => location.pathname.endsWith('/compare')", timeout=60_000)
        page.locator(".st-key-crumbs").wait_for(timeout=60_000)  # the compare page has started
        page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=60_000)
        _settle(page)
        _assert_no_exception(page, "grid cell → 县区对比")
        _shot(page, "grid-cell-to-county-1280x720", full=True)
        assert any(f"{county}各校体育课周课时" in t for t in _chart_titles(page)), _chart_titles(page)
        assert page.locator(".st-key-crumbs").inner_text().replace("\n", "").startswith("实验区各县区")
        page.locator(".st-key-crumbs button", has_text="实验区各县区").click()
        page.wait_for_function("() => !new URLSearchParams(location.search).get('drill')", timeout=60_000)
        _settle(page)
        assert any("各县区体育课开足率" in t for t in _chart_titles(page)), _chart_titles(page)
        page.go_back()
        page.wait_for_function("() => !location.pathname.endsWith('/compare')", timeout=60_000)
        _settle(page)
        assert "监测总览" in _header(page)
    finally:
        page.close()
