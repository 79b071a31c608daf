"""The design checks and the fit interface, measured on the exported STL (the file a
slicer prints) against the punch pattern's facts (cad.patterns): pegs where the sheet's
holes land, and a peg/hole clearance the sheet slips on without rattling. The pegs are
found and measured by slicing the mesh (pegs.measure_pegs), never read from the model's
parameters."""

from __future__ import annotations

from .parameters import MAX_CLEARANCE, MIN_CLEARANCE, VisorHeadbandParams
from .pegs import measure_pegs_file

POSITION_TOLERANCE_MM = 0.5  #: cad.fit's FIT_TOLERANCE_MM: half the smallest clearance


def _stl(files):
    return (files or {}).get("stl")


def checks(p: VisorHeadbandParams, result, files=None) -> dict[str, dict]:
    """Design checks measured on the STL written for the variant (`files["stl"]`): peg
    positions and peg clearance."""
    pat = p.pattern
    expected = sorted(float(o) for o in pat.offsets)
    stl = _stl(files)
    if stl is None:
        missing = "no STL written for this variant: nothing to measure the pegs on"
        return {"peg_positions": {"ok": False, "detail": missing, "expected_mm": expected,
                                  "measured_mm": [], "max_error_mm": None,
                                  "max_axis_tilt_deg": None},
                "peg_clearance": {"ok": False, "detail": missing, "peg_diameter_mm": None,
                                  "hole_diameter_mm": pat.hole_diameter,
                                  "clearance_mm": None}}
    found = measure_pegs_file(p, stl)
    measured = [q.position_mm for q in found]
    tol = POSITION_TOLERANCE_MM
    if len(measured) != len(expected):
        pos = {"ok": False,
               "detail": (f"found {len(measured)} pegs on the band's outer contour in the "
                          f"STL, expected {len(expected)} (sheet holes, {pat.title})"),
               "expected_mm": expected, "measured_mm": [round(m, 3) + 0.0 for m in measured],
               "max_error_mm": None, "max_axis_tilt_deg": None}
    else:
        err = float(max(abs(m - e) for m, e in zip(measured, expected)))
        tilt = max(q.tilt_deg for q in found)
        pos = {"ok": bool(err <= tol),
               "detail": (f"{len(measured)} pegs in the STL at outer-contour arc lengths "
                          f"{', '.join(f'{m:+.2f}' for m in measured)} mm from the centre "
                          f"line; sheet holes ({pat.title}) at "
                          f"{', '.join(f'{e:+g}' for e in expected)} mm; largest error "
                          f"{err:.3f} mm (allowed {tol} mm); pegs within {tilt:.2f} degrees "
                          f"of the band's normal"),
               "expected_mm": expected, "measured_mm": [round(m, 3) + 0.0 for m in measured],
               "max_error_mm": round(err, 4), "max_axis_tilt_deg": round(tilt, 3)}
    if found:
        dmax = max(q.diameter_mm for q in found)
        clearance = pat.hole_diameter - dmax
        ok = bool(MIN_CLEARANCE - 1e-6 <= clearance <= MAX_CLEARANCE + 1e-6)
        clr = {"ok": ok,
               "detail": (f"pegs Ø {dmax:.2f} mm (widest section in the STL) in "
                          f"Ø {pat.hole_diameter:g} mm holes: clearance {clearance:.2f} mm "
                          f"(accepted {MIN_CLEARANCE:g} to {MAX_CLEARANCE:g} mm: enough for "
                          f"FDM oversize, tight enough not to rattle)"),
               "peg_diameter_mm": round(dmax, 4), "hole_diameter_mm": pat.hole_diameter,
               "clearance_mm": round(clearance, 4)}
    else:
        clr = {"ok": False, "detail": "no pegs found in the STL",
               "peg_diameter_mm": None, "hole_diameter_mm": pat.hole_diameter,
               "clearance_mm": None}
    return {"peg_positions": pos, "peg_clearance": clr}


def interface(p: VisorHeadbandParams, result, files=None) -> dict:
    """The pegs as measured in the STL written for the variant, for the fit check
    (cad.fit) against the sheets' DXF holes."""
    stl = _stl(files)
    found = measure_pegs_file(p, stl) if stl is not None else []
    return {"kind": "pegs", "pattern": p.sheet_pattern,
            "positions_mm": [round(q.position_mm, 4) + 0.0 for q in found],  # no -0.0
            "diameter_mm": round(max(q.diameter_mm for q in found), 4) if found else 0.0}
