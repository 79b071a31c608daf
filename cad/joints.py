"""Finger joints for boxes made of flat panels (laser-cut acrylic, PETG, plywood).

Two panels meet at a right angle along a shared edge of length L. Along that edge the
edge is split into an ODD number of equal segments; on one panel the segments alternate
tab, slot, tab, ... and on the other slot, tab, slot, ...: each tab of one panel fills a
slot of the other. A slot is cut back by the thickness of the OTHER panel (the depth the
tab must fill). An odd count makes the pattern a palindrome, so the two panels agree
whichever end the edge is read from.

Conventions (pure functions, plain tuples, millimetres):

- A panel is the rectangle [0, width] x [0, height] of its outer size, its four edges
  named "bottom", "right", "top", "left"; each edge may carry an `EdgeJoint`. The panel's
  material is the rectangle less the slot rectangles of every jointed edge, so at a
  corner where both edges are slots the corner square is gone, and where both are tabs
  it stays (the panel owns the box's corner).
- Outlines are closed polygons, counter-clockwise, first point not repeated.
- Kerf: the laser burns away a strip `kerf` wide centred on its path, so the path is
  offset outward by kerf / 2 (holes inward): tabs come out wider by the kerf and slots
  narrower, and after cutting both are the nominal width, making a tight joint.
  `kerf = 0` gives the nominal outline.

Rule for the count (`finger_layout`): segments about FINGER_RATIO thicknesses long, at
least MIN_FINGER_RATIO thicknesses (narrower fingers break off brittle acrylic), at least
3 segments, and odd. These are the usual rules of thumb of laser-cut box generators
(fingers of 2 to 3 thicknesses), stated here as the project's own choice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

FINGER_RATIO = 3.0  #: target segment length / sheet thickness
MIN_FINGER_RATIO = 1.5  #: shortest segment / sheet thickness
EDGES = ("bottom", "right", "top", "left")  # counter-clockwise order

Point = tuple[float, float]


@dataclass(frozen=True)
class EdgeJoint:
    """Finger pattern along one panel edge."""

    length: float  #: the edge's length (mm)
    depth: float  #: how far slots are cut back: the mating panel's thickness (mm)
    count: int  #: number of segments (odd, >= 3)
    first: str  #: "tab" or "slot": the kind of the first (and last) segment

    def __post_init__(self) -> None:
        if self.count < 3 or self.count % 2 == 0:
            raise ValueError(f"count = {self.count!r} is not allowed: an odd number, at least 3")
        if self.first not in ("tab", "slot"):
            raise ValueError(f"first = {self.first!r} is not allowed: one of 'tab', 'slot'")
        if not (self.length > 0 and self.depth > 0):
            raise ValueError(f"length = {self.length!r}, depth = {self.depth!r}: both must be > 0")

    @property
    def width(self) -> float:
        """Length of each segment."""
        return self.length / self.count

    def segments(self) -> list[tuple[float, float, str]]:
        """(start, end, "tab"|"slot") along the edge."""
        other = "slot" if self.first == "tab" else "tab"
        w = self.width
        return [(i * w, (i + 1) * w if i < self.count - 1 else self.length,
                 self.first if i % 2 == 0 else other) for i in range(self.count)]

    def depth_at(self, s: float) -> float:
        """0 where the edge has a tab at s, `depth` where it has a slot."""
        for s0, s1, kind in self.segments():
            if s0 - 1e-9 <= s <= s1 + 1e-9:
                return 0.0 if kind == "tab" else self.depth
        raise ValueError(f"s = {s!r} is not allowed: from 0 to {self.length:g} mm")

    def mate(self, depth: float | None = None) -> "EdgeJoint":
        """The matching edge of the other panel: same count, tabs where this has slots.
        depth: THIS panel's thickness (the mate's slots are cut that deep)."""
        return replace(self, first="slot" if self.first == "tab" else "tab",
                       depth=self.depth if depth is None else depth)

    @property
    def tabs(self) -> int:
        return sum(1 for _, _, k in self.segments() if k == "tab")

    @property
    def slots(self) -> int:
        return self.count - self.tabs


def finger_layout(length: float, thickness: float, ratio: float = FINGER_RATIO) -> tuple[int, float]:
    """(segment count, segment length) for an edge of `length` between sheets of
    `thickness`: the odd count whose segments are nearest ratio * thickness, at least 3, each
    segment at least MIN_FINGER_RATIO thicknesses. ValueError naming the length if
    the edge is too short for three such segments."""
    if thickness <= 0:
        raise ValueError(f"thickness = {thickness!r} is not allowed: above 0 mm")
    shortest = 3 * MIN_FINGER_RATIO * thickness
    if length < shortest:
        raise ValueError(f"length = {length!r} is not allowed: at least {shortest:g} mm for "
                         f"three fingers of {MIN_FINGER_RATIO:g} x {thickness:g} mm")
    target = ratio * thickness
    lo = max(3, 2 * math.floor((length / target - 1) / 2) + 1)  # odd counts either side
    candidates = [c for c in (lo, lo + 2)
                  if c == 3 or length / c >= MIN_FINGER_RATIO * thickness]
    odd = min(candidates, key=lambda c: (abs(length / c - target), c))
    return odd, length / odd


def joint(length: float, depth: float, thickness: float, first: str = "tab") -> EdgeJoint:
    """An edge joint laid out by `finger_layout` (thickness: the sheet's, for the
    finger size; depth: the mating panel's thickness)."""
    count, _ = finger_layout(length, thickness)
    return EdgeJoint(length, depth, count, first)


# ------------------------------------------------------------------- panel outlines


def _frames(width: float, height: float):
    """For each edge: (origin, direction along the edge, inward normal, length)."""
    return {
        "bottom": ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0), width),
        "right": ((width, 0.0), (0.0, 1.0), (-1.0, 0.0), height),
        "top": ((width, height), (-1.0, 0.0), (0.0, -1.0), width),
        "left": ((0.0, height), (0.0, -1.0), (1.0, 0.0), height),
    }


