"""The API and its forms agree: languages, messages, field names; config parsing."""

from __future__ import annotations

import json
import re
import sys

import pytest

from api_helpers import REPO

sys.path.insert(0, str(REPO / "scripts"))

from chalicelib import catalog, config, i18n  # noqa: E402
from chalicelib.maker_models import MakerSignup  # noqa: E402


@pytest.mark.parametrize("header, lang", [
    (None, "en"), ("", "en"), ("fr", "fr"), ("fr-CA", "fr"), ("AR", "ar"),
    ("de-DE, ar;q=0.9, fr;q=0.8", "ar"), ("en;q=0.1, fr;q=0.2", "fr"),
    ("fr;q=0, en", "en"), ("*", "en"), ("es, it", "en"), ("ar;q=abc, fr", "fr"),
])
def test_accept_language_negotiation(header, lang):
    assert i18n.negotiate(header, ("fr", "en", "ar")) == lang


def test_negotiation_offers_the_languages_of_the_hub_under_test(api_env, tmp_path):
    """hub.toml's [hub] languages, not a list in code; English when none is asked for."""
    from api_helpers import TEST_HUB, write_hub

    hub = write_hub(tmp_path / "other-hub.toml",
                    TEST_HUB.replace('languages = ["fr", "en", "ar"]', 'languages = ["ar", "wo"]'))
    api_env.setenv("USINE_HUB_CONFIG", str(hub))
    assert i18n.hub_languages() == ("ar", "wo")
    assert i18n.negotiate("wo-SN, fr;q=0.9") == "wo"   # a language with no catalog yet
    assert i18n.negotiate("fr, es") == "en"            # not the hub's: English
    assert i18n.negotiate(None) == "en"
    # A language without a catalog words every message in English, never as a key.
    assert i18n.general("not_found", "wo") == i18n.general("not_found", "en")


def _api_words(lang):
    return {k: v for k, v in catalog.own_words(lang).items() if k.startswith(("api.", "mail."))}


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_every_api_and_mail_word_exists_in_the_hubs_languages(lang):
    """The catalogs of this repository's hub.toml languages hold every [api.*] and [mail]
    key of English, with the same {placeholders}."""
    english = _api_words("en")
    assert english and set(_api_words(lang)) == set(english)
    for key, text in _api_words(lang).items():
        assert set(re.findall(r"\{(\w+)\}", text)) \
            == set(re.findall(r"\{(\w+)\}", english[key])), (lang, key)


def test_a_missing_key_is_shown_in_english_never_as_a_key(tmp_path):
    (tmp_path / "en.toml").write_text('[api.general]\nnot_found = "Nothing found."\n')
    (tmp_path / "fr.toml").write_text('[api.general]\n')
    assert catalog.text("api.general.not_found", "fr", tmp_path) == "Nothing found."
    assert catalog.missing_keys("fr", tmp_path) == ["api.general.not_found"]
    # A reason code with no word of its own is worded as "invalid", in the asked language.
    assert i18n.field_message("no_such_code", None, "fr") == i18n.field_message(
        "invalid", None, "fr") == catalog.own_words("fr")["api.field.invalid"]


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
    """The form's script checks with the API's own [api.field] words, in the page's language."""
    from sitegen.forms import maker_form_html

    html = maker_form_html(lang, _ctx(lang))
    embedded = json.loads(re.search(
        r'<script type="application/json" id="usine-words">(.*?)</script>',
        html, re.S).group(1))
    fields = {key[len("field."):]: text for key, text in embedded.items()
              if key.startswith("field.")}
    assert fields == i18n.field_messages(lang)


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
    from sitegen.forms import maker_form_html

    names = set(re.findall(r'name="([^"]+)"', maker_form_html("en", _ctx("en"))))
    allowed = _model_paths(MakerSignup) | {f"machines.0.build_volume_mm.{i}" for i in range(3)}
    assert names - allowed == set()
    required = {n for n, f in MakerSignup.model_fields.items() if f.is_required()}
    assert required - {n.split(".")[0] for n in names} == set()


def test_status_form_has_the_two_fields_the_api_needs():
    from sitegen.forms import status_form_html

    html = status_form_html("ar", _ctx("ar"))
    assert set(re.findall(r'name="([^"]+)"', html)) == {"reference", "token"}
    assert 'type="password"' in html  # the code is not shown on screen
    assert "request-status.js" in html
