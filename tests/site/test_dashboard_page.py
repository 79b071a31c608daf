"""The public dashboard page (docs/<lang>/dashboard.md, scripts/sitegen/dashboard.py,
docs/overrides/usine/dashboard-page.html) as built for every language of the hub under
test: the marker replaced, uPlot served by the site itself and loaded by this page only,
the words and the region and design names in the page's language, the open-data feed
linked, and the page's weight within its budgets (scripts/bench_site.py)."""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pytest

import bench_site
import hub_under_test
import sitegen as sc
import sitelangs
from chalicelib import catalog

REPO = Path(__file__).resolve().parents[2]
LANGUAGES = sitelangs.HUB  # the hub under test's (a fork's in CI's second pass)
UPLOT = REPO / "node_modules" / "uplot"


def words(lang: str) -> dict[str, str]:
    return catalog.section(lang, "forms.dashboard")


def built(site: Path, lang: str, page: str = bench_site.DASHBOARD_PAGE) -> str:
    return (site / lang / page).read_text(encoding="utf-8")


def texts(pattern: str, page: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", m)).strip() for m in re.findall(pattern, page, re.S)]


def options(page: str, select_id: str) -> list[tuple[str, str]]:
    found = re.search(rf'<select id="{select_id}">(.*?)</select>', page, re.S)
    assert found, select_id
    return [(html.unescape(v), html.unescape(t))
            for v, t in re.findall(r'<option value="([^"]*)">([^<]*)</option>', found.group(1))]


@pytest.fixture(scope="module")
def fake_designs(fake_hub) -> list[tuple[str, list[sc.Design]]]:
    hub = sc.load_hub(Path(fake_hub["USINE_HUB_CONFIG"]))
    manifest = sc.load_manifest(Path(fake_hub["USINE_MANIFEST"]))
    return [sc.load_design(Path(fake_hub["USINE_DESIGNS_DIR"]), slug, manifest,
                           hub["hub"]["languages"])
            for slug in sc.published_slugs(hub, manifest)]


def test_the_marker_is_registered_and_every_language_has_the_page():
    assert sc.MARKERS["dashboard"] is sc.dashboard_html
    assert "dashboard.md" in sc.HANDWRITTEN_ORDER
    for lang in LANGUAGES:
        assert sc.marker("dashboard") in (REPO / "docs" / lang / "dashboard.md").read_text()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_built_page_holds_the_dashboard_in_its_language(fake_site, fake_designs, lang):
    page = built(fake_site, lang)
    w = words(lang)
    assert "usine:" not in page and 'id="usine-dashboard"' in page
    carried = re.search(r'<script type="application/json" id="usine-words">(.*?)</script>',
                        page, re.S)
    assert json.loads(carried.group(1)) == w
    assert texts(r'<h2 id="ud-regions-h">(.*?)</h2>', page) == [w["regions_heading"]]
    assert texts(r'<h2 id="ud-days-h">(.*?)</h2>', page) == [w["days_heading"]]
    assert texts(r"<legend>(.*?)</legend>", page) == [w["filters"]]
    assert texts(r'<button type="button" class="md-button ud-refresh"[^>]*>(.*?)</button>',
                 page) == [w["refresh"]]
    assert texts(r'<button [^>]*class="[^"]*ud-retry"[^>]*>(.*?)</button>', page) == [w["retry"]]
    assert texts(r'<noscript>(.*?)</noscript>', page) == [w["noscript"]]
    for key in ("regions_table", "days_table"):
        assert f'aria-label="{html.escape(w[key])}"' in page
    # Region and design names in the page's language, their ids as values.
    hub = hub_under_test.hub()
    assert options(page, "ud-region") == [("", w["all_regions"])] + [
        (r.id, r.name(lang)) for r in hub.region_list]
    assert options(page, "ud-design") == [("", w["all_designs"])] + [
        (d.slug, d.text("title", lang)[0] or d.slug) for d in fake_designs]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_uplot_is_served_by_the_site_and_loaded_by_this_page_only(fake_site, lang):
    page = built(fake_site, lang)
    assert f'<script src="{sc.UPLOT_JS}" defer></script>' in page
    assert f'<link rel="stylesheet" href="{sc.UPLOT_CSS}">' in page
    assert f'<script src="{sc.DASHBOARD_JS}" defer></script>' in page
    for rel, source in ((sc.UPLOT_JS, "dist/uPlot.iife.min.js"),
                        (sc.UPLOT_CSS, "dist/uPlot.min.css")):
        assert (fake_site / lang / rel).read_bytes() == (UPLOT / source).read_bytes()
    assert (fake_site / lang / "assets/vendor/uplot/LICENSE").is_file()
    # Everything the page fetches is in the site (page_weight fails on another origin).
    bench_site.page_weight(fake_site / lang / bench_site.DASHBOARD_PAGE, fake_site / lang)
    for other in ("index.html", "about.html", "console.html"):
        assert "uplot" not in built(fake_site, lang, other).lower(), other
    # In the menu of every page.
    assert 'href="dashboard.html"' in built(fake_site, lang, "index.html")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_open_data_feed_is_linked_when_the_api_is_known(fake_site, lang):
    page = built(fake_site, lang)
    w = words(lang)
    api = sc.api_base_url(sc.load_hub(hub_under_test.PATH), {"USINE_STAGE": "local"})
    assert f'<a href="{api}/feed.csv" download>{html.escape(w["open_data_csv"])}</a>' in page
    assert f'<a href="{api}/feed.json">' in page
    # A build that does not know the API links nothing.
    bare = sc.dashboard_html(lang, sc.SiteContext(lang, sc.load_hub(hub_under_test.PATH), []))
    assert "feed.csv" not in bare and "ud-open-data" not in bare


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ids_and_references_of_the_markup_hold(lang):
    page = sc.dashboard_html(lang, sc.SiteContext(lang, sc.load_hub(hub_under_test.PATH), []))
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "duplicate ids"
    for target in re.findall(r'(?:aria-labelledby|for)="([^"]+)"', page):
        assert target in ids, target
    assert not re.search(r"\son[a-z]+=", page), "inline event handler"
    # The tables of the journey tests' contract are made by the script in these regions.
    for table in ("ud-regions", "ud-days"):
        assert re.search(rf'<div class="usine-table" tabindex="0" role="region" '
                         rf'aria-label="[^"]+" id="{table}-box" data-table="{table}">', page)


def test_the_script_holds_no_words():
    script = (REPO / "docs" / "assets" / "javascripts" / "dashboard.js").read_text(encoding="utf-8")
    for lang in sitelangs.WORDS:
        for key, text in words(lang).items():
            if len(text) > 12:
                assert text not in script, (lang, key)
    for contract in ('"data-region"', '"data-design"', '"data-day"', '"data-col"'):
        assert contract in script


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_is_within_its_weight_budget(fake_site, lang):
    weight = bench_site.dashboard_weight(fake_site / lang)
    print(f"dashboard {lang}: {weight['bytes']} bytes raw, {weight['gzip_bytes']} gzip, "
          f"{weight['own_bytes']} over {bench_site.BASELINE_PAGE}")
    assert not bench_site.dashboard_over_budget(weight), weight
    # What was counted: the page, Material's and our stylesheets and scripts, uPlot.
    assert {"html", "css", "js"} <= set(weight["by_kind"])
    assert weight["by_kind"]["js"] > (UPLOT / "dist/uPlot.iife.min.js").stat().st_size


def test_a_padded_dashboard_fails_its_budget(tmp_path):
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "search_index.json").write_text("{}")
    (tmp_path / bench_site.BASELINE_PAGE).write_text("<p>about</p>")
    # Random bytes do not compress: over every budget at once.
    pad = os.urandom(max(bench_site.DASHBOARD_BUDGET, bench_site.PAGE_BUDGET) + 1)
    (tmp_path / "padded.js").write_bytes(pad)
    (tmp_path / bench_site.DASHBOARD_PAGE).write_text('<script src="padded.js"></script>')
    over = bench_site.dashboard_over_budget(bench_site.dashboard_weight(tmp_path))
    assert [line.split(":")[0] for line in over] == ["gzip", "over the lightest page", "raw"]
