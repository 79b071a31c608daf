"""Building blocks of the site's HTML forms: a labelled field with its help and error
slots, inputs and selects. Field ids are `f-` + the dotted name with dots as dashes."""

from __future__ import annotations

from typing import Any


def esc(text: Any) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def field(name: str, label: str, control: str, required: bool, words: dict,
           help_text: str = "") -> str:
    fid = "f-" + name.replace(".", "-")
    req = f' <span class="usine-required">({esc(words["required"])})</span>' if required else ""
    help_html = (f'<p class="usine-help" id="{fid}-help">{esc(help_text)}</p>'
                 if help_text else "")
    return (f'<div class="usine-field" data-field="{name}">'
            f'<label for="{fid}">{esc(label)}{req}</label>{control}{help_html}'
            f'<p class="usine-error" id="{fid}-error" hidden></p></div>')


def text_input(name: str, kind: str, required: bool, extra: str = "") -> str:
    fid = "f-" + name.replace(".", "-")
    req = " required" if required else ""
    return f'<input id="{fid}" name="{name}" type="{kind}"{req}{extra}>'


def select(name: str, options: list[tuple[str, str]], required: bool, words: dict) -> str:
    fid = "f-" + name.replace(".", "-")
    req = " required" if required else ""
    opts = [f'<option value="">{esc(words["choose"])}</option>']
    opts += [f'<option value="{esc(v)}">{esc(t)}</option>' for v, t in options]
    return f'<select id="{fid}" name="{name}"{req}>' + "".join(opts) + "</select>"

