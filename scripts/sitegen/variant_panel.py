"""The "choose a variant" block of a design page: the picker, the preview and one panel per
variant (its size, production figures and files), as raw HTML.

MkDocs does not rewrite URLs inside raw HTML, so every URL here is computed relative to
the design page (`designs/<slug>.html`: `../` is the language's site root).

Without JavaScript: the picker stays hidden, every variant's panel is shown one after the
other (each file once on the page, with its SHA-256), and the preview is the default
variant's SVG drawing. With JavaScript (docs/assets/javascripts/design.js): the picker
shows one select per parameter that differs between variants and only the chosen panel
shows (the default, data-default, first); the preview follows it; the 3D viewer (vendored
<model-viewer>) is loaded when the reader asks for it, so the page stays light.
"""

from __future__ import annotations

import html
import json
from typing import Any, Mapping

from .downloads import download_href, file_format, files_of_format, sorted_files
from .figures import figure_rows
from .inputs import Design
from .markdown import fmt_value, human_size
from .words import ui

ROOT = "../"  # from designs/<slug>.html to the language's site root
VIEWER = "assets/vendor/model-viewer/model-viewer.min.js"
SCRIPT = "assets/javascripts/design.js"  # only design pages load it
PREVIEW_GLB_MAX = 250_000  # bytes: the budget of a preview GLB (issue 5)


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def varying_params(variants: list[Mapping[str, Any]]) -> list[str]:
    """Parameters whose value differs between variants, in declaration order."""
    names = list(dict.fromkeys(k for v in variants for k in v.get("params", {})))
    return [n for n in names
            if len({fmt_value(v.get("params", {}).get(n)) for v in variants}) > 1]


def file_label(key: str, info: Mapping[str, Any], lang: str) -> str:
    fmt = file_format(key, info)
    return ui(lang).get(f"kind_{fmt}", fmt.upper())


def size_text(variant: Mapping[str, Any]) -> str:
    size = (variant.get("bbox") or {}).get("size")
    return " × ".join(f"{x:.1f}" for x in size) + " mm" if size else ""


def figures_html(variant: Mapping[str, Any], lang: str,
                 common: frozenset[str] = frozenset()) -> str:
    w = ui(lang)
    rows = [r for r in figure_rows(variant.get("figures"), lang) if r[0] not in common]
    if not rows:
        return f'<p class="usine-figures-none">{esc(w["figures_none"])}</p>'
    body = "".join(f'<tr><th scope="row">{esc(label)}</th><td>{value}</td></tr>'
                   for label, value in rows)
    return (f'<div class="usine-figures"><table><caption>{esc(w["figures"])}</caption>'
            f"<tbody>{body}</tbody></table></div>")


def files_html(variant: Mapping[str, Any], lang: str) -> str:
    """The variant's files: link, format, size and SHA-256 of each."""
    w = ui(lang)
    head = "".join(f"<th>{esc(w[k])}</th>" for k in ("file", "format", "size", "sha256"))
    rows = []
    for key, info in sorted_files(variant):
        name = info["path"].rsplit("/", 1)[-1]
        rows.append(
            f'<tr><td><a href="{esc(download_href(info))}" download="{esc(name)}" dir="ltr">'
            f"{esc(name)}</a></td><td>{esc(file_label(key, info, lang))}</td>"
            f'<td dir="ltr">{esc(human_size(info["bytes"], lang))}</td>'
            f'<td><code>{esc(info["sha256"])}</code></td></tr>')
    return (f'<div class="usine-files"><table><caption>{esc(w["variant_files"])}</caption>'
            f'<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def panel_html(variant: Mapping[str, Any], varying: list[str], lang: str, default: bool,
               common: frozenset[str] = frozenset()) -> str:
    """One variant's panel; `common` names figure rows stated once above every panel."""
    w = ui(lang)
    vid = str(variant["variant"])
    params = {n: fmt_value(variant.get("params", {}).get(n)) for n in varying}
    glb = preview_glb(variant)
    svg = files_of_format(variant, "svg")
    attrs = [f'class="usine-variant" data-variant="{esc(vid)}"',
             f"data-params='{_json(params)}'"]
    if glb:
        attrs.append(f'data-glb="{esc(download_href(glb))}"')
    if svg:
        attrs.append(f'data-svg="{esc(download_href(svg[0]))}"')
    title = w["selected_variant"].format(variant=f'<code dir="ltr">{esc(vid)}</code>')
    size = size_text(variant)
    size_html = f' · <span dir="ltr">{esc(size)}</span>' if size else ""
    return (f'<div {" ".join(attrs)}{" data-default" if default else ""}>'
            f'<p class="usine-variant-title"><strong>{title}</strong>{size_html}</p>'
            f"{figures_html(variant, lang, common)}"
            f"{files_html(variant, lang)}</div>")


