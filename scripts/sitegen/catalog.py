"""The catalog page (designs/index.md): every published design as a card, with filters by
technology and status; the cards' markup is docs/overrides/usine/catalog.html."""

from __future__ import annotations

from typing import Any

from .design_page import default_variant, design_status, design_technology
from .downloads import download_href, files_of_format
from .figures import duration, fastest
from .inputs import Design
from .lang import STATUSES, status_label, technology_label, ui
from .render import html_block

CATALOG_PAGE = "designs/index.md"
SCRIPT = "../assets/javascripts/catalog.js"  # only the catalog loads it


def fastest_text(design: Design, lang: str) -> str:
    found = fastest(design.variants)
    if not found:
        return ""
    kind, seconds = found
    return ui(lang)[f"fastest_{kind}"].format(time=duration(seconds, lang))


def card(design: Design, lang: str) -> dict[str, Any]:
    summary, fell_back = design.text("summary", lang)
    status, tech = design_status(design), design_technology(design)
    drawing = default_variant(design, "svg")
    return {"slug": design.slug, "title": design.text("title", lang)[0] or design.slug,
            "summary": summary, "summary_in_english": fell_back,
            "drawing": download_href(files_of_format(drawing, "svg")[0]) if drawing else "",
            "status": status, "status_label": status_label(status, lang),
            "tech": tech, "tech_label": technology_label(tech, lang),
            "time": fastest_text(design, lang)}


def card_html(design: Design, lang: str) -> str:
    return html_block("catalog.html", w=ui(lang), one=card(design, lang))


def catalog_markdown(designs: list[Design], lang: str) -> str:
    w = ui(lang)
    out = [f"# {w['catalog']}", "", w["catalog_intro"], ""]
    if not designs:
        return "\n".join(out + [w["no_designs"], ""])
    techs = sorted({design_technology(d) for d in designs})
    present = {design_status(d) for d in designs}
    statuses = [s for s in STATUSES if s in present] + sorted(present - set(STATUSES))
    return "\n".join(out) + "\n" + html_block(
        "catalog.html", w=w, cards=[card(d, lang) for d in designs], script=SCRIPT,
        techs=[(t, technology_label(t, lang)) for t in techs],
        statuses=[(s, status_label(s, lang)) for s in statuses]) + "\n"
