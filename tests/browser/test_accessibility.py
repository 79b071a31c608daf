"""Every built page of every language, checked by axe-core in Chromium: no serious or
critical violation (WCAG 2 A and AA rules and axe's best practices), on a desktop screen
and on a phone, where wide tables scroll sideways.

axe-core is installed from package-lock.json (node_modules/axe-core, `npm ci` in
scripts/setup.sh) and injected into each page: nothing is downloaded at test time. The
pages are visited one after the other in one browser context.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import sitegen as sc
from hubdata import DEFAULT

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
FAILING = ("serious", "critical")
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}
# The whole site once per viewport; measured about 35 s for the fake hub's 49 pages.
BUDGET_S = 120


def built_pages(site: Path, languages: list[str]) -> list[str]:
    """Every HTML page of the built site (each language's folder and the root redirect),
    relative to the site; fails if a language of the hub has no page."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    for lang in languages:
        assert f"{lang}/index.html" in pages, f"no page built for {lang}"
    return pages


def axe_violations(page, url: str, redirect: bool = False) -> list[str]:
    """Serious and critical violations of the page at `url`, one line each. A redirect
    page (meta refresh) is kept from leaving: every other request gets "204 No Content",
    on which the browser stays where it is."""
    if redirect:
        page.route("**/*", lambda route: route.continue_() if route.request.url == url
                   else route.fulfill(status=204))
    try:
        page.goto(url, wait_until="load")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    finally:
        if redirect:
            page.unroute("**/*")
    assert result["testEngine"]["name"] == "axe-core"
    return [f"{v['id']} ({v['impact']}) {node['target']}: {v['help']}"
            for v in result["violations"] if v["impact"] in FAILING for node in v["nodes"]]


@pytest.fixture(scope="module")
def site_pages(static_site, hub_env) -> list[str]:
    languages = sc.load_hub(Path(hub_env["USINE_HUB_CONFIG"]))["hub"]["languages"]
    return built_pages(static_site, languages)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_no_serious_violation_on_any_page(browser, static_site_url, site_pages, viewport):
    assert AXE.is_file(), f"{AXE} is missing: run scripts/setup.sh (npm ci)"
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    found = []
    started = time.monotonic()
    try:
        page = context.new_page()
        for rel in site_pages:
            url = f"{static_site_url}/{rel}"
            found += [f"{rel}: {line}" for line in
                      axe_violations(page, url, redirect=(rel == "index.html"))]
    finally:
        context.close()
    elapsed = time.monotonic() - started
    assert not found, f"{len(found)} serious or critical violations:\n" + "\n".join(found)
    assert elapsed < BUDGET_S, f"{len(site_pages)} pages took {elapsed:.0f} s"


def test_wide_tables_scroll_from_the_keyboard(tab, static_site_url):
    """On a phone the files table (SHA-256 column) is wider than the screen: its region
    takes focus, is named, and the arrow keys scroll it."""
    page = tab.page
    page.set_viewport_size(VIEWPORTS["phone"])
    page.goto(f"{static_site_url}/{DEFAULT}/designs/demo-clip.html")
    region = page.locator(".usine-variant:not([hidden]) .usine-files .usine-table")
    assert region.evaluate("r => r.scrollWidth > r.clientWidth"), "the table fits: no test"
    assert region.get_attribute("role") == "region"
    assert region.get_attribute("aria-label") == sc.ui(DEFAULT)["variant_files"]
    region.focus()
    assert region.evaluate("r => r === document.activeElement")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("r => r.scrollLeft !== 0", arg=region.element_handle())
    assert not tab.errors
