"""plotly.js in Chinese: the chart toolbar's tooltips and date names (passed in the chart config).

plotly.js reads `config.locale` and a dictionary from `config.locales`, so no locale script
has to be loaded: the figure carries its own translation wherever it is drawn.
"""
from __future__ import annotations

LOCALE = "zh-CN"

DICTIONARY = {
    "Download plot as a PNG": "下载图片(PNG)",
    "Download plot as a png": "下载图片(PNG)",
    "Download plot": "下载图片",
    "Zoom": "框选放大",
    "Pan": "平移",
    "Box Select": "框选",
    "Lasso Select": "套索选择",
    "Zoom in": "放大",
    "Zoom out": "缩小",
    "Autoscale": "自动缩放",
    "Reset axes": "恢复原始比例",
    "Reset view": "恢复视图",
    "Toggle Spike Lines": "显示/隐藏参考线",
    "Toggle show closest data on hover": "悬停显示最近的数据",
    "Show closest data on hover": "悬停显示最近的数据",
    "Compare data on hover": "悬停比较数据",
    "Double-click to zoom back out": "双击恢复原始比例",
    "Snapshot succeeded": "图片已生成",
    "Taking snapshot - this may take a few seconds": "正在生成图片,请稍候",
    "Sorry, there was a problem downloading your snapshot!": "图片下载失败",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "trace": "数据系列",
    "new text": "新文本",
}

FORMAT = {
    "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
    "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
    "months": ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月",
               "十一月", "十二月"],
    "shortMonths": [f"{m}月" for m in range(1, 13)],
    "date": "%Y-%m-%d",
    "decimal": ".",
    "thousands": ",",
}


def locale_config() -> dict:
    """The `locale` and `locales` entries of a plotly config."""
    return {"locale": LOCALE, "locales": {LOCALE: {"dictionary": DICTIONARY, "format": FORMAT}}}
