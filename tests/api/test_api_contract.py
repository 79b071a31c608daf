"""The API and its forms agree: languages, messages, field names; config parsing."""

from __future__ import annotations

import json
import re
import sys

import pytest

from api_helpers import REPO

sys.path.insert(0, str(REPO / "scripts"))

from chalicelib import config, i18n  # noqa: E402
from chalicelib.maker_models import MakerSignup  # noqa: E402


@pytest.mark.parametrize("header, lang", [
    (None, "en"), ("", "en"), ("fr", "fr"), ("fr-CA", "fr"), ("AR", "ar"),
    ("de-DE, ar;q=0.9, fr;q=0.8", "ar"), ("en;q=0.1, fr;q=0.2", "fr"),
    ("fr;q=0, en", "en"), ("*", "en"), ("es, it", "en"), ("ar;q=abc, fr", "fr"),
])
def test_accept_language_negotiation(header, lang):
    assert i18n.negotiate(header) == lang


def test_every_message_exists_in_every_language():
    for catalogue in (i18n.FIELD, i18n.GENERAL):
        for code, texts in catalogue.items():
            assert set(texts) == set(i18n.LANGUAGES), code
            placeholders = {l: set(re.findall(r"\{(\w+)\}", t)) for l, t in texts.items()}
            assert len({frozenset(p) for p in placeholders.values()}) == 1, code


@pytest.mark.parametrize("value, expected", [
    (None, (30, 600)), ("5/60", (5, 60)), ("0", (0, 0)), ("12", (12, 600)),
    ("junk", (30, 600)), ("-1/60", (0, 0)),
])
def test_rate_limit_setting(value, expected):
    env = {} if value is None else {"USINE_RATE_LIMIT": value}
    assert config.settings(env).rate_limit == expected


def _ctx(lang):
    from sitegen.context import SiteContext

    return SiteContext(lang, {"hub": {"regions": ["Northshire", "Westmoor"]}}, [])


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_maker_form_embeds_the_apis_own_messages(lang):
    from sitegen.coordination_forms import maker_form_html

    html = maker_form_html(lang, _ctx(lang))
    embedded = json.loads(re.search(
        r'<script type="application/json" id="usine-maker-messages">(.*?)</script>',
        html, re.S).group(1))
    assert embedded == {code: texts[lang] for code, texts in i18n.FIELD.items()}


def _model_paths(model, prefix=""):
    """Dotted paths a body of ``model`` can have (list indexes as 0)."""
    from typing import get_args

    paths = set()
    for name, info in model.model_fields.items():
        key = info.alias or name
        path = prefix + key
        paths.add(path)
        for arg in (info.annotation, *get_args(info.annotation)):
            for inner in (arg, *get_args(arg)):
                if isinstance(inner, type) and hasattr(inner, "model_fields"):
                    list_like = "list" in str(info.annotation)
                    paths |= _model_paths(inner, path + (".0." if list_like else "."))
    return paths


def test_every_maker_form_field_is_a_field_of_the_api():
    from sitegen.coordination_forms import maker_form_html

    names = set(re.findall(r'name="([^"]+)"', maker_form_html("en", _ctx("en"))))
    allowed = _model_paths(MakerSignup) | {f"machines.0.build_volume_mm.{i}" for i in range(3)}
    assert names - allowed == set()
    required = {n for n, f in MakerSignup.model_fields.items() if f.is_required()}
    assert required - {n.split(".")[0] for n in names} == set()


def test_status_form_has_the_two_fields_the_api_needs():
    from sitegen.coordination_forms import status_form_html

    html = status_form_html("ar", _ctx("ar"))
    assert set(re.findall(r'name="([^"]+)"', html)) == {"reference", "token"}
    assert 'type="password"' in html  # the code is not shown on screen
    assert "request-status.js" in html
