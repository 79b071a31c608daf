"""Markup from Jinja2 templates (docs/overrides/usine/, one environment, autoescape on):
values are escaped once, the templates never reach the built site as pages or files, and
the forms offer hub.toml's regions by identifier with their names in the page's language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import sitegen as sc
from sitegen import render

MOROCCO = {"hub": {"languages": ["ar", "fr"], "regions": [
    {"id": "casablanca-settat", "name": {"fr": "Casablanca-Settat", "ar": "الدار البيضاء سطات"}},
    {"id": "draa-tafilalet", "name": {"fr": "Drâa-Tafilalet", "ar": "درعة تافيلالت"}}]}}


def test_one_environment_with_autoescape_on():
    env = render.environment()
    assert env is render.environment() and env.autoescape is True
    assert Path(env.loader.searchpath[0]) == render.TEMPLATES
    assert render.TEMPLATES.parent.name == "overrides"


@pytest.mark.parametrize("lang, names", [
    ("ar", ["الدار البيضاء سطات", "درعة تافيلالت"]),
    ("fr", ["Casablanca-Settat", "Drâa-Tafilalet"])])
def test_forms_post_region_ids_and_show_their_names_in_the_pages_language(lang, names):
    ctx = sc.SiteContext(lang, MOROCCO, [])
    for html, field in ((sc.request_form_html(lang, ctx), "delivery.region"),
                        (sc.maker_form_html(lang, ctx), "region")):
        select = re.search(rf'<select id="[^"]+" name="{re.escape(field)}".*?</select>', html, re.S)
        options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', select.group(0))
        assert options[1:] == list(zip(["casablanca-settat", "draa-tafilalet"], names))
    config = sc.hub_config(MOROCCO | {"stages": {"local": {"api_base_url": "http://x"}}},
                           [], lang, {})
    assert [r["id"] for r in config["regions"]] == ["casablanca-settat", "draa-tafilalet"]


def test_values_are_escaped_once(fake_design):
    fake_design.meta = {**fake_design.meta, "title": {"en": 'Clip <b>"&"</b>'}}
    html = sc.request_form_html("en", sc.SiteContext("en", MOROCCO, [fake_design]))
    assert "Clip &lt;b&gt;&#34;&amp;&#34;&lt;/b&gt;" in html and "<b>" not in html
    words = json.loads(re.search(r'id="usine-words">(.*?)</script>', html, re.S).group(1))
    assert words["submit"] == sc.form_words("en", "request")["submit"]  # JSON, not escaped twice


def test_every_form_is_posted_by_its_script_only(fake_design):
    ctx = sc.SiteContext("fr", MOROCCO, [fake_design])
    for html in (sc.request_form_html("fr", ctx), sc.maker_form_html("fr", ctx),
                 sc.status_form_html("fr", ctx)):
        form = re.search(r"<form [^>]*>", html).group(0)
        assert 'method="post"' in form and "novalidate" in form and "action" not in form
        assert re.search(r'<button type="submit"[^>]*disabled', html)
        assert '<noscript><p class="usine-noscript">' in html
        # Every control names its error slot (and its help, if any).
        for control in re.findall(r"<(?:input|select|textarea) [^>]*>", html):
            if 'name="website"' in control:
                continue
            cid = re.search(r'id="([^"]+)"', control).group(1)
            described = re.search(r'aria-describedby="([^"]+)"', control).group(1).split()
            base = cid.rsplit("-", 1)[0] if re.search(r"build_volume_mm-\d$", cid) else cid
            assert f"{base}-error" in described, control
            assert all(f'id="{i}"' in html for i in described), control


def test_templates_are_not_in_the_built_site(fake_site):
    names = {p.name for p in render.TEMPLATES.iterdir()}
    built = {p.name for p in fake_site.rglob("*") if p.is_file()}
    assert names and not names & built - {"index.html"}
    assert not list(fake_site.rglob("usine/*.html"))


def test_html_in_generated_markdown_escapes_its_text():
    md = sc.changelog_markdown([sc.Change("abc1234", "2026-01-01", "Fix <script>x</script> | y")],
                               "en")
    assert "<script>" not in md
    assert '<span dir="auto">Fix &lt;script&gt;x&lt;/script&gt; \\| y</span>' in md
