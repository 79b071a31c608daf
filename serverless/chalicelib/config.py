"""Settings of the API, read lazily: at request time, never at import.

``chalice.test.Client`` and ``chalice local`` apply a stage's environment variables only
around a request, and tests point the app at other files and ports between requests, so
nothing here is read when the module is imported. Files (hub.toml, the manifest) are
parsed once per (path, mtime, size) and cached, so a warm Lambda does not re-read them
on every request but an edited file is picked up.

Environment:

- ``TABLE_NAME``: the DynamoDB table (set per stage in ``.chalice/config.json``).
- ``USINE_STAGE``: stage name used to find ``[stages.<stage>]`` in hub.toml (default
  ``local``).
- ``DYNAMODB_ENDPOINT``: optional endpoint URL (DynamoDB Local).
- ``USINE_HUB_CONFIG``: path to hub.toml. Default: the repository's hub.toml, else a copy
  packaged at ``chalicelib/generated/hub.toml`` (or ``chalicelib/hub.toml``).
- ``USINE_MANIFEST``: path to the build manifest. Default: the repository's
  ``build/manifest.json``, else ``chalicelib/generated/manifest.json``.
- ``USINE_SITE_ORIGIN``: CORS origin, overriding hub.toml's stage ``site_origin``.
- ``USINE_RATE_LIMIT``: writes per client per window, ``N/SECONDS`` (default ``30/600``);
  ``0`` disables it (load tests from one address).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

PACKAGE_DIR = Path(__file__).resolve().parent
# serverless/chalicelib/config.py -> the repository root. In a Lambda package
# (/var/task/chalicelib) this is /var, where no hub.toml exists: the bundled copies
# (serverless/bundle.py writes chalicelib/generated/) are used.
REPO_DIR = PACKAGE_DIR.parent.parent

HUB_CANDIDATES = (
    REPO_DIR / "hub.toml",
    PACKAGE_DIR / "generated" / "hub.toml",
    PACKAGE_DIR / "hub.toml",
)
MANIFEST_CANDIDATES = (
    REPO_DIR / "build" / "manifest.json",
    PACKAGE_DIR / "generated" / "manifest.json",
)

DEFAULT_STAGE = "local"


class ConfigError(RuntimeError):
    """The deployment is misconfigured (missing file, bad hub.toml). Never user input."""


@dataclass(frozen=True)
class Settings:
    """What the environment says, without touching any file."""

    stage: str
    table_name: str | None
    dynamodb_endpoint: str | None
    aws_region: str | None
    hub_path: Path | None
    manifest_path: Path | None
    site_origin_override: str | None
    rate_limit: tuple[int, int] = (30, 600)  # writes per client per window of seconds

    def require_table(self) -> str:
        if not self.table_name:
            raise ConfigError("TABLE_NAME is not set (see serverless/.chalice/config.json)")
        return self.table_name


def _first_existing(candidates: tuple[Path, ...]) -> Path | None:
    for path in candidates:
        if path.is_file():
            return path
    return None


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the environment now (cheap: no file access beyond ``is_file`` checks)."""
    env = os.environ if environ is None else environ
    hub = env.get("USINE_HUB_CONFIG")
    manifest = env.get("USINE_MANIFEST")
    return Settings(
        stage=env.get("USINE_STAGE") or DEFAULT_STAGE,
        table_name=env.get("TABLE_NAME") or None,
        dynamodb_endpoint=env.get("DYNAMODB_ENDPOINT") or None,
        aws_region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        hub_path=Path(hub) if hub else _first_existing(HUB_CANDIDATES),
        manifest_path=Path(manifest) if manifest else _first_existing(MANIFEST_CANDIDATES),
        site_origin_override=env.get("USINE_SITE_ORIGIN") or None,
        rate_limit=_rate_limit(env.get("USINE_RATE_LIMIT")),
    )


