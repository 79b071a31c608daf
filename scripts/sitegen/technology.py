"""The "by technology" pages (technology/<tech>.md): the settings the figures were
measured with, and every design of that technology with its variants and parameters."""

from __future__ import annotations

from .design_page import design_status, design_technology, parameters_table, variants_table
from .downloads import DOWNLOADS_DIR
from .inputs import Design
from .markdown import cell, ltr
from .lang import status_label, technology_label, ui

TECHNOLOGIES = ("fdm", "laser")  # always have a page, even without designs
PROFILE_DIR = f"{DOWNLOADS_DIR}/profiles"
# Settings of a PrusaSlicer profile worth showing a maker, in this order.
PROFILE_KEYS = ("nozzle_diameter", "filament_diameter", "layer_height", "first_layer_height",
                "perimeters", "top_solid_layers", "bottom_solid_layers", "fill_density",
                "fill_pattern", "perimeter_speed", "external_perimeter_speed", "infill_speed",
                "travel_speed", "temperature", "bed_temperature", "filament_type",
                "support_material", "bed_shape")


def technology_page_path(tech: str) -> str:
    return f"technology/{tech}.md"


def technologies(designs: list[Design]) -> list[str]:
    present = {design_technology(d) for d in designs if design_technology(d)}
    return [*TECHNOLOGIES, *sorted(present - set(TECHNOLOGIES))]


def parse_ini(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            key, value = line.split("=", 1)
            out[key.strip()] = value.strip()
    return out


def profiles_used(designs: list[Design]) -> list[str]:
    """Names of the slicer profiles the print figures were measured with."""
    names = {((v.get("figures") or {}).get("print") or {}).get("profile")
             for d in designs for v in d.variants}
    return sorted(n for n in names if n)


def cut_references(designs: list[Design]) -> list[str]:
    refs = {((v.get("figures") or {}).get("cut") or {}).get("reference")
            for d in designs for v in d.variants}
    return sorted(r for r in refs if r)


def technology_markdown(tech: str, designs: list[Design], lang: str,
                        profiles: dict[str, str] | None = None) -> str:
    """`designs` is every published design (those of other technologies are skipped);
    `profiles` maps a profile name to its text (for fdm)."""
    w = ui(lang)
    mine = [d for d in designs if design_technology(d) == tech]
    out = [f"# {technology_label(tech, lang)}", ""]
    intro = w.get(f"tech_intro_{tech}")
    if intro:
        out += [intro, ""]
    settings = _settings(tech, mine, lang, profiles or {})
    if settings:
        out += [f"## {w['settings']}", "", *settings]
    out += [f"## {w['designs_of_tech']}", ""]
    if not mine:
        return "\n".join(out + [w["no_designs"], ""])
    for d in mine:
        title = d.text("title", lang)[0] or d.slug
        page = f"../designs/{d.slug}.md"
        out += [f"### [{cell(title)}]({page})", "",
                f"{w['review_status']}: **{status_label(design_status(d), lang)}**", ""]
        if d.variants:
            # Headings of their own: each table is named by the headings above it
            # (sitegen/tables.py), so "Demo clip – Parameters" is told from "Demo clip –
            # Variants" and from another design's tables.
            out += [f"#### {w['variants']}", "", *variants_table(d, lang, link=page)]
            params = parameters_table(d, lang)
            if params:
                out += [f"#### {w['parameters']}", "", *params]
    return "\n".join(out)


def _settings(tech: str, designs: list[Design], lang: str, profiles: dict[str, str]) -> list[str]:
    w = ui(lang)
    out: list[str] = []
    if tech == "fdm":
        for name in profiles_used(designs):
            text = profiles.get(name)
            if text is None:
                out += [f"`{name}`: {w['profile_missing']}", ""]
                continue
            values = parse_ini(text)
            rows = [f"| `{k}` | {ltr(cell(values[k]))} |" for k in PROFILE_KEYS if k in values]
            out += [f"### `{name}`", "", f"| {w['setting']} | {w['value']} |", "|---|---|", *rows,
                    "", w["profile_download"].format(name=name, href=f"../{PROFILE_DIR}/{name}"),
                    ""]
    refs = cut_references(designs)
    if refs:
        out += [w["cut_reference"].format(reference=ltr(", ".join(refs))), ""]
    return out
