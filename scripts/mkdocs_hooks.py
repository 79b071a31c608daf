"""MkDocs hooks of every build (mkdocs.yml `hooks`; scripts/build_site.py gives the
per-language configs this file's absolute path): changes to each page's rendered HTML
that Markdown cannot express. The functions themselves live in sitegen (tested alone)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sitegen as sc  # noqa: E402


def on_page_content(html: str, **_kwargs) -> str:
    """Every table in a focusable region that names it (sitegen/tables.py)."""
    return sc.focusable_tables(html)
