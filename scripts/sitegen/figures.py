"""Production figures of a variant (manifest `figures`), rendered generically.

Known groups (contracts-2.md: `print`, `cut`, `nest`, `stiffness`) get translated labels
and units; any other group or key is still shown, under its own name, so that a figure the
engine adds later appears without a change here.
"""

from __future__ import annotations

from typing import Any, Mapping

from .markdown import fmt_value, ltr
from .lang import technology_label, ui


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
        rows.append((w["fig_material"], ltr(str(settings["material"]))))
    if settings.get("layer_height_mm") is not None:
        rows.append((w["fig_layer_height"],
                     ltr(f"{_decimal(settings['layer_height_mm'], lang)} mm")))
    if settings.get("perimeters") is not None:
        rows.append((w["fig_perimeters"], str(settings["perimeters"])))
    if settings.get("infill"):
        infill = str(settings["infill"])
        if settings.get("infill_pattern"):
            infill += f" ({settings['infill_pattern']})"
        rows.append((w["fig_infill"], ltr(infill)))
    return rows


def settings_line(settings: Mapping[str, Any], lang: str) -> str:
    """A profile's settings on one line ("Technology: FDM · Layer height: 0.3 mm · ..."):
    the same for every variant measured with it, so said once per page, not per variant."""
    return " · ".join(f"{label}: {value}" for label, value in _settings_rows(settings, lang))


# (key, word, how the value is written) of the groups shown the same way: cut, nest and
# stiffness figures (contracts-2.md), in the order a maker reads them.
def _mm4(v: Any, lang: str) -> str:
    return ltr(f"{number(v, lang)} mm⁴")


_ROWS = {
    "cut": [("cut_length_mm", "fig_cut_length", lambda v, lang: ltr(length_mm(v, lang))),
            ("pierces", "fig_pierces", lambda v, lang: str(v)),
            ("cut_time_s", "fig_cut_time", duration),
            ("reference", "fig_reference", lambda v, lang: ltr(str(v)))],
    "nest": [("stock_mm", "fig_stock",
              lambda v, lang: ltr(" × ".join(fmt_value(x) for x in v) + " mm")),
             ("parts_per_sheet", "fig_parts_per_sheet", lambda v, lang: str(v)),
             ("efficiency", "fig_efficiency", lambda v, lang: ltr(f"{number(100 * v, lang, 0)} %")),
             ("grid_best", "fig_grid_best", lambda v, lang: str(v)),
             ("vs_grid", "fig_vs_grid", lambda v, lang: ltr(f"× {number(v, lang, 2)}")),
             ("sheets_needed", "fig_sheets_needed", lambda v, lang: str(v))],
    "stiffness": [("second_moment_mm4", "fig_second_moment", _mm4),
                  ("second_moment_sag_mm4", "fig_second_moment_sag", _mm4),
                  ("axis", "fig_axis", lambda v, lang: ltr(str(v)))],
}


def _table_rows(group: str):
    def rows(fig: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
        w = ui(lang)
        return [(w[word], write(fig[key], lang)) for key, word, write in _ROWS[group]
                if fig.get(key) not in (None, "", [], ())]
    return rows, {key for key, _, _ in _ROWS[group]}


KNOWN = {"print": (_print_rows, {"available", "reason", "time_s", "units", "time_per_unit_s",
                                 "filament_g", "filament_cm3", "filament_per_unit_cm3",
                                 "profile", "slicer", "settings"}),
         **{group: _table_rows(group) for group in _ROWS}}


def _raw(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_raw(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_raw(v)}" for k, v in value.items())
    return fmt_value(value)


def label(group: str, key: str, lang: str) -> str:
    """A figure the site has no word for: site.figures.<group>_<key> if a catalog gives
    it, else its name made readable ("second_moment_sag_mm4": "Second moment sag (mm4)"),
    never the raw key."""
    word = ui(lang).get(f"fig_{group}_{key}" if key else f"fig_{group}")
    if word:
        return word
    words = (key or group).split("_")
    unit = f" ({words.pop()})" if len(words) > 1 and words[-1] in UNITS else ""
    text = " ".join(words)
    return text[:1].upper() + text[1:] + unit


UNITS = {"mm", "mm2", "mm3", "mm4", "g", "s", "cm3", "m", "kg", "pct"}


def figure_rows(figures: Mapping[str, Any] | None, lang: str) -> list[tuple[str, str]]:
    """(label, value HTML) of every figure, known groups first in contract order."""
    rows: list[tuple[str, str]] = []
    figures = figures or {}
    for group in [*(g for g in KNOWN if g in figures), *(g for g in figures if g not in KNOWN)]:
        value = figures[group]
        if group in KNOWN and isinstance(value, Mapping):
            render, keys = KNOWN[group]
            rows += render(value, lang)
            rows += [(label(group, k, lang), ltr(_raw(v))) for k, v in value.items()
                     if k not in keys]
        elif isinstance(value, Mapping):
            rows += [(label(group, k, lang), ltr(_raw(v))) for k, v in value.items()]
        else:
            rows.append((label(group, "", lang), ltr(_raw(value))))
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
