"""With JavaScript off, no form can send anything: no personal value reaches a URL (nor
the page's host), and each form says why it cannot be used."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hubdata import LANGUAGES

pytestmark = pytest.mark.slow

# Every page with a form: requests, sign-ups, request status, a site's allocations, and
# the coordinators' console (several forms).
FORM_PAGES = ("request.html", "signup.html", "status.html", "sites.html", "console.html")
CANARY = "canary-7f3a@example.org"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page_name", FORM_PAGES)
def test_no_form_sends_anything_without_javascript(browser, static_site_url, lang, page_name):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sent = []
    page.on("request", lambda request: sent.append((request.url, request.post_data)))
    try:
        url = f"{static_site_url}/{lang}/{page_name}"
        page.goto(url)
        forms = page.locator("form.usine-form")
        assert forms.count() > 0, f"no form on {page_name}"
        expect(page.locator(".usine-noscript").first).to_be_visible()  # says why, and what to do
        filled = 0
        for i in range(forms.count()):
            form = forms.nth(i)
            expect(form).to_have_attribute("method", "post")
            for submit in form.locator("[type=submit]").all():
                expect(submit).to_be_disabled()
            fields = form.locator("input[type=text], input[type=email], input[type=password]")
            for j in range(fields.count()):
                if fields.nth(j).is_visible():
                    fields.nth(j).fill(CANARY)
                    filled += 1
        assert filled > 0, f"no field to type in on {page_name}"
        before = len(sent)
        for i in range(forms.count()):  # implicit submission: blocked by the disabled button
            fields = forms.nth(i).locator(
                "input[type=text]:visible, input[type=email]:visible, input[type=password]:visible")
            if fields.count():
                fields.first.press("Enter")
        page.wait_for_timeout(300)
        assert page.url == url
        assert all(CANARY not in (u + (body or "")) for u, body in sent[before:])
        assert len(sent) == before  # nothing left the page
    finally:
        context.close()
