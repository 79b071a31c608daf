"""What a page marker's renderer may use: the language being built, hub.toml and the
published designs (see markers.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .inputs import Design


@dataclass(frozen=True)
class SiteContext:
    lang: str
    hub: dict[str, Any]
    designs: list[Design] = field(default_factory=list)

    @property
    def regions(self) -> list[str]:
        return list(self.hub.get("hub", {}).get("regions", []))

    def design_choices(self) -> list[tuple[str, str]]:
        """(slug, title in this language) of every published design, for select lists."""
        return [(d.slug, d.text("title", self.lang)[0] or d.slug) for d in self.designs]
