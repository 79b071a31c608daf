"""The one Jinja2 environment of the generated markup: templates in docs/overrides/usine/
(beside the theme overrides; MkDocs neither renders nor copies a theme's .html files),
autoescape on: every value is escaped once, by Jinja, and nowhere else."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parents[2] / "docs" / "overrides" / "usine"


def _json_script(value: Any, element_id: str) -> Markup:
    """``<script type="application/json">``: the data a page's script reads (words...)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return Markup(f'<script type="application/json" id="{element_id}">{text}</script>')


def _json_attr(value: Any) -> Markup:
    """Compact JSON for a single-quoted attribute (``data-x='{{ v | json_attr }}'``): &, <,
    > and ' escaped, its double quotes left as they are (autoescape would write each as
    &#34;, five bytes for one, twenty times on every variant panel of a design page)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                  .replace("'", "&#39;"))


def _fill(template: str, **values: Any) -> Markup:
    """A catalog template with its ``{fields}`` filled: the template's text escaped, the
    values as given (escape them first, or pass Markup)."""
    return Markup(re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))),
                         str(Markup.escape(template))))


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(json_script=_json_script, json_attr=_json_attr, fill=_fill)
    return env


def render(template: str, /, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def html_block(template: str, /, **context: Any) -> str:
    """A template's HTML as one raw-HTML block of Markdown: no blank line (which would end
    the block) and no indentation (which Markdown could read as code)."""
    lines = (line.strip() for line in render(template, **context).splitlines())
    return "\n".join(line for line in lines if line) + "\n"