def _depth(j: EdgeJoint | None, s: float) -> float:
    return 0.0 if j is None else j.depth_at(s)


def nominal_outline(width: float, height: float,
                    edges: dict[str, EdgeJoint | None]) -> list[Point]:
    """The panel's outline before kerf compensation (counter-clockwise)."""
    unknown = set(edges) - set(EDGES)
    if unknown:
        raise ValueError(f"edges = {sorted(unknown)} is not allowed: names are {EDGES}")
    frames = _frames(width, height)
    for name, j in edges.items():
        if j is not None and abs(j.length - frames[name][3]) > 1e-9:
            raise ValueError(f"{name} edge length = {j.length!r} is not allowed: the panel's "
                             f"edge is {frames[name][3]:g} mm")
    pts: list[Point] = []
    for k, name in enumerate(EDGES):
        (ox, oy), (ux, uy), (nx, ny), length = frames[name]
        j = edges.get(name)
        prev = EDGES[k - 1]
        prev_len = frames[prev][3]
        # start corner: pushed along this edge by the previous edge's depth at its end
        a, b = _depth(edges.get(prev), prev_len), _depth(j, 0.0)
        pts.append((ox + ux * a + nx * b, oy + uy * a + ny * b))
        if j is not None:
            segs = j.segments()
            for (s0, s1, k0), (_, _, k1) in zip(segs, segs[1:]):
                d0 = 0.0 if k0 == "tab" else j.depth
                d1 = 0.0 if k1 == "tab" else j.depth
                pts.append((ox + ux * s1 + nx * d0, oy + uy * s1 + ny * d0))
                pts.append((ox + ux * s1 + nx * d1, oy + uy * s1 + ny * d1))
    return _simplify(pts)


