"""Snorkel-mask adapter: a full-face snorkel mask's breathing port to a standard filter.

In 2020 full-face snorkel masks were turned into emergency respirators by replacing the
snorkel with a printed adapter that carries a standard breathing filter. This part is
that adapter: one printed solid of revolution about Z, in print orientation (Z up):

- at the bottom (z = 0) a SPIGOT that slides into the mask's port, `port_depth` long,
  its diameter the port's inner diameter less `fit_clearance`, with a 45-degree lead-in
  chamfer at its tip and a GROOVE (45-degree flanks) where the port's locking lip
  snaps in;
- a 45-degree SHOULDER that stops the spigot at the port's mouth (no flat overhang: it
  prints without supports), then a short cylindrical BODY (`COLLAR` mm wider than the
  spigot on each side);
- on top the OUTLET, an ISO 5356-1 cone from `cad.iso5356`: a 22 mm male (filters,
  catheter mounts), a 22 mm female (a filter's or a tube's male end), or a 15 mm male;
- optionally a nipple for oxygen tubing on the body's side, pointing 45 degrees up (so
  it prints without supports), its bore opening into the body.

Inside, one channel runs through: the spigot's bore, a 45-degree cone (a self-supporting
ceiling) and the outlet's bore, every wall at least `wall_thickness`.

Mask ports (`MASK_PORTS`): the values below are NOT measured by this project; they are
placeholders marked "to verify" until someone measures real masks with calipers and
replaces them (and records who measured, which mask, how). Measure your own mask before
printing, and add a row.

Known limit: this models a ROUND port. Some masks have another shape: an open adapter for
the Decathlon Easybreath ("FILTER ADAPTER FOR MASK EASYBREATH - TYPE 2", snorkel_test.scad
in github.com/ODZ-UJF-AV-CR/COVID19SUBEA) models its port as two Ø 19.3 mm circles
hulled to a 45 mm long slot; such a mask needs its own spigot, not this one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cadquery as cq

from cad import iso5356
from cad.params import Params, param

NOZZLE = 0.4  #: mm, reference nozzle
MIN_PERIMETERS = 3  #: an airtight wall is at least three perimeters
MIN_WALL = round(NOZZLE * MIN_PERIMETERS, 6)  #: 1.2 mm
COLLAR = 3.0  #: mm, body radius beyond the spigot (the shoulder's width)
BODY_MIN = 6.0  #: mm, shortest cylindrical body
TIP_CHAMFER = 0.8  #: mm, lead-in chamfer at the spigot's tip
GROOVE_CLEARANCE = 0.2  #: mm, the groove is this much deeper than the lip is high
GROOVE_FLAT = 1.0  #: mm, flat bottom of the groove
FEMALE_STOP = 1.0  #: mm, radial ledge below a female socket's bottom

# oxygen nipple: a tapered spigot for oxygen tubing (about 4 to 5 mm bore tubing)
O2_BASE_DIAMETER = 6.5  #: mm at the body
O2_TIP_DIAMETER = 5.2  #: mm at the tip
O2_LENGTH = 14.0  #: mm beyond the body's surface, along its axis
O2_BORE = 2.5  #: mm
O2_ANGLE = 45.0  #: degrees above horizontal


@dataclass(frozen=True)
class MaskPort:
    """The breathing port of a full-face snorkel mask, as measured (millimetres)."""

    title: str
    inner_diameter: float  #: port bore, where the snorkel goes in
    depth: float  #: how deep the snorkel goes in, mouth to stop
    lip_depth: float  #: locking lip's distance below the port's mouth
    lip_height: float  #: how far the lip stands in from the bore (radially)
    lip_width: float  #: the lip's width along the axis
    status: str  #: "to verify" until measured on real masks


#: PLACEHOLDER VALUES, TO VERIFY: not measured by this project. Replace with calipers
#: measurements of real masks (record mask brand/model/size and who measured).
MASK_PORTS: dict[str, MaskPort] = {
    "sm": MaskPort("Full-face snorkel mask, size S/M (placeholder, to verify)",
                   inner_diameter=30.0, depth=12.0, lip_depth=6.0, lip_height=0.8,
                   lip_width=1.5, status="to verify"),
    "lxl": MaskPort("Full-face snorkel mask, size L/XL (placeholder, to verify)",
                    inner_diameter=32.0, depth=14.0, lip_depth=7.0, lip_height=0.8,
                    lip_width=1.5, status="to verify"),
}

OUTLETS: dict[str, tuple[int, str]] = {
    "male22": (22, "male"),
    "female22": (22, "female"),
    "male15": (15, "male"),
}


@dataclass(frozen=True)
class SnorkelAdapterParams(Params):
    """Parameters of the snorkel-mask adapter (lengths in millimetres)."""

    mask: str = param(
        "sm", unit="", choices=tuple(MASK_PORTS), title="Mask port",
        doc="Which mask port the spigot fits, from the mask-port table: sm = size S/M, "
            "lxl = size L/XL. The table's values are placeholders TO VERIFY: measure "
            "your mask's port (inner diameter, depth, locking lip) before printing.")
    outlet: str = param(
        "male22", unit="", choices=tuple(OUTLETS), title="Outlet",
        doc="Standard ISO 5356-1 cone on top: male22 = 22 mm male (most breathing "
            "filters' and catheter mounts' female side), female22 = 22 mm female, "
            "male15 = 15 mm male.")
    oxygen_port: bool = param(
        False, unit="", title="Oxygen side port",
        doc="Add a tapered nipple for oxygen tubing on the side of the body, pointing "
            "45 degrees up (prints without supports).")
    wall_thickness: float = param(
        2.4, min=MIN_WALL, max=4.0, title="Wall thickness",
        doc="Thinnest wall of the part. At least 1.2 mm: three perimeters of a 0.4 mm "
            "nozzle, the least that can be airtight; 2.4 mm (six perimeters) by default.")
    fit_clearance: float = param(
        0.2, min=0.0, max=1.0, title="Fit clearance",
        doc="The spigot's diameter is the port's inner diameter less this: 0.2 mm for "
            "a snug push fit on a typical FDM printer (parts come out slightly oversize).")

    @property
    def port(self) -> MaskPort:
        return MASK_PORTS[self.mask]

    @property
    def cone(self) -> iso5356.ConeSize:
        return iso5356.cone(OUTLETS[self.outlet][0])

    @property
    def sex(self) -> str:
        return OUTLETS[self.outlet][1]

    def validate(self) -> None:
        g = geometry(self)
        if g.chamber_r < g.outlet_bore_r:
            self.fail("wall_thickness",
                      f"at most {_max_wall(self):.2f} mm for the {self.mask} port: the "
                      "spigot's bore would be narrower than the outlet's")
        if g.outlet_outer_r > g.body_r - self.wall_thickness:
            self.fail("outlet",
                      f"an outlet narrower than the {self.mask} port's body "
                      f"(radius {g.body_r:.1f} mm)")


PARAMS = SnorkelAdapterParams


def _max_wall(p: SnorkelAdapterParams) -> float:
    lo, hi = MIN_WALL, 4.0
    for _ in range(40):
        mid = (lo + hi) / 2
        g = geometry(p, wall=mid)
        lo, hi = (mid, hi) if g.chamber_r >= g.outlet_bore_r else (lo, mid)
    return lo


@dataclass(frozen=True)
class Geometry:
    """Derived radii and heights (mm) of the profile."""

    spigot_r: float
    groove_depth: float
    groove_z: float  #: groove centre height
    body_r: float
    shoulder_top: float
    body_top: float  #: where the outlet starts
    top: float  #: top of the part
    chamber_r: float
    chamber_top: float  #: where the chamber's 45-degree ceiling starts
    outlet_bore_r: float
    outlet_outer_r: float  #: outlet's widest outer radius (male base / female tube)
    o2_z: float  #: where the oxygen nipple's axis crosses the body's surface


def geometry(p: SnorkelAdapterParams, wall: float | None = None) -> Geometry:
    w = p.wall_thickness if wall is None else wall
    port, c, sex = p.port, p.cone, p.sex
    rs = (port.inner_diameter - p.fit_clearance) / 2
    gd = port.lip_height + GROOVE_CLEARANCE
    gz = port.depth - port.lip_depth
    rc = rs + COLLAR
    shoulder_top = port.depth + COLLAR
    chamber_r = rs - gd - w
    if sex == "male":
        outlet_bore_r = c.male_tip_diameter / 2 - w
        outlet_outer_r = c.male_base_diameter / 2
        outlet_len = c.male_length
    else:
        outlet_bore_r = c.female_bottom_diameter / 2 - FEMALE_STOP
        outlet_outer_r = c.female_mouth_diameter / 2 + w
        outlet_len = c.female_depth
    # the chamber's 45-degree ceiling ends `w` below the body's top
    ceiling = max(0.0, chamber_r - outlet_bore_r)
    body_len = BODY_MIN
    if p.oxygen_port:  # room for the nipple's footprint on the cylinder
        body_len = max(body_len, O2_BASE_DIAMETER / math.sin(math.radians(90 - O2_ANGLE)) + 4)
    body_top = max(shoulder_top + body_len, gz + GROOVE_FLAT / 2 + gd + w + ceiling + w)
    chamber_top = body_top - w - ceiling
    return Geometry(rs, gd, gz, rc, shoulder_top, body_top, body_top + outlet_len,
                    chamber_r, chamber_top, outlet_bore_r, outlet_outer_r,
                    (shoulder_top + body_top) / 2)


def outer_profile(p: SnorkelAdapterParams) -> list[tuple[float, float]]:
    """(radius, z) of the outer surface, bottom to top, without the axis closing it."""
    g, port, c = geometry(p), p.port, p.cone
    half = GROOVE_FLAT / 2
    pts = [(g.spigot_r - TIP_CHAMFER, 0.0), (g.spigot_r, TIP_CHAMFER),
           (g.spigot_r, g.groove_z - half - g.groove_depth),
           (g.spigot_r - g.groove_depth, g.groove_z - half),
           (g.spigot_r - g.groove_depth, g.groove_z + half),
           (g.spigot_r, g.groove_z + half + g.groove_depth),
           (g.spigot_r, port.depth), (g.body_r, g.shoulder_top), (g.body_r, g.body_top)]
    if p.sex == "male":
        pts += [(c.male_base_diameter / 2, g.body_top), (c.male_tip_diameter / 2, g.top)]
    else:
        pts += [(g.outlet_outer_r, g.body_top), (g.outlet_outer_r, g.top),
                (c.female_mouth_diameter / 2, g.top),
                (c.female_bottom_diameter / 2, g.body_top)]
    return pts


def inner_profile(p: SnorkelAdapterParams) -> list[tuple[float, float]]:
    """(radius, z) of the channel, top to bottom (continues outer_profile's polygon)."""
    g = geometry(p)
    top = g.top if p.sex == "male" else g.body_top
    pts = [(g.outlet_bore_r, top), (g.outlet_bore_r, g.chamber_top + g.chamber_r
                                    - g.outlet_bore_r),
           (g.chamber_r, g.chamber_top), (g.chamber_r, 0.0)]
    if p.sex == "female":
        # the socket's bottom is a ledge of FEMALE_STOP over the bore
        pts = [(p.cone.female_bottom_diameter / 2 - FEMALE_STOP, g.body_top)] + pts[1:]
    return pts


def _o2_nipple(p: SnorkelAdapterParams, g: Geometry) -> tuple[cq.Solid, cq.Solid]:
    """(nipple solid, bore tool), axis in the XZ plane pointing +X and 45 degrees up."""
    a = math.radians(O2_ANGLE)
    d = cq.Vector(math.cos(a), 0, math.sin(a))
    inside = (g.body_r - g.chamber_r) / math.cos(a) + 1.0  # reaches into the chamber
    start = cq.Vector(g.body_r, 0, g.o2_z) - d * inside
    length = inside + O2_LENGTH
    nipple = cq.Solid.makeCylinder(O2_BASE_DIAMETER / 2, inside, start, d)
    taper = cq.Solid.makeCone(O2_BASE_DIAMETER / 2, O2_TIP_DIAMETER / 2, O2_LENGTH,
                              start + d * inside, d)
    bore = cq.Solid.makeCylinder(O2_BORE / 2, length + 2, start - d * 1.0, d)
    return nipple.fuse(taper).clean(), bore


def build(p: SnorkelAdapterParams) -> cq.Workplane:
    """The adapter as one solid, spigot down on z = 0, outlet up."""
    g = geometry(p)
    body = iso5356.revolve(outer_profile(p) + inner_profile(p))
    if p.oxygen_port:
        nipple, bore = _o2_nipple(p, g)
        inner = inner_profile(p)
        channel = iso5356.revolve(inner + [(0.0, 0.0), (0.0, inner[0][1])])
        body = body.fuse(nipple.cut(channel)).cut(bore).clean()
    solids = body.Solids()
    if len(solids) != 1:  # pragma: no cover - a broken boolean; the tests catch it
        raise RuntimeError(f"snorkel-adapter built {len(solids)} solids, expected one")
    return cq.Workplane("XY").newObject([solids[0]])


# ------------------------------------------------------------------------- checks


def circle_diameters(shape: cq.Shape, z: float) -> list[float]:
    """Diameters of the circles centred on the Z axis where the plane z cuts the solid."""
    plane = cq.Face.makePlane(400, 400, cq.Vector(0, 0, z), cq.Vector(0, 0, 1))
    cut = shape.intersect(plane)
    out = []
    for e in cut.Edges():
        if e.geomType() == "CIRCLE":
            c = e.arcCenter()
            if math.hypot(c.x, c.y) < 1e-6:
                out.append(2 * e.radius())
    return sorted(set(round(d, 9) for d in out))


def checks(p: SnorkelAdapterParams, shape) -> dict[str, dict]:
    """The outlet cone measured on the B-rep at the standard's gauge points."""
    solid = shape.val() if isinstance(shape, cq.Workplane) else shape
    g, c = geometry(p), p.cone
    rows, worst = [], 0.0
    for dist, want in c.gauge_points(p.sex):
        z = g.top - dist
        found = circle_diameters(solid, z)
        got = (max(found) if p.sex == "male" else min(found)) if found else float("nan")
        err = abs(got - want) if found else float("inf")
        worst = max(worst, err)
        rows.append({"from_end_mm": dist, "expected_mm": round(want, 4),
                     "measured_mm": round(got, 4) if found else None})
    tol = 0.01
    ok = bool(worst <= tol)
    detail = (f"{p.outlet}: ISO 5356-1 {c.nominal} mm {p.sex} cone measured at "
              + ", ".join(f"{r['from_end_mm']:g} mm ({r['measured_mm']} vs {r['expected_mm']})"
                          for r in rows)
              + f"; largest error {worst:.4f} mm (allowed {tol} mm)")
    spigot = circle_diameters(solid, TIP_CHAMFER + 0.5)
    sp_ok = bool(spigot) and abs(max(spigot) - 2 * g.spigot_r) < 1e-6
    return {
        "outlet_cone": {"ok": ok, "detail": detail, "gauge": rows,
                        "max_error_mm": round(worst, 6)},
        "mask_spigot": {"ok": sp_ok,
                        "detail": (f"spigot Ø {2 * g.spigot_r:.2f} mm for the {p.mask} port "
                                   f"(Ø {p.port.inner_diameter:g} mm, {p.port.status})"),
                        "spigot_diameter_mm": round(2 * g.spigot_r, 4),
                        "port_diameter_mm": p.port.inner_diameter,
                        "port_values": p.port.status},
    }
