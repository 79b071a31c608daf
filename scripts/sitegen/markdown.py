"""Small Markdown helpers: table cells, sizes, right-to-left safety, headings, admonitions."""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

from .lang import FALLBACK_LANG, ui


def cell(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def human_size(n: int, lang: str) -> str:
    words = ui(lang)
    units = words["units"].split()
    size = float(n)
    for unit in units:
        if size < 1000 or unit == units[-1]:
            text = f"{size:.0f}" if unit == units[0] else f"{size:.1f}"
            return f"{text.replace('.', words['decimal'])} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def span(text: str, **attrs: str) -> Markup:
    """Inline HTML in Markdown: a span with attributes, its text escaped (Markup:
    templates keep it as is). The one way HTML is written into generated Markdown."""
    names = "".join(f' {k.rstrip("_").replace("_", "-")}="{{}}"' for k in attrs)
    return Markup(f"<span{names}>{{}}</span>").format(*attrs.values(), text)


def ltr(text: str) -> Markup:
    """Inline text that must read left to right even on an Arabic page (file names,
    sizes, "10 × 5 × 3")."""
    return span(text, dir="ltr")


def fmt_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def shift_headings(markdown: str, top: int) -> str:
    """Demote ATX headings so the highest one is level `top` (code fences left alone)."""
    lines = markdown.splitlines()
    fence = None
    levels = []
    for line in lines:
        m = re.match(r"^(`{3,}|~{3,})", line)
        if m:
            fence = None if fence and line.startswith(fence) else (fence or m.group(1))
            continue
        h = re.match(r"^(#{1,6})\s", line)
        if h and not fence:
            levels.append(len(h.group(1)))
    if not levels:
        return markdown
    shift = max(0, top - min(levels))
    out, fence = [], None
    for line in lines:
        m = re.match(r"^(`{3,}|~{3,})", line)
        if m:
            fence = None if fence and line.startswith(fence) else (fence or m.group(1))
        elif not fence:
            h = re.match(r"^(#{1,6})(\s.*)$", line)
            if h:
                line = "#" * min(6, len(h.group(1)) + shift) + h.group(2)
        out.append(line)
    return "\n".join(out) + ("\n" if markdown.endswith("\n") else "")


def admonition(kind: str, title: str, body: str) -> str:
    indented = "\n".join(("    " + line) if line.strip() else "" for line in body.splitlines())
    return f'!!! {kind} "{title}"\n\n{indented}\n'


def in_english(markdown: str, fell_back: bool) -> str:
    """Markdown shown in English on another language's page, marked so (lang="en") for
    screen readers and right-to-left pages. One paragraph gets attributes (this works
    inside admonitions too); longer text is wrapped in a div."""
    if not fell_back or not markdown.strip():
        return markdown
    if "\n\n" not in markdown.strip() and not markdown.lstrip().startswith(("#", "-", "*", "|")):
        return f'{markdown.strip()}\n{{: lang="{FALLBACK_LANG}" dir="ltr" }}'
    return f'<div lang="{FALLBACK_LANG}" dir="ltr" markdown>\n\n{markdown}\n\n</div>\n'


def untranslated_note(lang: str) -> str:
    w = ui(lang)
    return admonition("note", w["untranslated"], w["untranslated_body"])
