"""Snorkel-mask adapter: a socket over a full-face snorkel mask's stub, to ISO 5356-1 cones.

In 2020 full-face snorkel masks (Decathlon Easybreath) were turned into emergency
respirators. The mask carries on its top a MALE OBROUND STUB (where the snorkel clips on)
with three channels: a central inhale channel and two exhale channels at its ends. This
part is a SOCKET that slides over that stub and keeps the channels apart, as the mask
does: the central channel goes to a 22 mm FEMALE cone (the inhale filter's 22 mm male end
goes in), the two end channels join into one exhale chamber that ends in a 22 mm MALE
cone (an exhalation valve or a second filter). Print orientation, Z up:

- z = 0 is the socket's MOUTH, on the bed; the socket's spans (`MASKS`) go up to the
  stub's insertion depth, where a 1 mm LEDGE all round and two SEPTA stop the stub; the
  first-generation socket starts with a SEAL RECESS for an O-ring or a gasket;
- the SEPTA (inner walls) continue up as the walls of the inhale duct; around it the
  exhale chamber widens at 45 degrees (no supports) towards the +X side, where the exhale
  cone stands on the roof; the inhale cone stands on a riser in the middle, its mouth
  `INHALE_ABOVE` mm above the exhale cone's tip so a filter on it clears the valve;
- two LUGS on the bed at the socket's ends take cable ties (or the mask's own clip).

A FIT COUPON (`part = "coupon"`) is the socket's first `COUPON_HEIGHT` mm as a ring: it
prints in minutes, and a maker checks it on their own mask before printing the adapter.

The mask figures are not the mask maker's (never published): they were measured or traced
by volunteers of 2020 open adapter projects (REFERENCE.md, "Snorkel-mask adapters"),
unverified unless two agree. The design's own choices are in `MASKS` with their source;
the reported figures the checks hold the exported STL to live in design.toml
(`[reference.<mask>]`), so a wrong table here makes the build fail.
"""

from __future__ import annotations

import math
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import cadquery as cq

from cad import iso5356, meshslice
from cad.export import export_stl
from cad.meshcheck import load_mesh
from cad.params import Params, param

NOZZLE = 0.4  #: mm, reference nozzle
MIN_PERIMETERS = 3
MIN_WALL = round(NOZZLE * MIN_PERIMETERS, 6)  #: 1.2 mm, the least wall that can be airtight
LEDGE = 1.0  #: mm, the stop all round the socket's end, where the stub's rim seats
SEPTUM_ZONE = 4.0  #: mm, height of the septa below the exhale chamber's flare
PASSAGE = 6.0  #: mm, width of the exhale passages on each side of the inhale duct
MANIFOLD = 6.0  #: mm, height of the exhale chamber's straight part under its roof
MATE_CLEARANCE = 15.0  #: mm, free radius around the exhale cone for its mate's end
INHALE_ABOVE = 10.0  #: mm, inhale cone's mouth above the exhale cone's tip
COUPON_HEIGHT = 8.0  #: mm, height of the fit coupon
LUG_LENGTH = 10.0  #: mm beyond the socket's outer wall
LUG_WIDTH = 12.0
LUG_THICKNESS = 4.0
TIE_SLOT = (3.0, 6.0)  #: mm (X, Y): takes a cable tie up to 5 mm wide
INHALE_CONE = (22, "female")  #: ISO 5356-1 size and sex: a filter's 22 mm male end
EXHALE_CONE = (22, "male")  #: ISO 5356-1: an exhalation valve's or filter's 22 mm female end

#: The stub's inner walls (septa): 18.2 mm apart outside to outside, from "FILTER ADAPTER
#: FOR MASK EASYBREATH - TYPE 2" (snorkel_test.scad, `Dist_in_walls = 18.2`,
#: github.com/ODZ-UJF-AV-CR/COVID19SUBEA). One source, first generation only: UNVERIFIED,
#: and used for the 500 too, where nobody has reported it.
SEPTA_OUTER = 18.2


@dataclass(frozen=True)
class Span:
    """One span of the socket: from depth `start` to `end` below the mouth (mm), its
    obround's overall length and width at both ends (equal for a straight span)."""

    what: str
    start: float
    end: float
    length: tuple[float, float]
    width: tuple[float, float]


