"""The site's words: every one comes from the shared catalogs
(serverless/chalicelib/locales/<lang>.toml, read by chalicelib.catalog), English where a
language lacks one. Names and directions of languages come from Babel's locale data."""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

_SERVERLESS = str(Path(__file__).resolve().parents[2] / "serverless")
if _SERVERLESS not in sys.path:  # the catalogs live in the API's package (a Lambda carries them)
    sys.path.insert(0, _SERVERLESS)

from chalicelib import catalog  # noqa: E402

FALLBACK_LANG = catalog.FALLBACK_LANGUAGE
STATUSES = ("prototype", "community", "clinical", "warning")  # NIH 3D Print Exchange
# [site.<table>] of the catalogs, and the prefix its keys take in ui(): "fig_print_time"
# is site.figures.print_time.
_UI_TABLES = {"page": "", "figures": "fig_", "status": "status_", "technology": "tech_",
              "file_kind": "kind_", "duration": "dur_"}
FORMS = ("request", "maker", "status")


@lru_cache(maxsize=None)
def ui(lang: str) -> dict[str, str]:
    """The words of generated pages in ``lang`` (English where missing). Shared: read only."""
    return {prefix + key: value for table, prefix in _UI_TABLES.items()
            for key, value in catalog.section(lang, f"site.{table}").items()}


def form_words(lang: str, form: str = "request") -> dict[str, str]:
    """A form's words ([forms.common] and [forms.<form>]) in ``lang``."""
    return {**catalog.section(lang, "forms.common"), **catalog.section(lang, f"forms.{form}")}


def field_messages(lang: str) -> dict[str, str]:
    """The API's per-field reasons ([api.field]): the forms' scripts check with them."""
    return catalog.section(lang, "api.field")


def language_name(code: str) -> str:
    """The language's name in itself, from Babel's locale data (the switcher's label):
    "Français", "العربية", "اردو", "Wolof". The code itself when Babel does not know it."""
    from babel import Locale, UnknownLocaleError
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return code
    return (name[:1].upper() + name[1:]) if name else code


def text_direction(code: str) -> str:
    """"rtl" or "ltr", from Babel's locale data (Arabic, Urdu, Persian, Hebrew are rtl)."""
    from babel import Locale, UnknownLocaleError
    try:
        return Locale.parse(code.replace("-", "_")).text_direction
    except (UnknownLocaleError, ValueError):
        return "ltr"


def status_label(status: str, lang: str) -> str:
    return ui(lang).get(f"status_{status}", status)


def technology_label(tech: str, lang: str) -> str:
    return ui(lang).get(f"tech_{tech}", tech)
