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
import tempfile
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cadquery as cq
import numpy as np

from cad import cutcheck, dxf, ellipse, nesting, section_props
from cad.fit import MAX_CLEARANCE_MM, MIN_CLEARANCE_MM
from cad.anthropometry import HEAD_SIZES
from cad.params import Params, param
from cad.patterns import SHEET_PATTERNS, SheetPattern

END_RADIUS = 4.0  #: mm, the strip's rounded ends
SLOT_LENGTH = 3.0  #: mm, strap slot along the strip
SLOT_END_POST = 6.0  #: mm between a strap slot and the strip's end
SHEET_EDGE_GAP = 1.0  #: mm between the sheet's edge and the strap slot
DESIGN_TOML = Path(__file__).resolve().with_name("design.toml")


def metadata(toml_path: Path | None = None) -> dict:
    """design.toml, read for its [stock] sheets and the laser's kerf."""
    return tomllib.loads((toml_path or DESIGN_TOML).read_text(encoding="utf-8"))


#: mm, the strip the laser burns away (design.toml [stock] kerf_mm): a tab comes out
#: this much narrower than its cut path, which the fit allows for
KERF = float(metadata()["stock"]["kerf_mm"])


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
            "the 6 mm hole with 0.2 to 1 mm to spare on its diagonal once the laser's "
            "kerf (design.toml) is burnt off its sides: 5.4 mm in 0.75 mm material, "
            "5.25 mm as cut, leaves 0.70 mm.")
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
        """The folded tab's diagonal as cut (the laser's kerf off its width)."""
        return math.hypot(self.tab_width - KERF, self.material_thickness)

    @property
    def slot_centre(self) -> float:
        return self.band_reach - SLOT_END_POST - SLOT_LENGTH / 2

    def validate(self) -> None:
        pat = self.pattern
        clearance = pat.hole_diameter - self.tab_diagonal
        if not MIN_CLEARANCE_MM - 1e-9 <= clearance <= MAX_CLEARANCE_MM + 1e-9:
            t = self.material_thickness
            lo = math.sqrt(max(0.0, (pat.hole_diameter - MAX_CLEARANCE_MM) ** 2 - t * t)) + KERF
            hi = math.sqrt((pat.hole_diameter - MIN_CLEARANCE_MM) ** 2 - t * t) + KERF
            self.fail("tab_width", f"from {lo:.2f} to {hi:.2f} mm in {t:g} mm material: the "
                      f"folded tab's diagonal, cut with a {KERF:g} mm kerf, must be 0.2 to "
                      f"1 mm below the {pat.hole_diameter:g} mm holes")
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


arc_length, param_at_arc = ellipse.arc_length, ellipse.param_at_arc


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
    """Tab centres read back from the cut profile (in memory), sorted: see `tips`."""
    return [x for x, _ in tips(dxf.contours(outline(p))[0]["points"])]


def tips(points: list[tuple[float, float, float]]) -> list[tuple[float, float]]:
    """(centre x, width) of every half-round tab tip of a band's outline, given as
    LWPOLYLINE vertices (x, y, bulge): a half circle (sweep 180 degrees), its chord
    across the tab. Nothing else of the outline is a half circle (the ends are quarter
    rounds)."""
    out = []
    for (x0, y0, bulge), (x1, y1, _) in zip(points, points[1:] + points[:1]):
        if abs(bulge) < 1e-12 or abs(y1 - y0) > 1e-6:
            continue
        (cx, _), radius, sweep = dxf.bulge_arc((x0, y0), (x1, y1), bulge)
        if abs(abs(sweep) - math.pi) < 1e-3:
            out.append((cx, 2 * radius))
    return sorted(out)


def tips_on_file(path: Path) -> list[tuple[float, float]]:
    """The tab tips of the band in a cut DXF (its largest LWPOLYLINE)."""
    return tips(cutcheck.lwpolylines(path)[0])


