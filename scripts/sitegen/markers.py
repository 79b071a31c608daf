"""Markers a hand-written page may hold, each replaced by generated HTML.

`<!-- usine:NAME -->` on a line of docs/<lang>/*.md is replaced by `MARKERS[NAME](lang, ctx)`.
A marker naming no entry fails the build (an HTML comment would hide the typo).
"""

from __future__ import annotations

import re
from typing import Callable

from .console import console_html
from .context import SiteContext
from .dashboard import dashboard_html
from .errors import SiteError
from .forms import maker_form_html, request_form_html, status_form_html
from .site_page import site_allocations_html, status_allocations_html

Renderer = Callable[[str, SiteContext], str]

MARKER_RE = re.compile(r"<!--\s*usine:([a-z0-9-]+)\s*-->")


MARKERS: dict[str, Renderer] = {
    "request-form": request_form_html,
    "maker-form": maker_form_html,
    "status-form": status_form_html,
    "status-allocations": status_allocations_html,
    "site-allocations": site_allocations_html,
    "coordinator-console": console_html,
    "dashboard": dashboard_html,
}


def marker(name: str) -> str:
    """The marker text of a registered name."""
    if name not in MARKERS:
        raise KeyError(name)
    return f"<!-- usine:{name} -->"


def has_markers(markdown: str) -> bool:
    return MARKER_RE.search(markdown) is not None


def render_markers(markdown: str, ctx: SiteContext, source: str = "page") -> str:
    """The page with every marker replaced by its HTML (on lines of its own, so Markdown
    leaves the HTML block alone)."""
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in MARKERS:
            raise SiteError(f"{source}: unknown marker <!-- usine:{name} --> "
                            f"(known: {', '.join(sorted(MARKERS))})")
        return "\n" + MARKERS[name](ctx.lang, ctx) + "\n"
    return MARKER_RE.sub(replace, markdown)
