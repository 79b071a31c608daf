"""The markup of a site's allocations page and of the status page's allocations
(scripts/sitegen/site_page.py, docs/overrides/usine/site-allocations.html and
status-allocations.html): words in the page's language, forms that send nothing without
the script, and scripts that hold no words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import sitegen as sc
import sitelangs
from chalicelib import allocations, catalog

REPO = Path(__file__).resolve().parents[2]
LANGUAGES = sitelangs.WORDS  # the hub's (a fork's in CI's second pass) and the catalogs'


@pytest.fixture
def ctx_of():
    return lambda lang: sc.SiteContext(lang, {"hub": {"regions": ["Northshire"],
                                                     "languages": list(LANGUAGES)}}, [])


def test_the_markers_are_registered():
    assert sc.MARKERS["site-allocations"] is sc.site_allocations_html
    assert sc.MARKERS["status-allocations"] is sc.status_allocations_html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_site_page_carries_its_words_in_the_pages_language(lang, ctx_of):
    html = sc.site_allocations_html(lang, ctx_of(lang))
    found = re.search(r'<script type="application/json" id="usine-words">(.*?)</script>',
                      html, re.S)
    words = json.loads(found.group(1))
    assert {k: v for k, v in words.items() if not k.startswith("field.")} \
        == sc.form_words(lang, "site")
    assert words["field.missing"] == catalog.text("api.field.missing", lang)
    assert sc.form_words(lang, "site")["accept"] in html
    assert "assets/javascripts/usine-forms.js" in html
    assert "assets/javascripts/site-allocations.js" in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_form_posts_and_waits_for_the_script(lang, ctx_of):
    for html in (sc.site_allocations_html(lang, ctx_of(lang)),
                 sc.status_allocations_html(lang, ctx_of(lang))):
        forms = re.findall(r"<form[^>]*>", html)
        assert forms and all('method="post"' in f and "novalidate" in f for f in forms)
        buttons = re.findall(r'<button type="submit"[^>]*>', html)
        assert len(buttons) == len(forms) and all(" disabled" in b for b in buttons)
        ids = re.findall(r' id="([^"]+)"', html)
        assert len(ids) == len(set(ids)), "duplicate ids"
        for target in re.findall(r'(?:aria-describedby|aria-labelledby|for)="([^"]+)"', html):
            assert all(t in ids for t in target.split()), target


def test_a_site_declines_only_with_a_reason_the_api_knows():
    assert set(sc.SITE_REASONS) <= set(allocations.REASONS)


def test_the_sites_and_status_pages_exist_in_every_language():
    for lang in sitelangs.HUB:
        assert sc.marker("site-allocations") in (REPO / "docs" / lang / "sites.md").read_text()
        assert sc.marker("status-allocations") in (REPO / "docs" / lang / "status.md").read_text()


def test_the_scripts_hold_no_words():
    for name in ("site-allocations.js", "request-status.js", "usine-forms.js"):
        script = (REPO / "docs" / "assets" / "javascripts" / name).read_text(encoding="utf-8")
        for lang in LANGUAGES:
            for form in ("site", "status"):
                for key, text in sc.form_words(lang, form).items():
                    if len(text) > 12:  # short words ("Status") may be code too
                        assert text not in script, (name, key)
        assert "sessionStorage" in (REPO / "docs" / "assets" / "javascripts" /
                                    "usine-forms.js").read_text()
