"""What the browser tests read from the hub under test (tests/hub_under_test.py: the
repository's hub.toml, or a fork's in CI's second pass): its languages, regions, country
rules and contact, so that every test holds for any valid hub.toml.

The browser site and API are fed the fake hub of tests/site/fakehub.py, which keeps this
hub's hub.toml and publishes the fake designs."""

from __future__ import annotations

import tomllib

import phonenumbers
import pytest
from babel import Locale, UnknownLocaleError

import hub_under_test
from chalicelib import catalog

HUB = hub_under_test.hub()
DATA = tomllib.loads(hub_under_test.text())
LANGUAGES: list[str] = list(HUB.languages)
DEFAULT = LANGUAGES[0]  # the hub's first language is its default
REGIONS = HUB.region_list  # Region objects: .id to post, .name(lang) to see
REGION_IDS = [r.id for r in REGIONS]
CONTACT_EMAIL = DATA.get("hub", {}).get("contact_email", "")


def is_rtl(lang: str) -> bool:
    try:
        return Locale.parse(lang.replace("-", "_")).character_order == "right-to-left"
    except (UnknownLocaleError, ValueError):
        return False


RTL = [lang for lang in LANGUAGES if is_rtl(lang)]
LTR = [lang for lang in LANGUAGES if not is_rtl(lang)]


def rtl_language() -> str:
    """A right-to-left language of the hub; skips the test when it has none."""
    if not RTL:
        pytest.skip(f"the hub under test ({hub_under_test.PATH}) has no right-to-left language")
    return RTL[0]


# Values valid for the hub's country: its rules' examples, an example phone number.
POSTCODE = HUB.postcode.example if HUB.postcode else "14000"
REGISTRY = HUB.registry.example if HUB.registry else None


def _phone(kind=None) -> str:
    if not HUB.country:
        return "+33 2 31 00 00 00"
    number = (phonenumbers.example_number_for_type(HUB.country, kind) if kind is not None
              else None) or phonenumbers.example_number(HUB.country)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


PHONE = _phone()
MOBILE = _phone(phonenumbers.PhoneNumberType.MOBILE)


def before_placeholder(template: str) -> str:
    """The longest stretch of a catalog template without a placeholder: what a test can
    look for in a message whose values it does not know."""
    import re

    parts = [p.strip() for p in re.split(r"\{[^}]*\}", template)]
    return max(parts, key=len)


# Languages other than English, the API's own: a message shown in one of them is
# told apart from the API's English answer.
NON_ENGLISH = [lang for lang in LANGUAGES if lang != "en"]


def non_english_language() -> str:
    if not NON_ENGLISH:
        pytest.skip(f"the hub under test ({hub_under_test.PATH}) has only English")
    return NON_ENGLISH[0]


def template_parts(template: str, **values) -> list[str]:
    """A catalog template with ``values`` filled, cut at the placeholders a test cannot
    know: every part is in the message (each, stripped, non-empty)."""
    import re

    filled = catalog.fill(template, values)
    return [p.strip() for p in re.split(r"\{[^}]*\}", filled) if p.strip()]


def expect_template(locator, template: str, timeout: float | None = None, **values) -> None:
    """``locator`` contains every part of ``template`` (see ``template_parts``)."""
    from playwright.sync_api import expect

    for part in template_parts(template, **values):
        if timeout is None:
            expect(locator).to_contain_text(part)
        else:
            expect(locator).to_contain_text(part, timeout=timeout)
