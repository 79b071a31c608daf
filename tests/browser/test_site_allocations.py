"""A site's allocations page (docs/<lang>/sites.md, site-allocations.js) in Chromium against
the real local API: the e-mail link opens the allocation, the site accepts, reports
produced and shipped counts and prints the packing slip; the delivery contact appears only
once accepted; the token leaves the address bar for sessionStorage and reaches no URL;
the API's errors appear next to the field, in the page's language."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import sitegen as sc
from allocation_helpers import (ADDRESS, CONTACT, allocate, coordinator_token,
                                create_request, create_site, send, site_link)
from hubdata import DEFAULT, LANGUAGES, RTL, non_english_language

pytestmark = pytest.mark.slow

PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def coordinator(dynamodb_endpoint, api_url):
    return coordinator_token(dynamodb_endpoint)


def new_allocation(api_url, coordinator, quantity=40):
    request = create_request(api_url)
    site = create_site(api_url)
    allocation = allocate(api_url, coordinator, request["reference"], site["id"], quantity)
    return request, site, allocation


def phone_tab(browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    # The browser logs each 4xx answer as a console error: the tests ask for some.
    page.on("console", lambda m: m.type == "error" and not m.text.startswith(
        "Failed to load resource") and errors.append(m.text))
    return context, page, requests, errors


def card_fact(card, word):
    return card.locator(f'dt:text-is("{word}") + dd')


def test_a_site_accepts_produces_ships_and_prints_from_its_email_link(
        browser, site_url, api_url, coordinator):
    # On a phone, in a right-to-left language where the hub has one (the narrowest case).
    lang = (RTL or LANGUAGES)[0]
    w = sc.form_words(lang, "site")
    request, site, allocation = new_allocation(api_url, coordinator)
    link = site_link(site_url, lang, allocation["id"])
    token = link.rsplit("token=", 1)[1]
    context, page, requests, errors = phone_tab(browser)
    try:
        page.goto(link)
        card = page.locator(".usine-allocation")
        expect(card).to_have_count(1, timeout=15_000)
        assert page.evaluate("location.hash") == "" and "#" not in page.url
        assert token not in page.url
        assert token in page.evaluate("sessionStorage.getItem('usine-site')")
        assert token not in page.evaluate("document.cookie")
        expect(card_fact(card, w["reference"])).to_have_text(request["reference"])
        expect(card_fact(card, w["quantity"])).to_have_text("40")
        expect(card_fact(card, w["status"])).to_have_text(w["status_proposed"])
        expect(card.locator(".usine-next")).to_have_text(w["next_proposed"])
        # Not accepted yet: no contact, and the page says when it comes.
        expect(card.locator(".usine-delivery")).to_be_hidden()
        expect(card.locator(".usine-delivery-locked")).to_be_visible()
        assert CONTACT["email"] not in page.content()
        # The page fits a 360 px screen: nothing wider than the viewport.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        card.get_by_role("button", name=w["accept"], exact=True).click()
        result = page.locator(".usine-allocation-result")
        expect(result).to_have_text(w["done_accept"], timeout=15_000)
        expect(result).to_be_focused()
        card = page.locator(".usine-allocation")
        expect(card_fact(card, w["status"])).to_have_text(w["status_accepted"])
        delivery = card.locator(".usine-delivery")
        expect(delivery).to_be_visible()
        expect(delivery).to_contain_text(CONTACT["email"])
        expect(delivery).to_contain_text(ADDRESS)
        expect(delivery).to_contain_text(w["audit_note"])

        card.get_by_label(w["produced_count"]).fill("40")
        card.get_by_role("button", name=w["save_produced"]).click()
        expect(result).to_have_text(w["done_produced"].format(count=40), timeout=15_000)
        expect(card_fact(card, w["produced"])).to_have_text("40")

        # Keyboard only: the shipped count and its button.
        field = card.get_by_label(w["shipped_count"])
        field.focus()
        page.keyboard.type("35")
        page.keyboard.press("Tab")
        expect(card.get_by_role("button", name=w["save_shipped"])).to_be_focused()
        page.keyboard.press("Enter")
        expect(result).to_have_text(w["done_shipped"].format(count=35), timeout=15_000)
        expect(card_fact(card, w["shipped"])).to_have_text("35")
        expect(card_fact(card, w["status"])).to_have_text(w["status_shipped"])
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # The packing slip: that allocation only, with its reference, counts and contact.
        page.evaluate("""() => { window.__printed = [];
            window.print = () => window.__printed.push(
              document.body.classList.contains('usine-printing') &&
              document.querySelectorAll('.usine-print-this').length === 1); }""")
        card.get_by_role("button", name=w["print"]).click()
        assert page.evaluate("window.__printed") == [True]
        page.evaluate("""() => { document.body.classList.add('usine-printing');
            document.querySelector('.usine-allocation').classList.add('usine-print-this'); }""")
        page.emulate_media(media="print")
        expect(card.locator(".usine-slip-title")).to_be_visible()
        expect(card_fact(card, w["reference"])).to_be_visible()
        expect(card.locator(".usine-delivery")).to_be_visible()
        expect(card.locator(".usine-actions")).to_be_hidden()
        expect(page.locator("#usine-site-form")).to_be_hidden()
        expect(page.locator(".md-header")).to_be_hidden()
        page.emulate_media(media="screen")

        # The tab remembers the token (sessionStorage) without any fragment.
        page.reload()
        expect(card_fact(page.locator(".usine-allocation"), w["shipped"])).to_have_text(
            "35", timeout=15_000)

        api_calls = [u for u in requests if u.startswith(api_url)]
        assert api_calls and all(token not in u and "token" not in u for u in api_calls)
        assert all(token not in u for u in requests)
        assert not errors
    finally:
        context.close()


def test_errors_appear_next_to_the_field_in_the_pages_language(
        browser, site_url, api_url, coordinator):
    lang = non_english_language()  # told apart from the API's own English
    w = sc.form_words(lang, "site")
    _, site, allocation = new_allocation(api_url, coordinator, quantity=20)
    context, page, requests, errors = phone_tab(browser)
    try:
        page.goto(site_link(site_url, lang, allocation["id"]))
        card = page.locator(".usine-allocation")
        expect(card).to_have_count(1, timeout=15_000)
        # Declining without a reason: said next to the reason, nothing sent.
        def api_calls():
            return [u for u in requests if u.startswith(api_url)]

        before = len(api_calls())
        card.get_by_role("button", name=w["decline"], exact=True).click()
        reason_error = card.locator("select[name=reason] ~ .usine-error")
        expect(reason_error).to_have_text(sc.lang.field_messages(lang)["missing"])
        expect(card.locator("select[name=reason]")).to_have_attribute("aria-invalid", "true")
        assert len(api_calls()) == before
        card.get_by_role("button", name=w["accept"], exact=True).click()
        expect(page.locator(".usine-allocation-result")).to_have_text(w["done_accept"],
                                                                      timeout=15_000)
        # More than the allocation's quantity: the API's message, in the page's language
        # (not the English it answers without one), by the field.
        card = page.locator(".usine-allocation")
        field = card.get_by_label(w["produced_count"])
        field.fill("25")
        card.get_by_role("button", name=w["save_produced"]).click()
        error = card.locator("#" + field.get_attribute("aria-describedby").split()[-1])
        expect(error).to_be_visible(timeout=15_000)
        _, english = send(api_url, "POST", f"/allocations/{allocation['id']}",
                          {"action": "produced", "count": 25}, token=site["edit_token"])
        assert english["error"] == "bad_count"
        text = error.text_content()
        assert "20" in text and text != english["message"]
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_be_focused()
        assert not errors
    finally:
        context.close()


def test_the_edit_code_lists_every_allocation_and_can_be_forgotten(
        tab, site_url, api_url, coordinator):
    lang = DEFAULT
    w = sc.form_words(lang, "site")
    site = create_site(api_url)
    for quantity in (11, 12):
        request = create_request(api_url)
        allocate(api_url, coordinator, request["reference"], site["id"], quantity)
    page = tab.page
    page.goto(f"{site_url}/{lang}/sites.html")
    page.get_by_label(w["site_id"]).fill(site["id"].lower())
    page.get_by_label(w["token"]).fill(site["edit_token"])
    page.get_by_role("button", name=w["show"]).click()
    expect(page.locator(".usine-allocation")).to_have_count(2, timeout=15_000)
    expect(page.locator("#usine-site-form .usine-status")).to_have_text(
        w["loaded"].format(count=2))
    assert page.get_by_label(w["token"]).input_value() == ""
    page.get_by_role("button", name=w["forget"]).click()
    expect(page.locator(".usine-allocation")).to_have_count(0)
    expect(page.locator("#usine-site-form .usine-status")).to_have_text(w["forgotten"])
    assert page.evaluate("sessionStorage.getItem('usine-site')") is None
    # A wrong code: one plain message.
    page.get_by_label(w["site_id"]).fill(site["id"])
    page.get_by_label(w["token"]).fill("not-the-code")
    page.get_by_role("button", name=w["show"]).click()
    expect(page.locator("#usine-site-form .usine-general-error")).to_have_text(
        w["not_found"], timeout=15_000)
    assert all(site["edit_token"] not in u for u in tab.requests)
    assert not [e for e in tab.errors if not e.startswith("Failed to load resource")]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_nothing_is_sent_without_javascript(browser, static_site_url, lang):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sent = []
    page.on("request", lambda request: sent.append(request.url))
    try:
        url = f"{static_site_url}/{lang}/sites.html"
        page.goto(url)
        form = page.locator("form.usine-form")
        expect(form).to_have_attribute("method", "post")
        expect(page.locator(".usine-noscript")).to_be_visible()
        expect(form.locator("[type=submit]")).to_be_disabled()
        form.locator("input[name=token]").fill("canary-token")
        before = len(sent)
        form.locator("input[name=token]").press("Enter")
        page.wait_for_timeout(300)
        assert page.url == url and len(sent) == before
    finally:
        context.close()
