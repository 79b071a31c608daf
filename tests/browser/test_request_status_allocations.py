"""The requester's status page with its allocations (docs/<lang>/status.md,
request-status.js) in Chromium against the real local API: the allocation with its site's
region (never the site), planned day and shipped count; receipt confirmed with the count
received, errors next to the field in the page's language; the need reconfirmed or the
request cancelled; the tracking code leaves the address bar and reaches no URL."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import sitegen as sc
from allocation_helpers import (REGIONS, allocate, coordinator_token, create_request,
                                create_site, send)
from hubdata import DEFAULT, NON_ENGLISH

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def coordinator(dynamodb_endpoint, api_url):
    return coordinator_token(dynamodb_endpoint)


def fact(card, word):
    return card.locator(f'dt:text-is("{word}") + dd')


def only_real_errors(errors):
    """Script errors; the browser also logs each 4xx answer, which some steps ask for."""
    return [e for e in errors if not e.startswith("Failed to load resource")]


# Languages other than the API's English: the page's message is told apart from its answer.
@pytest.mark.parametrize("lang", NON_ENGLISH)
def test_the_requester_sees_the_allocation_and_confirms_receipt(
        tab, site_url, api_url, coordinator, lang):
    w = sc.form_words(lang, "status")
    request = create_request(api_url, quantity=120)
    site = create_site(api_url, region=REGIONS[-1].id)
    allocation = allocate(api_url, coordinator, request["reference"], site["id"], 50)
    for action, count in (("accept", None), ("produced", 50), ("shipped", 30)):
        body = {"action": action, **({"count": count} if count else {})}
        status, answer = send(api_url, "POST", f"/allocations/{allocation['id']}", body,
                              token=site["edit_token"])
        assert status == 200, answer
    page = tab.page
    token = request["tracking_token"]
    page.goto(f"{site_url}/{lang}/status.html#ref={request['reference']}&token={token}")
    card = page.locator(".usine-request-allocations .usine-allocation")
    expect(card).to_have_count(1, timeout=15_000)
    assert page.evaluate("location.hash") == "" and token not in page.url
    expect(fact(card, w["site_region"])).to_have_text(REGIONS[-1].name(lang))
    expect(fact(card, w["quantity"])).to_have_text("50")
    expect(fact(card, w["eta"])).to_have_text(allocation["day"])
    expect(fact(card, w["shipped"])).to_have_text("30")
    expect(fact(card, w["progress"])).to_have_text(w["alloc_shipped"])
    assert site["id"] not in page.content()  # the site's region, never the site

    # More than shipped: the API's message, in the page's language, next to the field.
    field = card.get_by_label(w["received"])
    field.fill("31")
    card.get_by_role("button", name=w["confirm_receipt"]).click()
    error = card.locator("[data-api-field=received]")
    expect(error).to_be_visible(timeout=15_000)
    assert "30" in error.text_content()
    _, english = send(api_url, "POST", f"/requests/{request['reference']}/receipts",
                      {"allocation": allocation["id"], "received": 31}, token=token)
    assert english["error"] == "bad_count" and error.text_content() != english["message"]
    expect(field).to_have_attribute("aria-invalid", "true")

    field.fill("30")
    card.get_by_role("button", name=w["confirm_receipt"]).click()
    result = card.locator(".usine-allocation-result")
    expect(result).to_have_text(w["receipt_done"].format(count=30), timeout=15_000)
    expect(result).to_be_focused()
    expect(fact(card, w["delivered"])).to_have_text("30")
    expect(fact(card, w["progress"])).to_have_text(w["alloc_delivered"])
    expect(page.locator(".usine-progress-table tbody tr td").nth(4)).to_have_text("30")

    # The need still stands.
    page.get_by_role("button", name=w["still_needed"]).click()
    expect(page.locator("form[data-action=reconfirm] .usine-allocation-result")).to_have_text(
        w["reconfirmed"], timeout=15_000)

    api_calls = [u for u in tab.requests if u.startswith(api_url)]
    assert api_calls and all(token not in u for u in tab.requests)
    assert not only_real_errors(tab.errors)


def test_a_request_without_allocation_is_cancelled(tab, site_url, api_url):
    lang = DEFAULT
    w = sc.form_words(lang, "status")
    request = create_request(api_url, quantity=5)
    page = tab.page
    page.goto(f"{site_url}/{lang}/status.html#ref={request['reference']}"
              f"&token={request['tracking_token']}")
    expect(page.locator(".ra-none")).to_be_visible(timeout=15_000)
    expect(page.locator(".ra-none")).to_have_text(w["allocations_none"])
    cancel = page.locator("form[data-action=cancel]")
    # Not confirmed: said next to the checkbox, nothing sent.
    before = len([u for u in tab.requests if u.startswith(api_url)])
    cancel.get_by_role("button", name=w["cancel"]).click()
    expect(page.locator("#ra-cancel-check-error")).to_be_visible()
    assert len([u for u in tab.requests if u.startswith(api_url)]) == before
    # From the keyboard: the checkbox, then the button.
    cancel.get_by_label(w["cancel_check"]).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(cancel.get_by_role("button", name=w["cancel"])).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".ra-not-open")).to_have_text(w["cancelled"], timeout=15_000)
    expect(page.locator(".usine-request-state")).to_have_text(w["state_closed"])
    expect(cancel).to_be_hidden()
    # The tab keeps the code: a reload shows the request again without any fragment.
    page.reload()
    expect(page.locator(".usine-request-state")).to_have_text(w["state_closed"],
                                                              timeout=15_000)
    assert not only_real_errors(tab.errors)


def test_cancelling_with_an_allocation_in_progress_says_why_by_the_button(
        tab, site_url, api_url, coordinator):
    lang = DEFAULT
    w = sc.form_words(lang, "status")
    request = create_request(api_url, quantity=10)
    site = create_site(api_url)
    allocate(api_url, coordinator, request["reference"], site["id"], 10)
    page = tab.page
    page.goto(f"{site_url}/{lang}/status.html#ref={request['reference']}"
              f"&token={request['tracking_token']}")
    expect(page.locator(".usine-request-allocations .usine-allocation")).to_have_count(
        1, timeout=15_000)
    cancel = page.locator("form[data-action=cancel]")
    cancel.get_by_label(w["cancel_check"]).check()
    cancel.get_by_role("button", name=w["cancel"]).click()
    error = page.locator("#ra-cancel-error")
    expect(error).to_be_visible(timeout=15_000)
    _, answer = send(api_url, "POST", f"/requests/{request['reference']}/reconfirm",
                     {"still_needed": False}, token=request["tracking_token"], lang=lang)
    assert answer["error"] == "has_allocations"
    expect(error).to_have_text(answer["message"])  # the API's reason, in the page's language
    assert not only_real_errors(tab.errors)
