"""A design's page (designs/<slug>.md): what it is, its review status and notice, the
variant picker with preview, figures and files, parameters, fits, bill of materials,
instructions, every download with its SHA-256, and the changelog."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from .archive import Archive
from .changelog import Change, changelog_markdown
from .downloads import PROFILES_DIR, checksums_path, files_of_format
from .figures import duration, settings_line
from .inputs import Design, pick
from .markdown import (admonition, cell, fmt_value, human_size, in_english, ltr, shift_headings,
                       span, untranslated_note)
from .variant_panel import variant_block, varying_params
from .lang import FALLBACK_LANG, status_label, technology_label, text_direction, ui

# After a heading: its section stays out of the search index (file lists, checksums and
# the picker's panels would only bloat the index every page loads).
SEARCH_EXCLUDE = "{ data-search-exclude }"

STATUS_ADMONITION = {"prototype": "warning", "community": "info",
                     "clinical": "success", "warning": "danger"}


@dataclass(frozen=True)
class PageExtras:
    """What a design page shows that is not in the manifest: the git history of its folder
    (None: no history), the zip of the whole design, the 3D viewer's size in bytes."""

    changes: list[Change] | None = None
    archive: Archive | None = None
    viewer_bytes: int | None = None


def design_page_path(slug: str) -> str:
    return f"designs/{slug}.md"


def param_text(design: Design, name: str, key: str, lang: str) -> tuple[str, bool]:
    """A parameter's title or doc in ``lang`` (design.toml's [parameters.<name>.<key>],
    else the model's, in English: the manifest's) and whether it fell back to English."""
    built = next((p for p in design.built.get("parameters") or [] if p["name"] == name), {})
    texts = ((design.meta.get("parameters") or {}).get(name) or {}).get(key) or {}
    texts = {"en": built.get(key) or "", **texts} if isinstance(texts, dict) else texts
    return pick(texts, lang)


def param_titles(design: Design, lang: str = FALLBACK_LANG) -> dict[str, str]:
    """Column titles of parameters in ``lang``: 'Title (unit)' when the manifest
    describes them."""
    titles = {}
    for p in design.built.get("parameters") or []:
        unit = f" ({p['unit']})" if p.get("unit") else ""
        titles[p["name"]] = f"{param_text(design, p['name'], 'title', lang)[0] or p['name']}{unit}"
    return titles


def allowed_text(p: Mapping[str, Any], lang: str) -> str:
    """What a described parameter accepts: its choices or its range, with the unit."""
    w = ui(lang)
    if p.get("choices"):
        return ", ".join(fmt_value(c) for c in p["choices"])
    unit = f" {p['unit']}" if p.get("unit") else ""
    lo, hi = (ltr(f"{fmt_value(p[k])}{unit}") if p.get(k) is not None else None
              for k in ("min", "max"))
    if lo and hi:
        return w["from_to"].format(min=lo, max=hi)
    if lo or hi:
        return w["at_least"].format(min=lo) if lo else w["at_most"].format(max=hi)
    return ""


def default_variant(design: Design, fmt: str | None = None) -> dict[str, Any] | None:
    """The variant (with a file of format `fmt`, if given) whose parameters are closest to
    the defaults (the manifest's parameter descriptions); else the first such variant."""
    defaults = {p["name"]: p.get("default") for p in design.built.get("parameters") or []}
    candidates = [v for v in design.variants if fmt is None or files_of_format(v, fmt)]

    def matches(v: dict[str, Any]) -> int:
        return sum(v.get("params", {}).get(k) == d for k, d in defaults.items())

    return max(candidates, key=matches, default=None)


def _header(design: Design, lang: str) -> list[str]:
    """Title, summary, review status with its meaning, the notice, technology/version/licence."""
    w = ui(lang)
    title, t_fb = design.text("title", lang)
    summary, s_fb = design.text("summary", lang)
    not_for, n_fb = design.text("not_certified_for", lang)
    status = design_status(design)
    version = design.built.get("version") or design.meta.get("version", "")
    licence = design.built.get("licence") or design.meta.get("licence", "")
    # Parameter titles the model gives in English only count as an untranslated text.
    p_fb = any(param_text(design, p["name"], "title", lang)[1]
               for p in design.built.get("parameters") or [])
    out = [f"# {title or design.slug}", ""]
    if t_fb or s_fb or n_fb or p_fb:
        out += [untranslated_note(lang)]
    out += [in_english(summary, s_fb), ""]
    out += [admonition(STATUS_ADMONITION.get(status, "warning"),
                       f"{w['review_status']}: {status_label(status, lang)}",
                       w.get(f"status_{status}_help", "")), ""]
    out += [admonition("danger", w["not_certified"], in_english(not_for.strip(), n_fb)), ""]
    licence_md = (f"[{licence}](https://spdx.org/licenses/{licence}.html)"
                  if re.fullmatch(r"[A-Za-z0-9.+-]+", licence or "") else cell(licence))
    badge = span(status_label(status, lang), class_=f"usine-badge usine-badge--{status}")
    return out + [f"- **{w['review_status']}**: {badge}",
                  f"- **{w['technology']}**: {technology_label(design_technology(design), lang)}",
                  f"- **{w['version']}**: {version}",
                  f"- **{w['licence']}**: {licence_md}", ""]


IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif")
_IMAGE_LINK = re.compile(r"(!\[[^\]]*\]\()([^)\s]+)")


def instruction_images(folder: Path) -> list[Path]:
    """Images of a design's folder that its instructions may show (`![...](step-1.svg)`,
    paths relative to the folder); published beside the page as designs/<slug>/<path>."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                  and "__pycache__" not in p.parts)


def rebase_images(markdown: str, slug: str) -> str:
    """Instructions' relative image paths, made relative to designs/<slug>.md."""
    def fix(m: re.Match) -> str:
        target = m.group(2)
        if re.match(r"^([a-z][a-z0-9+.-]*:|/|#)", target, re.I):
            return m.group(0)
        return f"{m.group(1)}{slug}/{target}"
    return _IMAGE_LINK.sub(fix, markdown)


def design_status(design: Design) -> str:
    return design.built.get("status") or design.meta.get("status", "prototype")


def design_technology(design: Design) -> str:
    return design.built.get("technology") or design.meta.get("technology", "")


def _time_columns(variants: list[Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    """(figure group, key, word) of the time columns some variant has."""
    cols = []
    if any(((v.get("figures") or {}).get("print") or {}).get("time_s") for v in variants):
        cols.append(("print", "time_s", "fig_print_time"))
    if any(((v.get("figures") or {}).get("cut") or {}).get("cut_time_s") for v in variants):
        cols.append(("cut", "cut_time_s", "fig_cut_time"))
    return cols


def variants_table(design: Design, lang: str, link: str = "") -> list[str]:
    """One row per variant: the parameters that vary, size, time figures, checks. `link`
    (a page path) makes each variant name link to that design page."""
    w = ui(lang)
    variants = design.variants
    varying = varying_params(variants)
    titles = param_titles(design, lang)
    times = _time_columns(variants)
    head = [w["variant"], *(titles.get(n, n) for n in varying), w["size_mm"],
            *(w[word] for _, _, word in times), w["checks"]]
    out = ["| " + " | ".join(cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    for v in variants:
        size = v.get("bbox", {}).get("size")
        size_txt = ltr(" × ".join(f"{x:.1f}" for x in size)) if size else ""
        ok = w["checks_ok"] if v.get("ok", True) else f"**{w['checks_failed']}**"
        name = f"[`{v['variant']}`]({link})" if link else f"`{v['variant']}`"
        row = [name, *(cell(fmt_value(v["params"].get(n))) for n in varying), size_txt]
        for group, key, _ in times:
            value = ((v.get("figures") or {}).get(group) or {}).get(key)
            row.append(duration(value, lang) if value else "")
        out.append("| " + " | ".join([*row, ok]) + " |")
    return out + [""]


def parameters_table(design: Design, lang: str) -> list[str]:
    """Every parameter once: its value(s), what is allowed and what it does."""
    w = ui(lang)
    variants = design.variants
    names = list(dict.fromkeys(k for v in variants for k in v.get("params", {})))
    if not names:
        return []
    described = {p["name"]: p for p in design.built.get("parameters") or []}
    titles = param_titles(design, lang)
    head = [w["parameter"], w["value"]]
    if described:
        head += [w["allowed"], w["description"]]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for n in names:
        values = list(dict.fromkeys(fmt_value(v["params"].get(n)) for v in variants))
        row = [cell(titles.get(n, n)), cell(", ".join(values))]
        if described:
            p = described.get(n, {})
            doc, in_en = param_text(design, n, "doc", lang)
            doc = span(cell(doc), lang=FALLBACK_LANG, dir="ltr") if doc and in_en else cell(doc)
            row += [cell(allowed_text(p, lang)), doc]
        out.append("| " + " | ".join(row) + " |")
    return out + [""]


def numeric(lang: str) -> str:
    """Markdown's delimiter of a column of numbers: right-aligned ("---:", a style attribute
    on every cell); in a right-to-left page a plain column, which Material aligns to the
    right already (the start of the line), so the cells need no attribute."""
    return "---" if text_direction(lang) == "rtl" else "---:"


def fits_section(design: Design, lang: str, published: set[str] | None = None) -> list[str]:
    """Which parts fit together: the build's fit checks (variant `fits`)."""
    w = ui(lang)
    rows = []
    for v in design.variants:
        for fit in v.get("fits") or []:
            other = f"{fit.get('design', '')} · {fit.get('variant', '')}"
            other_md = ltr(cell(other))
            if published is not None and fit.get("design") in published:
                other_md = f"[{cell(other)}]({fit['design']}.md)"
            result = w["fit_ok"] if fit.get("ok") else f"**{w['fit_bad']}**"
            err = fit.get("max_error_mm")
            gap = fit.get("clearance_mm")
            rows.append(f"| `{v['variant']}` | {other_md} | {result} "
                        f"| {ltr(f'{err:g} mm') if err is not None else ''} "
                        f"| {ltr(f'{gap:g} mm') if gap is not None else ''} |")
    if not rows:
        return []
    return [f"## {w['fits']}", "", w["fits_intro"], "",
            f"| {w['variant']} | {w['fit_with']} | {w['fit_result']} | {w['max_error']} "
            f"| {w['clearance']} |", f"|---|---|---|{numeric(lang)}|{numeric(lang)}|", *rows, ""]


def downloads_section(design: Design, lang: str, archive: Archive | None) -> list[str]:
    w = ui(lang)
    out = [f"## {w['downloads']} {SEARCH_EXCLUDE}", ""]
    if archive is not None:
        out += [f"### {w['whole_design']} {SEARCH_EXCLUDE}", "", w["zip_note"], "",
                f"- [{archive.name}](../{archive.path}){{ download=\"{archive.name}\" "
                f'dir="ltr" }} · {ltr(human_size(len(archive.data), lang))} · '
                f"{w['sha256']} `{archive.sha256}`", ""]
    if design.variants:
        out += [w["files_in_panels"], "",
                w["checksums_note"].format(href=f"../{checksums_path(design)}"), ""]
    for name, settings in profiles_cited(design).items():  # the profile the 3MF files carry
        line = f"{w['fig_profile']}: [{name}](../{PROFILES_DIR}/{name}){{ download }}"
        summary = settings_line(settings, lang)
        out += [f"{line} · {summary}" if summary else line, ""]
    return out


def profiles_cited(design: Design) -> dict[str, Mapping[str, Any]]:
    """The slicer profiles the design's print figures were measured with, and the
    settings each prints with (technology, material, layer height, perimeters, infill)."""
    cited: dict[str, Mapping[str, Any]] = {}
    for variant in design.variants:
        fig = (variant.get("figures") or {}).get("print") or {}
        if fig.get("profile"):
            cited.setdefault(str(fig["profile"]), fig.get("settings") or {})
    return dict(sorted(cited.items()))


def design_markdown(design: Design, lang: str, extras: PageExtras | None = None,
                    published: set[str] | None = None) -> str:
    """A design's page. Links are relative to `designs/<slug>.md`. `published` (slugs)
    turns fit checks against other published designs into links."""
    extras = extras or PageExtras()
    w = ui(lang)
    out = _header(design, lang)

    if design.variants:
        selected = default_variant(design)
        out += [f"## {w['choose_variant']} {SEARCH_EXCLUDE}", "",
                variant_block(design, selected, param_titles(design, lang), lang, extras.viewer_bytes),
                f"## {w['variants']}", "", *variants_table(design, lang)]
    params = parameters_table(design, lang)
    if params:
        out += [f"## {w['parameters']}", "", *params]
    out += fits_section(design, lang, published)

    bom = design.meta.get("bom") or []
    if bom:
        out += [f"## {w['bom']}", "", f"| {w['quantity']} | {w['unit']} | {w['item']} |",
                f"|{numeric(lang)}|---|---|"]
        for line in bom:
            item, _ = pick(line.get("item"), lang)
            out.append(f"| {fmt_value(line.get('quantity', ''))} | {cell(line.get('unit', ''))} "
                       f"| {cell(item)} |")
        out.append("")

    out += [f"## {w['instructions']}", ""]
    text, fell_back = pick(design.instructions, lang)
    if text:
        if fell_back:
            out += [untranslated_note(lang)]
        text = rebase_images(shift_headings(text.strip(), 3), design.slug)
        out += [in_english(text, fell_back), ""]
    else:
        out += [w["no_instructions"], ""]

    out += downloads_section(design, lang, extras.archive)
    out += [changelog_markdown(extras.changes, lang)]
    return "\n".join(out)
