"""The request-status page in a real browser: a tracking link shows the request's
progress; a wrong code shows one plain message; the code never goes into a URL."""

from __future__ import annotations

import json
import urllib.request
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

import sitegen as sc
from hubdata import DEFAULT, LANGUAGES, PHONE, POSTCODE, REGION_IDS

pytestmark = pytest.mark.slow

# The fake hub keeps the hub under test's hub.toml (tests/site/fakehub.py): its regions,
# languages and country rules, whatever they are.
REGIONS = REGION_IDS


def create_request(api_url):
    body = {
        "organization": {"name": "CHU de Caen", "type": "hospital"},
        "contact": {"name": "Jeanne Martin", "email": "jm@example.org", "phone": PHONE},
        "delivery": {"region": REGIONS[0], "postcode": POSTCODE, "address": "Avenue X"},
        "items": [{"design": "demo-clip", "variant": "10", "quantity": 120},
                  {"design": "demo-panel", "quantity": 8}],
        "needed_by": (date.today() + timedelta(days=20)).isoformat(),
        "consent": True,
    }
    request = urllib.request.Request(f"{api_url}/requests", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_tracking_link_shows_the_progress(tab, site_url, api_url, lang):
    created = create_request(api_url)
    page = tab.page
    page.goto(f"{site_url}/{lang}/status.html#ref={created['reference']}"
              f"&token={created['tracking_token']}")
    rows = page.locator(".usine-progress-table tbody tr")
    expect(rows).to_have_count(2, timeout=15_000)
    expect(rows.nth(0).locator("td").nth(2)).to_have_text("120")
    expect(rows.nth(1).locator("td").nth(2)).to_have_text("8")
    expect(page.locator(".usine-request-state")).not_to_be_empty()
    api_calls = [u for u in tab.requests if u.startswith(api_url)]
    assert api_calls and all(created["tracking_token"] not in u for u in api_calls)
    assert not tab.errors


def test_wrong_code_and_empty_fields(tab, site_url, api_url):
    created = create_request(api_url)
    lang = DEFAULT
    w = sc.form_words(lang, "status")
    page = tab.page
    page.goto(f"{site_url}/{lang}/status.html")
    page.locator("form [type=submit]").click()
    expect(page.locator("#f-reference-error")).to_have_text(sc.lang.field_messages(lang)["missing"])
    page.get_by_label(w["reference"]).fill(created["reference"].lower())
    page.get_by_label(w["token"]).fill("not-the-code")
    page.locator("form [type=submit]").click()
    expect(page.locator(".usine-general-error")).to_contain_text(w["not_found"],
                                                                 timeout=15_000)
    expect(page.locator(".usine-progress-table")).to_have_count(0)


def test_request_form_confirmation_links_to_the_status_page(tab, site_url):
    lang = DEFAULT
    page = tab.page
    page.goto(f"{site_url}/{lang}/request.html")
    for name, value in (("organization.name", "CHU de Caen"), ("contact.name", "Jeanne Martin"),
                        ("contact.email", "jm@example.org"), ("contact.phone", PHONE),
                        ("delivery.postcode", POSTCODE), ("delivery.address", "Avenue X"),
                        ("items.0.quantity", "33"),
                        ("needed_by", (date.today() + timedelta(days=9)).isoformat())):
        page.locator(f'[name="{name}"]').fill(value)
    page.locator('[name="organization.type"]').select_option("clinic")
    page.locator('[name="delivery.region"]').select_option(REGIONS[-1])
    page.locator('[name="items.0.design"]').select_option("demo-clip")
    page.locator('[name="consent"]').check()
    page.locator("form [type=submit]").click()
    link = page.locator(".usine-status a.usine-tracking-link")
    expect(link).to_be_visible(timeout=15_000)
    href = link.get_attribute("href")
    assert f"/{lang}/status.html#ref=R-" in href and "&token=" in href
    page.goto(href)
    expect(page.locator(".usine-progress-table tbody tr td").nth(2)).to_have_text("33",
                                                                                 timeout=15_000)
