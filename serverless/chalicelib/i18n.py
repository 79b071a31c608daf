"""The API's words in the client's language (``Accept-Language``), from the catalogs.

The words live in ``chalicelib/locales/<lang>.toml`` (:mod:`.catalog`), shared with the
site and the forms: ``[api.field]`` words one reason of one field (keyed by pydantic's
error type or ours: ``missing``, ``date_past``, ``region``...), ``[api.general]`` words a
whole answer, ``[mail]`` the e-mails (``<kind>_subject``, ``<kind>_body``). All are
templates over the error's context (``{max_length}``, ``{choices}``...); no template
ever repeats a submitted value. English is the fallback: a key a language lacks is shown
in English, never as a key.

This module keeps only the negotiation (which of the hub's languages, hub.toml
``[hub] languages``, the client asks for; English when it asks for none of them) and thin
wrappers over :func:`.catalog.text`.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from . import catalog, config

DEFAULT_LANGUAGE = catalog.FALLBACK_LANGUAGE  # English: every key exists in it

FIELD_PREFIX = "api.field."
GENERAL_PREFIX = "api.general."
MAIL_PREFIX = "mail."

# pydantic's own error types -> our catalogue's key.
_ALIASES = {
    "int_parsing": "int_type", "int_from_float": "int_type",
    "float_type": "number_type", "float_parsing": "number_type", "finite_number": "number_type",
    "bool_parsing": "bool_type",
    "model_type": "object_type", "model_attributes_type": "object_type", "dict_type": "object_type",
    "tuple_type": "list_type",
    "greater_than": "greater_than_equal", "less_than": "less_than_equal",
}

_TAG = re.compile(r"^\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*$")


class Word(str):
    """A catalog key standing for a value of an error's context (``api.field.none``):
    shown in the message's language when the message is worded."""


def hub_languages(settings: config.Settings | None = None) -> tuple[str, ...]:
    """The hub's languages, first the default (hub.toml ``[hub] languages``).

    Without a readable hub.toml (a unit test, a broken deployment): the languages that
    have a catalog file.
    """
    try:
        return config.load_hub((settings or config.settings()).hub_path).languages
    except config.ConfigError:
        return tuple(catalog.languages())


def spoken(settings: config.Settings | None = None) -> tuple[str, ...]:
    """The languages the API answers in: the hub's, and English (the fallback)."""
    return tuple(dict.fromkeys((*hub_languages(settings), DEFAULT_LANGUAGE)))


def negotiate(accept_language: str | None, languages: tuple[str, ...] | None = None) -> str:
    """``"ar-MA,fr;q=0.8"`` -> ``"ar"``: the client's preferred language among the hub's
    (``languages``, default :func:`spoken`), else English."""
    known = spoken() if languages is None else languages
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.partition(";")
        match = _TAG.match(tag)
        if not match:
            continue
        quality = 1.0
        q = re.search(r"q\s*=\s*([^;,\s]*)", params)
        if q:
            try:
                quality = float(q.group(1))
            except ValueError:
                continue  # a malformed weight: the entry is ignored
        lang = match.group(1).lower()
        if lang in known and quality > 0:
            key = (-quality, position, lang)
            if best is None or key < best:
                best = key
    return best[2] if best else DEFAULT_LANGUAGE


def _values(values: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Context values as the message shows them: a :class:`Word` in ``lang``, a mapping
    of names per language (a registry's name) in ``lang``, else English, else any."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Word):
            value = catalog.words(lang)[value]
        elif isinstance(value, Mapping):
            value = value.get(lang) or value.get(DEFAULT_LANGUAGE) or next(iter(value.values()), "")
        out[key] = value
    return out


def _text(key: str, lang: str, values: Mapping[str, Any]) -> str:
    """``key`` in ``lang`` (English where missing), its fields filled with ``values``."""
    return catalog.fill(catalog.words(lang)[key], _values(values, lang))


def has_field_message(code: str) -> bool:
    return FIELD_PREFIX + _ALIASES.get(code, code) in catalog.words(DEFAULT_LANGUAGE)


def field_message(code: str, ctx: Mapping[str, Any] | None, lang: str) -> str:
    """One field's reason in ``lang``."""
    ctx = dict(ctx or {})
    key = _ALIASES.get(code, code)
    if key == "string_too_short" and ctx.get("min_length") == 1:
        key = "empty"
    if not has_field_message(key):
        key = "invalid"
    return _text(FIELD_PREFIX + key, lang, ctx)


def is_general(code: str) -> bool:
    return GENERAL_PREFIX + code in catalog.words(DEFAULT_LANGUAGE)


def general(code: str, lang: str, **values: Any) -> str:
    """A whole answer's message (``[api.general]``) in ``lang``."""
    return _text(GENERAL_PREFIX + code, lang, values)


def mail(code: str, lang: str, **values: Any) -> str:
    """One text of an e-mail (``[mail]``) in ``lang``, English where it has none."""
    return _text(MAIL_PREFIX + code, lang, values)


def field_messages(lang: str) -> dict[str, str]:
    """Every ``[api.field]`` template in ``lang`` (the forms check with the same words)."""
    return catalog.section(lang, FIELD_PREFIX)
