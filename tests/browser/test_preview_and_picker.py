"""Design pages in Debian's Chromium: the 3D preview, the variant picker, no outside request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

import hub_under_test
import sitegen as sc
from hubdata import DATA, DEFAULT, LANGUAGES

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def open_design(tab, base, lang, slug):
    tab.page.goto(f"{base}/{lang}/designs/{slug}.html")
    expect(tab.page.locator("[data-usine-design]")).to_be_visible()
    return tab.page


def load_preview(page):
    """Ask for the 3D view; wait for <model-viewer>'s `load` event (data-state=loaded)."""
    button = page.locator(".usine-preview-load")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(".usine-preview")).to_have_attribute("data-state", "loaded",
                                                             timeout=60_000)
    return page.locator("model-viewer")


def test_preview_loads_the_glb_and_renders_without_errors(tab, static_site_url):
    page = open_design(tab, static_site_url, DEFAULT, "demo-clip")
    viewer = load_preview(page)
    assert viewer.get_attribute("src") == "../../downloads/demo-clip/10.glb"
    assert page.evaluate("document.querySelector('model-viewer').loaded") is True
    # It rendered: the model's size as the viewer measured it (GLB units are mm; the
    # viewer reads metres, so the 10 x 5 x 3 mm box is 10 x 5 x 3 "m").
    size = page.evaluate("(() => { const d = document.querySelector('model-viewer')"
                         ".getDimensions(); return [d.x, d.y, d.z]; })()")
    assert sorted(round(x, 3) for x in size) == [3, 5, 10]
    assert any(r.endswith("/downloads/demo-clip/10.glb") and "/en/" not in r for r in tab.requests)
    assert not tab.errors and not tab.outside_requests(), (tab.errors, tab.outside_requests())


def test_real_designs_preview_their_default_variant(tab, real_static_site_url):
    manifest = json.loads((REPO / "build" / "manifest.json").read_text())
    # The designs the hub under test publishes ([designs] publish): a fork's may be fewer.
    slugs = sc.published_slugs(DATA, manifest)
    assert slugs, f"{hub_under_test.PATH} publishes none of {sorted(manifest['designs'])}"
    for slug in slugs:
        page = open_design(tab, real_static_site_url, LANGUAGES[-1], slug)
        viewer = load_preview(page)
        assert viewer.get_attribute("src").endswith(".glb")
        assert page.evaluate("document.querySelector('model-viewer').loaded") is True
    assert not tab.errors and not tab.outside_requests(), (tab.errors, tab.outside_requests())


def test_picking_a_variant_changes_downloads_figures_drawing_and_model(tab, static_site_url):
    lang = DEFAULT
    w = sc.ui(lang)
    print_time = sc.duration(1884, lang)  # the fake hub's figure for variant 10
    page = open_design(tab, static_site_url, lang, "demo-clip")
    panel = page.locator(".usine-variant:visible")
    expect(panel).to_have_count(1)
    expect(panel).to_have_attribute("data-variant", "10")
    expect(panel.locator("a").first).to_have_attribute("href", "../../downloads/demo-clip/10.stl")
    expect(panel).to_contain_text(print_time)
    viewer = load_preview(page)

    page.get_by_label("width").select_option("20")
    expect(panel).to_have_attribute("data-variant", "20")
    hrefs = panel.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == [f"../../downloads/demo-clip/20.{k}" for k in ("stl", "glb", "svg", "step")]
    expect(panel).to_contain_text(f"{w['fig_not_measured']} (prusa-slicer is not installed)")
    expect(panel).not_to_contain_text(print_time)
    expect(page.locator(".usine-preview-still")).to_have_attribute(
        "src", "../../downloads/demo-clip/20.svg")
    expect(viewer).to_have_attribute("src", "../../downloads/demo-clip/20.glb")
    page.wait_for_function("document.querySelector('model-viewer').loaded && "
                           "document.querySelector('model-viewer').getDimensions().x > 19")
    assert not tab.errors, tab.errors


def test_without_javascript_every_variant_and_file_is_listed(browser, static_site_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{static_site_url}/{LANGUAGES[-1]}/designs/demo-clip.html")
        expect(page.locator(".usine-variant:visible")).to_have_count(2)
        expect(page.locator("[data-usine-picker]")).to_be_hidden()
        expect(page.locator(".usine-preview-load")).to_be_hidden()
        expect(page.locator(".usine-preview-still")).to_be_visible()
        for v in ("10", "20"):
            for k in ("stl", "glb", "svg", "step"):
                expect(page.locator(f'a[href="../../downloads/demo-clip/{v}.{k}"]')).to_be_visible()
    finally:
        context.close()


def test_picker_follows_a_sparse_variant_matrix(tab, tmp_path):
    """Not every combination exists (sizes for one pattern, one size for the others):
    picking a value jumps to the closest variant that has it, and the other selects follow."""
    import shutil

    import sitegen as sc

    def variant(size, pattern):
        vid = f"{size}-{pattern}"
        return {"design": "band", "variant": vid, "params": {"size": size, "pattern": pattern},
                "files": {"stl": {"path": f"band/{vid}.stl", "bytes": 1, "sha256": "0" * 64}}}

    variants = [variant(s, "eu") for s in ("s", "m", "l")] + [variant("m", p)
                                                             for p in ("se", "us")]
    design = sc.Design("band", {"title": {"en": "Band"}}, {}, variants)
    block = sc.variant_block(design, variants[0], {}, "en", None)
    (tmp_path / "assets" / "javascripts").mkdir(parents=True)
    shutil.copy(REPO / "docs" / "assets" / "javascripts" / "design.js",
                tmp_path / "assets" / "javascripts" / "design.js")
    (tmp_path / "designs").mkdir()
    page = tmp_path / "designs" / "band.html"
    page.write_text(f"<!doctype html><meta charset=utf-8><body>{block}</body>")
    tab.page.goto(page.as_uri())
    size, pattern = tab.page.locator("#pick-size"), tab.page.locator("#pick-pattern")
    shown = tab.page.locator(".usine-variant:visible")
    expect(shown).to_have_attribute("data-variant", "s-eu")
    pattern.select_option("se")             # no s-se: the closest with pattern se
    expect(shown).to_have_attribute("data-variant", "m-se")
    expect(size).to_have_value("m")
    size.select_option("l")                 # no l-se: l exists only with eu
    expect(shown).to_have_attribute("data-variant", "l-eu")
    expect(pattern).to_have_value("eu")
    pattern.select_option("us")
    expect(shown).to_have_attribute("data-variant", "m-us")
    assert not tab.errors, tab.errors
