"""The site's inputs: hub.toml, build/manifest.json, and each design's folder."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import SiteError
from .lang import FALLBACK_LANG


def load_hub(path: Path) -> dict[str, Any]:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    langs = data.get("hub", {}).get("languages") or []
    if not langs:
        raise SiteError(f"{path}: [hub] languages must list at least one language")
    return data


def load_manifest(path: Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise SiteError(
            f"{path} does not exist: build the designs first with `python -m cad build` "
            f"(it writes build/manifest.json and the files the site offers for download)")
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data.get("designs"), dict) or not isinstance(data.get("variants"), list):
        raise SiteError(f"{path}: not a build manifest (no 'designs' object / 'variants' list)")
    return data


@dataclass
class Design:
    """One published design: its design.toml, instructions and built variants."""

    slug: str
    meta: dict[str, Any]                      # design.toml
    built: dict[str, Any]                     # manifest["designs"][slug]
    variants: list[dict[str, Any]]            # manifest variants of this design, in order
    instructions: dict[str, str] = field(default_factory=dict)  # lang -> markdown

    def text(self, key: str, lang: str) -> tuple[str, bool]:
        """A per-language text of design.toml and whether it fell back to English."""
        return pick(self.meta.get(key), lang)


def pick(texts: Mapping[str, str] | str | None, lang: str) -> tuple[str, bool]:
    """`texts[lang]`, else the English text (second value True when it fell back)."""
    if texts is None:
        return "", False
    if isinstance(texts, str):
        return texts, False
    if texts.get(lang):
        return texts[lang], False
    return texts.get(FALLBACK_LANG, ""), lang != FALLBACK_LANG


def published_slugs(hub: Mapping[str, Any], manifest: Mapping[str, Any]) -> list[str]:
    """Designs the manifest holds that hub.toml's [designs] publish lets through."""
    publish = hub.get("designs", {}).get("publish", ["*"])
    built = manifest["designs"]
    return sorted(s for s in built if "*" in publish or s in publish)


def load_design(designs_dir: Path, slug: str, manifest: Mapping[str, Any],
                languages: list[str]) -> Design:
    folder = Path(designs_dir) / slug
    toml_path = folder / "design.toml"
    if not toml_path.is_file():
        raise SiteError(f"{toml_path} is missing, but the manifest lists design {slug!r}: "
                        f"rebuild with `python -m cad build`")
    meta = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    instructions = {}
    for lang in {*languages, FALLBACK_LANG}:
        path = folder / f"instructions.{lang}.md"
        if path.is_file():
            instructions[lang] = path.read_text(encoding="utf-8")
    variants = [v for v in manifest["variants"] if v.get("design") == slug]
    return Design(slug, meta, manifest["designs"][slug], variants, instructions)

