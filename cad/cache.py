"""Content addresses for variant builds, and the test of whether a build can be reused.

A variant's output depends only on its design's Python sources, the `cad` library's
sources, its parameters and the engine's record format; the cache key hashes exactly
these, so an edit anywhere that matters rebuilds and nothing else does (editing a
design.toml's texts does not rebuild its meshes). The key does not use file times,
which git checkouts and copies do not preserve.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Iterable

from cad.fsutil import sha256_file

# Bump when the manifest record or the build pipeline changes in a way the sources
# hashed below do not show (e.g. an upgraded CadQuery that tessellates differently).
ENGINE_SCHEMA = 2
CAD_DIR = Path(__file__).resolve().parent


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


def cad_digest(cad_dir: str | os.PathLike | None = None) -> str:
    """Digest of the cad library (default: this package's own folder)."""
    return sources_digest(CAD_DIR if cad_dir is None else cad_dir)


def design_digest(design_dir: str | os.PathLike) -> str:
    """Digest of a design's model.py and any other .py in its folder."""
    return sources_digest(design_dir)


def key_from_digests(design: str, cad: str, params: dict[str, Any],
                     schema: int = ENGINE_SCHEMA) -> str:
    """The cache key from precomputed digests (the build computes each digest once)."""
    payload = canonical_json({"schema": schema, "design_sources": design,
                              "cad_sources": cad, "params": params})
    return hashlib.sha256(payload.encode()).hexdigest()


def cache_key(design_dir: str | os.PathLike, params: dict[str, Any], *,
              cad_dir: str | os.PathLike | None = None, schema: int = ENGINE_SCHEMA) -> str:
    """sha256 of (design sources, cad sources, canonical parameters, engine schema)."""
    return key_from_digests(design_digest(design_dir), cad_digest(cad_dir), params, schema)


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
