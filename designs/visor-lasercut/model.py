"""Laser-cut headband: one flat strip of 0.5 to 1 mm PP or PETG, with fold-out tabs.

The strip is cut flat and bent round the forehead, where it takes the head's ellipse
(the head-size table of the printed headband). Tabs stand on its upper edge, one per
hole of the sheet's punch pattern (cad.patterns); each tab is folded 90 degrees outwards
along the strip's edge and becomes a flat peg that the sheet's hole slips over. A slot
near each end takes an elastic strap.

Where the tabs go. Bent, the strip's mid-thickness (neutral) line keeps its flat length;
the sheet wraps the strip's OUTER face, whose arc length from the centre line is a
little longer (by half the thickness times the angle turned). So each tab is placed at
the neutral arc length whose outer arc length equals the hole's offset: within 0.001 mm
of the hole when bent on the design's ellipse, instead of up to 0.5 mm off if placed
naively. The fit check (cad.fit) reads these positions back from the cut profile.

Each tab is `tab_width` wide and `tab_length` long with a half-round tip. Folded, its
section is a tab_width x thickness rectangle whose diagonal must pass the hole: that
diagonal is the tab's "peg diameter" for the fit check (clearance 0.2 to 1 mm).

Outputs: the `cut` profile (one band, DXF), the 3D preview (the flat strip), and
`nest.dxf`: as many bands as fit on a stock sheet (cad.nesting), ready to cut.
"""

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cadquery as cq
import numpy as np

from cad import dxf, nesting, section
from cad.fit import MAX_CLEARANCE_MM, MIN_CLEARANCE_MM
from cad.anthropometry import HEAD_SIZES
from cad.params import Params, param
from cad.patterns import SHEET_PATTERNS, SheetPattern

END_RADIUS = 4.0  #: mm, the strip's rounded ends
SLOT_LENGTH = 3.0  #: mm, strap slot along the strip
SLOT_END_POST = 6.0  #: mm between a strap slot and the strip's end
SHEET_EDGE_GAP = 1.0  #: mm between the sheet's edge and the strap slot
_GL_X, _GL_W = np.polynomial.legendre.leggauss(48)


@dataclass(frozen=True)
class VisorLasercutParams(Params):
    """Parameters of the laser-cut band (millimetres)."""

    head_size: str = param(
        "m", unit="", choices=tuple(HEAD_SIZES), title="Head size",
        doc="s, m or l, as the printed headband: the strip bends to half the head "
            "breadth by half the head length.")
    sheet_pattern: str = param(
        "eu-888", unit="", choices=tuple(SHEET_PATTERNS), title="Sheet punch pattern",
        doc="Pattern of the sheet's holes: one tab per hole (see the pattern table).")
    material_thickness: float = param(
        0.75, min=0.5, max=1.0, title="Material thickness",
        doc="PP or PETG sheet, 0.5 to 1 mm: thinner bends more easily, thicker holds "
            "the sheet's shape better.")
    band_height: float = param(
        20.0, min=12.0, max=40.0, title="Band height",
        doc="Width of the strip (its height when worn).")
    band_reach: float = param(
        165.0, min=120.0, max=230.0, title="Band reach",
        doc="Length of the strip from its centre to each end (flat).")
    tab_width: float = param(
        5.4, min=3.0, max=7.8, title="Tab width",
        doc="Width of each tab. Folded, the tab's section (width x thickness) must pass "
            "the 6 mm hole with 0.2 to 1 mm to spare on its diagonal: 5.4 mm in 0.75 mm "
            "material leaves 0.55 mm.")
    tab_length: float = param(
        8.0, min=4.0, max=15.0, title="Tab length",
        doc="How far the folded tab sticks out (the sheet needs a few millimetres).")
    strap_slot_height: float = param(
        12.0, min=4.0, max=30.0, title="Strap slot height",
        doc="Height of the strap slots (the widest elastic they take).")
    stock_width: float = param(
        600.0, min=200.0, max=2000.0, title="Stock sheet width",
        doc="Width of the stock sheet the bands are nested on.")
    stock_height: float = param(
        400.0, min=100.0, max=2000.0, title="Stock sheet height",
        doc="Height of the stock sheet the bands are nested on.")
    nest_gap: float = param(
        2.0, min=0.5, max=10.0, title="Nesting gap",
        doc="Material left between two nested bands (kerf and strength).")

    @property
    def pattern(self) -> SheetPattern:
        return SHEET_PATTERNS[self.sheet_pattern]

    @property
    def semi_axes(self) -> tuple[float, float]:
        head = HEAD_SIZES[self.head_size]
        breadth, length = head.breadth, head.length
        return breadth / 2, length / 2

    @property
    def tab_diagonal(self) -> float:
        return math.hypot(self.tab_width, self.material_thickness)

    @property
    def slot_centre(self) -> float:
        return self.band_reach - SLOT_END_POST - SLOT_LENGTH / 2

    def validate(self) -> None:
        pat = self.pattern
        clearance = pat.hole_diameter - self.tab_diagonal
        if not MIN_CLEARANCE_MM - 1e-9 <= clearance <= MAX_CLEARANCE_MM + 1e-9:
            t = self.material_thickness
            lo = math.sqrt(max(0.0, (pat.hole_diameter - MAX_CLEARANCE_MM) ** 2 - t * t))
            hi = math.sqrt((pat.hole_diameter - MIN_CLEARANCE_MM) ** 2 - t * t)
            self.fail("tab_width", f"from {lo:.2f} to {hi:.2f} mm in {t:g} mm material: the "
                      f"folded tab's diagonal must be 0.2 to 1 mm below the "
                      f"{pat.hole_diameter:g} mm holes")
        need = pat.sheet_width / 2 + SHEET_EDGE_GAP + SLOT_LENGTH + SLOT_END_POST
        if self.band_reach < need - 1e-9:
            self.fail("band_reach", f"at least {need:g} mm: the strip must carry the "
                      f"{pat.sheet} sheet to its edges before the strap slots")
        if self.strap_slot_height > self.band_height - 4:
            self.fail("strap_slot_height", f"at most {self.band_height - 4:g} mm (2 mm of "
                      f"strip above and below)")
        length = 2 * self.band_reach
        if length > max(self.stock_width, self.stock_height):
            self.fail("band_reach", f"at most {max(self.stock_width, self.stock_height) / 2:g} "
                      f"mm: the strip ({length:g} mm) must fit the stock sheet")


