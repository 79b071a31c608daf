"""The coordinator console in a real browser, against the real local API on DynamoDB Local:
a coordinator pastes a token, opens a request, allocates it to a site, sees it on the
board, plans and accepts a line, closes a request, downloads the CSV; a wrong token is
explained; the token never goes into a URL; allocating works from the keyboard alone."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

import sitegen as sc
from hubdata import (DEFAULT, HUB, LANGUAGES, MOBILE, PHONE, POSTCODE, REGION_IDS, RTL,
                     expect_template)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
# The fake hub keeps the hub under test's hub.toml (tests/site/fakehub.py): its regions,
# languages and country rules, whatever they are.
REGIONS = REGION_IDS
REGION = REGIONS[min(2, len(REGIONS) - 1)]  # one the other browser tests leave alone
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


def words(lang: str) -> dict[str, str]:
    return sc.form_words(lang, "console")


def post(api_url: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(f"{api_url}{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"},
                                     method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def new_request(api_url: str, design: str = "demo-clip", quantity: int = 120,
                variant: str | None = "10", days: int = 20) -> str:
    item = {"design": design, "quantity": quantity, **({"variant": variant} if variant else {})}
    return post(api_url, "/requests", {
        "organization": {"name": "CHU de Caen", "type": "hospital"},
        "contact": {"name": "Jeanne Martin", "email": "jm@example.org", "phone": PHONE},
        "delivery": {"region": REGION, "postcode": POSTCODE, "address": "Avenue X"},
        "items": [item], "needed_by": (date.today() + timedelta(days=days)).isoformat(),
        "consent": True})["reference"]


def new_site(api_url: str) -> str:
    return post(api_url, "/makers", {
        "name": "Fablab de Cherbourg", "kind": "fablab",
        "contact": {"name": "Ali Benali", "email": "ali@fablab.example",
                    "phone": MOBILE},
        "region": REGION, "postcode": POSTCODE,
        "machines": [{"technology": "fdm", "model": "Prusa MK3S", "count": 4,
                      "build_volume_mm": [250, 210, 210]}],
        "materials": ["PETG"],
        "offers": [{"design": "demo-clip", "variant": "10", "units_per_day": 200},
                   {"design": "demo-panel", "units_per_day": 50}],
        "availability": {"from": date.today().isoformat(),
                         "until": (date.today() + timedelta(days=60)).isoformat()},
        "consent": True})["id"]


@pytest.fixture(scope="module")
def table(dynamodb_endpoint, api_url):
    from chalicelib import tables

    stage = json.loads((REPO / "serverless" / ".chalice" / "config.json").read_text())
    name = stage["stages"]["local"]["environment_variables"]["TABLE_NAME"]
    return tables.connect(dynamodb_endpoint).Table(name)


def issue(table, regions=None) -> str:
    from datetime import datetime, timezone

    from chalicelib import coordinators

    _, token = coordinators.issue(table, "Console test", tuple(regions) if regions else None,
                                  timedelta(days=1), datetime.now(timezone.utc))
    return token


@pytest.fixture(scope="module")
def site_id(api_url):
    return new_site(api_url)


def paste(page, site_url, lang, token):
    page.goto(f"{site_url}/{lang}/console.html")
    page.locator("#uc-token").fill(token)
    page.locator("#uc-token-form [type=submit]").click()


def request_row(page, reference):
    return page.locator("#uc-requests tbody tr", has=page.locator(f"button:text-is('{reference}')"))


def test_the_coordinators_journey(tab, site_url, api_url, table, site_id):
    lang = DEFAULT
    w = words(lang)
    allocated_ref = new_request(api_url)
    closed_ref = new_request(api_url, "demo-panel", 8, None)
    planned_ref = new_request(api_url, "demo-clip", 30, "10", days=12)
    token = issue(table)
    page = tab.page
    paste(page, site_url, lang, token)
    expect(page.locator("#uc-token-form .usine-status")).to_have_text(w["token_ok"], timeout=15_000)
    expect(request_row(page, allocated_ref)).to_have_count(1)
    # The region's name in the page's language, not its id, in the list.
    expect(request_row(page, allocated_ref).locator("td").nth(1)).to_have_text(
        HUB.region(REGION).name(lang))

    def open_request(reference):
        page.get_by_role("button", name=w["open_request"].format(reference=reference)).click()
        expect(page.locator("#uc-detail-h")).to_have_text(
            w["detail_heading"].format(reference=reference), timeout=15_000)

    # Open it and allocate 50 to the site.
    open_request(allocated_ref)
    page.locator("#uc-al-site").select_option(site_id)
    page.locator("#uc-al-quantity").fill("50")
    page.locator("#uc-allocate-form [type=submit]").click()
    status = page.locator("#uc-allocate-form .usine-status")
    expect_template(status, w["allocated_ok"], timeout=15_000, quantity=50, site=site_id)
    expect(status).to_contain_text(site_id)
    expect(page.locator("#uc-lines tbody td").nth(2)).to_have_text("50")
    # Too many: the API's reason next to the quantity.
    page.locator("#uc-al-quantity").fill("500")
    page.locator("#uc-allocate-form [type=submit]").click()
    expect(page.locator("#uc-al-quantity-error")).to_be_visible(timeout=15_000)
    expect(page.locator("#uc-al-quantity")).to_have_attribute("aria-invalid", "true")

    # The board shows it as proposed.
    page.locator("#uc-board-form [type=submit]").click()
    proposed = page.locator("#uc-board-proposed tbody tr", has_text=allocated_ref)
    expect(proposed).to_have_count(1, timeout=15_000)
    expect(page.get_by_role("region", name=w["board_table"].format(
        status=w["state_proposed"]))).to_be_visible()

    # The planner proposes the other clip request; accept that line alone.
    page.locator("#uc-plan-region").select_option(REGION)
    page.locator("#uc-plan-form [type=submit]").click()
    line = page.locator(f'#uc-plan tr[data-line="{planned_ref}:0"]')
    expect(line).to_have_count(1, timeout=30_000)
    expect_template(page.locator("#uc-plan-form .usine-status"), w["plan_summary"])
    line.get_by_role("button", name=w["accept_line"].format(reference=planned_ref, item=1)).click()
    expect(line.locator("td").last).to_have_text(w["line_accepted"], timeout=15_000)
    expect_template(page.locator(".uc-accept-status"), w["plan_accepted"], count=1)

    # Close the panel request.
    open_request(closed_ref)
    page.locator("#uc-close-reason").select_option("not_needed")
    page.locator("#uc-close-form [type=submit]").click()
    expect(page.locator("#uc-close-form .usine-status")).to_have_text(
        w["closed"].format(reference=closed_ref), timeout=15_000)
    expect(request_row(page, closed_ref)).to_have_count(0)

    # The contact, revealed on demand (audited).
    open_request(allocated_ref)
    page.get_by_role("button", name=w["show_contact"]).click()
    expect(page.locator(".uc-contact-list")).to_contain_text("jm@example.org", timeout=15_000)

    # A site's contact, likewise.
    page.locator("#uc-sites-form [type=submit]").click()
    page.get_by_role("button", name=w["show_site_contact"].format(site=site_id)).click()
    expect(page.locator("#uc-sites tbody")).to_contain_text("ali@fablab.example", timeout=15_000)
    expect(page.locator("#uc-sites-form .usine-status")).to_have_text(w["contact_shown"])

    # The CSV, fetched with the header and saved from a Blob.
    page.locator("#uc-export-region").select_option(REGION)
    with page.expect_download(timeout=15_000) as download:
        page.locator("#uc-export-form [type=submit]").click()
    csv = Path(download.value.path()).read_text(encoding="utf-8-sig")
    header = csv.splitlines()[0]
    assert header.startswith("site,site_region,day,reference"), header
    assert allocated_ref in csv and planned_ref in csv and site_id in csv
    assert download.value.suggested_filename.endswith(".csv")
    expect(page.locator("#uc-export-form .usine-status")).to_have_text(
        w["downloaded"].format(name=download.value.suggested_filename))

    # Cancel the allocation from the board: its units go back to the queue.
    page.locator("#uc-board-form [type=submit]").click()
    expect(proposed).to_have_count(1, timeout=15_000)
    proposed.get_by_role("button").click()
    expect(page.locator("#uc-board-cancelled tbody tr", has_text=allocated_ref)).to_have_count(
        1, timeout=15_000)
    expect_template(page.locator("#uc-board-form .usine-status"), w["cancelled_ok"])

    # The audit log (hub scope) lists the reveal.
    page.locator("#uc-audit-form [type=submit]").click()
    expect(page.locator("#uc-audit tbody")).to_contain_text("reveal_requester", timeout=15_000)
    expect(page.locator("#uc-audit tbody")).to_contain_text(site_id)

    # The token: in sessionStorage only, never in a URL, a cookie or localStorage.
    assert page.evaluate("JSON.parse(sessionStorage.getItem('usine.coordinatorToken'))") == token
    assert page.evaluate("localStorage.length") == 0
    assert not page.context.cookies()
    assert token not in page.url
    assert all(token not in url for url in tab.requests)
    assert any(url.startswith(f"{api_url}/coordination/") for url in tab.requests)
    assert not tab.outside_requests()
    # The browser logs each refused call; the 409 of the over-allocation was expected.
    assert not [e for e in tab.errors if "status of 409" not in e], tab.errors

    # Forget it: the work area goes, the next visit asks again.
    page.get_by_role("button", name=w["forget_token"]).click()
    expect(page.locator("#uc-token-form .usine-status")).to_have_text(w["token_forgotten"])
    expect(page.locator(".uc-work")).to_be_hidden()
    assert page.evaluate("sessionStorage.length") == 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_wrong_token_is_explained_in_the_pages_language(tab, site_url, api_url, lang):
    page = tab.page
    paste(page, site_url, lang, "C-00000000.not-a-real-secret")
    error = page.locator("#uc-token-error")
    expect(error).to_have_text(words(lang)["unauthorized"], timeout=15_000)
    expect(page.locator("#uc-token")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".uc-work")).to_be_hidden()
    assert page.evaluate("sessionStorage.length") == 0
    assert all("not-a-real-secret" not in url for url in tab.requests)


def test_the_audit_log_of_a_regional_token_says_why_not(tab, site_url, api_url, table):
    page = tab.page
    paste(page, site_url, DEFAULT, issue(table, [REGION]))
    expect(page.locator(".uc-work")).to_be_visible(timeout=15_000)
    page.locator("#uc-audit-form [type=submit]").click()
    expect(page.locator("#uc-audit-form .usine-general-error")).to_have_text(
        words(DEFAULT)["forbidden_audit"], timeout=15_000)


def test_allocating_with_the_keyboard_alone(tab, site_url, api_url, table, site_id):
    reference = new_request(api_url, quantity=40)
    token = issue(table, [REGION])
    page = tab.page
    w = words(DEFAULT)
    page.goto(f"{site_url}/{DEFAULT}/console.html")

    def tab_to(predicate: str, limit: int = 200) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"(e => {predicate})(document.activeElement)"):
                return
        raise AssertionError(f"never reached: {predicate}")

    tab_to("e.id === 'uc-token'")
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    expect(page.locator(".uc-work")).to_be_visible(timeout=15_000)
    tab_to(f"e.textContent === '{reference}'")
    page.keyboard.press("Enter")
    expect(page.locator("#uc-detail-h")).to_be_focused(timeout=15_000)
    tab_to("e.id === 'uc-al-site'")
    # One site offers the part: chosen already; else choose it with the arrows.
    if page.locator("#uc-al-site").input_value() != site_id:
        page.keyboard.press("ArrowDown")
    expect(page.locator("#uc-al-site")).to_have_value(site_id)
    tab_to("e.id === 'uc-al-quantity'")
    page.keyboard.press("Control+A")
    page.keyboard.type("15")
    tab_to("e.type === 'submit' && e.form && e.form.id === 'uc-allocate-form'")
    page.keyboard.press("Enter")
    expect_template(page.locator("#uc-allocate-form .usine-status"), w["allocated_ok"],
                    timeout=15_000, quantity=15, site=site_id)
    assert not tab.errors


def test_on_a_phone_the_loaded_console_has_no_serious_violation(browser, site_url, api_url,
                                                                 table, site_id):
    new_request(api_url, quantity=5)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        # A right-to-left language where the hub has one (the harder layout).
        paste(page, site_url, (RTL or LANGUAGES)[0], issue(table))
        expect(page.locator("#uc-requests tbody tr").first).to_be_visible(timeout=15_000)
        page.locator("#uc-requests .uc-open").first.click()
        expect(page.locator(".uc-detail")).to_be_visible(timeout=15_000)
        page.locator("#uc-sites-form [type=submit]").click()
        expect(page.locator("#uc-sites tbody tr").first).to_be_visible(timeout=15_000)
        page.locator("#uc-board-form [type=submit]").click()
        expect(page.locator("#uc-board-form .usine-status")).not_to_be_empty(timeout=15_000)
        # Nothing wider than the phone but the tables, which scroll in their regions.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [f"{v['id']} {n['target']}" for v in result["violations"]
                   if v["impact"] in ("serious", "critical") for n in v["nodes"]]
        assert not serious, serious
    finally:
        context.close()


def test_without_javascript_nothing_can_be_sent(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{site_url}/{DEFAULT}/console.html")
        expect(page.locator(".usine-noscript")).to_be_visible()
        forms = page.locator("form.usine-form")
        assert forms.count() >= 7
        for i in range(forms.count()):
            expect(forms.nth(i)).to_have_attribute("method", "post")
            expect(forms.nth(i).locator("[type=submit]")).to_be_disabled()
        html = page.content()
        assert not re.search(r"<form[^>]* action=", html)
    finally:
        context.close()