def _simplify(pts: list[Point]) -> list[Point]:
    """Drop repeated and collinear points."""
    out: list[Point] = []
    for p in pts:
        if not out or math.dist(out[-1], p) > 1e-9:
            out.append(p)
    if len(out) > 1 and math.dist(out[0], out[-1]) <= 1e-9:
        out.pop()
    changed = True
    while changed and len(out) > 3:
        changed = False
        for i in range(len(out)):
            a, b, c = out[i - 1], out[i], out[(i + 1) % len(out)]
            if abs((b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])) < 1e-12:
                out.pop(i)
                changed = True
                break
    return out


def signed_area(pts: list[Point]) -> float:
    """Shoelace area: positive for counter-clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1])) / 2


def offset_polygon(pts: list[Point], distance: float) -> list[Point]:
    """Offset a simple polygon outward by `distance` (inward if negative) with mitred
    corners, by shapely's buffer: every edge moves `distance` along its outward normal,
    exact for the right-angled outlines of finger-jointed panels. Counter-clockwise,
    first point not repeated, collinear points dropped."""
    from shapely.geometry import Polygon
    from shapely.geometry.polygon import orient

    if distance == 0:
        return list(pts)
    grown = Polygon(pts).buffer(distance, join_style="mitre", mitre_limit=10.0)
    if grown.geom_type != "Polygon" or grown.is_empty:
        raise ValueError(f"offsetting by {distance:g} mm does not leave one polygon")
    return _simplify([(float(x), float(y)) for x, y in orient(grown, 1.0).exterior.coords])


def panel_outline(width: float, height: float, edges: dict[str, EdgeJoint | None],
                  kerf: float = 0.0) -> list[Point]:
    """The laser's path round a panel: the nominal outline offset outward by kerf / 2."""
    if kerf < 0:
        raise ValueError(f"kerf = {kerf!r} is not allowed: at least 0 mm")
    return offset_polygon(nominal_outline(width, height, edges), kerf / 2)


def edge_runs(outline: list[Point], name: str, width: float, height: float,
              depth: float, kerf: float = 0.0) -> list[tuple[float, float, str]]:
    """Read an edge's pattern back from an outline: the runs (start, end, kind) of path
    lying on the edge's outer line ("tab") or on the slot line `depth` in ("slot"), in
    the edge's own coordinate. Lets tests check outlines, not the joint objects."""
    (ox, oy), (ux, uy), (nx, ny), length = _frames(width, height)[name]
    k = kerf / 2
    runs = []
    n = len(outline)
    for i in range(n):
        (x0, y0), (x1, y1) = outline[i], outline[(i + 1) % n]
        # edge-frame coordinates: s along, d inward
        s0 = (x0 - ox) * ux + (y0 - oy) * uy
        s1 = (x1 - ox) * ux + (y1 - oy) * uy
        d0 = (x0 - ox) * nx + (y0 - oy) * ny
        d1 = (x1 - ox) * nx + (y1 - oy) * ny
        if abs(d0 - d1) > 1e-9 or abs(s1 - s0) < 1e-9:
            continue
        if abs(d0 + k) < 1e-6:
            kind = "tab"
        elif abs(d0 - (depth - k)) < 1e-6:
            kind = "slot"
        else:
            continue
        lo, hi = sorted((s0, s1))
        if hi < -k - 1e-6 or lo > length + k + 1e-6:
            continue
        runs.append((lo, hi, kind))
    return sorted(runs)


# ------------------------------------------------------- measured on the cut files

#: Accepted error on a finger's width and position in the cut files, after the kerf
#: (mm): far finer than the kerf itself (0.1 to 0.3 mm), so a file cut without kerf
#: compensation, or with it twice, is refused.
MATE_TOLERANCE_MM = 0.05


def edge_frame(width: float, height: float, name: str):
    """(origin, direction along the edge, inward normal, length) of a panel's edge."""
    return _frames(width, height)[name]


