"""The hospital request form in a real browser, against the real API on DynamoDB Local."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

import sitegen as sc
from form_fill import fill_request
from hubdata import CONTACT_EMAIL, DEFAULT, LANGUAGES, rtl_language

pytestmark = pytest.mark.slow

# The fake hub keeps the hub under test's hub.toml (tests/site/fakehub.py): its regions,
# languages and country rules, whatever they are (form_fill.py fills with them).
LANGS = LANGUAGES
REFERENCE = re.compile(r"^R-[0-9A-HJKMNP-TV-Z]{8}$")


def open_form(tab, site_url, lang):
    tab.page.goto(f"{site_url}/{lang}/request.html")
    expect(tab.page.locator("form[data-usine-form=request]")).to_be_visible()
    return tab.page


@pytest.mark.parametrize("lang", LANGS)
def test_request_is_sent_and_its_reference_shown(tab, site_url, lang):
    page = open_form(tab, site_url, lang)
    fill_request(page, lang)
    # A second line, for the other design.
    page.get_by_role("button", name=sc.form_words(lang)["add_item"]).click()
    page.locator('[name="items.1.design"]').select_option("demo-panel")
    page.locator('[name="items.1.quantity"]').fill("5")
    page.locator("form [type=submit]").click()

    reference = page.locator(".usine-status .usine-reference")
    expect(reference).to_have_text(REFERENCE, timeout=15_000)
    assert page.locator(".usine-status").get_attribute("aria-live") == "polite"
    # The form is emptied for the next request, back to one line.
    expect(page.locator('[name="organization.name"]')).to_have_value("")
    expect(page.locator(".usine-item")).to_have_count(1)
    assert page.locator(".usine-general-error").is_hidden()
    assert not tab.errors
    assert not tab.outside_requests(), tab.outside_requests()
    assert any(url.endswith("/requests") for url in tab.requests)


def test_api_field_messages_land_next_to_their_fields(tab, site_url):
    page = open_form(tab, site_url, DEFAULT)
    fill_request(page, DEFAULT, quantity="0")
    # Let the API judge: skip the browser's own checks and give a past date.
    page.evaluate("""() => {
        const form = document.querySelector('form[data-usine-form=request]');
        form.noValidate = true;
        form.elements.namedItem('needed_by').value = '2020-01-01';
    }""")
    page.locator("form [type=submit]").click()

    general = page.locator(".usine-general-error")
    expect(general).to_be_visible(timeout=15_000)
    for name in ("items.0.quantity", "needed_by"):
        control = page.locator(f'[name="{name}"]')
        error_id = control.get_attribute("id") + "-error"
        error = page.locator(f"#{error_id}")
        expect(error).to_be_visible()
        assert error.inner_text().strip(), f"empty message for {name}"
        expect(control).to_have_attribute("aria-invalid", "true")
        assert error_id in control.get_attribute("aria-describedby").split()
        # The message sits in the same field block as its input.
        assert page.locator(f'.usine-field[data-field="{name}"] #{error_id}').count() == 1
    # Fields the API accepted carry no error.
    assert page.locator('[name="contact.email"]').get_attribute("aria-invalid") is None
    expect(page.locator(".usine-reference")).to_have_count(0)
    assert not tab.outside_requests(), tab.outside_requests()

    # Correcting and resending clears the messages and succeeds.
    page.locator('[name="items.0.quantity"]').fill("10")
    page.locator('[name="needed_by"]').fill((date.today() + timedelta(days=3)).isoformat())
    page.locator("form [type=submit]").click()
    expect(page.locator(".usine-reference")).to_have_text(REFERENCE, timeout=15_000)
    expect(page.locator("[aria-invalid=true]")).to_have_count(0)
    assert general.is_hidden()


def test_unreachable_api_gives_a_general_message(tab, site_url):
    lang = DEFAULT
    page = open_form(tab, site_url, lang)
    page.route("**/requests", lambda route: route.abort("connectionrefused"))
    fill_request(page, lang)
    page.locator("form [type=submit]").click()
    general = page.locator(".usine-general-error")
    expect(general).to_be_visible(timeout=15_000)
    expect(general).to_contain_text(sc.form_words(lang)["network"])
    if CONTACT_EMAIL:  # the hub's address, where it gives one
        expect(general).to_contain_text(CONTACT_EMAIL)
    assert general.get_attribute("role") == "alert"
    assert page.locator("form [type=submit]").is_enabled()


def test_right_to_left_form_is_right_to_left(tab, site_url):
    page = open_form(tab, site_url, rtl_language())
    assert page.evaluate("getComputedStyle(document.querySelector('form')).direction") == "rtl"
    # Emails and phone numbers are typed left to right.
    assert page.locator('[name="contact.email"]').get_attribute("dir") == "ltr"


@pytest.mark.parametrize("path", ["index.html", "designs/index.html", "designs/demo-clip.html",
                                  "request.html", "safety.html"])
def test_pages_make_no_request_outside_the_machine(tab, site_url, path):
    for lang in LANGS:
        tab.page.goto(f"{site_url}/{lang}/{path}")
        tab.page.wait_for_load_state("networkidle")
    assert tab.requests
    assert not tab.outside_requests(), tab.outside_requests()
    assert not tab.errors, tab.errors


def test_empty_form_gets_a_message_next_to_every_required_field(tab, site_url):
    page = open_form(tab, site_url, LANGUAGES[-1])
    page.evaluate("document.querySelector('form[data-usine-form=request]').noValidate = true")
    page.locator("form [type=submit]").click()
    expect(page.locator(".usine-general-error")).to_be_visible(timeout=15_000)
    required = ["organization.name", "organization.type", "contact.name", "contact.email",
                "contact.phone", "delivery.region", "delivery.postcode", "delivery.address",
                "items.0.design", "items.0.quantity", "needed_by", "consent"]
    for name in required:
        error = page.locator(f'#f-{name.replace(".", "-")}-error')
        expect(error).to_be_visible()
        expect(page.locator(f'[name="{name}"]')).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-notes-error")).to_be_hidden()
    # Focus goes to the first field to correct.
    assert page.evaluate("document.activeElement.name") == "organization.name"
