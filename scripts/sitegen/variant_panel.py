"""The "choose a variant" block of a design page, as data for
docs/overrides/usine/variant-block.html: the picker (one select per parameter that
differs between variants), the preview (the default variant's drawing, and the button
that loads the vendored <model-viewer> 3D view only when asked, so the page stays light)
and one panel per variant (its size, production figures and files). URLs are relative
to the design page (`designs/<slug>.html`: `../` is the language's site root)."""

from __future__ import annotations

from typing import Any, Mapping

from .downloads import download_href, file_format, files_of_format, sorted_files
from .figures import figure_rows
from .inputs import Design
from .lang import ui
from .markdown import fmt_value, human_size
from .render import html_block

ROOT = "../"  # from designs/<slug>.html to the language's site root
VIEWER = "assets/vendor/model-viewer/model-viewer.min.js"
SCRIPT = "assets/javascripts/design.js"  # only design pages load it
PREVIEW_GLB_MAX = 250_000  # bytes: the budget of a preview GLB (issue 5)


def varying_params(variants: list[Mapping[str, Any]]) -> list[str]:
    """Parameters whose value differs between variants, in declaration order."""
    names = list(dict.fromkeys(k for v in variants for k in v.get("params", {})))
    return [n for n in names
            if len({fmt_value(v.get("params", {}).get(n)) for v in variants}) > 1]


def size_text(variant: Mapping[str, Any]) -> str:
    size = (variant.get("bbox") or {}).get("size")
    return " × ".join(f"{x:.1f}" for x in size) + " mm" if size else ""


def preview_glb(variant: Mapping[str, Any]) -> dict[str, Any] | None:
    """The GLB the 3D view loads for a variant: none above PREVIEW_GLB_MAX (the page offers
    the drawing and the download instead of a heavy preview)."""
    glbs = [g for g in files_of_format(variant, "glb")
            if int(g.get("bytes") or 0) <= PREVIEW_GLB_MAX]
    return glbs[0] if glbs else None


def common_rows(variants: list[Mapping[str, Any]], lang: str) -> list[tuple[str, str]]:
    """Figure rows that every variant with figures has alike (the profile and slicer the
    figures were measured with, a stiffness axis...): stated once above the panels, the
    profile first, instead of once in each panel."""
    label = ui(lang)["fig_measured_with"]
    rows = [figure_rows(v.get("figures"), lang) for v in variants if v.get("figures")]
    if len(rows) < 2:
        return []
    alike = [row for row in rows[0] if all(row in other for other in rows[1:])]
    return sorted(alike, key=lambda row: row[0] != label)


def _panel(variant: Mapping[str, Any], varying: list[str], lang: str, default: bool,
           common: frozenset[str]) -> dict[str, Any]:
    glb, svg = preview_glb(variant), files_of_format(variant, "svg")
    files = [{"href": download_href(info), "name": info["path"].rsplit("/", 1)[-1],
              "label": ui(lang).get(f"kind_{file_format(key, info)}",
                                    file_format(key, info).upper()),
              "size": human_size(info["bytes"], lang), "sha256": info["sha256"]}
             for key, info in sorted_files(variant)]
    return {"id": str(variant["variant"]), "default": default, "size": size_text(variant),
            "params": {n: fmt_value(variant.get("params", {}).get(n)) for n in varying},
            "glb": download_href(glb) if glb else "",
            "svg": download_href(svg[0]) if svg else "",
            "has_figures": bool(variant.get("figures")),
            "figures": [r for r in figure_rows(variant.get("figures"), lang)
                        if r[0] not in common],
            "files": files}


def _preview(selected: Mapping[str, Any], variants: list[Mapping[str, Any]], lang: str,
             viewer_bytes: int | None) -> dict[str, Any] | None:
    svg, glb = files_of_format(selected, "svg"), preview_glb(selected)
    if not svg and not glb:
        return None
    load = ""
    if any(preview_glb(v) for v in variants):
        load = human_size((viewer_bytes or 0) + int((glb or {}).get("bytes") or 0), lang)
    return {"viewer": ROOT + VIEWER, "variant": str(selected["variant"]),
            "still": download_href(svg[0]) if svg else "", "load": load}


def variant_block(design: Design, selected: Mapping[str, Any] | None,
                  titles: Mapping[str, str], lang: str, viewer_bytes: int | None) -> str:
    """The whole block (one raw-HTML paragraph for Markdown: no blank line inside)."""
    if not design.variants:
        return ""
    selected = selected or design.variants[0]
    varying = varying_params(design.variants)
    picker = [{"name": name, "title": titles.get(name, name),
               "values": list(dict.fromkeys(fmt_value(v.get("params", {}).get(name))
                                            for v in design.variants)),
               "current": fmt_value(selected.get("params", {}).get(name))}
              for name in varying]
    common = common_rows(design.variants, lang)
    names = frozenset(label for label, _ in common)
    panels = [_panel(v, varying, lang, v is selected, names) for v in design.variants]
    label = ui(lang)["fig_measured_with"]
    measured = [row for row in common if row[0] == label]
    common = [row for row in common if row[0] != label]
    return html_block("variant-block.html", w=ui(lang), picker=picker, measured=measured,
                      common=common,
                      preview=_preview(selected, design.variants, lang, viewer_bytes),
                      panels=panels, script=ROOT + SCRIPT)
