"""What a page marker's renderer may use: the language being built, hub.toml and the
published designs (see markers.py). Regions and the country's rules are read by the API's
own parser (chalicelib.config), so the forms offer exactly what the API accepts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .inputs import Design
from .lang import form_words  # puts serverless/ on sys.path for chalicelib

from chalicelib.config import parse_country, parse_regions  # noqa: E402


@dataclass(frozen=True)
class SiteContext:
    lang: str
    hub: dict[str, Any]
    designs: list[Design] = field(default_factory=list)
    # Where the site's scripts call the API (hub_config.api_base_url); "" when unknown.
    api_url: str = ""

    def region_choices(self) -> list[tuple[str, str]]:
        """(id, name in this language) of every region of hub.toml."""
        return [(r.id, r.name(self.lang)) for r in parse_regions(self.hub)]

    def country_rules(self) -> tuple[Any, Any]:
        """hub.toml's [country] postcode and registry rules (None where it gives none)."""
        return parse_country(self.hub)

    def postcode_help(self, lang: str) -> str:
        postcode = self.country_rules()[0]
        return form_words(lang)["example"].format(example=postcode.example) if postcode else ""

    def design_choices(self) -> list[tuple[str, str]]:
        """(slug, title in this language) of every published design, for select lists."""
        return [(d.slug, d.text("title", self.lang)[0] or d.slug) for d in self.designs]
