"""ISO 5356-1 conical connectors (anaesthetic and respiratory equipment), 22 mm and 15 mm.

The cones taper 1:40 on the DIAMETER (the diameter changes by 1 mm every 40 mm of
length). A straight spigot does not seal: every cone here is a true cone.

Geometry of each size, as data (`CONES`, listed by `sizes()`):

- male cone: its diameter is `reference_diameter` at `engagement` from its tip (the
  reference plane); it tapers over `male_length` from its base (widest) to its tip;
- female socket: its diameter is `reference_diameter` at its mouth (widest) and it tapers
  over at least `female_depth`;
- so a male pushed into a female of the same size wedges where the two diameters agree:
  with its tip `engagement` deep inside the socket (closed form: depth =
  (reference_diameter - male_tip_diameter) / taper).

Sources of the figures (check against the standard itself before any release; the
standard is not free to read, so the figures come from two independent open
implementations written against ISO 5356-1:2004, and the project's reference notes):

- [R] Joris Robijn, "adapter 19mm 22mm male/female taper.scad", Open Ventilator project
  (github.com/popsolutions/openventilator, 06_Accessories/ISO5356-1/), citing
  ISO 5356-1:2004 for the 22 mm cone: engages at least 15 mm, diameter 22.37 mm there;
  taper 1:40; male cone 21 mm long, 21.99 mm at the tip, 22.52 mm at the base; female
  22.37 mm at the mouth, at least 21 mm of taper.
- [M] Helio Machado, "ISO5356_1.scad", Georges CPAP project
  (github.com/helpfulengineering/project-georges-cpap, library/connectors/conical/),
  table per size [reference diameter, engagement, male taper length, female taper length,
  ..., taper]: 22 mm -> 22.37, 15, 21, 21, 1/40; 15 mm -> 15.47, 10, 16, 16, 1/40.
- [U] Usine reference notes (REFERENCE.md, "Respiratory connectors, ISO 5356-1"), which
  summarise [R] and [M].

The 15 mm engagement (10 mm) is given by [M] only: unverified by a second source.

Coordinates: every cone is a solid of revolution about +Z. Lengths in millimetres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import cadquery as cq
import numpy as np

Sex = Literal["male", "female"]
SEXES: tuple[str, ...] = ("male", "female")

#: 1:40 on the diameter [R][M][U]: the diameter changes by 1/40 mm per mm of length.
TAPER = 1.0 / 40.0


@dataclass(frozen=True)
class ConeSize:
    """One ISO 5356-1 cone size (millimetres)."""

    nominal: int  #: 15 or 22 (the size's name, mm)
    reference_diameter: float  #: male at its reference plane; female at its mouth
    engagement: float  #: male tip to reference plane = depth at which a pair wedges
    male_length: float  #: length of the male's taper, tip to base
    female_depth: float  #: least depth of the female's taper
    taper: float  #: change in diameter per unit length
    source: str  #: where the figures come from (see the module docstring)

    # -- male: x is the distance from the TIP towards the base
    @property
    def male_tip_diameter(self) -> float:
        return self.reference_diameter - self.engagement * self.taper

    @property
    def male_base_diameter(self) -> float:
        return self.male_tip_diameter + self.male_length * self.taper

    def male_diameter(self, x: float) -> float:
        """Male cone diameter at distance x from its tip (0 <= x <= male_length)."""
        _within("x", x, 0.0, self.male_length)
        return self.male_tip_diameter + x * self.taper

    # -- female: y is the depth from the MOUTH
    @property
    def female_mouth_diameter(self) -> float:
        return self.reference_diameter

    @property
    def female_bottom_diameter(self) -> float:
        return self.reference_diameter - self.female_depth * self.taper

    def female_diameter(self, y: float) -> float:
        """Female socket diameter at depth y below its mouth (0 <= y <= female_depth)."""
        _within("y", y, 0.0, self.female_depth)
        return self.reference_diameter - y * self.taper

    def gauge_points(self, sex: Sex, margin: float = 1.0) -> list[tuple[float, float]]:
        """(distance, diameter) pairs where a gauge checks the cone: near each end
        (`margin` inside) and at the reference plane. Distance is from the male's tip,
        or below the female's mouth."""
        if sex == "male":
            xs = (margin, self.engagement, self.male_length - margin)
            return [(x, self.male_diameter(x)) for x in xs]
        if sex == "female":
            ys = (margin, self.engagement, self.female_depth - margin)
            return [(y, self.female_diameter(y)) for y in ys]
        raise ValueError(f"sex = {sex!r} is not allowed: one of 'male', 'female'")


