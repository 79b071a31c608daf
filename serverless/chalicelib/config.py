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
class Hub:
    """The parts of hub.toml the API uses."""

    name: str
    regions: tuple[str, ...]
    site_url: str | None
    stage_origins: Mapping[str, str]
    # [coordination]: ask requesters to reconfirm this long after creation (or their last
    # reconfirmation), and expire the request if unanswered this long after asking.
    reconfirm_after_days: int = 14
    reconfirm_grace_days: int = 5
    # [kits.<slug>]: products made of parts by different sites, then assembled.
    kits: Mapping[str, "Kit"] = field(default_factory=dict)

    def site_origin(self, stage: str) -> str | None:
        origin = self.stage_origins.get(stage)
        if origin:
            return origin
        # A stage hub.toml does not list (e.g. "dev"): the published site's origin.
        return normalize_origin(self.site_url) if self.site_url else None


def _parse_hub(path: Path) -> Hub:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read hub config {path}: {exc}") from None
    hub = data.get("hub", {})
    regions = hub.get("regions")
    if not isinstance(regions, list) or not regions or not all(
        isinstance(r, str) and r.strip() for r in regions
    ):
        raise ConfigError(f"{path}: [hub] regions must be a non-empty list of names")
    origins = {}
    for stage, table in (data.get("stages") or {}).items():
        if isinstance(table, dict) and table.get("site_origin"):
            origins[stage] = normalize_origin(table["site_origin"])
    coordination = data.get("coordination") or {}
    if not isinstance(coordination, dict):
        raise ConfigError(f"{path}: [coordination] must be a table")
    return Hub(
        name=str(hub.get("name", "")),
        regions=tuple(regions),
        site_url=hub.get("site_url"),
        stage_origins=origins,
        reconfirm_after_days=_days(path, coordination, "reconfirm_after_days", 14),
        reconfirm_grace_days=_days(path, coordination, "reconfirm_grace_days", 5),
        kits=_kits(path, data.get("kits") or {}),
    )


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
