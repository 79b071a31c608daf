"""The navigation of a language's site."""

from __future__ import annotations

from typing import Any

from .catalog import CATALOG_PAGE
from .technology import TECHNOLOGIES, technology_page_path
from .lang import technology_label, ui

# Hand-written pages first in this order (others after them, sorted); "@..." are the
# generated sections.
HANDWRITTEN_ORDER = ("index.md", "@catalog", "@technology", "make.md", "request.md",
                     "signup.md", "status.md", "dashboard.md", "sites.md", "coordinate.md",
                     "console.md", "fork.md", "safety.md", "about.md")


def nav(lang: str, pages: list[str], slugs: list[str],
        techs: list[str] | tuple[str, ...] = TECHNOLOGIES) -> list[Any]:
    """Every hand-written page found in docs/<lang>/ (titles from their first heading),
    the catalog, and the by-technology section. Design pages are reached from the catalog
    (mkdocs.yml: validation.omitted_files is info for them)."""
    w = ui(lang)
    # The catalog stands for the designs: listing every design page here would put the
    # whole catalog (and the open page's contents) into the menu of every page, whose
    # weight would grow with each design. `slugs` is kept for callers; unused.
    named = {"@catalog": {w["catalog"]: CATALOG_PAGE},
             "@technology": {w["by_technology"]: [{technology_label(t, lang): technology_page_path(t)}
                                                  for t in techs]},
             "index.md": {w["home"]: "index.md"}}
    order = [p for p in HANDWRITTEN_ORDER if p.startswith("@") or p in pages]
    order += sorted(p for p in pages if p not in HANDWRITTEN_ORDER)
    return [named.get(p, p) for p in order]