def _rate_limit(value: str | None) -> tuple[int, int]:
    """``"30/600"`` -> (30, 600); ``"0"`` -> (0, 0): disabled. Bad values: the default."""
    if value is None or not value.strip():
        return (30, 600)
    count, _, window = value.strip().partition("/")
    try:
        n = int(count)
        seconds = int(window) if window else 600
    except ValueError:
        return (30, 600)
    return (n, seconds) if n > 0 and seconds > 0 else (0, 0)


# --------------------------------------------------------------------------- files

_FILE_CACHE: dict[tuple[str, str], tuple[tuple[int, int], Any]] = {}


def _cached(kind: str, path: Path | None, parse: Callable[[Path], Any], what: str) -> Any:
    if path is None:
        raise ConfigError(f"no {what} found (set the environment variable for it)")
    try:
        st = path.stat()
    except OSError:
        raise ConfigError(f"{what} not found: {path}") from None
    key = (kind, str(path))
    stamp = (st.st_mtime_ns, st.st_size)
    hit = _FILE_CACHE.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    value = parse(path)
    _FILE_CACHE[key] = (stamp, value)
    return value


@dataclass(frozen=True)
class Kit:
    """A product made of parts (designs, each made by a site with its technology) that an
    assembling site puts together: a face shield is a printed headband and a laser-cut
    sheet. Requested like a design; a site that offers the kit's slug assembles it."""

    slug: str
    parts: Mapping[str, int]  # design -> units per kit


@dataclass(frozen=True)
class Region:
    """A region of the hub: an identifier (what the API validates, stores and answers)
    and its name per language (what the forms show).

    hub.toml gives either a plain list of names (``regions = ["Calvados", "Eure"]``: the
    identifier is the name, in every language) or one table per region::

        [[hub.regions]]
        id = "casablanca-settat"
        name = { fr = "Casablanca-Settat", ar = "الدار البيضاء سطات" }

    A language without a name shows the name in the hub's first language, else the id.
    """

    id: str
    names: tuple[tuple[str, str], ...] = ()  # (language, name), as hub.toml lists them
    default_language: str | None = None      # the hub's first language

    def name(self, lang: str | None = None) -> str:
        names = dict(self.names)
        return (names.get(lang or "") or names.get(ANY_LANGUAGE)
                or names.get(self.default_language or "") or self.id)


@dataclass(frozen=True)
class Rule:
    """A shape a value must have (``[country] postcode`` or ``registry``): a regular
    expression for the whole value (the same for Python and JSON Schema), an example
    shown in messages and forms, and (a registry) its name per language."""

    pattern: str
    example: str
    names: tuple[tuple[str, str], ...] = ()
    default_language: str | None = None

    @property
    def core(self) -> str:
        """The pattern without its anchors: ``re.fullmatch`` it, or pad it for a schema."""
        core = self.pattern
        if core.startswith("^"):
            core = core[1:]
        if core.endswith("$") and not core.endswith("\\$"):
            core = core[:-1]
        return core

    def matches(self, value: str) -> bool:
        return re.fullmatch(f"(?:{self.core})", value) is not None

    def name(self, lang: str | None = None) -> str:
        names = dict(self.names)
        return (names.get(lang or "") or names.get(ANY_LANGUAGE)
                or names.get(self.default_language or "") or names.get(FALLBACK_LANGUAGE)
                or next(iter(names.values()), ""))


FALLBACK_LANGUAGE = "en"
ANY_LANGUAGE = "*"  # a name given as plain text: every language's


