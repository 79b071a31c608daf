"""Content addresses for variant builds, and the test of whether a build can be reused.

A variant's output depends only on its design's Python sources, the figures its
design.toml gives the checks (its tables other than texts and metadata: a [stock] or
[reference] table), the `cad` library's sources, the locked versions of the libraries
that make the geometry (requirements.lock's CadQuery and OCP lines), its parameters and
the engine's record format; the cache key hashes exactly these, so an edit anywhere that
matters rebuilds, upgrading CadQuery rebuilds, and nothing else does (editing a
design.toml's texts does not rebuild its meshes). The key does not use file times,
which git checkouts and copies do not preserve.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Iterable

from cad.fsutil import sha256_file

# Bump when the manifest record or the build pipeline changes in a way the sources
# hashed below do not show (e.g. an upgraded CadQuery that tessellates differently).
ENGINE_SCHEMA = 2
CAD_DIR = Path(__file__).resolve().parent
LOCK_FILE = CAD_DIR.parent / "requirements.lock"
#: the locked libraries whose version changes what a build writes (the B-rep kernel and
#: its bindings: tessellation, STEP and glTF writers)
LOCKED_LIBRARIES = ("cadquery", "cadquery-ocp", "cadquery-ocp-proxy")
#: design.toml keys that do not change a build: texts, listing metadata, the matrix
#: (which reaches the key through the parameters)
DESIGN_TEXT_KEYS = frozenset({"title", "summary", "not_certified_for", "bom", "status",
                              "version", "licence", "variants"})
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;\\#]+)")


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, NaN refused."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def python_sources(folder: str | os.PathLike) -> list[Path]:
    """Every .py under `folder` (caches excluded), in a stable order."""
    folder = Path(folder)
    return sorted(p for p in folder.rglob("*.py")
                  if "__pycache__" not in p.relative_to(folder).parts)


def sources_digest(folder: str | os.PathLike, files: Iterable[Path] | None = None) -> str:
    """sha256 over the relative names and bytes of a folder's Python sources."""
    folder = Path(folder)
    digest = hashlib.sha256()
    for path in (python_sources(folder) if files is None else files):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def locked_versions(lock: str | os.PathLike | None = None) -> dict[str, str]:
    """{name: version} of LOCKED_LIBRARIES pinned in requirements.lock (`name==version`
    lines; names compared as pip does: case, "_" and "." folded to "-"). A library not
    pinned, or no lock file, maps to "unlocked"."""
    path = Path(lock) if lock is not None else LOCK_FILE
    pins: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    for line in text.splitlines():
        m = _REQUIREMENT.match(line)
        if m:
            pins[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(2)
    return {name: pins.get(name, "unlocked") for name in LOCKED_LIBRARIES}


def cad_digest(cad_dir: str | os.PathLike | None = None,
               lock: str | os.PathLike | None = None) -> str:
    """Digest of the cad library (default: this package's own folder) and of the locked
    versions of the libraries it drives (default: the repository's requirements.lock)."""
    sources = sources_digest(CAD_DIR if cad_dir is None else cad_dir)
    return hashlib.sha256(canonical_json(
        {"sources": sources, "libraries": locked_versions(lock)}).encode()).hexdigest()


def design_facts(design_dir: str | os.PathLike) -> dict[str, Any]:
    """The design.toml tables that can change a build or its checks (everything but
    DESIGN_TEXT_KEYS); {} without a readable design.toml."""
    try:
        data = tomllib.loads((Path(design_dir) / "design.toml").read_text(encoding="utf-8"))
    except (FileNotFoundError, tomllib.TOMLDecodeError):
        return {}
    return {k: v for k, v in data.items() if k not in DESIGN_TEXT_KEYS}


def design_digest(design_dir: str | os.PathLike) -> str:
    """Digest of a design's Python sources (every module of its package: __init__.py,
    model.py and the modules they import, any .py in its folder) and of its design.toml's
    facts (`design_facts`)."""
    return hashlib.sha256(canonical_json(
        {"sources": sources_digest(design_dir),
         "facts": design_facts(design_dir)}).encode()).hexdigest()


def key_from_digests(design: str, cad: str, params: dict[str, Any],
                     schema: int = ENGINE_SCHEMA) -> str:
    """The cache key from precomputed digests (the build computes each digest once)."""
    payload = canonical_json({"schema": schema, "design_sources": design,
                              "cad_sources": cad, "params": params})
    return hashlib.sha256(payload.encode()).hexdigest()


def cache_key(design_dir: str | os.PathLike, params: dict[str, Any], *,
              cad_dir: str | os.PathLike | None = None, lock: str | os.PathLike | None = None,
              schema: int = ENGINE_SCHEMA) -> str:
    """sha256 of (design sources and facts, cad sources and locked library versions,
    canonical parameters, engine schema)."""
    return key_from_digests(design_digest(design_dir), cad_digest(cad_dir, lock), params,
                            schema)


def stale_reason(record: dict[str, Any] | None, key: str,
                 out_dir: str | os.PathLike) -> str | None:
    """Why a previous manifest record cannot be reused, or None if it can: no record,
    another key, or a listed file missing or changed since it was written."""
    if not record:
        return "never built"
    if record.get("cache_key") != key:
        return "inputs changed"
    files = record.get("files") or {}
    if not files:
        return "no files recorded"
    for fmt, info in files.items():
        if not isinstance(info, dict) or not isinstance(info.get("path"), str):
            return f"{fmt} file record malformed"
        path = Path(out_dir) / info["path"]
        if not path.is_file():
            return f"{fmt} file missing"
        if path.stat().st_size != info.get("bytes") or sha256_file(path) != info.get("sha256"):
            return f"{fmt} file changed"
    return None
