"""Markers of hand-written pages (scripts/sitegen/markers.py): the registry and rendering."""

from __future__ import annotations

import pytest

import sitegen as sc
from sitegen import forms


@pytest.fixture
def ctx(fake_design):
    hub = {"hub": {"regions": ["Northshire", "Westmoor"], "languages": ["fr", "en", "ar"]}}
    return sc.SiteContext("fr", hub, [fake_design])


def test_registry_holds_the_three_forms():
    assert {"request-form", "maker-form", "status-form"} <= set(sc.MARKERS)
    assert sc.MARKERS["request-form"] is forms.request_form_html
    assert sc.MARKERS["maker-form"] is forms.maker_form_html
    assert sc.MARKERS["status-form"] is forms.status_form_html


def test_request_form_marker_is_replaced_by_the_form_of_the_language(ctx):
    page = f"# Demande\n\nTexte.\n\n{sc.marker('request-form')}\n\nAprès.\n"
    out = sc.render_markers(page, ctx)
    assert sc.marker("request-form") not in out
    assert 'id="usine-request-form"' in out
    assert sc.form_words("fr")["submit"] in out
    assert '<option value="Westmoor">Westmoor</option>' in out
    assert '<option value="demo-clip">Clip de démo</option>' in out
    assert out.startswith("# Demande\n\nTexte.\n") and out.rstrip().endswith("Après.")


def test_every_registered_marker_renders_a_string(ctx):
    for name in sc.MARKERS:
        assert isinstance(sc.render_markers(sc.marker(name), ctx), str)


def test_unknown_marker_fails_naming_it_and_the_page(ctx):
    with pytest.raises(sc.SiteError, match=r"docs/fr/x\.md: unknown marker.*usine:request-from"):
        sc.render_markers("<!-- usine:request-from -->", ctx, "docs/fr/x.md")


def test_page_without_markers_is_unchanged(ctx):
    page = "# Title\n\n<!-- a plain comment -->\n"
    assert not sc.has_markers(page)
    assert sc.render_markers(page, ctx) == page
