"""Tables that scroll can be reached from the keyboard.

A table wider than the page scrolls sideways; a keyboard user can only scroll what can
take focus, so every table of a page's content is wrapped in a focusable region named by
the table's caption or, without one, by the heading above it (WCAG 2.1.1; axe-core's rule
scrollable-region-focusable). The wrapper is the one element that scrolls
(docs/assets/stylesheets/usine.css: .usine-table). Applied to every page's HTML by
scripts/mkdocs_hooks.py, so Markdown tables and the HTML tables of sitegen get it alike.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

_TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption>", re.S)
_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S)
# The permalink that toc adds inside each heading ("¶") is no part of its name.
_HEADERLINK = re.compile(r'<a\b[^>]*class="headerlink"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")
# Line breaks between a table's own tags (Markdown writes one before each <tr>, <td>...):
# white space there is never rendered, and a page of wide tables carries hundreds of them.
_PARTS = "table|caption|colgroup|col|thead|tbody|tfoot|tr|th|td"
_ROWS = "table|colgroup|thead|tbody|tfoot|tr"
_BETWEEN_TAGS = re.compile(rf"(</(?:{_PARTS})>|<(?:{_ROWS})\b[^>]*>)\s+"
                           rf"(?=<(?:{_PARTS})\b|</(?:{_ROWS})>)")


def _text(fragment: str) -> str:
    plain = _TAG.sub("", _HEADERLINK.sub("", fragment))
    return " ".join(html.unescape(plain).split())


def table_name(page: str, start: int, table: str) -> str:
    """The table's caption; else the heading above it, after the headings it sits under
    below the page's sections (h3 and deeper: "Demo clip – Variants" on a page listing
    several designs); "" when the table has neither."""
    caption = _CAPTION.search(table)
    if caption and _text(caption.group(1)):
        return _text(caption.group(1))
    path: list[tuple[int, str]] = []
    for level, content in _HEADING.findall(page, 0, start):
        level = int(level)
        path = [(lv, text) for lv, text in path if lv < level] + [(level, _text(content))]
    if not path:
        return ""
    *above, (_, nearest) = path
    return " – ".join([text for lv, text in above if lv >= 3] + [nearest])


def focusable_tables(page: str) -> str:
    """`page` (HTML) with each table inside a focusable, named region (and without the
    white space between its rows and cells, which no browser renders)."""
    def wrap(match: re.Match) -> str:
        name = table_name(page, match.start(), match.group(0))
        named = Markup(' role="region" aria-label="{}"').format(name) if name else ""
        table = _BETWEEN_TAGS.sub(r"\1", match.group(0))
        return f'<div class="usine-table" tabindex="0"{named}>{table}</div>'

    return _TABLE.sub(wrap, page)