def _within(name: str, value: float, lo: float, hi: float) -> None:
    if not (lo - 1e-9 <= value <= hi + 1e-9):
        raise ValueError(f"{name} = {value!r} is not allowed: from {lo:g} to {hi:g} mm")


#: The sizes, as data. Sources in the module docstring.
CONES: dict[int, ConeSize] = {
    22: ConeSize(22, reference_diameter=22.37, engagement=15.0, male_length=21.0,
                 female_depth=21.0, taper=TAPER, source="[R] [M] [U]"),
    15: ConeSize(15, reference_diameter=15.47, engagement=10.0, male_length=16.0,
                 female_depth=16.0, taper=TAPER,
                 source="[M] [U]; engagement 10 mm from [M] only"),
}


def sizes() -> list[dict]:
    """The table, one row per size and sex, for documentation and tests."""
    rows = []
    for c in CONES.values():
        rows.append({"size": c.nominal, "sex": "male", "length_mm": c.male_length,
                     "small_diameter_mm": round(c.male_tip_diameter, 4),
                     "large_diameter_mm": round(c.male_base_diameter, 4),
                     "reference_diameter_mm": c.reference_diameter,
                     "reference_from": f"{c.engagement:g} mm from the tip",
                     "taper": "1:40", "source": c.source})
        rows.append({"size": c.nominal, "sex": "female", "length_mm": c.female_depth,
                     "small_diameter_mm": round(c.female_bottom_diameter, 4),
                     "large_diameter_mm": round(c.female_mouth_diameter, 4),
                     "reference_diameter_mm": c.reference_diameter,
                     "reference_from": "at the mouth",
                     "taper": "1:40", "source": c.source})
    return rows


def cone(size: int) -> ConeSize:
    """The ConeSize of a nominal size; ValueError naming the allowed sizes."""
    if size not in CONES:
        raise ValueError(f"size = {size!r} is not allowed: one of "
                         + ", ".join(str(s) for s in CONES))
    return CONES[size]


def engagement_depth(male: int, female: int) -> float:
    """Depth of the male's tip inside the female's mouth when the pair wedges (closed
    form): where the male's diameter equals the female's. ValueError if the male's tip
    is wider than the mouth or the pair does not wedge inside both tapers."""
    m, f = cone(male), cone(female)
    if abs(m.taper - f.taper) > 1e-12:  # pragma: no cover - both sizes are 1:40
        raise ValueError("tapers differ: the cones would touch on a line, not seal")
    depth = (f.female_mouth_diameter - m.male_tip_diameter) / m.taper
    if not (0.0 < depth <= min(m.male_length, f.female_depth)):
        raise ValueError(f"a {male} mm male does not wedge in a {female} mm female "
                         f"(depth {depth:.2f} mm)")
    return depth


# ----------------------------------------------------------------- profiles and solids


def male_profile(size: int, z0: float = 0.0) -> list[tuple[float, float]]:
    """(radius, z) of the male cone's surface, base at z0, tip at z0 + male_length."""
    c = cone(size)
    return [(c.male_base_diameter / 2, z0), (c.male_tip_diameter / 2, z0 + c.male_length)]


