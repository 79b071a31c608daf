"""The maker sign-up form in a real browser, against the real API on DynamoDB Local:
sign up, read the edit link, change, withdraw; client-side checks in the API's words."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

import sitegen as sc
from form_fill import fill_signup
from hubdata import DEFAULT, LANGUAGES, before_placeholder

pytestmark = pytest.mark.slow

MAKER_ID = re.compile(r"^M-[0-9A-HJKMNP-TV-Z]{8}$")


def api_messages(lang):
    return sc.lang.field_messages(lang)


def open_form(tab, site_url, lang, fragment=""):
    tab.page.goto(f"{site_url}/{lang}/signup.html{fragment}")
    expect(tab.page.locator("form[data-usine-form=maker]")).to_be_visible()
    return tab.page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sign_up_change_and_withdraw(tab, site_url, lang):
    page = open_form(tab, site_url, lang)
    fill_signup(page, lang)
    page.get_by_role("button", name=sc.form_words(lang, "maker")["add_machine"]).click()
    page.locator('[name="machines.1.technology"]').select_option("laser")
    page.locator('[name="machines.1.model"]').fill("Trotec")
    page.locator('[name="machines.1.count"]').fill("1")
    page.locator("form [type=submit]").click()

    expect(page.locator(".usine-status .usine-reference")).to_have_text(MAKER_ID, timeout=15_000)
    link = page.locator(".usine-status a.usine-edit-link").get_attribute("href")
    assert "#id=M-" in link and "&token=" in link
    expect(page.get_by_label(sc.form_words(lang, "maker")["name"])).to_have_value("")  # emptied

    # The edit link loads the sign-up, saves a change, then withdraws it.
    page.goto("about:blank")
    page.goto(link)
    expect(page.get_by_label(sc.form_words(lang, "maker")["name"])).to_have_value("Fablab du Havre",
                                                                    timeout=15_000)
    expect(page.locator('[name="machines.1.model"]')).to_have_value("Trotec")
    expect(page.locator('[name="offers.0.variant"]')).to_have_value("20")
    page.locator('[name="offers.0.units_per_day"]').fill("55")
    page.locator("form [type=submit]").click()
    expect(page.locator(".usine-status")).not_to_be_empty(timeout=15_000)
    assert page.locator(".usine-general-error").is_hidden()

    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(".usine-withdraw").click()
    expect(page.locator(".usine-withdraw")).to_be_hidden(timeout=15_000)
    page.goto("about:blank")
    page.goto(link)
    expect(page.locator(".usine-general-error")).to_be_visible(timeout=15_000)
    # The browser logs the withdrawn sign-up's 404 (expected); nothing else may fail.
    assert [e for e in tab.errors if "status of 404" not in e] == []
    assert tab.outside_requests() == []


def test_client_side_checks_use_the_apis_words_and_send_nothing(tab, site_url):
    lang = DEFAULT
    page = open_form(tab, site_url, lang)
    sent = []
    page.on("request", lambda r: r.method in ("POST", "PUT") and sent.append(r.url))
    page.get_by_label(sc.form_words(lang, "maker")["contact_email"]).fill("pas-une-adresse")
    page.locator('[name="offers.0.units_per_day"]').fill("0")
    page.locator("form [type=submit]").click()
    words = api_messages(lang)
    expect(page.locator("#f-name-error")).to_have_text(words["missing"])
    expect(page.locator("#f-contact-email-error")).to_have_text(words["email"])
    expect(page.locator("#f-offers-0-units_per_day-error")).to_have_text(
        words["greater_than_equal"].format(ge=1))
    expect(page.locator("#f-consent-error")).to_have_text(words["consent"])
    assert page.get_by_label(sc.form_words(lang, "maker")["name"]).get_attribute("aria-invalid") == "true"
    assert sent == []


def test_server_messages_land_next_to_their_fields(tab, site_url):
    lang = DEFAULT
    page = open_form(tab, site_url, lang)
    fill_signup(page, lang)
    # A region the hub does not serve (a tampered select): only the API can refuse it.
    page.eval_on_selector('[name="region"]', "s => { s.options[1].value = 'Atlantis'; s.value = 'Atlantis'; }")
    page.locator("form [type=submit]").click()
    # The API's reason in the page's language (the hub's regions follow it).
    expect(page.locator("#f-region-error")).to_contain_text(
        before_placeholder(api_messages(lang)["region"]), timeout=15_000)
    expect(page.locator(".usine-general-error")).to_be_visible()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_honeypot_is_out_of_sight_and_out_of_the_tab_order(tab, site_url, lang):
    page = open_form(tab, site_url, lang)
    trap = page.locator('[name="website"]')
    assert trap.get_attribute("tabindex") == "-1"
    # Shown through a 1 px clipped box, not pushed off-screen: an offset would widen a
    # right-to-left page (the Arabic sign-up once scrolled 10,000 px sideways).
    box = page.locator(".usine-hp").bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1
    assert page.evaluate("""() => { const s = getComputedStyle(document.querySelector('.usine-hp'));
        return s.overflow === 'hidden' && s.clipPath !== 'none'; }""")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