@dataclass(frozen=True)
class MaskSocket:
    """The socket a mask's stub needs: its spans, mouth first, and the insertion depth."""

    title: str
    spans: tuple[Span, ...]
    source: str
    unverified: str  #: which figures are unverified, for the page

    @property
    def depth(self) -> float:
        return self.spans[-1].end


#: The design's socket per mask (mm). Every figure is from REFERENCE.md, "Snorkel-mask
#: adapters" (volunteers' figures, 2020); choices within the reported ranges are noted.
MASKS: dict[str, MaskSocket] = {
    "gen1": MaskSocket(
        "Decathlon Easybreath, first generation",
        (Span("seal recess", 0.0, 3.0, (45.3, 45.3), (19.6, 19.6)),
         Span("bore", 3.0, 15.5, (44.4, 44.4), (18.7, 18.7))),
        source=("bore 44.4 x 18.7 mm as measured by one 2020 project (another traced "
                "45.8 x 19.3 from a photo); seal recess 45.3 x 19.6 mm, 3 mm deep (the "
                "smallest of the reported 45.3-46.4 x 19.6-20.2 mm, 3-5.25 mm deep); "
                "insertion depth 15.5 mm (reported 15 to 16 mm)"),
        unverified="all: volunteers' figures, the two projects differ by 1.4 x 0.6 mm"),
    "500": MaskSocket(
        "Decathlon Easybreath 500",
        (Span("drafted mouth", 0.0, 15.5, (51.7, 50.7), (24.2, 23.2)),
         Span("step", 15.5, 18.5, (50.7, 50.7), (23.2, 23.2)),
         Span("bore", 18.5, 28.3, (48.0, 48.0), (21.0, 21.0))),
        source=("mouth 51.7 x 24.2 mm with a 2 degree draft to 50.7 x 23.2 mm at 15.5 mm, "
                "then 48.0 x 21.0 mm from 18.5 to 28.3 mm (one source); the span from 15.5 "
                "to 18.5 mm is not reported: kept at 50.7 x 23.2 mm (clears the stub)"),
        unverified=("all, from one source; no seal recess reported (the drafted mouth "
                    "seals); septa positions not reported")),
}

PARTS = ("adapter", "coupon")


@dataclass(frozen=True)
class SnorkelAdapterParams(Params):
    """Parameters of the snorkel-mask adapter (lengths in millimetres)."""

    mask: str = param(
        "gen1", unit="", choices=tuple(MASKS), title="Mask model",
        doc="Which mask the socket fits: gen1 = Decathlon Easybreath first generation, "
            "500 = Easybreath 500. Their stubs differ: a gen1 adapter does not fit a 500. "
            "Figures measured by 2020 volunteers, unverified: print the coupon first.")
    part: str = param(
        "adapter", unit="", choices=PARTS, title="Part",
        doc="adapter = the whole adapter (socket, septa, inhale and exhale cones, lugs); "
            "coupon = an 8 mm ring of the socket alone, to check the fit on your mask "
            "in a few minutes before printing the adapter.")
    wall_thickness: float = param(
        2.4, min=MIN_WALL, max=4.0, title="Wall thickness",
        doc="Thinnest outer wall. At least 1.2 mm (three perimeters of a 0.4 mm nozzle, "
            "the least that can be airtight); 2.4 mm by default (six perimeters; 2020 "
            "adapters used about 2.3 mm).")
    septum: float = param(
        1.6, min=MIN_WALL, max=3.0, title="Septum thickness",
        doc="Thickness of the two inner walls that keep the inhale channel apart from "
            "the exhale channels; their outer faces stay 18.2 mm apart (the stub's).")
    socket_offset: float = param(
        0.0, min=-0.5, max=1.5, title="Socket offset",
        doc="Added to every length and width of the socket, after the coupon test: "
            "+0.2 if the coupon is too tight, -0.2 if it is loose. The build checks the "
            "result against the volunteers' figures and fails outside them.")

    @property
    def socket(self) -> MaskSocket:
        return MASKS[self.mask]

    def validate(self) -> None:
        lay = layout(self)
        if lay.inhale_half[0] <= 2.0:
            self.fail("septum", "leaves the inhale channel narrower than 4 mm")


