"""The public dashboard of docs/<lang>/dashboard.md (marker ``dashboard``):
docs/overrides/usine/dashboard-page.html, drawn by docs/assets/javascripts/dashboard.js
(with the shared usine-forms.js and the vendored uPlot, which only this page loads) from
the API's ``GET /stats`` and ``GET /feed.json``. Words: [forms.common] and
[forms.dashboard] of the catalogs; region and design names in the page's language (the
API gives their ids). The open-data feed is linked when the build knows the API's URL."""

from __future__ import annotations

from .context import SiteContext
from .lang import catalog, form_words
from .render import html_block

# Paths in a language's site (pages of docs/<lang>/ sit at its root).
UPLOT_JS = "assets/vendor/uplot/uPlot.iife.min.js"
UPLOT_CSS = "assets/vendor/uplot/uPlot.min.css"
DASHBOARD_JS = "assets/javascripts/dashboard.js"


def dashboard_html(lang: str, ctx: SiteContext) -> str:
    w = form_words(lang, "dashboard")
    api = ctx.api_url.rstrip("/")
    return html_block(
        "dashboard-page.html", w=w, words=catalog.section(lang, "forms.dashboard"),
        regions=ctx.region_choices(), designs=ctx.design_choices(),
        feed_csv=f"{api}/feed.csv" if api else "", feed_json=f"{api}/feed.json" if api else "",
        uplot_js=UPLOT_JS, uplot_css=UPLOT_CSS, script=DASHBOARD_JS)