PARAMS = VisorLasercutParams


# ------------------------------------------------------------------ ellipse arcs


def arc_length(A: float, B: float, t: float) -> float:
    """Arc length of x = A sin u, y = B cos u from u = 0 to u = t."""
    n = max(1, int(abs(t) / 0.25) + 1)
    edges = np.linspace(0.0, t, n + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        mid, half = (lo + hi) / 2, (hi - lo) / 2
        u = mid + half * _GL_X
        total += half * float(np.dot(_GL_W, np.hypot(A * np.cos(u), B * np.sin(u))))
    return total


def param_at_arc(A: float, B: float, s: float) -> float:
    t = s / ((A + B) / 2)
    for _ in range(60):
        step = (arc_length(A, B, t) - s) / math.hypot(A * math.cos(t), B * math.sin(t))
        t -= step
        if abs(step) < 1e-13:
            break
    return t


def neutral_from_outer(p: VisorLasercutParams, s_outer: float) -> float:
    """Flat (neutral) position along the strip of a point at outer arc length s_outer."""
    a, b = p.semi_axes
    t = p.material_thickness
    u = param_at_arc(a + t, b + t, s_outer)
    return arc_length(a + t / 2, b + t / 2, u)


def outer_from_neutral(p: VisorLasercutParams, s_flat: float) -> float:
    """Outer-face arc length, once bent, of the point at flat position s_flat."""
    a, b = p.semi_axes
    t = p.material_thickness
    u = param_at_arc(a + t / 2, b + t / 2, s_flat)
    return arc_length(a + t, b + t, u)


def tab_positions(p: VisorLasercutParams) -> list[float]:
    """Flat positions of the tabs' centres along the strip (x, from the strip's centre)."""
    return [neutral_from_outer(p, o) for o in p.pattern.offsets]


# ------------------------------------------------------------------ geometry


def outline(p: VisorLasercutParams) -> cq.Sketch:
    """The flat band: strip with rounded ends, tabs on the upper edge (y = band_height),
    two strap slots. Origin at the strip's centre on its lower edge."""
    L, h = 2 * p.band_reach, p.band_height
    w, r = p.tab_width, p.tab_width / 2
    straight = p.tab_length - r
    xs = tab_positions(p)
    sk = (cq.Sketch().push([(0, h / 2)]).rect(L, h).reset().vertices()
          .fillet(END_RADIUS).reset())
    # tabs: a rectangle from just inside the strip to the tip's centre, and the tip disc
    sk = sk.push([(x, h + straight / 2 - 0.5) for x in xs]).rect(w, straight + 1.0).reset()
    sk = sk.push([(x, h + straight) for x in xs]).circle(r).reset().clean()
    slot_y = h / 2
    sk = (sk.push([(-p.slot_centre, slot_y), (p.slot_centre, slot_y)])
          .slot(p.strap_slot_height - SLOT_LENGTH, SLOT_LENGTH, angle=90, mode="s").reset())
    return sk


def profiles(p: VisorLasercutParams) -> dict:
    return {"cut": outline(p)}


def build(p: VisorLasercutParams) -> cq.Workplane:
    """The flat strip as cut (3D preview), material_thickness thick on z = 0."""
    return cq.Workplane("XY").placeSketch(outline(p)).extrude(p.material_thickness)


def measured_tabs(p: VisorLasercutParams) -> list[float]:
    """Tab centres read back from the cut profile: the x of every half-round tip (an arc
    of radius tab_width / 2 above the strip), sorted."""
    xs = []
    for item in dxf.contours(outline(p)):
        pts = item.get("points")
        if not pts:
            continue
        for (x0, y0, bulge), (x1, y1, _) in zip(pts, pts[1:] + pts[:1]):
            if abs(bulge) > 0.9 and y0 > p.band_height and abs(y1 - y0) < 1e-6:
                xs.append((x0 + x1) / 2)  # a half-round: bulge 1, chord across the tip
    return sorted(xs)


def interface(p: VisorLasercutParams, result) -> dict:
    """Tabs as pegs for the fit check: outer-face arc lengths once bent, measured from
    the cut profile, and the folded tab's diagonal as its diameter."""
    return {"kind": "pegs", "pattern": p.sheet_pattern,
            "positions_mm": [round(outer_from_neutral(p, x), 4) for x in measured_tabs(p)],
            "diameter_mm": round(p.tab_diagonal, 4)}


def checks(p: VisorLasercutParams, result) -> dict:
    got = [outer_from_neutral(p, x) for x in measured_tabs(p)]
    want = sorted(p.pattern.offsets)
    err = max((abs(a - b) for a, b in zip(got, want)), default=None)
    ok = len(got) == len(want) and err is not None and err <= 0.5
    return {"tab_positions": {
        "ok": bool(ok),
        "detail": (f"{len(got)} tabs, bent on the {p.head_size} ellipse, at outer arc "
                   + ", ".join(f"{g:+.2f}" for g in got) + " mm; holes at "
                   + ", ".join(f"{w:+g}" for w in want) + " mm"
                   + (f"; largest error {err:.3f} mm" if err is not None else "")),
        "max_error_mm": None if err is None else round(err, 4)}}


@lru_cache(maxsize=8)
def nest_result(p: VisorLasercutParams) -> nesting.NestResult:
    """The nest of one sheet (computed once per parameter set: figures and the nest
    file both use it)."""
    return nesting.nest([nesting.Part("band", outline(p))], p.stock_width, p.stock_height,
                        gap=p.nest_gap)


def figures(p: VisorLasercutParams, result) -> dict:
    """Nesting on the stock sheet, cut time per band and bands per hour at the reference
    cutting speed (cad.dxf), and the stiffness proxy of the strip's section."""
    nest = nest_result(p)
    cut = dxf.cut_metrics_for(outline(p))
    per_unit = cut["cut_time_s"]
    fig = nest.figure()
    fig.update({"sheet_cut_time_s": round(per_unit * nest.parts_per_sheet, 1),
                "units_per_hour": round(3600 / per_unit, 1),
                "reference": cut["reference"]})
    h, t = p.band_height, p.material_thickness
    loop = np.array([[0, 0], [t, 0], [t, h], [0, h]])
    stiffness = section.bending_figure([loop], "the strip's section, bent upright")
    return {"nest": fig, "stiffness": stiffness}


def extra_files(p: VisorLasercutParams, result, folder: Path, stem: str) -> dict:
    path = nest_result(p).export_dxf(Path(folder) / f"{stem}.nest.dxf")
    return {"nest.dxf": path}