PARAMS = SnorkelAdapterParams


@dataclass(frozen=True)
class Layout:
    """Derived sizes (mm) of the adapter: (length, width) of obrounds, heights in Z."""

    depth: float  #: insertion depth: the socket's end, where the stub stops
    inner: tuple[float, float]  #: the septa zone's cavity (deepest span less the ledge)
    outer: tuple[float, float]  #: the socket block's outside
    wall: tuple[float, float]  #: horizontal wall, ends and sides
    inhale_half: tuple[float, float]  #: inhale channel's half sizes (X, Y)
    tube_half: tuple[float, float]  #: inhale duct's outside half sizes (X, Y)
    chamber: tuple[float, float, float]  #: exhale chamber: length, width, centre X
    z_flare: float  #: the exhale chamber starts widening (45 degrees)
    z_chamber: float  #: ... and is full size
    z_roof: float  #: underside of the roof
    z_top: float  #: top of the roof
    riser_r: float
    exhale_x: float  #: exhale cone's axis (y = 0)
    exhale_bore: float  #: diameter of the exhale cone's bore
    exhale_tip: float
    inhale_mouth: float


def _span_size(s: Span, offset: float) -> list[tuple[float, float]]:
    return [(s.length[i] + offset, s.width[i] + offset) for i in (0, 1)]


def layout(p: SnorkelAdapterParams) -> Layout:
    sock, w, off = p.socket, p.wall_thickness, p.socket_offset
    deep_l, deep_w = _span_size(sock.spans[-1], off)[1]
    max_l = max(size[0] for s in sock.spans for size in _span_size(s, off))
    max_w = max(size[1] for s in sock.spans for size in _span_size(s, off))
    inner = (deep_l - 2 * LEDGE, deep_w - 2 * LEDGE)
    # horizontal wall: the socket's wall, and at least w on a 45-degree slope
    wall = (max(w + LEDGE + (max_l - deep_l) / 2, w * math.sqrt(2)),
            max(w + LEDGE + (max_w - deep_w) / 2, w * math.sqrt(2)))
    outer = (inner[0] + 2 * wall[0], inner[1] + 2 * wall[1])
    inhale_half = (SEPTA_OUTER / 2 - p.septum, inner[1] / 2)
    tube_half = (SEPTA_OUTER / 2, inner[1] / 2 + p.septum)
    mouth_cone, tip_cone = iso5356.cone(INHALE_CONE[0]), iso5356.cone(EXHALE_CONE[0])
    riser_r = mouth_cone.female_mouth_diameter / 2 + w
    exhale_x = riser_r + MATE_CLEARANCE
    exhale_bore = tip_cone.male_tip_diameter - 2 * w
    half_w = tube_half[1] + PASSAGE
    centre_end = max(exhale_x + exhale_bore / 2 + 1.0 - half_w, inner[0] / 2 - half_w)
    left, right = -inner[0] / 2, centre_end + half_w
    chamber = (right - left, 2 * half_w, (right + left) / 2)
    z_flare = sock.depth + SEPTUM_ZONE
    rise = max(right - inner[0] / 2, half_w - inner[1] / 2, 1.0)  # every point <= 45 deg
    z_chamber = z_flare + rise
    z_roof = z_chamber + MANIFOLD
    z_top = z_roof + w
    exhale_tip = z_top + tip_cone.male_length
    inhale_mouth = max(exhale_tip + INHALE_ABOVE, z_top + mouth_cone.female_depth + w)
    return Layout(sock.depth, inner, outer, wall, inhale_half, tube_half, chamber,
                  z_flare, z_chamber, z_roof, z_top, riser_r, exhale_x, exhale_bore,
                  exhale_tip, inhale_mouth)


# ------------------------------------------------------------------------- geometry


def _slot(size: tuple[float, float], z0: float, z1: float, cx: float = 0.0) -> cq.Solid:
    return (cq.Workplane("XY", origin=(cx, 0, z0)).slot2D(size[0], size[1])
            .extrude(z1 - z0).val())


