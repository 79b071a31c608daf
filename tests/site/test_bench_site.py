"""Page-weight budgets (scripts/bench_site.py) on the site of the repository's designs."""

from __future__ import annotations

import json

import pytest

import hub_under_test

import bench_site


@pytest.fixture(scope="module")
def figures(real_site, real_manifest):
    hub = bench_site.sc.load_hub(hub_under_test.PATH)
    manifest = bench_site.published(hub, json.loads(real_manifest.read_text()))
    return bench_site.measure(real_site, manifest, hub["hub"]["languages"])


def test_every_design_page_is_within_budget_before_its_model(figures):
    assert figures["pages"]
    for page in figures["pages"]:
        assert page["bytes"] <= bench_site.PAGE_BUDGET, page
        # What was counted: the page, its stylesheets and scripts, its drawing.
        assert {"html", "css", "js", "images"} <= set(page["by_kind"]), page


def test_no_3d_view_loads_a_glb_over_budget(figures):
    """What each page's 3D view would load (its data-glb files, measured on disk)."""
    assert figures["previews"]
    for glb in figures["previews"]:
        assert 0 < glb["bytes"] <= bench_site.GLB_BUDGET, glb
    over = {(g["design"], g["variant"]) for g in figures["glbs"]
            if g["bytes"] > bench_site.GLB_BUDGET}
    assert not over & {(g["design"], g["variant"]) for g in figures["glbs"] if g["previewed"]}


def test_the_viewer_is_not_part_of_the_page(figures, real_site):
    """The ~1 MB viewer loads on demand: were it counted, every page would be over."""
    assert figures["viewer"]["bytes"] > 500_000
    for page in figures["pages"]:
        html = (real_site / page["lang"] / "designs" / f"{page['design']}.html").read_text()
        assert "model-viewer.min.js\"></script>" not in html


def test_a_page_fetching_from_outside_fails_the_bench(tmp_path):
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "search_index.json").write_text("{}")
    page = tmp_path / "p.html"
    page.write_text('<link rel="stylesheet" href="https://cdn.example.org/x.css">')
    with pytest.raises(AssertionError, match="outside the site"):
        bench_site.page_weight(page, tmp_path)