@dataclass(frozen=True)
class Hub:
    """The parts of hub.toml the API uses."""

    name: str
    regions: tuple[str, ...]  # the regions' identifiers, in hub.toml's order
    site_url: str | None
    stage_origins: Mapping[str, str]
    # [coordination]: ask requesters to reconfirm this long after creation (or their last
    # reconfirmation), and expire the request if unanswered this long after asking.
    reconfirm_after_days: int = 14
    reconfirm_grace_days: int = 5
    # [kits.<slug>]: products made of parts by different sites, then assembled.
    kits: Mapping[str, "Kit"] = field(default_factory=dict)
    # [hub] languages, the first the default.
    languages: tuple[str, ...] = (FALLBACK_LANGUAGE,)
    # [hub] regions, with their names per language (``regions`` holds their ids).
    region_list: tuple[Region, ...] = ()
    # [hub] country: ISO 3166 code (phone numbers without + are read as this country's).
    country: str | None = None
    # [country] postcode and registry: None where hub.toml gives none (generic rules).
    postcode: Rule | None = None
    registry: Rule | None = None

    def site_origin(self, stage: str) -> str | None:
        origin = self.stage_origins.get(stage)
        if origin:
            return origin
        # A stage hub.toml does not list (e.g. "dev"): the published site's origin.
        return normalize_origin(self.site_url) if self.site_url else None

    def region(self, region_id: str) -> Region | None:
        for region in self.region_list:
            if region.id == region_id:
                return region
        return None

    def region_names(self, lang: str) -> dict[str, str]:
        """``{id: name in lang}`` of every region, in hub.toml's order."""
        return {r.id: r.name(lang) for r in self.region_list}


def _parse_hub(path: Path) -> Hub:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read hub config {path}: {exc}") from None
    return hub_from_data(data, path)


def hub_from_data(data: Mapping[str, Any], path: Path | str = "hub.toml") -> Hub:
    """A :class:`Hub` from hub.toml's parsed text (``tomllib.loads``)."""
    hub = data.get("hub", {})
    if not isinstance(hub, dict):
        raise ConfigError(f"{path}: [hub] must be a table")
    languages = parse_languages(data, path)
    regions = parse_regions(data, path)
    origins = {}
    for stage, table in (data.get("stages") or {}).items():
        if isinstance(table, dict) and table.get("site_origin"):
            origins[stage] = normalize_origin(table["site_origin"])
    coordination = data.get("coordination") or {}
    if not isinstance(coordination, dict):
        raise ConfigError(f"{path}: [coordination] must be a table")
    postcode, registry = parse_country(data, path)
    return Hub(
        name=str(hub.get("name", "")),
        regions=tuple(r.id for r in regions),
        site_url=hub.get("site_url"),
        stage_origins=origins,
        reconfirm_after_days=_days(path, coordination, "reconfirm_after_days", 14),
        reconfirm_grace_days=_days(path, coordination, "reconfirm_grace_days", 5),
        kits=_kits(path, data.get("kits") or {}),
        languages=languages,
        region_list=regions,
        country=_country_code(hub.get("country"), path),
        postcode=postcode,
        registry=registry,
    )


_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_REGION_ID = re.compile(r"^[^\u0000-\u001f\u007f]{1,100}$")


def parse_languages(data: Mapping[str, Any], path: Path | str = "hub.toml") -> tuple[str, ...]:
    """``[hub] languages`` (language codes, the first the default); English when absent."""
    languages = (data.get("hub") or {}).get("languages", [FALLBACK_LANGUAGE])
    if (not isinstance(languages, list) or not languages
            or not all(isinstance(l, str) and _LANGUAGE.match(l) for l in languages)
            or len(set(languages)) != len(languages)):
        raise ConfigError(f"{path}: [hub] languages must be a non-empty list of distinct "
                          "language codes (\"fr\", \"ar\"...)")
    return tuple(languages)


def _names(value: Any, where: str, path: Path | str) -> tuple[tuple[str, str], ...]:
    """``{ fr = "...", ar = "..." }`` -> ((lang, name), ...); a plain text is every
    language's name (kept under ``"*"``)."""
    if isinstance(value, str) and value.strip():
        return ((ANY_LANGUAGE, value.strip()),)
    if (isinstance(value, dict) and value
            and all(isinstance(k, str) and _LANGUAGE.match(k) for k in value)
            and all(isinstance(v, str) and v.strip() for v in value.values())):
        return tuple((k, v.strip()) for k, v in value.items())
    raise ConfigError(f"{path}: {where} name must be a text, or a table of texts per "
                      "language ({ fr = \"...\", ar = \"...\" })")


