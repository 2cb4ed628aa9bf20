"""Streamlit's own interface in Chinese, and one browser-history entry per page change.

Streamlit 1.67 has no locale setting: its uploader, table toolbar, column menu, status
widget, sidebar buttons and dialogs speak English. One small script, injected by app.py on
every run (it installs itself once per browser tab), rewrites those phrases wherever they
appear — text nodes and the title / placeholder / aria-label / data-title attributes — with
a MutationObserver, so menus and tooltips that React renders later are caught too. Chart
contents (plotly's SVG) and code are left alone; plotly's own toolbar is translated through
its locale (core.present.charts.plotly_config).

The same script makes a query-string change on the same page replace the history entry
instead of pushing one: Streamlit pushes one entry when the page changes and another when
the page script writes its filters into the URL, so Back seemed to do nothing. And it makes
our own HTML links (`<a data-nav href="compare?…">`, tiles and status-grid cells) open their
page inside the session, as the sidebar navigation does, instead of reloading the app.
"""
from __future__ import annotations

import json

import streamlit as st

# Streamlit's English phrases (exactly as rendered, trimmed) -> what the user reads.
PHRASES = {
    # app frame
    "Skip to main content": "跳到正文",
    "Main menu": "菜单",
    "Expand sidebar": "展开侧栏",
    "Collapse sidebar": "收起侧栏",
    "Sidebar": "侧栏",
    "App pages": "页面",
    "View less": "收起",
    "Navigate to home page": "回到首页",
    "Notifications": "通知",
    "Close": "关闭",
    "Dismiss": "关闭",
    "Open": "展开",
    "Cancel": "取消",
    "Copy": "复制",
    "Copy to clipboard": "复制",
    "Running...": "正在计算…",
    "Stop": "停止",
    "Rerun": "重新运行",
    "Always rerun": "总是重新运行",
    "File change.": "文件已更改。",
    "Connecting": "正在连接",
    "Connecting to Streamlit server": "正在连接服务器",
    "Please wait...": "请稍候…",
    "Connection error": "连接中断",
    "Connection timed out.": "连接超时。",
    "Streamlit server is not responding. Are you connected to the internet?":
        "看板服务器没有响应,请检查网络连接;如服务器正在重启,请稍候片刻。",
    "Is Streamlit still running? If you accidentally stopped Streamlit, just restart it in your terminal:":
        "看板服务器可能已停止运行,请联系实验区管理员。",
    "Try again": "重试",
    "Page not found": "页面不存在",
    "Script execution error": "页面运行出错",
    "Traceback:": "错误详情:",
    "Ask Google": "网上搜索此错误",
    "Ask ChatGPT": "询问人工智能",
    "Unknown error": "未知错误",
    "Unknown Error": "未知错误",
    # selectbox / multiselect / inputs
    "Choose an option": "请选择",
    "Choose options": "请选择",
    "Select...": "请选择…",
    "No results": "没有匹配的选项",
    "Clear all": "全部清除",
    "Clear value": "清除",
    "Select all": "全选",
    "Selected values": "已选",
    "Selectbox options": "选项",
    "Multiselect options": "选项",
    "Show password": "显示密码",
    "Hide password": "隐藏密码",
    "Press Enter to apply": "按回车键确认",
    "Press Enter to submit form": "按回车键提交",
    "Press ⌘+Enter to apply": "按 ⌘+回车键确认",
    "Press Ctrl+Enter to apply": "按 Ctrl+回车键确认",
    "Press ⌘+Enter to submit form": "按 ⌘+回车键提交",
    "Press Ctrl+Enter to submit form": "按 Ctrl+回车键提交",
    # file uploader
    "Upload": "选择文件",
    "Add files": "添加文件",
    "Drag and drop files here": "将文件拖放到此处",
    "Drag and drop file here": "将文件拖放到此处",
    "Drag and drop a file here": "将文件拖放到此处",
    "Browse files": "选择文件",
    "Remove file": "移除文件",
    "Download failed": "下载失败",
    # element toolbar, table toolbar and column menu
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Download as CSV": "下载 CSV",
    "Search": "搜索",
    "Close Search": "关闭搜索",
    "Next Result": "下一个结果",
    "Previous Result": "上一个结果",
    "Show/hide columns": "显示/隐藏列",
    "Clear selection": "取消选择",
    "Dataframe column menu": "列菜单",
    "Copy column name": "复制列名",
    "Sort ascending": "升序排列",
    "Sort descending": "降序排列",
    "Format": "数字格式",
    "Autosize": "自动列宽",
    "Pin column": "固定此列",
    "Unpin column": "取消固定",
    "Hide column": "隐藏此列",
    "Automatic": "自动",
    "Localized": "本地格式",
    "Plain": "原样",
    "Percent": "百分比",
    "Scientific": "科学计数",
    "Accounting": "会计格式",
    "Compact": "紧凑",
    "Dollar": "美元",
    "Euro": "欧元",
    "Yen": "日元",
    "Calendar": "日历",
    "Distance": "相对时间",
    "Duration": "时长",
    "Rename": "重命名",
    "Statistics": "统计",
    "text": "文本",
    "number": "数字",
    "checkbox": "是/否",
    "date": "日期",
    "object": "对象",
    "Count": "个数",
    "Distinct": "不同值",
    "Empty": "空值",
    "Range": "范围",
    "Values": "取值",
    "Average": "平均值",
    "Median": "中位数",
    "Sum": "合计",
    "Minimum": "最小值",
    "Maximum": "最大值",
    "Standard deviation": "标准差",
    "25th percentile": "下四分位数",
    "75th percentile": "上四分位数",
    "Average length": "平均长度",
    "Minimum length": "最短长度",
    "Maximum length": "最长长度",
    "Top values frequency chart": "最常见的取值",
    "Distribution histogram": "分布直方图",
    "True/false distribution chart": "是/否分布",
    "Scroll tabs left": "向左滚动",
    "Scroll tabs right": "向右滚动",
}