def fingers_as_cut(path_polygon, width: float, height: float, name: str, depth: float,
                   kerf: float) -> tuple[list[tuple[float, float]], int]:
    """The tabs of one edge of a cut path, as they come out of the laser.

    path_polygon: the panel's cut path (a shapely Polygon, read from its DXF); the laser
    burns kerf / 2 on each side of it, so the part is the path shrunk by kerf / 2. The
    part is probed along two lines parallel to the edge, at half the slot depth and just
    short of the full `depth` (the mating panel's thickness); the material met on both is
    the edge's tabs. Returns (tabs as (start, end) in the edge's own coordinate, clipped
    to [0, length]; 1 if both probes agree, else 0)."""
    from shapely.geometry import LineString

    part = path_polygon.buffer(-kerf / 2, join_style="mitre") if kerf > 0 else path_polygon
    (ox, oy), (ux, uy), (nx, ny), length = edge_frame(width, height, name)
    found = []
    for d in (depth / 2, depth - 0.05):
        a = (ox + ux * -10 + nx * d, oy + uy * -10 + ny * d)
        b = (ox + ux * (length + 10) + nx * d, oy + uy * (length + 10) + ny * d)
        hit = part.intersection(LineString([a, b]))
        runs = []
        for seg in getattr(hit, "geoms", [hit]):
            if seg.is_empty or seg.length < 1e-9:
                continue
            s = sorted(((x - ox) * ux + (y - oy) * uy) for x, y in seg.coords)
            lo, hi = max(s[0], 0.0), min(s[-1], length)
            if hi - lo > 1e-9:
                runs.append((lo, hi))
        found.append(sorted(runs))
    same = len(found[0]) == len(found[1]) and all(
        abs(a0 - b0) < 1e-6 and abs(a1 - b1) < 1e-6 for (a0, a1), (b0, b1) in zip(*found))
    return found[0], int(same)


def clip_runs(runs: list[tuple[float, float]], lo: float, hi: float
              ) -> list[tuple[float, float]]:
    """Runs cut to [lo, hi], empty ones dropped (at a box's corner the last thickness of
    an edge belongs to the third panel: compare two panels' fingers inside it)."""
    out = [(max(a, lo), min(b, hi)) for a, b in runs]
    return [(a, b) for a, b in out if b - a > 1e-9]


def gaps_between(runs: list[tuple[float, float]], length: float) -> list[tuple[float, float]]:
    """The complement of sorted runs within [0, length] (an edge's slots from its tabs)."""
    out, cursor = [], 0.0
    for lo, hi in runs:
        if lo - cursor > 1e-9:
            out.append((cursor, lo))
        cursor = max(cursor, hi)
    if length - cursor > 1e-9:
        out.append((cursor, length))
    return out


def compare_fingers(tabs: list[tuple[float, float]], slots: list[tuple[float, float]],
                    tol: float = MATE_TOLERANCE_MM) -> dict:
    """Tabs of one panel against the slots of its mate (same edge coordinate): one slot
    per tab, each slot's centre within tol of its tab's, clearance (slot less tab width)
    within +- tol. Returns {"ok", "pairs", "max_offset_mm", "clearance_mm": [lo, hi]}."""
    if len(tabs) != len(slots) or not tabs:
        return {"ok": False, "pairs": 0, "max_offset_mm": None, "clearance_mm": None,
                "problem": f"{len(tabs)} tabs against {len(slots)} slots"}
    offsets = [abs((t0 + t1) / 2 - (s0 + s1) / 2) for (t0, t1), (s0, s1) in zip(tabs, slots)]
    clear = [(s1 - s0) - (t1 - t0) for (t0, t1), (s0, s1) in zip(tabs, slots)]
    ok = max(offsets) <= tol and all(abs(c) <= tol for c in clear)
    problem = "" if ok else (f"clearance {min(clear):+.3f} to {max(clear):+.3f} mm, tabs up "
                             f"to {max(offsets):.3f} mm off their slots (allowed +- {tol:g})")
    return {"ok": ok, "pairs": len(tabs), "max_offset_mm": round(max(offsets), 4),
            "clearance_mm": [round(min(clear), 4), round(max(clear), 4)], "problem": problem}