def parse_regions(data: Mapping[str, Any], path: Path | str = "hub.toml") -> tuple[Region, ...]:
    """``[hub] regions`` from hub.toml's parsed text: a list of names (each its own id), or
    an array of tables ``{ id = "...", name = { <lang> = "...", ... } }``. Raises
    :class:`ConfigError` naming what is wrong."""
    hub = data.get("hub") or {}
    regions = hub.get("regions")
    languages = hub.get("languages")
    first = languages[0] if isinstance(languages, list) and languages else None
    if not isinstance(regions, list) or not regions:
        raise ConfigError(f"{path}: [hub] regions must be a non-empty list of names, or "
                          "[[hub.regions]] tables with an id and a name per language")
    out: list[Region] = []
    for position, entry in enumerate(regions, 1):
        if isinstance(entry, str):
            if not entry.strip() or not _REGION_ID.match(entry.strip()):
                raise ConfigError(f"{path}: [hub] regions: region {position} is not a name")
            out.append(Region(id=entry.strip(), default_language=first))
            continue
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: [hub] regions: region {position} must be a name or "
                              "a table { id = ..., name = { <lang> = ... } }")
        unknown = set(entry) - {"id", "name"}
        if unknown:
            raise ConfigError(f"{path}: [[hub.regions]] {position}: unknown keys "
                              f"{sorted(unknown)} (id, name)")
        rid = entry.get("id")
        if not isinstance(rid, str) or not rid.strip() or not _REGION_ID.match(rid.strip()):
            raise ConfigError(f"{path}: [[hub.regions]] {position}: id must be a text of 1 "
                              "to 100 characters")
        names = _names(entry["name"], f"[[hub.regions]] {rid}:", path) if "name" in entry else ()
        out.append(Region(id=rid.strip(), names=names, default_language=first))
    ids = [r.id.casefold() for r in out]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{path}: [hub] regions: two regions have the same id")
    return tuple(out)


