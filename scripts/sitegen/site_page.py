"""A site's allocations page (docs/<lang>/sites.md, marker ``site-allocations``) and the
allocations part of the requester's status page (docs/<lang>/status.md, marker
``status-allocations``): their markup, from docs/overrides/usine/site-allocations.html
and status-allocations.html; their scripts (site-allocations.js, request-status.js) fill
it from the API, with the words the page carries ([forms.common], [forms.site] or
[forms.status], and the API's per-field reasons [api.field]).

The e-mail a site receives links to ``sites.html#id=<allocation id>&token=<link token>``
(serverless/chalicelib/notifications.py); the script keeps the token in sessionStorage
and takes the fragment off the address bar. Every form is ``method="post"`` with its
submit disabled until the script runs: nothing personal can reach a URL.
"""

from __future__ import annotations

from .context import SiteContext
from .lang import field_messages, form_words
from .render import html_block

# What a site may give as the reason of a decline (the API accepts these and more:
# serverless/chalicelib/allocations.py REASONS; the others are the coordinators').
SITE_REASONS = ("no_material", "machine_down", "other")


def _words(lang: str, form: str) -> tuple[dict[str, str], dict[str, str]]:
    w = form_words(lang, form)
    return w, {**w, **{f"field.{code}": text for code, text in field_messages(lang).items()}}


def site_allocations_html(lang: str, ctx: SiteContext) -> str:
    """The site's allocations: sign-in by site number and edit code (or the e-mail link),
    and the template of one allocation's card (facts, contact, actions, packing slip)."""
    w, words = _words(lang, "site")
    return html_block("site-allocations.html", w=w, words=words,
                      reasons=[(r, w[f"reason_{r}"]) for r in SITE_REASONS])


def status_allocations_html(lang: str, ctx: SiteContext) -> str:
    """The requester's allocations (sites' regions, ETA, counts), receipt, reconfirm and
    cancel; shown by request-status.js once the request is found (the status form's
    words: this block carries none of its own)."""
    return html_block("status-allocations.html", w=form_words(lang, "status"))