def _loft(a: tuple[float, float], b: tuple[float, float], z0: float, z1: float,
          ca: float = 0.0, cb: float = 0.0) -> cq.Solid:
    return (cq.Workplane("XY", origin=(ca, 0, z0)).slot2D(a[0], a[1])
            .workplane(offset=z1 - z0).center(cb - ca, 0).slot2D(b[0], b[1])
            .loft(ruled=True).val())


def _box(x: tuple[float, float], y: tuple[float, float], z: tuple[float, float]) -> cq.Solid:
    return cq.Solid.makeBox(x[1] - x[0], y[1] - y[0], z[1] - z[0],
                            cq.Vector(x[0], y[0], z[0]))


def socket_tool(p: SnorkelAdapterParams, top: float | None = None) -> cq.Shape:
    """The socket's cavity, mouth at z = 0 (continued 1 mm below it), up to `top`
    (default: the insertion depth)."""
    top = p.socket.depth if top is None else top
    parts = []
    for i, s in enumerate(p.socket.spans):
        if s.start >= top:
            break
        a, b = _span_size(s, p.socket_offset)
        end = min(s.end, top)
        if end < s.end:  # cut a tapered span at `top`
            t = (end - s.start) / (s.end - s.start)
            b = (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
        parts.append(_slot(a, s.start, end) if a == b else _loft(a, b, s.start, end))
        if i == 0:
            parts.append(_slot(a, -1.0, s.start + 1e-3))
    return _fuse(parts)


def _fuse(shapes: list[cq.Shape]) -> cq.Shape:
    out = shapes[0]
    if len(shapes) > 1:
        out = out.fuse(*shapes[1:])
    return out.clean()


def _lugs(p: SnorkelAdapterParams, lay: Layout) -> list[cq.Shape]:
    out = []
    for sign in (1, -1):
        x0 = lay.outer[0] / 2 - lay.wall[0] / 2
        x1 = lay.outer[0] / 2 + LUG_LENGTH
        tab = _box((min(sign * x0, sign * x1), max(sign * x0, sign * x1)),
                   (-LUG_WIDTH / 2, LUG_WIDTH / 2), (0.0, LUG_THICKNESS))
        xc = sign * (lay.outer[0] / 2 + LUG_LENGTH / 2 + 0.5)
        slot = _box((xc - TIE_SLOT[0] / 2, xc + TIE_SLOT[0] / 2),
                    (-TIE_SLOT[1] / 2, TIE_SLOT[1] / 2), (-1.0, LUG_THICKNESS + 1))
        out.append(tab.cut(slot))
    return out


def _adapter(p: SnorkelAdapterParams) -> cq.Shape:
    lay = layout(p)
    c_len, c_wid, c_x = lay.chamber
    wx, wy = lay.wall
    ch_out = (c_len + 2 * wx, c_wid + 2 * wy)
    mouth = iso5356.cone(INHALE_CONE[0])
    outer = _fuse([
        _slot(lay.outer, 0.0, lay.z_flare),
        _loft(lay.outer, ch_out, lay.z_flare, lay.z_chamber, 0.0, c_x),
        _slot(ch_out, lay.z_chamber, lay.z_top, c_x),
        cq.Solid.makeCylinder(lay.riser_r, lay.inhale_mouth - lay.z_roof,
                              cq.Vector(0, 0, lay.z_roof)),
        iso5356.male_cone(EXHALE_CONE[0]).translate(cq.Vector(lay.exhale_x, 0, lay.z_top)),
        *_lugs(p, lay),
    ])
    ix, iy = lay.inhale_half
    tx, ty = lay.tube_half
    chamber = _fuse([
        _slot(lay.inner, lay.depth, lay.z_flare),
        _loft(lay.inner, (c_len, c_wid), lay.z_flare, lay.z_chamber, 0.0, c_x),
        _slot((c_len, c_wid), lay.z_chamber, lay.z_roof, c_x),
    ]).cut(_box((-tx, tx), (-ty, ty), (lay.depth - 1, lay.z_top)))
    female_bottom = lay.inhale_mouth - mouth.female_depth
    cavity = _fuse([
        socket_tool(p),
        chamber,
        _box((-ix, ix), (-iy, iy), (lay.depth - 1e-3, female_bottom + 1e-3)),
        iso5356.female_tool(INHALE_CONE[0], z_mouth=lay.inhale_mouth),
        cq.Solid.makeCylinder(lay.exhale_bore / 2, lay.exhale_tip + 1 - (lay.z_roof - 1),
                              cq.Vector(lay.exhale_x, 0, lay.z_roof - 1)),
    ])
    return outer.cut(cavity).clean()


def _coupon(p: SnorkelAdapterParams) -> cq.Shape:
    lay = layout(p)
    return _slot(lay.outer, 0.0, COUPON_HEIGHT).cut(socket_tool(p, COUPON_HEIGHT + 1)).clean()


def build(p: SnorkelAdapterParams) -> cq.Workplane:
    """The adapter (or its fit coupon) as one solid, socket mouth down on z = 0."""
    shape = _adapter(p) if p.part == "adapter" else _coupon(p)
    solids = shape.Solids()
    if len(solids) != 1:  # pragma: no cover - a broken boolean; the checks catch it
        raise RuntimeError(f"snorkel-adapter built {len(solids)} solids, expected one")
    return cq.Workplane("XY").newObject([solids[0]])


# ------------------------------------------------------------------------- checks
#
# Every check measures the exported STL (the same exporter and tolerance as the file
# published) against figures that are not the model's: the volunteers' figures of
# design.toml's [reference.<mask>] and the ISO 5356-1 table (cad.iso5356).

DESIGN_TOML = Path(__file__).resolve().with_name("design.toml")
SHAPE_TOL = 0.01  #: an obround's area within 1 % of an obround of its measured size


def reference(mask: str, toml_path: Path | None = None) -> dict:
    """The reported figures of a mask, from design.toml's [reference.<mask>]."""
    data = tomllib.loads((toml_path or DESIGN_TOML).read_text(encoding="utf-8"))
    return data["reference"][mask]


def _obround_area(length: float, width: float) -> float:
    return (length - width) * width + math.pi * width * width / 4


def _expected(row: dict, key: str, depth: float) -> tuple[float, float]:
    """(lo, hi) accepted for one size at a depth: a reported range, or a tapered span's
    figure interpolated linearly between its two depths."""
    a, b = row[key]
    if row.get("taper"):
        d0, d1 = row["depth_mm"]
        v = a + (b - a) * (depth - d0) / (d1 - d0)
        return v, v
    return min(a, b), max(a, b)


def _heights(row: dict, limit: float) -> list[float]:
    d0, d1 = row["depth_mm"]
    d1 = min(d1, limit)
    if d1 - d0 < 0.6:
        return [d0 + (d1 - d0) / 2] if d1 > d0 else []
    return [d0 + 0.3, (d0 + d1) / 2, d1 - 0.3]


def check_socket(mesh, ref: dict, height: float) -> dict:
    """The socket's inner contour around the axis, sliced at each reported span (up to
    `height`): its length and width within the reported figures +- tolerance_mm, and an
    obround (area within SHAPE_TOL of an obround of that size)."""
    tol = float(ref["tolerance_mm"])
    rows, ok, parts = [], True, []
    for row in ref["socket"]:
        for z in _heights(row, height):
            contour = meshslice.contour_around(mesh, z, (0.0, 0.0))
            if contour is None:
                rows.append({"what": row["what"], "depth_mm": round(z, 3), "found": False})
                ok = False
                parts.append(f"{row['what']} at {z:.2f} mm: no contour")
                continue
            length, width = meshslice.extent(contour)
            (l_lo, l_hi), (w_lo, w_hi) = (_expected(row, "length_mm", z),
                                          _expected(row, "width_mm", z))
            shape_err = contour.area / _obround_area(length, width) - 1
            good = (l_lo - tol <= length <= l_hi + tol and w_lo - tol <= width <= w_hi + tol
                    and abs(shape_err) <= SHAPE_TOL)
            ok &= good
            rows.append({"what": row["what"], "depth_mm": round(z, 3),
                         "length_mm": round(length, 3), "width_mm": round(width, 3),
                         "expected_length_mm": [round(l_lo, 3), round(l_hi, 3)],
                         "expected_width_mm": [round(w_lo, 3), round(w_hi, 3)],
                         "obround_area_error": round(shape_err, 5), "ok": bool(good)})
            want = (f"{l_lo:.2f}" if l_lo == l_hi else f"{l_lo:g}-{l_hi:g}") + " x " + \
                   (f"{w_lo:.2f}" if w_lo == w_hi else f"{w_lo:g}-{w_hi:g}")
            parts.append(f"{row['what']} at {z:.2f} mm: {length:.2f} x {width:.2f} "
                         f"(reported {want}){'' if good else ' OUT'}")
    return {"ok": bool(ok and rows), "tolerance_mm": tol, "sections": rows,
            "detail": (f"{ref['mask']} socket sliced on the STL: " + "; ".join(parts)
                       + f" (+- {tol:g} mm; obround within {SHAPE_TOL:.0%}). Source: "
                       + ref["source"])}


def _length_at(mesh, z: float) -> float:
    contour = meshslice.contour_around(mesh, z, (0.0, 0.0))
    return meshslice.extent(contour)[0] if contour is not None else 0.0


def measure_depth(mesh, ref: dict, top: float) -> float:
    """Insertion depth found on the STL: where the contour around the axis stops being
    the socket (its length drops below 80 % of the deepest span's measured length)."""
    last = ref["socket"][-1]
    z_in = last["depth_mm"][0] + 0.3
    full = _length_at(mesh, z_in)
    return meshslice.transition(lambda z: _length_at(mesh, z) >= 0.8 * full, z_in, top)


def check_depth(mesh, ref: dict, top: float) -> dict:
    lo, hi = ref["insertion_depth_mm"]
    tol = float(ref["tolerance_mm"])
    try:
        depth = measure_depth(mesh, ref, top)
    except ValueError as err:
        return {"ok": False, "detail": f"insertion depth not found on the STL: {err}",
                "depth_mm": None}
    ok = lo - tol <= depth <= hi + tol
    return {"ok": bool(ok), "depth_mm": round(depth, 3), "reported_mm": [lo, hi],
            "detail": (f"the stub's insertion depth found on the STL: {depth:.2f} mm "
                       f"(reported {lo:g} to {hi:g} mm, +- {tol:g})")}


def check_recess(mesh, ref: dict) -> dict:
    """The seal recess's depth on the STL: where the contour at the mouth narrows to the
    bore (halfway between the two lengths measured in the reported spans)."""
    lo, hi = ref["seal_recess_depth_mm"]
    tol = float(ref["tolerance_mm"])
    recess, bore = ref["socket"][0], ref["socket"][1]
    z_r = recess["depth_mm"][0] + 0.3
    z_b = (bore["depth_mm"][0] + bore["depth_mm"][1]) / 2
    l_r, l_b = _length_at(mesh, z_r), _length_at(mesh, z_b)
    try:
        depth = meshslice.transition(lambda z: _length_at(mesh, z) >= (l_r + l_b) / 2,
                                     z_r, z_b) if l_r - l_b > 0.05 else None
    except ValueError:
        depth = None
    if depth is None:
        return {"ok": False, "depth_mm": None,
                "detail": f"no seal recess found on the STL (mouth {l_r:.2f} mm long, "
                          f"bore {l_b:.2f} mm)"}
    ok = lo - tol <= depth <= hi + tol
    return {"ok": bool(ok), "depth_mm": round(depth, 3), "reported_mm": [lo, hi],
            "radial_gap_mm": round((l_r - l_b) / 2, 3),
            "detail": (f"seal recess found on the STL: {depth:.2f} mm deep, "
                       f"{(l_r - l_b) / 2:.2f} mm wider than the bore on each side "
                       f"(reported {lo:g} to {hi:g} mm deep)")}


def check_channels(mesh, ref: dict, depth: float, exhale_x: float,
                   pitch: float = 0.2) -> dict:
    """No path inside the part from the inhale channel to the exhale channels, with the
    stub in the socket (slices from just above the insertion depth) and the cones' mates
    on (the air outside the part is left out): the stub's central channel reaches the
    inhale cone only, its two end channels the exhale cone only."""
    inhale_top = meshslice.top_near(mesh, (0.0, 0.0), 12.0)
    exhale_top = meshslice.top_near(mesh, (exhale_x, 0.0), 12.0)
    end = min(ref["socket"][-1]["length_mm"]) / 2 - 3.0  # inside each end channel
    z0 = depth + 0.1
    air = meshslice.AirGraph(mesh, z0, max(inhale_top, exhale_top) - 0.1, pitch)
    ports = {"inhale channel": ((0.0, 0.0), z0 + 0.3),
             "exhale channel -X": ((-end, 0.0), z0 + 0.3),
             "exhale channel +X": ((end, 0.0), z0 + 0.3),
             "inhale cone": ((0.0, 0.0), inhale_top - 1.0),
             "exhale cone": ((exhale_x, 0.0), exhale_top - 1.0)}
    comp = {k: air.component_at(*v) for k, v in ports.items()}
    found = all(v is not None for v in comp.values())
    inhale_ok = found and comp["inhale channel"] == comp["inhale cone"]
    exhale_ok = found and comp["exhale channel -X"] == comp["exhale channel +X"] == \
        comp["exhale cone"]
    apart = found and comp["inhale cone"] != comp["exhale cone"]
    ok = bool(inhale_ok and exhale_ok and apart)
    missing = [k for k, v in comp.items() if v is None]
    detail = (f"{len(air.zs)} slices every {pitch:g} mm from {z0:.2f} mm: "
              + ("inhale channel reaches the inhale cone only, both exhale channels the "
                 "exhale cone only: no path from inhale to exhale inside the part"
                 if ok else
                 (f"no air found at {', '.join(missing)}" if missing else
                  "INHALE AND EXHALE ARE CONNECTED inside the part" if not apart else
                  "a channel does not reach its cone")))
    return {"ok": ok, "detail": detail, "components": int(air.count),
            "ports": {k: v for k, v in comp.items()}}


def check_mesh_file(p: SnorkelAdapterParams, mesh, ref: dict | None = None) -> dict:
    """Every design check of the snorkel adapter, on an exported mesh."""
    ref = reference(p.mask) if ref is None else ref
    top = float(mesh.bounds[1][2])
    out = {"mask_socket": check_socket(mesh, ref, COUPON_HEIGHT if p.part == "coupon"
                                       else top)}
    if p.part == "coupon":
        return out
    lay = layout(p)
    out["socket_depth"] = check_depth(mesh, ref, top)
    if "seal_recess_depth_mm" in ref:
        out["seal_recess"] = check_recess(mesh, ref)
    inhale_end = meshslice.top_near(mesh, (0.0, 0.0), 12.0)
    exhale_end = meshslice.top_near(mesh, (lay.exhale_x, 0.0), 12.0)
    out["inhale_cone"] = iso5356.gauge_mesh(mesh, INHALE_CONE[0], INHALE_CONE[1],
                                            inhale_end, (0.0, 0.0))
    out["exhale_cone"] = iso5356.gauge_mesh(mesh, EXHALE_CONE[0], EXHALE_CONE[1],
                                            exhale_end, (lay.exhale_x, 0.0))
    depth = out["socket_depth"]["depth_mm"]
    out["channels_separate"] = (
        check_channels(mesh, ref, depth, lay.exhale_x) if depth is not None else
        {"ok": False, "detail": "not checked: the insertion depth was not found"})
    return out


def checks(p: SnorkelAdapterParams, shape, files=None) -> dict[str, dict]:
    """The design checks, on the STL the engine publishes (`files["stl"]`; called
    without files, exported here with the same exporter and tolerance, which gives the
    same triangles)."""
    if files and "stl" in files:
        return check_mesh_file(p, load_mesh(files["stl"]))
    solid = shape.val() if isinstance(shape, cq.Workplane) else shape
    with tempfile.TemporaryDirectory() as tmp:
        mesh = load_mesh(export_stl(solid, Path(tmp) / "part.stl"))
    return check_mesh_file(p, mesh)


# ----------------------------- the rest of the contract (cad.contract.DesignModel)


# The contract's members this design has nothing to say for.
from cad.contract import (  # noqa: E402,F401
    no_extra_files as extra_files,
    no_figures as figures,
    no_interface as interface,
    no_preview as preview,
    no_profiles as profiles,
    one_unit as units,
)
