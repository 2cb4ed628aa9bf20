"""Where Chinese text may break: between words, never inside one.

Chinese has no spaces, so a title wrapped character by character breaks words apart
(「校内体\\n育活动」). Text is cut into tokens a line may end after: dictionary words
(data/ui.toml [wrap]), numbers with their unit (「1小时」「2026年10月」「3–6年级」), county
names (two or three characters and 县/区/市), short bracketed parts, runs of Latin letters; closing punctuation sticks to the token before it and
opening punctuation to the one after. `wrap` fills lines with whole tokens; `html_breaks`
marks the break points for a browser (<wbr> with CSS `word-break: keep-all`).
"""
from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from core.present.palette import load_palette

NUMBER = re.compile(r"[0-9]+(?:[.–\-~][0-9]+)*(?:年[0-9]+月|年级|个百分点|分钟|小时|学年|年|月|日|所|节|人|%)?")
LATIN = re.compile(r"[A-Za-z]+")
PLACE = re.compile(r"[\u4e00-\u9fff]{2,3}?[县区市]")  # 东湖区, 清溪县: a county's name stays whole
CLOSING = set(")）,，。、;；:：!！?？%％》」』】.")
OPENING = set("(（《「『【")
MAX_BRACKET = 8  # a bracketed part up to this many characters is kept whole: 「(3–6年级)」


@lru_cache(maxsize=1)
def _words() -> tuple[str, ...]:
    return tuple(sorted(load_palette().wrap.get("words", ()), key=len, reverse=True))


def _bracket(text: str, i: int) -> int:
    """End of a short bracketed part starting at i, or 0."""
    close = {"(": ")", "（": "）", "《": "》", "「": "」", "『": "』", "【": "】"}[text[i]]
    j = text.find(close, i + 1, i + MAX_BRACKET + 2)
    return j + 1 if j > 0 else 0


def tokens(text: str) -> list[str]:
    """The text cut into pieces a line may end after (joined they give the text back)."""
    out: list[str] = []
    i, pending = 0, ""  # pending: opening punctuation waiting for its token
    while i < len(text):
        ch = text[i]
        if ch in OPENING:
            end = _bracket(text, i)
            if not end:
                pending += ch
                i += 1
                continue
            piece, i = text[i:end], end
        elif ch in CLOSING and out:
            out[-1] += ch
            i += 1
            continue
        else:
            match = NUMBER.match(text, i) or LATIN.match(text, i) or PLACE.match(text, i)
            word = next((w for w in _words() if text.startswith(w, i)), None)
            if match and (word is None or match.end() - i >= len(word)):
                piece, i = match.group(0), match.end()
            elif word:
                piece, i = word, i + len(word)
            else:
                piece, i = ch, i + 1
        out.append(pending + piece)
        pending = ""
    if pending:
        out.append(pending)
    return out


def width_of(text: str) -> float:
    """Display width in Chinese characters (Latin letters, digits and spaces count about half)."""
    return sum(0.55 if ord(ch) < 128 else 1.0 for ch in text)


def wrap(text: str, width: float, balanced: bool = True) -> list[str]:
    """Lines of about `width` Chinese characters, breaking only between tokens.

    With `balanced` the lines get similar lengths (no lone word on the last line). A token
    longer than a line gets a line of its own.
    """
    total = width_of(text)
    if balanced and total > width:
        n_lines = -(-total // width)
        width = min(width, total / n_lines + 2)
    lines, cur = [], ""
    for tok in tokens(text):
        if cur.strip() and width_of(cur + tok.rstrip()) > width:
            lines.append(cur.rstrip())
            cur = tok.lstrip()
        else:
            cur += tok
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def html_breaks(text: str) -> str:
    """Escaped HTML a browser breaks only between tokens (each token unbreakable, <wbr> between)."""
    return "<wbr>".join(f'<span style="white-space:nowrap">{escape(t)}</span>' for t in tokens(text))