# Phrases with a number or a name in them: (JavaScript regular expression, replacement).
PATTERNS = [
    (r"^(?:Limit )?(\d+(?:\.\d+)?\s*[KMG]B) per file$", "单个文件不超过$1"),
    (r"^View (\d+) more$", "展开其余$1项"),
    (r"^(\d+) options? available\.?$", "共$1个选项"),
    (r"^(.+), selected\.?$", "已选:$1"),
    (r"^Showing page (\d+) of (\d+)$", "第$1页,共$2页"),
    (r"^Remove (.+)$", "移除 $1"),
    (r"^Shortcut (.+)$", "快捷键 $1"),
    (r"^Help for (.+)$", "「$1」的说明"),
    (r"^Cannot connect to Streamlit \(HTTP status: (\d+)\)\.?$", "无法连接看板服务器(状态码$1)。"),
    (r"^If you are trying to access a Streamlit app running on another server.*", "请联系实验区管理员检查服务器设置。"),
    (r"^The page that you have requested does not seem to exist.*", "请求的页面不存在,已打开首页。"),
    (r"^You can only select up to (\d+) .*", "最多只能选择$1项,请先移除一项。"),
    # an upload the server refused (ui/web.py's gate: the sign-in ended, or another account's cookie)
    (r"^AxiosError: Request failed with status code 40[13]$",
     "未能上传:登录已结束或当前账号没有报送权限,请刷新页面重新登录后再上传"),
    (r"^AxiosError: Request failed with status code 413$", "未能上传:文件超过大小上限"),
    (r"^AxiosError: Network Error$", "未能上传:与服务器的连接中断,请检查网络后重试"),
    (r"^AxiosError: .*", "未能上传,请刷新页面后重试"),
]

SCRIPT = """
<script>
(function () {
  const PHRASES = %(phrases)s;
  const PATTERNS = %(patterns)s.map(([s, r]) => [new RegExp(s), r]);
  if (window.__zhChrome) return;
  window.__zhChrome = true;
  const ATTRS = ["title", "placeholder", "aria-label", "data-title"];
  // (.sg-wrap: the overview's status grid, our own Chinese HTML of ~6,000 nodes at province scale)
  const SKIP = "svg,code,pre,script,style,[data-testid=stIconMaterial],.sg-wrap";
  function tr(text) {
    const key = text.trim();
    if (!key || !/[A-Za-z]/.test(key)) return null;
    let out = PHRASES[key];
    if (out === undefined) {
      for (const [re, rep] of PATTERNS) { if (re.test(key)) { out = key.replace(re, rep); break; } }
    }
    return out === undefined ? null : text.replace(key, out);
  }
  function fixAttrs(el) {
    for (const a of ATTRS) {
      const v = el.getAttribute(a);
      const t = v && tr(v);
      if (t && t !== v) el.setAttribute(a, t);
    }
  }
  function fixText(node) {
    const p = node.parentElement;
    if (!p || p.closest(SKIP)) return;
    const t = tr(node.data);
    if (t && t !== node.data) node.data = t;
  }
  function fixTree(root) {
    if (root.nodeType === 3) { fixText(root); return; }
    if (root.nodeType !== 1 || root.closest(SKIP)) return;
    fixAttrs(root);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => n.nodeType === 1 && n.matches(SKIP) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT });
    let n;
    while ((n = walker.nextNode())) { if (n.nodeType === 3) fixText(n); else fixAttrs(n); }
  }
  new MutationObserver(function (records) {
    for (const r of records) {
      if (r.type === "characterData") fixText(r.target);
      else if (r.type === "attributes") { if (!r.target.closest(SKIP)) fixAttrs(r.target); }
      else for (const n of r.addedNodes) fixTree(n);
    }
  }).observe(document.documentElement, { subtree: true, childList: true, characterData: true,
                                         attributes: true, attributeFilter: ATTRS });
  fixTree(document.body);
  // Links of our own HTML (tiles, matrix cells) open their page in this session, as the
  // navigation does: push the URL and let Streamlit follow it (a plain link would reload the app).
  document.addEventListener("click", function (e) {
    const a = e.target.closest && e.target.closest("a[data-nav]");
    if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    history.pushState({}, "", new URL(a.getAttribute("href"), document.baseURI).toString());
    window.dispatchEvent(new PopStateEvent("popstate"));
  }, true);
  // One history entry per page: a query-string change on the same page replaces the entry.
  const push = history.pushState.bind(history);
  history.pushState = function (state, title, url) {
    try {
      if (url && new URL(url, location.href).pathname === location.pathname) {
        return history.replaceState(state, title, url);
      }
    } catch (e) { /* fall through to a normal push */ }
    return push(state, title, url);
  };
})();
</script>
"""

# The script's element takes no room in the page.
CSS = """
<style>
.element-container:has(> .stHtml > script), [data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > script:only-child) { display: none; }
</style>
"""


def chrome_script() -> str:
    """The <script> that translates Streamlit's chrome and keeps one history entry per page."""
    return SCRIPT % {"phrases": json.dumps(PHRASES, ensure_ascii=False),
                     "patterns": json.dumps(PATTERNS, ensure_ascii=False)}


def chinese_chrome() -> None:
    """Inject the translation script (installs once per browser tab; harmless on reruns)."""
    st.html(CSS)
    st.html(chrome_script(), unsafe_allow_javascript=True)
