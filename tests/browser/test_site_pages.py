"""The catalog, the languages and offline use, in Debian's Chromium."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from playwright.sync_api import expect

import sitegen as sc
from hubdata import DEFAULT, LANGUAGES, LTR, is_rtl, rtl_language

pytestmark = pytest.mark.slow

LANGS = LANGUAGES
# The fake design's titles (tests/site/fakehub.py), per language it gives one in.
_FAKEHUB = Path(__file__).resolve().parents[1] / "site" / "fakehub.py"
PAGES = ["index.html", "designs/index.html", "designs/demo-clip.html", "designs/demo-panel.html",
         "technology/fdm.html", "technology/laser.html", "make.html", "request.html",
         "safety.html", "fork.html", "about.html", "coordinate.html"]


def clip_titles() -> dict[str, str]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("usine_fakehub_titles", _FAKEHUB)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return tomllib.loads(module.DESIGN_TOML)["title"]


def cards(page):
    return page.locator(".usine-card:visible")


def test_catalog_filters_by_technology_and_status(tab, static_site_url):
    page = tab.page
    w = sc.ui(DEFAULT)
    page.goto(f"{static_site_url}/{DEFAULT}/designs/index.html")
    expect(cards(page)).to_have_count(2)
    page.get_by_label(w["technology"], exact=True).select_option("laser")
    expect(cards(page)).to_have_count(1)
    expect(cards(page)).to_have_attribute("data-technology", "laser")
    page.get_by_label(w["review_status"], exact=True).select_option("community")
    expect(cards(page)).to_have_count(0)
    expect(page.locator(".usine-filter-none")).to_be_visible()
    page.get_by_label(w["technology"], exact=True).select_option("")
    expect(cards(page)).to_have_count(1)
    expect(cards(page)).to_have_attribute("data-status", "community")
    expect(page.locator(".usine-filter-none")).to_be_hidden()
    assert not tab.errors


def test_catalog_lists_every_design_without_javascript(browser, static_site_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{static_site_url}/{LANGUAGES[-1]}/designs/index.html")
        expect(cards(page)).to_have_count(2)
        expect(page.locator("[data-usine-filters]")).to_be_hidden()
        expect(page.locator('.usine-card a[href="demo-panel.html"]').last).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_requests_anything_outside_the_site(tab, static_site_url, lang):
    for path in PAGES:
        tab.page.goto(f"{static_site_url}/{lang}/{path}")
        tab.page.wait_for_load_state("networkidle")
    assert not tab.outside_requests(), tab.outside_requests()
    assert not tab.errors, tab.errors


def test_right_to_left_pages_are_laid_out_right_to_left(tab, static_site_url):
    """A right-to-left language of the hub (Babel's direction), and a left-to-right one
    where the hub has one."""
    page = tab.page
    page.set_viewport_size({"width": 1400, "height": 900})
    rtl_lang = rtl_language()
    for lang, rtl in ((rtl_lang, True), *((lang, False) for lang in LTR[:1])):
        assert is_rtl(lang) is rtl
        page.goto(f"{static_site_url}/{lang}/designs/demo-clip.html")
        assert page.evaluate("getComputedStyle(document.body).direction") == \
            ("rtl" if rtl else "ltr")
        nav = page.locator(".md-sidebar--primary").bounding_box()
        content = page.locator(".md-content").bounding_box()
        # The navigation is on the reading side: right in Arabic, left otherwise.
        assert (nav["x"] > content["x"]) is rtl, (lang, nav, content)
        # File names and sizes stay left to right inside right-to-left text.
        link = page.locator(".usine-files a").first
        assert link.evaluate("a => getComputedStyle(a).direction") == "ltr"


@pytest.mark.parametrize("path", ["designs/demo-clip.html", "technology/laser.html", "fork.html"])
def test_language_switcher_lands_on_the_same_page(tab, static_site_url, path):
    page = tab.page
    page.goto(f"{static_site_url}/{LANGUAGES[-1]}/{path}")
    for lang in LANGUAGES:
        page.locator(".md-header__option .md-select").hover()
        page.locator(f'.md-select__link[hreflang="{lang}"]').click()
        page.wait_for_url(f"{static_site_url}/{lang}/{path}")
        assert page.evaluate("document.documentElement.lang") == lang


def test_search_works_from_a_folder(tab, static_site):
    """Opened from file:// (a USB stick): Material's search still finds a design."""
    page = tab.page
    titles = clip_titles()
    # A language the design has a title in ("clip" is in each), the default where it can.
    lang = next((lang for lang in LANGUAGES if lang in titles), DEFAULT)
    page.goto((static_site / lang / "index.html").as_uri())
    page.locator(".md-search__input").click()
    page.keyboard.type("clip", delay=50)  # Material searches on key events
    expect(page.locator(".md-search-result__item").first).to_be_visible(timeout=20_000)
    expect(page.locator(".md-search-result")).to_contain_text(titles.get(lang, titles["en"]))


def test_design_page_from_a_folder_keeps_the_drawing_and_offers_no_3d_view(tab, static_site):
    """From file:// browsers refuse to fetch the GLB: the page shows the drawing and every
    download, and does not offer a 3D view that would fail."""
    page = tab.page
    errors = []  # Material's language switcher asks for the sitemaps, which file:// refuses
    page.on("console", lambda msg: msg.type == "error" and "sitemap.xml" not in
            msg.text + msg.location.get("url", "") and errors.append(msg.text))
    page.goto((static_site / DEFAULT / "designs" / "demo-clip.html").as_uri())
    expect(page.locator("[data-usine-picker]")).to_be_visible()  # the picker still works
    expect(page.locator(".usine-preview-still")).to_be_visible()
    expect(page.locator(".usine-preview-load")).to_be_hidden()
    page.locator("#pick-width").select_option("20")
    expect(page.locator(".usine-preview-still")).to_have_attribute(
        "src", "../../downloads/demo-clip/20.svg")
    assert not errors, errors