def female_profile(size: int, z_mouth: float = 0.0, depth: float | None = None
                   ) -> list[tuple[float, float]]:
    """(radius, z) of the socket's surface, bottom first, mouth at z_mouth (pointing +Z).
    depth: taper depth, at least the standard's `female_depth`."""
    c = cone(size)
    depth = c.female_depth if depth is None else depth
    if depth < c.female_depth - 1e-9:
        raise ValueError(f"depth = {depth!r} is not allowed: at least {c.female_depth:g} mm "
                         f"for a {size} mm socket")
    return [((c.reference_diameter - depth * c.taper) / 2, z_mouth - depth),
            (c.reference_diameter / 2, z_mouth)]


def revolve(points: list[tuple[float, float]]) -> cq.Solid:
    """A solid of revolution about Z from a closed (radius, z) polygon (radii >= 0)."""
    wp = cq.Workplane("XZ").polyline(points).close()
    # XZ workplane: local x = global X, local y = global Z; revolve about the local y axis
    solid = wp.revolve(360.0, (0, 0, 0), (0, 1, 0)).val()
    return solid


def male_cone(size: int, bore: float | None = None, base_length: float = 0.0) -> cq.Solid:
    """A male cone standing on z = 0: a cylinder of the base diameter `base_length` tall
    (0 for none), then the taper up to the tip. bore: diameter of a through hole (None
    for a solid spigot); it must leave a wall."""
    c = cone(size)
    (rb, _), (rt, _) = male_profile(size)
    top = base_length + c.male_length
    ri = 0.0 if bore is None else bore / 2
    if ri >= rt:
        raise ValueError(f"bore = {bore!r} is not allowed: below the {2 * rt:.3f} mm tip")
    pts = [(ri, 0.0), (rb, 0.0)]
    if base_length > 0:
        pts.append((rb, base_length))
    pts += [(rt, top), (ri, top)]
    if ri == 0.0:
        pts = [(0.0, 0.0), *pts[1:-1], (0.0, top)]
    return revolve(_dedupe(pts))


def female_socket(size: int, outer_diameter: float, depth: float | None = None,
                  floor: float = 0.0, bore: float | None = None) -> cq.Solid:
    """A socket solid standing on z = 0, mouth on top: a tube of `outer_diameter` whose
    hole is the female taper, `depth` deep, over a `floor` thick base (through-bored with
    `bore` if given)."""
    c = cone(size)
    depth = c.female_depth if depth is None else depth
    ro = outer_diameter / 2
    top = floor + depth
    (rb, zb), (rm, zm) = female_profile(size, top, depth)
    if ro <= rm:
        raise ValueError(f"outer_diameter = {outer_diameter!r} is not allowed: above the "
                         f"{2 * rm:.3f} mm mouth")
    if floor > 0:
        ri = 0.0 if bore is None else bore / 2
        if ri >= rb:
            raise ValueError(f"bore = {bore!r} is not allowed: below the socket's "
                             f"{2 * rb:.3f} mm bottom")
        pts = [(ri, 0.0), (ro, 0.0), (ro, top), (rm, top), (rb, zb), (ri, zb)]
    else:
        pts = [(rb, 0.0), (ro, 0.0), (ro, top), (rm, top)]
    return revolve(_dedupe(pts))


def female_tool(size: int, z_mouth: float = 0.0, depth: float | None = None,
                overshoot: float = 1.0) -> cq.Solid:
    """The socket as a cutting tool: cut it from a body to make a female connector with
    its mouth at z_mouth. It continues the taper `overshoot` above the mouth so the cut
    leaves no sliver."""
    c = cone(size)
    (rb, zb), (rm, zm) = female_profile(size, z_mouth, depth)
    r_over = rm + overshoot * c.taper / 2
    return revolve([(0.0, zb), (rb, zb), (r_over, zm + overshoot), (0.0, zm + overshoot)])