def _country_code(value: Any, path: Path | str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        raise ConfigError(f"{path}: [hub] country must be a two-letter ISO 3166 code (\"FR\")")
    return value.strip().upper()


def _rule(table: Any, where: str, path: Path | str, named: bool,
          first: str | None) -> Rule | None:
    if table is None:
        return None
    keys = {"pattern", "example"} | ({"name"} if named else set())
    if not isinstance(table, dict) or set(table) - keys:
        raise ConfigError(f"{path}: [country] {where} must be a table with "
                          f"{', '.join(sorted(keys))}")
    pattern, example = table.get("pattern"), table.get("example")
    if not isinstance(pattern, str) or not pattern or not isinstance(example, str) \
            or not example.strip():
        raise ConfigError(f"{path}: [country] {where} needs a pattern (a regular "
                          "expression) and an example (a value it accepts)")
    names = _names(table.get("name"), f"[country] {where}", path) if named else ()
    rule = Rule(pattern=pattern, example=example.strip(), names=names, default_language=first)
    try:
        re.compile(rule.core)
    except re.error as exc:
        raise ConfigError(f"{path}: [country] {where} pattern: {exc}") from None
    if not rule.matches(rule.example):
        raise ConfigError(f"{path}: [country] {where}: the example does not match the pattern")
    return rule


def parse_country(data: Mapping[str, Any], path: Path | str = "hub.toml"
                  ) -> tuple[Rule | None, Rule | None]:
    """``[country] postcode`` and ``[country] registry`` (None where absent)."""
    country = data.get("country") or {}
    if not isinstance(country, dict) or set(country) - {"postcode", "registry"}:
        raise ConfigError(f"{path}: [country] must be a table with postcode and registry")
    languages = (data.get("hub") or {}).get("languages")
    first = languages[0] if isinstance(languages, list) and languages else None
    return (_rule(country.get("postcode"), "postcode", path, False, first),
            _rule(country.get("registry"), "registry", path, True, first))


def country_rules(hub: Hub, lang: str) -> dict[str, Any]:
    """What the forms show of the country's rules, in ``lang``.

    ``{"country": "FR" | None, "postcode": {"pattern", "example"} | None,
    "registry": {"name", "pattern", "example"} | None}``; None where hub.toml gives no
    rule (the API then accepts the generic shapes of :mod:`.fields`).
    """
    return {
        "country": hub.country,
        "postcode": ({"pattern": hub.postcode.pattern, "example": hub.postcode.example}
                     if hub.postcode else None),
        "registry": ({"name": hub.registry.name(lang), "pattern": hub.registry.pattern,
                      "example": hub.registry.example} if hub.registry else None),
    }


def _kits(path: Path, table: Any) -> dict[str, Kit]:
    """``[kits.<slug>] parts = { <design> = <units per kit>, ... }`` (two parts or more)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [kits] must be a table of kits")
    kits = {}
    for slug, kit in table.items():
        parts = kit.get("parts") if isinstance(kit, dict) else None
        if (not isinstance(parts, dict) or len(parts) < 2 or not all(
                isinstance(d, str) and isinstance(n, int) and not isinstance(n, bool)
                and 1 <= n <= 100 for d, n in parts.items())):
            raise ConfigError(f"{path}: [kits.{slug}] parts must map two or more designs to "
                              "a whole number of units per kit (1 to 100)")
        kits[str(slug)] = Kit(str(slug), dict(parts))
    return kits


def _days(path: Path, table: Mapping[str, Any], key: str, default: int) -> int:
    """A whole number of days from 1 to 365 in ``[coordination]``, else ``default``."""
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365:
        raise ConfigError(f"{path}: [coordination] {key} must be a whole number of days "
                          "from 1 to 365")
    return value


def load_hub(path: Path | None) -> Hub:
    return _cached("hub", path, _parse_hub, "hub config (hub.toml)")


@dataclass(frozen=True)
class Catalog:
    """Published designs, from the build manifest (keys of ``manifest["designs"]``)."""

    designs: tuple[str, ...]
    variants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    records: tuple[Mapping[str, Any], ...] = ()  # GET /designs



def _parse_manifest(path: Path) -> Catalog:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read manifest {path}: {exc}") from None
    designs = data.get("designs") if isinstance(data, dict) else None
    if not isinstance(designs, dict):
        raise ConfigError(f"{path}: no 'designs' object in the manifest")
    variants: dict[str, list[str]] = {slug: [] for slug in designs}
    for variant in data.get("variants") or []:
        if isinstance(variant, dict) and variant.get("design") in variants:
            name = str(variant.get("variant", ""))
            if name and name not in variants[variant["design"]]:
                variants[variant["design"]].append(name)
    records = []
    for slug in sorted(designs):
        info = designs[slug] if isinstance(designs[slug], dict) else {}
        records.append({
            "slug": slug,
            "technology": _text_or_none(info.get("technology")),
            "status": _text_or_none(info.get("status")),
            "version": _text_or_none(info.get("version")),
            "variants": list(variants[slug]),
        })
    return Catalog(designs=tuple(sorted(designs)),
                   variants={k: tuple(v) for k, v in variants.items()},
                   records=tuple(records))


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def load_catalog(path: Path | None) -> Catalog:
    return _cached("manifest", path, _parse_manifest, "design manifest (build/manifest.json)")


def normalize_origin(value: str) -> str:
    """``https://x.org/some/path/`` -> ``https://x.org`` (what browsers send as Origin)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"not an http(s) origin: {value!r}")
    return f"{parts.scheme}://{parts.netloc}"


def site_origin(s: Settings) -> str:
    """The one origin allowed by CORS: USINE_SITE_ORIGIN, else hub.toml's stage origin."""
    if s.site_origin_override:
        return normalize_origin(s.site_origin_override)
    origin = load_hub(s.hub_path).site_origin(s.stage)
    if not origin:
        raise ConfigError(f"no site origin for stage {s.stage!r} in hub.toml")
    return origin