def _json(value: Any) -> str:
    """Compact JSON for a single-quoted attribute (&, <, > and ' escaped)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return html.escape(text, quote=False).replace("'", "&#x27;")


def picker_html(design: Design, varying: list[str], titles: Mapping[str, str],
                selected: Mapping[str, Any], lang: str) -> str:
    w = ui(lang)
    fields = []
    for name in varying:
        values = list(dict.fromkeys(fmt_value(v.get("params", {}).get(name))
                                    for v in design.variants))
        current = fmt_value(selected.get("params", {}).get(name))
        options = "".join(
            f'<option value="{esc(v)}"{" selected" if v == current else ""}>{esc(v)}</option>'
            for v in values)
        fid = f"pick-{name}"
        fields.append(f'<div class="usine-picker-field"><label for="{esc(fid)}">'
                      f"{esc(titles.get(name, name))}</label>"
                      f'<select id="{esc(fid)}" data-param="{esc(name)}" dir="ltr">{options}'
                      f"</select></div>")
    return (f'<form class="usine-picker" data-usine-picker data-search-exclude '
            f'aria-label="{esc(w["choose_variant"])}" hidden>{"".join(fields)}</form>'
            f'<noscript><p class="usine-noscript">{esc(w["picker_noscript"])}</p></noscript>')


def preview_glb(variant: Mapping[str, Any]) -> dict[str, Any] | None:
    """The GLB the 3D view loads for a variant: none above PREVIEW_GLB_MAX (the page offers
    the drawing and the download instead of a heavy preview)."""
    glbs = [g for g in files_of_format(variant, "glb")
            if int(g.get("bytes") or 0) <= PREVIEW_GLB_MAX]
    return glbs[0] if glbs else None


def common_rows(variants: list[Mapping[str, Any]], lang: str) -> list[tuple[str, str]]:
    """Figure rows that every variant with figures has alike (the profile and slicer the
    figures were measured with): stated once above the panels."""
    w = ui(lang)
    rows = [dict(figure_rows(v.get("figures"), lang)) for v in variants if v.get("figures")]
    label = w["fig_measured_with"]
    values = {r.get(label) for r in rows}
    if len(rows) > 1 and len(values) == 1 and None not in values:
        return [(label, values.pop())]
    return []


def preview_html(selected: Mapping[str, Any], lang: str, viewer_bytes: int | None,
                 variants: list[Mapping[str, Any]] = ()) -> str:
    """The still drawing of the selected variant and the button that loads the 3D view."""
    w = ui(lang)
    svg = files_of_format(selected, "svg")
    glb = preview_glb(selected)
    if not svg and not glb:
        return ""
    vid = str(selected["variant"])
    still = (f'<img class="usine-preview-still" src="{esc(download_href(svg[0]))}" '
             f'alt="{esc(w["drawing_alt"].format(variant=vid))}">' if svg else "")
    button = ""
    if any(preview_glb(v) for v in variants):
        size = human_size((viewer_bytes or 0) + int((glb or {}).get("bytes") or 0), lang)
        button = (f'<button type="button" class="md-button usine-preview-load" hidden>'
                  f'{esc(w["preview_load"].format(size=size))}</button>')
    return (f'<figure class="usine-preview" data-viewer="{ROOT}{VIEWER}" '
            f'data-alt="{esc(w["preview_alt"])}" data-help="{esc(w["preview_help"])}">'
            f"{still}{button}</figure>")


def variant_block(design: Design, selected: Mapping[str, Any] | None,
                  titles: Mapping[str, str], lang: str, viewer_bytes: int | None) -> str:
    """The whole block (one raw-HTML paragraph for Markdown: no blank line inside)."""
    if not design.variants:
        return ""
    selected = selected or design.variants[0]
    varying = varying_params(design.variants)
    parts = ['<div class="usine-design" data-usine-design>']
    if varying:
        parts.append(picker_html(design, varying, titles, selected, lang))
    parts.append(preview_html(selected, lang, viewer_bytes, design.variants))
    common = common_rows(design.variants, lang)
    if common:
        parts.append('<p class="usine-measured">' + " · ".join(
            f"{esc(label)}: {value}" for label, value in common) + "</p>")
    names = frozenset(label for label, _ in common)
    parts += [panel_html(v, varying, lang, v is selected, names) for v in design.variants]
    parts.append("</div>")
    parts.append(f'<script src="{ROOT}{SCRIPT}" defer></script>')
    return "\n".join(p for p in parts if p) + "\n"
