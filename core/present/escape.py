"""Text from county workbooks (school, county and file names, cell values) shown as text, never as markup.

Two renderers interpret markup in strings we hand them:

- plotly renders a subset of HTML in titles, tick labels, hover text, legend names and
  annotations (`<a href>`, `<b>`, `<br>`, `<span style>` and entities): `chart_text`
  escapes `&`, `<` and `>` so plotly shows the characters themselves (plotly decodes
  `&amp;`, `&lt;`, `&gt;`; it knows no `&quot;`, and quotes matter only inside a tag).
- Streamlit renders GitHub-flavoured Markdown (links, images, autolinks, emphasis, LaTeX
  with `$`, colour directives `:red[…]`) in st.markdown/st.caption/st.title, alert
  bodies (st.success/st.error…), expander and widget labels and st.table cells:
  `md_text` backslash-escapes every ASCII punctuation character (CommonMark allows it
  for all of them and renders the character alone) and turns line breaks into spaces,
  so a name can neither start a block nor form a link. GFM also links bare addresses
  (`https://…`, `www.…`, `a@b.cn`) after parsing, whatever the escapes: an invisible
  word joiner (U+2060) before `:` and `@` and after `www` breaks those patterns.

Chart builders call `chart_text` on every county-supplied string; pages and ui helpers
call `md_text` on every value they interpolate into Markdown. st.dataframe cells and
st.html built with html.escape need neither.
"""
from __future__ import annotations

import re

_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")  # line breaks and other control characters
_AUTOLINK = re.compile(r"(?=[:@])|(?i:(?<=www)(?=\.))")  # where GFM's bare-address links start
WORD_JOINER = "\u2060"


def chart_text(value: object) -> str:
    """A string for plotly (title, tick label, hover, legend, annotation) shown literally."""
    text = "" if value is None else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md_text(value: object) -> str:
    """A string for Streamlit Markdown shown literally, on one line."""
    text = "" if value is None else str(value)
    text = _AUTOLINK.sub(WORD_JOINER, _BREAKS.sub(" ", text))
    return _MD_PUNCT.sub(r"\\\1", text)
