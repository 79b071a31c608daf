"""The coordinator console of docs/<lang>/console.md (marker ``coordinator-console``):
docs/overrides/usine/console-page.html, driven by docs/assets/javascripts/console.js with
the shared usine-forms.js. The coordinator's token is pasted into the page and kept in the
tab's sessionStorage; every call carries it in the Authorization header, never in a URL.
Words: [forms.common] and [forms.console] of the catalogs; region and design names in the
page's language (the API takes their ids)."""

from __future__ import annotations

from .context import SiteContext
from .lang import field_messages, form_words
from .render import html_block

from chalicelib.plans import HORIZON_DAYS, MAX_HORIZON_DAYS  # noqa: E402  (the planner's bounds)

# The API's choices (serverless/chalicelib/coordination_models.py).
CLOSE_REASONS = ("delivered_elsewhere", "not_needed", "duplicate", "no_answer", "other")
CANCEL_REASONS = ("no_material", "machine_down", "no_answer", "not_needed", "other")


def console_html(lang: str, ctx: SiteContext) -> str:
    w = form_words(lang, "console")
    words = {**w, **{f"field.{code}": text for code, text in field_messages(lang).items()}}
    return html_block(
        "console-page.html", w=w, words=words,
        regions=ctx.region_choices(), designs=ctx.design_choices(),
        close_reasons=[(r, w[f"close_{r}"]) for r in CLOSE_REASONS],
        cancel_reasons=[(r, w[f"reason_{r}"]) for r in CANCEL_REASONS],
        days=HORIZON_DAYS, max_days=MAX_HORIZON_DAYS)
