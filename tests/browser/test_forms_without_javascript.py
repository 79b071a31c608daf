"""With JavaScript off, no form can send anything: no personal value reaches a URL (nor
the page's host), and each form says why it cannot be used."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow

HUB = tomllib.loads((Path(__file__).resolve().parents[2] / "hub.toml").read_text(
    encoding="utf-8"))["hub"]
FORM_PAGES = ("request.html", "signup.html", "status.html")
CANARY = "canary-7f3a@example.org"


@pytest.mark.parametrize("lang", HUB["languages"])
@pytest.mark.parametrize("page_name", FORM_PAGES)
def test_no_form_sends_anything_without_javascript(browser, static_site_url, lang, page_name):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sent = []
    page.on("request", lambda request: sent.append((request.url, request.post_data)))
    try:
        url = f"{static_site_url}/{lang}/{page_name}"
        page.goto(url)
        form = page.locator("form.usine-form")
        expect(form).to_have_attribute("method", "post")
        expect(page.locator(".usine-noscript")).to_be_visible()  # says why, and what to do
        submit = form.locator("[type=submit]")
        expect(submit).to_be_disabled()
        fields = form.locator("input[type=text], input[type=email], input[type=password]")
        assert fields.count() > 0
        for i in range(fields.count()):
            if fields.nth(i).is_visible():
                fields.nth(i).fill(CANARY)
        before = len(sent)
        fields.first.press("Enter")  # implicit submission: blocked by the disabled button
        page.wait_for_timeout(300)
        assert page.url == url
        assert all(CANARY not in (u + (body or "")) for u, body in sent[before:])
        assert len(sent) == before  # nothing left the page
    finally:
        context.close()
