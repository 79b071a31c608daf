"""Does a headband fit a sheet? Pegs against holes, for every pair with one pattern.

A design that carries a sheet (printed headband, laser-cut band) declares, through its
model's `interface(p, result, files)`, its pegs as measured on the built part:

    {"kind": "pegs", "pattern": "eu-888", "positions_mm": [-120.0, ...], "diameter_mm": 5.6}

where positions are arc lengths along the band's front from the centre line (where the
sheet wraps, arc length is the sheet's own length) and diameter is the peg's (or tab
neck's) width across the hole. A sheet declares its holes the same way with
`"kind": "holes"` (positions: hole centres from the sheet's centre line along the
punched edge, measured on the cut profile).

A pair fits when it has as many pegs as holes, every peg is within FIT_TOLERANCE_MM of
its hole, and the clearance (hole diameter less peg diameter) is between
MIN_CLEARANCE_MM and MAX_CLEARANCE_MM:

* 0.2 mm at least: FDM pegs come out up to about 0.2 mm oversize, and a punched PET
  hole does not stretch;
* 1.0 mm at most: beyond it the sheet rattles and slides (users of 2020 visors
  reported sheets "too loose until the pitch was tightened by 1 mm");
* ±0.5 mm on position: half the smallest clearance each side keeps a 0.25 to 0.5 mm
  sheet from being strained between two pegs (the 2020 misfit: pegs 110 mm apart for
  108 mm punches, 2 mm off).
"""

from __future__ import annotations

from typing import Any, Iterable

FIT_TOLERANCE_MM = 0.5
MIN_CLEARANCE_MM = 0.2
MAX_CLEARANCE_MM = 1.0


def check_fit(pegs: dict[str, Any], holes: dict[str, Any],
              tolerance: float = FIT_TOLERANCE_MM, min_clearance: float = MIN_CLEARANCE_MM,
              max_clearance: float = MAX_CLEARANCE_MM) -> dict[str, Any]:
    """{"ok", "max_error_mm", "clearance_mm", "detail"} of one carrier/sheet pair."""
    p = sorted(float(v) for v in pegs["positions_mm"])
    h = sorted(float(v) for v in holes["positions_mm"])
    clearance = round(float(holes["diameter_mm"]) - float(pegs["diameter_mm"]), 4)
    problems = []
    if pegs.get("pattern") != holes.get("pattern"):
        problems.append(f"pattern {pegs.get('pattern')} against {holes.get('pattern')}")
    if len(p) != len(h):
        problems.append(f"{len(p)} pegs for {len(h)} holes")
        err = None
    else:
        err = round(max((abs(a - b) for a, b in zip(p, h)), default=0.0), 4)
        if err > tolerance + 1e-9:
            worst = max(zip(p, h), key=lambda ab: abs(ab[0] - ab[1]))
            problems.append(f"a peg at {worst[0]:+.2f} mm for a hole at {worst[1]:+.2f} mm: "
                            f"{err:.2f} mm off (allowed {tolerance:g})")
    if not min_clearance - 1e-9 <= clearance <= max_clearance + 1e-9:
        problems.append(f"clearance {clearance:.2f} mm (peg Ø {pegs['diameter_mm']:g} in hole "
                        f"Ø {holes['diameter_mm']:g}; allowed {min_clearance:g} to "
                        f"{max_clearance:g} mm)")
    ok = not problems
    detail = (f"{len(p)} pegs within {err:.2f} mm of the holes, clearance {clearance:.2f} mm"
              if ok else "; ".join(problems))
    return {"ok": ok, "max_error_mm": err, "clearance_mm": clearance, "detail": detail}


def _iface(rec: dict[str, Any], kind: str) -> dict[str, Any] | None:
    iface = rec.get("interface")
    return iface if isinstance(iface, dict) and iface.get("kind") == kind else None


def apply_fits(records: Iterable[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """Check every carrier against every sheet of its pattern, in place.

    Sets `fits` on each carrier (the sheets it was checked against) and on each sheet
    (the carriers that fit it). Returns {(design, variant): reason} for carriers that do
    not fit a sheet of their own pattern: the build refuses to publish those."""
    records = list(records)
    carriers = [r for r in records if _iface(r, "pegs")]
    sheets = [r for r in records if _iface(r, "holes")]
    refused: dict[tuple[str, str], str] = {}
    for sheet in sheets:
        sheet["fits"] = []
    for carrier in carriers:
        pegs = _iface(carrier, "pegs")
        carrier["fits"] = []
        for sheet in sheets:
            holes = _iface(sheet, "holes")
            if holes["pattern"] != pegs["pattern"]:
                continue
            result = check_fit(pegs, holes)
            carrier["fits"].append({"design": sheet["design"], "variant": sheet["variant"],
                                    **result})
            if result["ok"]:
                sheet["fits"].append({"design": carrier["design"],
                                      "variant": carrier["variant"], **result})
            else:
                refused.setdefault(
                    (carrier["design"], carrier["variant"]),
                    f"does not fit {sheet['design']}/{sheet['variant']}: {result['detail']}")
    return refused
