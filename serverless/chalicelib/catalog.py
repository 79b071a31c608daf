"""Every user-facing word, one catalog per language: ``chalicelib/locales/<lang>.toml``.

The same files serve the site build (scripts/sitegen), the forms' JavaScript (the build
writes each page's words into it), the API's messages and the e-mails; the catalogs
live in the API's package so that a Lambda carries them. A catalog is TOML whose tables
name the reader (``[site]``, ``[forms]``, ``[api.field]``, ``[api.general]``, ``[mail]``);
keys are flattened to dotted paths (``api.field.missing``). Values are templates over
``{name}`` fields and never hold a submitted value.

English is the fallback: a key missing from a language is shown in English, never as a
key; :func:`missing_keys` lists them (``scripts/catalogs.py check``). Adding a language
is adding its file here and naming it in hub.toml.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
FALLBACK_LANGUAGE = "en"


class CatalogError(RuntimeError):
    """A catalog file is malformed (a developer's mistake, never user input)."""


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, path + "."))
        elif isinstance(value, str):
            flat[path] = value
        else:
            raise CatalogError(f"{path}: a catalog value must be text, not {type(value).__name__}")
    return flat


@lru_cache(maxsize=None)
def own_words(lang: str, directory: Path = LOCALES_DIR) -> Mapping[str, str]:
    """The words a language's file holds, flattened; empty when it has no file."""
    path = directory / f"{lang}.toml"
    if not path.is_file():
        return {}
    try:
        return _flatten(tomllib.loads(path.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as err:
        raise CatalogError(f"{path}: {err}") from None


@lru_cache(maxsize=None)
def words(lang: str, directory: Path = LOCALES_DIR) -> Mapping[str, str]:
    """Every key of the English catalog, in ``lang`` where it has it, else in English."""
    return {**own_words(FALLBACK_LANGUAGE, directory), **own_words(lang, directory)}


def section(lang: str, prefix: str, directory: Path = LOCALES_DIR) -> dict[str, str]:
    """The words under ``prefix`` (``"forms.request"``), keys relative to it."""
    start = prefix.rstrip(".") + "."
    return {key[len(start):]: value for key, value in words(lang, directory).items()
            if key.startswith(start)}


class _Keep(dict):
    def __missing__(self, key: str) -> str:  # a template field nobody filled stays visible
        return "{" + key + "}"


def fill(template: str, values: Mapping[str, Any]) -> str:
    return template.format_map(_Keep({k: str(v) for k, v in values.items()}))


def text(key: str, lang: str, directory: Path = LOCALES_DIR, **values: Any) -> str:
    """The word ``key`` in ``lang`` (English where missing), its ``{fields}`` filled.

    A key English lacks is a programming error: KeyError, never the key shown to a user.
    """
    return fill(words(lang, directory)[key], values)


def languages(directory: Path = LOCALES_DIR) -> list[str]:
    """Languages that have a catalog file."""
    return sorted(p.stem for p in directory.glob("*.toml"))


def missing_keys(lang: str, directory: Path = LOCALES_DIR) -> list[str]:
    """Keys of the English catalog that ``lang``'s own file lacks (shown in English)."""
    own = own_words(lang, directory)
    return sorted(k for k in own_words(FALLBACK_LANGUAGE, directory) if k not in own)


def unknown_keys(lang: str, directory: Path = LOCALES_DIR) -> list[str]:
    """Keys of ``lang``'s file that English lacks (typos or leftovers: never shown)."""
    english = own_words(FALLBACK_LANGUAGE, directory)
    return sorted(k for k in own_words(lang, directory) if k not in english)


def environment_language(environ: Mapping[str, str], directory: Path = LOCALES_DIR) -> str:
    """The language of a command-line tool: the first of ``LC_ALL``, ``LC_MESSAGES``,
    ``LANG`` that names a language with a catalog (``fr_FR.UTF-8`` -> ``fr``), else English."""
    known = set(languages(directory))
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        code = (environ.get(name) or "").split(".")[0].split("_")[0].split("-")[0].lower()
        if code in known:
            return code
    return FALLBACK_LANGUAGE
