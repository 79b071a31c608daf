"""The catalog page: every published design as a card (drawing, title, technology,
status, fastest time), with filters by technology and status.

The cards are plain HTML: without JavaScript they are a list of every design. The filters
are hidden until docs/assets/javascripts/catalog.js shows them and hides the cards that
do not match. Links are relative to designs/index.html (raw HTML: MkDocs leaves it as is).
"""

from __future__ import annotations

import html

from .design_page import default_variant, design_status, design_technology
from .downloads import download_href, files_of_format
from .figures import duration, fastest
from .inputs import Design
from .words import STATUSES, status_label, technology_label, ui

CATALOG_PAGE = "designs/index.md"
SCRIPT = "../assets/javascripts/catalog.js"  # only the catalog loads it


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def fastest_text(design: Design, lang: str) -> str:
    found = fastest(design.variants)
    if not found:
        return ""
    kind, seconds = found
    return ui(lang)[f"fastest_{kind}"].format(time=duration(seconds, lang))


def card_html(design: Design, lang: str) -> str:
    title = design.text("title", lang)[0] or design.slug
    summary, fell_back = design.text("summary", lang)
    status = design_status(design)
    tech = design_technology(design)
    drawing = default_variant(design, "svg")
    img = ""
    if drawing:
        src = download_href(files_of_format(drawing, "svg")[0])
        img = (f'<a href="{esc(design.slug)}.html" tabindex="-1" aria-hidden="true">'
               f'<img src="{esc(src)}" alt="" loading="lazy"></a>')
    summary_attrs = ' lang="en" dir="ltr"' if fell_back else ""
    facts = [f'<span class="usine-badge usine-badge--{esc(status)}">'
             f"{esc(status_label(status, lang))}</span>",
             f'<span class="usine-card-tech">{esc(technology_label(tech, lang))}</span>']
    time = fastest_text(design, lang)
    if time:
        facts.append(f'<span class="usine-card-time">{esc(time)}</span>')
    return (f'<li class="usine-card" data-technology="{esc(tech)}" data-status="{esc(status)}">'
            f"{img}"
            f'<p class="usine-card-title"><a href="{esc(design.slug)}.html">{esc(title)}</a></p>'
            f"<p{summary_attrs}>{esc(summary)}</p>"
            f'<p class="usine-card-facts">{" · ".join(facts)}</p></li>')


def filters_html(designs: list[Design], lang: str) -> str:
    w = ui(lang)
    techs = sorted({design_technology(d) for d in designs})
    present = {design_status(d) for d in designs}
    statuses = [s for s in STATUSES if s in present] + sorted(present - set(STATUSES))

    def select(name: str, label: str, options: list[tuple[str, str]]) -> str:
        opts = f'<option value="">{esc(w["filter_all"])}</option>' + "".join(
            f'<option value="{esc(v)}">{esc(t)}</option>' for v, t in options)
        return (f'<div class="usine-picker-field"><label for="filter-{name}">{esc(label)}</label>'
                f'<select id="filter-{name}" data-filter="{name}">{opts}</select></div>')

    return (f'<form class="usine-filters" data-usine-filters data-search-exclude '
            f'aria-label="{esc(w["filters"])}" hidden>'
            + select("technology", w["technology"], [(t, technology_label(t, lang)) for t in techs])
            + select("status", w["review_status"], [(s, status_label(s, lang)) for s in statuses])
            + "</form>")


def catalog_markdown(designs: list[Design], lang: str) -> str:
    w = ui(lang)
    out = [f"# {w['catalog']}", "", w["catalog_intro"], ""]
    if not designs:
        return "\n".join(out + [w["no_designs"], ""])
    out += ['<div class="usine-catalog" data-usine-catalog>', filters_html(designs, lang),
            '<ul class="usine-cards">', *(card_html(d, lang) for d in designs), "</ul>",
            f'<p class="usine-filter-none" hidden>{esc(w["filter_none"])}</p>', "</div>",
            f'<script src="{SCRIPT}" defer></script>', ""]
    return "\n".join(out) + "\n"
