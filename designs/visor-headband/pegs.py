"""The pegs that carry the sheet: where they go (the pattern's offsets as arc lengths
on the band's outer surface), their printable shape, and where they are found in the
exported STL (the measurement the checks and the fit interface use).

Measuring the STL (`measure_pegs`), the file a slicer receives, not the model's numbers:

1. Slice the mesh at the pegs' axis height (`section_height`: lower where a truss's
   outer wall stops below the axis; the first band of a stack, the bands above are not
   at that height). Each peg is a bump on the outer edge of the section: the outline
   turns inwards by about 90 degrees (a concave corner) at the peg's two roots, runs out
   along one side, round the tip and back along the other, standing out of the outline
   over the span of its roots (a rib meeting a wall inside the truss turns by about 150
   degrees, and a pocket open to a strap slot runs inwards: neither is a peg). Replaced
   by the straight chord between its roots, each peg leaves the band's own outer contour
   (the chord differs from the arc under it by less than 0.01 mm over a peg's width).
2. The centre line is where that contour crosses x = 0 at the front (largest y).
3. Each peg's axis: the band's normal at the peg, measured as the perpendicular to the
   chord between its roots; the mesh is cut by two planes perpendicular to it, at a
   quarter and at two thirds of the peg's length beyond the chord (clear of the tip's
   chamfer), and a circle is fitted to each section (cad.meshslice.fit_circle, points
   on the bed and anything standing on the peg left out). The two circles' centres give
   the measured axis: its tilt from the band's normal, and where it meets the contour:
   the peg's position, as arc length along the contour from the centre line. The peg's
   diameter is twice the largest distance of the fitted points from the centre: the
   width a hole must pass over (the mesh's chords lie inside the true circle, by at most
   the STL's 0.01 mm chordal tolerance), given to 0.001 mm.

Measured so on the matrix's STLs: positions within 0.006 mm of the pattern's offsets
(the mesh's polyline is a little shorter than the true curve),
diameters within 0.0001 mm of the parameter, axes within 0.01 degree of the normal.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import cadquery as cq
import numpy as np
from shapely.geometry.polygon import orient

from cad import meshslice

from .band import place
from .parameters import PEG_TIP_CHAMFER, REINFORCEMENT_THICKNESS, VisorHeadbandParams

#: a peg's root: a concave turn of the section's outline between these (degrees; a peg
#: stands square on the band, whose outline turns by at most the STL's 0.1 rad, 5.7
#: degrees, per vertex; a rib meeting a wall inside the truss turns by about 150)
ROOT_TURN_DEG = (60.0, 120.0)
#: the outline is simplified to this before its corners are read (mm): the mesh's
#: section has sub-micrometre segments at some edges, whose turns mean nothing
OUTLINE_SIMPLIFY_MM = 0.002
#: points within this of a fitted circle are on it (mm)
CIRCLE_TRIM_MM = 0.02
#: the sections across a peg, as fractions of its length beyond the band
STATIONS = (0.25, 0.65)
#: the diameter is given to 1 micrometre: the STL's single-precision coordinates and the
#: circle's fitted centre scatter it by about 0.0001 mm
DIAMETER_DIGITS = 3


def peg_offsets(p: VisorHeadbandParams) -> tuple[float, ...]:
    """Arc lengths (outer surface, from the centre line) where the pegs go."""
    return tuple(p.pattern.offsets)


def peg_tip_chamfer(p: VisorHeadbandParams) -> float:
    return min(PEG_TIP_CHAMFER, p.peg_diameter / 8)


def peg_template(p: VisorHeadbandParams) -> cq.Solid:
    """One peg along +Y from y = -T/2 (inside the wall) to y = peg_length, on z = 0."""
    r = p.peg_diameter / 2
    zc = p.peg_axis_z
    root = -p.wall / 2
    length = p.peg_length - root
    cyl = cq.Solid.makeCylinder(r, length, cq.Vector(0, root, zc), cq.Vector(0, 1, 0))
    # cut the underside flat at z = 0 (the 45 degree points of the circle)
    below = cq.Solid.makeBox(4 * r, length + 2, 2 * r, cq.Vector(-2 * r, root - 1, -2 * r))
    peg = cyl.cut(below)
    # a small chamfer on the tip eases the sheet on
    wp = cq.Workplane().add(peg)
    try:
        peg = wp.faces(">Y").edges().chamfer(peg_tip_chamfer(p)).val()
    except Exception:  # pragma: no cover - keep the plain peg if OCC refuses
        pass
    return peg


def pegs(p: VisorHeadbandParams, offsets) -> list[cq.Solid]:
    """One peg at each offset, along the outer normal."""
    A, B = p.outer_semi_axes
    template = peg_template(p)
    return [place(template, A, B, s) for s in offsets]


# ------------------------------------------------------------- measured on the STL


@dataclass(frozen=True)
class MeasuredPeg:
    """One peg as found in the STL."""

    position_mm: float  #: arc length along the band's outer contour from the centre line
    diameter_mm: float  #: largest width of its sections across the axis
    tilt_deg: float  #: angle between its axis and the band's normal
    length_mm: float  #: how far its tip stands beyond the band's outer contour
    axis_z_mm: float  #: height of its axis (mean of the two sections' centres)


@dataclass(frozen=True)
class _Bump:
    root_a: np.ndarray  # the roots, in the outline's (counter-clockwise) order
    root_b: np.ndarray
    outline: np.ndarray  # the peg's part of the outline, roots included


def _outline_and_bumps(poly):
    """The outer ring of one section polygon with each peg replaced by the chord between
    its roots, and the pegs found on it: (ring vertices (n, 2), [(index of the chord's
    first vertex in the ring, _Bump)])."""
    ring = np.asarray(orient(poly.simplify(OUTLINE_SIMPLIFY_MM), 1.0).exterior.coords)[:-1]
    n = len(ring)
    if n < 4:
        return ring, []
    turns = -np.degrees(meshslice.turning(ring))
    lo, hi = ROOT_TURN_DEG
    roots = [int(i) for i in np.nonzero((turns >= lo) & (turns <= hi))[0]]
    step = np.hypot(*(np.roll(ring, -1, axis=0) - ring).T)
    pairs, used = [], set()
    for k, i in enumerate(roots):
        j = roots[(k + 1) % len(roots)]
        if j == i or i in used or j in used:
            continue
        idx = np.arange(i, i + ((j - i) % n) + 1) % n
        path = float(step[idx[:-1]].sum())
        chord = float(np.hypot(*(ring[j] - ring[i])))
        if not (1e-6 < chord < 20.0 and 1.5 * chord < path < 80.0):
            continue  # a peg goes out and back: its outline much longer than its chord
        t = (ring[j] - ring[i]) / chord
        rel = ring[idx] - ring[i]
        along, out = rel @ t, rel @ np.array([t[1], -t[0]])  # outside: on the right
        if out.min() < -0.1 or along.min() < -0.25 * chord or along.max() > 1.25 * chord:
            continue  # not standing out of the outline over the span of its roots
        pairs.append((i, j, idx))
        used.update((i, j))
    if not pairs:
        return ring, []
    inside = np.zeros(n, dtype=bool)  # vertices strictly inside a bump
    for i, j, idx in pairs:
        inside[idx[1:-1]] = True
    keep = np.nonzero(~inside)[0]
    new_index = {int(old): k for k, old in enumerate(keep)}
    bumps = [(new_index[i], _Bump(ring[i], ring[j], ring[idx])) for i, j, idx in pairs]
    return ring[keep], bumps


def _front_crossing(ring: np.ndarray):
    """Where the closed ring crosses x = 0 furthest towards +y: (y, arc length of that
    point from the ring's first vertex, the ring's direction there in x), or None."""
    nxt = np.roll(ring, -1, axis=0)
    cum = np.concatenate([[0.0], np.cumsum(np.hypot(*(nxt - ring).T))])
    best = None
    for k in np.nonzero((ring[:, 0] <= 0) != (nxt[:, 0] <= 0))[0]:
        (x0, y0), (x1, y1) = ring[k], nxt[k]
        f = x0 / (x0 - x1)
        y = y0 + f * (y1 - y0)
        if best is None or y > best[0]:
            best = (float(y), float(cum[k] + f * (cum[k + 1] - cum[k])), float(np.sign(x1 - x0)))
    return best, cum


def _circle_across(mesh, centre_xy, axis_xy, z, radius_guess, floor_z):
    """The circle fitted to the mesh's section by the vertical plane through
    (centre_xy, z) normal to the horizontal axis_xy: (centre (3,), diameter)."""
    n3 = np.array([axis_xy[0], axis_xy[1], 0.0])
    u3 = np.array([-axis_xy[1], axis_xy[0], 0.0])
    origin = np.array([centre_xy[0], centre_xy[1], z])
    pts = meshslice.plane_points(mesh, origin, n3, u3)
    v3 = np.cross(n3 / np.linalg.norm(n3), u3 / np.linalg.norm(u3))
    world_z = z + pts[:, 1] * v3[2] if len(pts) else np.zeros(0)
    near = (np.hypot(pts[:, 0], pts[:, 1]) < 1.6 * radius_guess) & (world_z > floor_z + 0.02) \
        if len(pts) else np.zeros(0, dtype=bool)
    cu, cv, _, inliers = meshslice.fit_circle(pts[near], trim=CIRCLE_TRIM_MM)
    used = pts[near][inliers]
    radius = float(np.hypot(used[:, 0] - cu, used[:, 1] - cv).max())
    centre = origin + cu * u3 / np.linalg.norm(u3) + cv * v3
    return centre, 2 * radius


def section_height(p: VisorHeadbandParams) -> float:
    """Where the band is cut to find its outer contour and the pegs' roots: at the pegs'
    axis, or lower where a truss's outer wall stops below it (the contour must run
    unbroken between the pegs), and above the reinforcement bar (a flange inside)."""
    z = p.peg_axis_z
    if p.band_profile == "truss":
        z = min(z, p.truss_height - 0.25)
    return max(z, REINFORCEMENT_THICKNESS + 0.1)


def measure_pegs(p: VisorHeadbandParams, stl) -> list[MeasuredPeg]:
    """The pegs of the first band found in the STL (a path or a trimesh), sorted by
    position (see the module docstring). Empty if the section has no front contour."""
    mesh = meshslice.as_mesh(stl)
    floor_z = float(mesh.bounds[0][2])
    z = section_height(p)
    section = meshslice.material(meshslice.rings(mesh, z))
    polys = [g for g in getattr(section, "geoms", [section]) if not g.is_empty]
    # the band's outer contour: the outline whose x = 0 crossing is furthest forward
    best = None
    for poly in polys:
        ring, bumps = _outline_and_bumps(poly)
        crossing, cum = _front_crossing(ring)
        if crossing is not None and (best is None or crossing[0] > best[0][0]):
            best = (crossing, cum, ring, bumps)
    if best is None:
        return []
    (_, s0, direction), cum, ring, bumps = best
    total = float(cum[-1])
    found = []
    for k, bump in bumps:
        a, b = bump.root_a, bump.root_b
        chord = float(np.hypot(*(b - a)))
        t = (b - a) / chord
        normal = np.array([t[1], -t[0]])  # outside of a counter-clockwise ring: right
        mid = (a + b) / 2
        length = float(((bump.outline - mid) @ normal).max())
        try:
            centres, diameters = [], []
            for f in STATIONS:
                c, d = _circle_across(mesh, mid + f * length * normal, normal,
                                      p.peg_axis_z, chord / 2, floor_z)
                centres.append(c)
                diameters.append(d)
            axis = centres[1] - centres[0]
            axis = axis / np.linalg.norm(axis)
            # where the axis (in plan) meets the chord: a + s t
            c0, dxy = centres[0][:2], axis[:2]
            m = np.array([[t[0], -dxy[0]], [t[1], -dxy[1]]])
            s, _ = np.linalg.solve(m, c0 - a)
        except (ValueError, np.linalg.LinAlgError):
            continue  # no round section across it: not a peg (the count check says so)
        tilt = math.degrees(math.acos(min(1.0, float(axis[:2] @ normal))))
        along = (float(cum[k]) + float(s) - s0) % total
        if along > total / 2:
            along -= total
        found.append(MeasuredPeg(position_mm=float(direction * along),
                                 diameter_mm=round(float(max(diameters)), DIAMETER_DIGITS),
                                 tilt_deg=tilt,
                                 length_mm=length,
                                 axis_z_mm=float(np.mean([c[2] for c in centres]))))
    return sorted(found, key=lambda q: q.position_mm)


_CACHE: dict[tuple, list[MeasuredPeg]] = {}


def measure_pegs_file(p: VisorHeadbandParams, path) -> list[MeasuredPeg]:
    """measure_pegs on a file, remembered per (file, size, modification time,
    parameters): checks() and interface() read the same STL once."""
    st = os.stat(path)
    key = (os.fspath(path), st.st_size, st.st_mtime_ns, p)
    if key not in _CACHE:
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = measure_pegs(p, path)
    return _CACHE[key]
