"""The three e-mails of coordination, in the recipient's language (words: the catalogs' ``[mail]``).

- :func:`allocation_proposed`: to a site (a maker), an allocation the hub proposes.
- :func:`shipment`: to a requester, parts of the request were shipped.
- :func:`reconfirm`: to a requester, does the request still stand?

Each carries one link to the site, in the message's language, whose token is in the URL
**fragment** (after ``#``): a browser never sends the fragment to a server, so the token
reaches no web server's or CDN's log, and no ``Referer``. The page's JavaScript reads it::

    <site_url><lang>/sites.html#id=<allocation id>&token=<token>     (a site)
    <site_url><lang>/status.html#ref=<reference>&token=<token>       (a requester)

``status.html`` is the request-tracking page (docs/<lang>/status.md,
docs/assets/javascripts/request-status.js reads ``ref`` and ``token``); the site builds
with ``use_directory_urls: false``, hence ``.html``. Values are percent-encoded, as the
pages' ``decodeURIComponent`` expects.

Composing sends nothing: pass the :class:`~chalicelib.mailer.Message` to
:func:`chalicelib.mailer.send`.
"""

from __future__ import annotations

from urllib.parse import quote

from . import i18n
from .mailer import Message

SITE_PAGE = "sites.html"        # a site's allocations
REQUESTER_PAGE = "status.html"  # a request's progress (request-status.js)


def _lang(lang: str) -> str:
    """A language the hub's site is published in (the link's folder): ``lang``, else
    English when the hub publishes it, else the hub's first language."""
    languages = i18n.hub_languages()
    if lang in languages:
        return lang
    return i18n.DEFAULT_LANGUAGE if i18n.DEFAULT_LANGUAGE in languages or not languages \
        else languages[0]


def link(site_url: str, lang: str, page: str, **fragment: str) -> str:
    """``https://hub.example/fr/status.html#ref=R-1&token=...``: values in the fragment only."""
    base = site_url if site_url.endswith("/") else site_url + "/"
    pairs = "&".join(f"{quote(str(k), safe='')}={quote(str(v), safe='')}"
                     for k, v in fragment.items())
    return f"{base}{_lang(lang)}/{page}#{pairs}"


def _message(kind: str, lang: str, to: str, **values: object) -> Message:
    lang = _lang(lang)
    return Message(to=to, subject=i18n.mail(f"{kind}_subject", lang, **values),
                   text=i18n.mail(f"{kind}_body", lang, **values), kind=kind)


def allocation_proposed(lang: str, site_url: str, allocation_id: str, link_token: str,
                        design_title: str, quantity: int, needed_by: str,
                        to: str) -> Message:
    """To a site: make ``quantity`` of ``design_title`` by ``needed_by`` (YYYY-MM-DD)?"""
    url = link(site_url, lang, SITE_PAGE, id=allocation_id, token=link_token)
    return _message("allocation_proposed", lang, to, quantity=quantity, design=design_title,
                    needed_by=needed_by, link=url)


def shipment(lang: str, site_url: str, reference: str, link_token: str, count: int,
             to: str) -> Message:
    """To a requester: ``count`` parts of ``reference`` were shipped."""
    url = link(site_url, lang, REQUESTER_PAGE, ref=reference, token=link_token)
    return _message("shipment", lang, to, reference=reference, count=count, link=url)


def reconfirm(lang: str, site_url: str, reference: str, link_token: str, respond_by: str,
              to: str) -> Message:
    """To a requester: is ``reference`` still needed? Answer by ``respond_by`` (YYYY-MM-DD)."""
    url = link(site_url, lang, REQUESTER_PAGE, ref=reference, token=link_token)
    return _message("reconfirm", lang, to, reference=reference, respond_by=respond_by,
                    link=url)
