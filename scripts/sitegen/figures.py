"""Production figures of a variant (manifest `figures`), rendered generically.

Known groups (contracts-2.md: `print`, `cut`, `nest`, `stiffness`) get translated labels
and units; any other group or key is still shown, under its own name, so that a figure the
engine adds later appears without a change here.
"""

from __future__ import annotations

from typing import Any, Mapping

import html

from .markdown import fmt_value, ltr
from .words import technology_label, ui


def duration(seconds: float, lang: str) -> str:
    """'1 h 31 min', '4 min 05 s', '38 s' (units in the language's words, so no dir="ltr":
    an Arabic duration reads right to left)."""
    w = ui(lang)
    total = int(round(float(seconds)))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h} {w['dur_h']} {m:02d} {w['dur_min']}"
    if m:
        return f"{m} {w['dur_min']} {s:02d} {w['dur_s']}"
    return f"{s} {w['dur_s']}"


def number(value: float, lang: str, digits: int = 1) -> str:
    text = f"{value:,.{digits}f}".replace(",", "\u202f")
    return text.replace(".", ui(lang)["decimal"])


def length_mm(mm: float, lang: str) -> str:
    return f"{number(mm / 1000, lang, 2)} m" if mm >= 1000 else f"{number(mm, lang, 1)} mm"