def export_files(p: VisorLasercutParams, folder: Path, stem: str = "part") -> dict:
    """The cut files as the engine writes them: <stem>.cut.dxf and <stem>.nest.dxf."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = {"cut.dxf": dxf.export_dxf(outline(p), folder / f"{stem}.cut.dxf")}
    files.update(extra_files(p, None, folder, stem))
    return files


def _with_files(fn, p, files):
    if files is not None:
        return fn(p, files)
    with tempfile.TemporaryDirectory() as tmp:
        return fn(p, export_files(p, Path(tmp)))


def _pegs(p: VisorLasercutParams, files: dict) -> dict:
    found = tips_on_file(files["cut.dxf"])
    width = min((w for _, w in found), default=0.0)
    return {"kind": "pegs", "pattern": p.sheet_pattern,
            "positions_mm": [round(outer_from_neutral(p, x), 4) for x, _ in found],
            "diameter_mm": round(math.hypot(max(width - KERF, 0.0), p.material_thickness), 4)}


def interface(p: VisorLasercutParams, result, files: dict | None = None) -> dict:
    """Tabs as pegs for the fit check (cad.fit), measured on the cut DXF: outer-face arc
    lengths once bent, and the folded tab's diagonal as cut (the tip's width on the DXF
    less the kerf, by the material thickness) as its diameter."""
    return _with_files(_pegs, p, files)


def check_files(p: VisorLasercutParams, files: dict, meta: dict | None = None) -> dict:
    """tab_positions, tab_fit and nested_sheet, measured on the cut files."""
    meta = metadata() if meta is None else meta
    kerf = float(meta["stock"]["kerf_mm"])
    found = tips_on_file(files["cut.dxf"])
    got = [outer_from_neutral(p, x) for x, _ in found]
    pat = p.pattern
    want = sorted(pat.offsets)
    err = max((abs(a - b) for a, b in zip(got, want)), default=None)
    ok = len(got) == len(want) and err is not None and err <= 0.5
    positions = {
        "ok": bool(ok),
        "detail": (f"{len(got)} tabs on the cut DXF, bent on the {p.head_size} ellipse, at "
                   "outer arc " + ", ".join(f"{g:+.2f}" for g in got) + " mm; the "
                   f"{pat.name} holes at " + ", ".join(f"{w:+g}" for w in want) + " mm"
                   + (f"; largest error {err:.3f} mm" if err is not None else "")),
        "max_error_mm": None if err is None else round(err, 4)}
    # the folded tab against the pattern's punched hole, as the laser cuts it
    widths = [w for _, w in found]
    diag = [math.hypot(max(w - kerf, 0.0), p.material_thickness) for w in widths]
    clear = [pat.hole_diameter - d for d in diag]
    fit_ok = bool(clear) and all(MIN_CLEARANCE_MM - 1e-9 <= c <= MAX_CLEARANCE_MM + 1e-9
                                 for c in clear)
    fit = {"ok": fit_ok,
           "detail": (f"tabs {min(widths, default=0):.3f} to {max(widths, default=0):.3f} mm "
                      f"wide on the cut DXF, {kerf:g} mm kerf off: folded in "
                      f"{p.material_thickness:g} mm material, diagonal "
                      f"{min(diag, default=0):.3f} to {max(diag, default=0):.3f} mm in the "
                      f"{pat.hole_diameter:g} mm holes of {pat.name}: clearance "
                      f"{min(clear, default=0):.3f} to {max(clear, default=0):.3f} mm "
                      f"(allowed {MIN_CLEARANCE_MM:g} to {MAX_CLEARANCE_MM:g})"),
           "diameter_mm": round(max(diag, default=0.0), 4),
           "clearance_mm": round(min(clear, default=0.0), 4)}
    # the nest: on a declared stock sheet, the bands inside it, apart, all whole
    sheet = cutcheck.declared_sheet(meta, p.stock_width, p.stock_height)
    band = cutcheck.parts(files["cut.dxf"])[0].area
    nest = cutcheck.check_sheet(files["nest.dxf"], sheet or (p.stock_width, p.stock_height),
                                kerf, [band] * nest_result(p).parts_per_sheet, "nest")
    if sheet is None:
        nest = {**nest, "ok": False, "detail": f"nested on {p.stock_width:g} x "
                f"{p.stock_height:g} mm, not a stock sheet declared in design.toml; "
                + nest["detail"]}
    return {"tab_positions": positions, "tab_fit": fit, "nested_sheet": nest}


def checks(p: VisorLasercutParams, result, files: dict | None = None) -> dict:
    """`check_files` on the files the engine wrote (or written here if None)."""
    return _with_files(check_files, p, files)


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
    # the strip's section, bent upright: OCCT's measured second moments
    stiffness = section_props.stiffness_figure(section_props.polygons_face([loop]))
    return {"nest": fig, "stiffness": stiffness}


def extra_files(p: VisorLasercutParams, result, folder: Path, stem: str) -> dict:
    path = nest_result(p).export_dxf(Path(folder) / f"{stem}.nest.dxf")
    return {"nest.dxf": path}


# ----------------------------- the rest of the contract (cad.contract.DesignModel)


# The contract's members this design has nothing to say for.
from cad.contract import no_preview as preview, one_unit as units  # noqa: E402,F401