def _dedupe(pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for p in pts:
        if not out or math.dist(out[-1], p) > 1e-9:
            out.append(p)
    if len(out) > 1 and math.dist(out[0], out[-1]) <= 1e-9:
        out.pop()
    return out


# ------------------------------------------------------------- measured on the mesh

#: Accepted error on a cone's diameter in the exported file (mm). The file is the design
#: intent: far tighter than what a print holds (the female mouth is checked on every
#: print at 22.37 +0.1 / -0.15 mm, REFERENCE.md).
MESH_DIAMETER_TOL = 0.05
#: Accepted error on the taper, relative (1:40 +- 5 %).
MESH_TAPER_TOL = 0.05
#: Accepted error on the depth at which a standard mate wedges (mm): 1 mm of depth is
#: 0.025 mm on the diameter.
MESH_ENGAGEMENT_TOL = 1.0


def gauge_mesh(mesh_or_path, size: int, sex: Sex, end_z: float,
               centre: tuple[float, float] = (0.0, 0.0), samples: int = 5) -> dict:
    """Check a cone of an exported mesh against the standard, like a gauge would.

    The cone stands on the vertical axis through `centre`, its end (male tip or female
    mouth) at `end_z` and pointing +Z. Its diameter is measured on horizontal sections
    (`cad.gauge`) at the standard's gauge points and at `samples` heights along it; a
    straight line fitted to those gives the taper and the depth at which a mate of the
    standard's table (a female mouth of `reference_diameter`, or a male tip of
    `male_tip_diameter`) wedges. Returns a manifest check: ok, detail and the figures;
    ok only if every gauge diameter is within MESH_DIAMETER_TOL, the taper within
    MESH_TAPER_TOL and the engagement depth within MESH_ENGAGEMENT_TOL of the table."""
    from cad import gauge

    c = cone(size)
    length = c.male_length if sex == "male" else c.female_depth
    which = "outer" if sex == "male" else "inner"

    def dia(dist: float) -> float | None:
        try:
            return gauge.diameter_at(mesh_or_path, end_z - dist, which, near=centre)
        except ValueError:
            return None

    rows, worst = [], 0.0
    for dist, want in c.gauge_points(sex):
        got = dia(dist)
        err = abs(got - want) if got is not None else float("inf")
        worst = max(worst, err)
        rows.append({"from_end_mm": dist, "expected_mm": round(want, 4),
                     "measured_mm": round(got, 4) if got is not None else None})
    xs = np.linspace(1.0, length - 1.0, samples)
    ds = [dia(x) for x in xs]
    if any(d is None for d in ds) or not math.isfinite(worst):
        return {"ok": False, "gauge": rows, "taper": None, "engagement_mm": None,
                "max_error_mm": None,
                "detail": f"ISO 5356-1 {size} mm {sex} cone: no round section found on "
                          f"the axis at {centre} below z = {end_z:.2f} mm"}
    k, d0 = np.polyfit(xs, ds, 1)  # d = d0 + k * distance from the end
    if sex == "male":  # d0 is the tip; a standard socket's mouth is the reference
        taper = float(k)
        depth = (c.reference_diameter - d0) / k if k > 0 else float("inf")
    else:  # d0 is the mouth; a standard male's tip goes in until it wedges
        taper = float(-k)
        depth = (d0 - c.male_tip_diameter) / c.taper
    taper_ok = abs(taper - c.taper) <= MESH_TAPER_TOL * c.taper
    depth_ok = abs(depth - c.engagement) <= MESH_ENGAGEMENT_TOL
    ok = bool(worst <= MESH_DIAMETER_TOL and taper_ok and depth_ok)
    detail = (f"ISO 5356-1 {size} mm {sex} cone measured on the mesh at "
              + ", ".join(f"{r['from_end_mm']:g} mm ({r['measured_mm']} vs "
                          f"{r['expected_mm']})" for r in rows)
              + f"; largest error {worst:.3f} mm (allowed {MESH_DIAMETER_TOL}); taper "
              f"1:{1 / taper if taper > 0 else float('inf'):.1f} (1:40 +- "
              f"{MESH_TAPER_TOL:.0%}); a standard mate wedges at {depth:.2f} mm "
              f"(standard {c.engagement:g} +- {MESH_ENGAGEMENT_TOL:g} mm)")
    return {"ok": ok, "detail": detail, "gauge": rows, "taper": round(taper, 6),
            "engagement_mm": round(float(depth), 3), "max_error_mm": round(worst, 4)}