def _print_rows(fig: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    w = ui(lang)
    if not fig.get("available", True):
        return [(w["fig_print_time"], f"{w['fig_not_measured']} ({fig.get('reason', '')})")]
    rows = []
    if fig.get("time_s") is not None:
        rows.append((w["fig_print_time"], duration(fig["time_s"], lang)))
    units = fig.get("units")
    if units and units != 1:
        rows.append((w["fig_units"], str(units)))
        if fig.get("time_per_unit_s") is not None:
            rows.append((w["fig_time_per_unit"], duration(fig["time_per_unit_s"], lang)))
        if fig.get("filament_per_unit_cm3"):
            rows.append((w["fig_filament_per_unit"],
                         ltr(f"{number(fig['filament_per_unit_cm3'], lang, 2)} cm³")))
    filament = []
    if fig.get("filament_g"):
        filament.append(f"{number(fig['filament_g'], lang)} g")
    if fig.get("filament_cm3"):
        filament.append(f"{number(fig['filament_cm3'], lang, 2)} cm³")
    if filament:
        rows.append((w["fig_filament"], ltr(" · ".join(filament))))
    used = [str(fig[k]) for k in ("profile", "slicer") if fig.get(k)]
    if used:
        rows.append((w["fig_measured_with"], ltr(", ".join(used))))
    return rows


def _decimal(value: float, lang: str) -> str:
    return f"{float(value):g}".replace(".", ui(lang)["decimal"])


def _settings_rows(settings: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """The profile's settings a maker prints with (cad.slicer.profile_settings)."""
    w = ui(lang)
    rows = []
    if settings.get("technology"):
        rows.append((w["fig_technology"], technology_label(str(settings["technology"]), lang)))
    if settings.get("material"):
        rows.append((w["fig_material"], ltr(html.escape(str(settings["material"])))))
    if settings.get("layer_height_mm") is not None:
        rows.append((w["fig_layer_height"],
                     ltr(f"{_decimal(settings['layer_height_mm'], lang)} mm")))
    if settings.get("perimeters") is not None:
        rows.append((w["fig_perimeters"], str(settings["perimeters"])))
    if settings.get("infill"):
        infill = html.escape(str(settings["infill"]))
        if settings.get("infill_pattern"):
            infill += f" ({html.escape(str(settings['infill_pattern']))})"
        rows.append((w["fig_infill"], ltr(infill)))
    return rows


def settings_line(settings: Mapping[str, Any], lang: str) -> str:
    """A profile's settings on one line ("Technology: FDM · Layer height: 0.3 mm · ..."):
    the same for every variant measured with it, so said once per page, not per variant."""
    return " · ".join(f"{label}: {value}" for label, value in _settings_rows(settings, lang))


def _cut_rows(fig: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    w = ui(lang)
    rows = []
    if fig.get("cut_length_mm") is not None:
        rows.append((w["fig_cut_length"], ltr(length_mm(fig["cut_length_mm"], lang))))
    if fig.get("pierces") is not None:
        rows.append((w["fig_pierces"], str(fig["pierces"])))
    if fig.get("cut_time_s") is not None:
        rows.append((w["fig_cut_time"], duration(fig["cut_time_s"], lang)))
    if fig.get("reference"):
        rows.append((w["fig_reference"], ltr(str(fig["reference"]))))
    return rows


def _nest_rows(fig: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    w = ui(lang)
    rows = []
    if fig.get("stock_mm"):
        rows.append((w["fig_stock"], ltr(" × ".join(fmt_value(x) for x in fig["stock_mm"]) + " mm")))
    if fig.get("parts_per_sheet") is not None:
        rows.append((w["fig_parts_per_sheet"], str(fig["parts_per_sheet"])))
    if fig.get("efficiency") is not None:
        rows.append((w["fig_efficiency"], ltr(f"{number(100 * fig['efficiency'], lang, 0)} %")))
    if fig.get("grid_best") is not None:
        rows.append((w["fig_grid_best"], str(fig["grid_best"])))
    if fig.get("vs_grid") is not None:
        rows.append((w["fig_vs_grid"], ltr(f"× {number(fig['vs_grid'], lang, 2)}")))
    if fig.get("sheets_needed") is not None:
        rows.append((w["fig_sheets_needed"], str(fig["sheets_needed"])))
    return rows


def _stiffness_rows(fig: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    w = ui(lang)
    rows = []
    if fig.get("second_moment_mm4") is not None:
        rows.append((w["fig_second_moment"], ltr(f"{number(fig['second_moment_mm4'], lang)} mm⁴")))
    if fig.get("axis"):
        rows.append((w["fig_axis"], ltr(str(fig["axis"]))))
    return rows


KNOWN = {"print": (_print_rows, {"available", "reason", "time_s", "units", "time_per_unit_s",
                                 "filament_g", "filament_cm3", "filament_per_unit_cm3",
                                 "profile", "slicer", "settings"}),
         "cut": (_cut_rows, {"cut_length_mm", "pierces", "cut_time_s", "reference"}),
         "nest": (_nest_rows, {"stock_mm", "parts_per_sheet", "efficiency", "grid_best",
                               "vs_grid", "sheets_needed"}),
         "stiffness": (_stiffness_rows, {"second_moment_mm4", "axis"})}


def _raw(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_raw(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_raw(v)}" for k, v in value.items())
    return fmt_value(value)


def figure_rows(figures: Mapping[str, Any] | None, lang: str) -> list[tuple[str, str]]:
    """(label, value HTML) of every figure, known groups first in contract order."""
    rows: list[tuple[str, str]] = []
    figures = figures or {}
    for group in [*(g for g in KNOWN if g in figures), *(g for g in figures if g not in KNOWN)]:
        value = figures[group]
        if group in KNOWN and isinstance(value, Mapping):
            render, keys = KNOWN[group]
            rows += render(value, lang)
            rows += [(f"{group}.{k}", ltr(_raw(v))) for k, v in value.items() if k not in keys]
        elif isinstance(value, Mapping):
            rows += [(f"{group}.{k}", ltr(_raw(v))) for k, v in value.items()]
        else:
            rows.append((group, ltr(_raw(value))))
    return rows


def fastest(variants: list[Mapping[str, Any]]) -> tuple[str, float] | None:
    """('print' | 'cut', seconds) of the fastest variant: per part when a print holds
    several parts; a cut time only when no print time is measured."""
    prints, cuts = [], []
    for v in variants:
        fig = v.get("figures") or {}
        p = fig.get("print") or {}
        if p.get("available", True) and (p.get("time_per_unit_s") or p.get("time_s")):
            prints.append(float(p.get("time_per_unit_s") or p["time_s"]))
        c = fig.get("cut") or {}
        if c.get("cut_time_s"):
            cuts.append(float(c["cut_time_s"]))
    if prints:
        return "print", min(prints)
    if cuts:
        return "cut", min(cuts)
    return None
