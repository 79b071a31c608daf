"""The band itself: its plan (two ellipses closed by half-rounds), the truss walls and
diagonal ribs, the lower reinforcement bar and the strap slots.

The inner surface is the ellipse x = a sin(t), y = b cos(t), the outer one has the
semi-axes a + D, b + D over the same parameter t (front apex on +Y, centre line on
x = 0); positions along the band are arc lengths on the outer surface (cad.ellipse).
"""

import math

import cadquery as cq
import numpy as np

from cad.ellipse import param_at_arc

from .parameters import (REINFORCEMENT_THICKNESS, SLOT_RIM, TRUSS_CENTRE_GAP, TRUSS_RIB,
                         TRUSS_RIB_ANGLE, VisorHeadbandParams)


def point(A, B, t):
    return np.array([A * math.sin(t), B * math.cos(t)])


def normal(A, B, t):
    """Unit outward normal of the ellipse (A sin t, B cos t) in the plan."""
    n = np.array([B * math.sin(t), A * math.cos(t)])
    return n / np.linalg.norm(n)


def frame(A: float, B: float, s: float):
    """Point on the outer ellipse at arc length s, its outward normal, and the rotation
    (degrees about Z) taking +Y to that normal."""
    t = param_at_arc(A, B, s)
    x, y = point(A, B, t)
    n = normal(A, B, t)
    return (x, y), n, math.degrees(math.atan2(n[1], n[0])) - 90.0


def place(solid: cq.Solid, A: float, B: float, s: float) -> cq.Solid:
    """A solid drawn along +Y at the origin, moved to the outer surface at arc length s
    and turned along its normal."""
    (x, y), _, angle = frame(A, B, s)
    return solid.rotate(cq.Vector(), cq.Vector(0, 0, 1), angle).translate(cq.Vector(x, y, 0))


def plan_face(a: float, b: float, T: float, t_end: float) -> cq.Face:
    """Plan of a band between the ellipses (a, b) and (a + T, b + T) over parameters
    -t_end .. t_end, each end closed by a half-round of diameter T."""
    A, B = a + T, b + T
    deg = math.degrees(t_end)
    # standard angle alpha = 90 deg - t (x = r cos alpha, y = r sin alpha)
    outer = cq.Edge.makeEllipse(A, B, angle1=90 - deg, angle2=90 + deg)
    inner = cq.Edge.makeEllipse(a, b, angle1=90 - deg, angle2=90 + deg)
    caps = []
    for side in (1, -1):
        t = side * t_end
        po, pi = point(A, B, t), point(a, b, t)
        mid = (po + pi) / 2
        # bulge away from the band, perpendicular to the end segment (which is along
        # (sin t, cos t)), towards increasing |t|
        d = side * np.array([math.cos(t), -math.sin(t)])
        tip = mid + d * T / 2
        caps.append(cq.Edge.makeThreePointArc(
            cq.Vector(*po, 0), cq.Vector(*tip, 0), cq.Vector(*pi, 0)))
    wire = cq.Wire.assembleEdges([outer, caps[1], inner, caps[0]])
    return cq.Face.makeFromWires(wire)


def truss_nodes(p: VisorHeadbandParams) -> list[tuple[float, float]]:
    """The diagonal ribs of a truss band on the side x > 0, as (outer arc length of the
    end on the inner wall, of the end on the outer wall); mirrored for x < 0. A Warren
    truss: the ribs zigzag between the walls at TRUSS_RIB_ANGLE, from
    TRUSS_CENTRE_GAP off the centre line (the centre panel, where symmetry leaves no
    shear, has no rib: the section at x = 0 is the two walls) to short of the slots."""
    d = p.depth - p.wall  # wall centre to wall centre
    q = d / math.tan(math.radians(TRUSS_RIB_ANGLE))  # along the band between nodes
    limit = p.slot_centre_arc - p.strap_slot_width / 2 - 2.0
    s0 = TRUSS_CENTRE_GAP + TRUSS_RIB / 2
    ribs, k = [], 0
    while s0 + (k + 1) * q <= limit:
        lo, hi = s0 + k * q, s0 + (k + 1) * q
        ribs.append((lo, hi) if k % 2 == 0 else (hi, lo))
        k += 1
    return ribs


def rib_faces(p: VisorHeadbandParams) -> list[cq.Face]:
    """Plans of the diagonal ribs: rectangles TRUSS_RIB wide from the inner wall's
    middle surface to the outer wall's, on both sides of the centre line."""
    a, b = p.inner_semi_axes
    A, B = p.outer_semi_axes
    w = p.wall
    ai, bi = a + w / 2, b + w / 2  # the walls' middle surfaces
    ao, bo = A - w / 2, B - w / 2
    out = []
    for s_in, s_out in truss_nodes(p):
        for side in (1, -1):
            pi = point(ai, bi, side * param_at_arc(A, B, s_in))
            po = point(ao, bo, side * param_at_arc(A, B, s_out))
            u = (po - pi) / np.linalg.norm(po - pi)
            n = np.array([-u[1], u[0]]) * TRUSS_RIB / 2
            pts = [pi + n, po + n, po - n, pi - n]
            wire = cq.Wire.makePolygon([cq.Vector(x, y, 0) for x, y in pts], close=True)
            out.append(cq.Face.makeFromWires(wire))
    return out


def arc_face(a: float, b: float, T: float, t1: float, t2: float) -> cq.Face:
    """Plan between the ellipses (a, b) and (a + T, b + T) over parameters t1 .. t2,
    ends straight (along the normal's direction (sin t, cos t))."""
    # standard angle alpha = 90 deg - t
    lo, hi = 90 - math.degrees(t2), 90 - math.degrees(t1)
    outer = cq.Edge.makeEllipse(a + T, b + T, angle1=lo, angle2=hi)
    inner = cq.Edge.makeEllipse(a, b, angle1=lo, angle2=hi)
    ends = [cq.Edge.makeLine(outer.startPoint(), inner.startPoint()),
            cq.Edge.makeLine(outer.endPoint(), inner.endPoint())]
    return cq.Face.makeFromWires(cq.Wire.assembleEdges([outer, ends[1], inner, ends[0]]))


def sector_face(a: float, b: float, T: float, t_end: float) -> cq.Face:
    """Plan between the ellipses (a, b) and (a + T, b + T) over -t_end .. t_end, ends
    straight."""
    return arc_face(a, b, T, -t_end, t_end)


def peg_bosses(p: VisorHeadbandParams, offsets) -> list[cq.Solid]:
    """Truss band: the outer wall at full peg height round each peg (peg_boss_length of
    outer arc centred on it), where the wall between the pegs is lower."""
    if p.peg_boss_height <= p.truss_height:
        return []
    A, B = p.outer_semi_axes
    w, half = p.wall, p.peg_boss_length / 2
    return [cq.Solid.extrudeLinear(
        arc_face(A - w, B - w, w, param_at_arc(A, B, s - half), param_at_arc(A, B, s + half)),
        cq.Vector(0, 0, p.peg_boss_height)) for s in offsets]


def band_solid(p: VisorHeadbandParams, t_end: float, boss_offsets=()) -> cq.Solid:
    """The band (for a truss, with its walls, end rings, ribs and, at `boss_offsets`
    (the pegs' arc lengths), the outer wall's peg bosses)."""
    a, b = p.inner_semi_axes
    up = cq.Vector(0, 0, p.band_height)
    body = cq.Solid.extrudeLinear(plan_face(a, b, p.depth, t_end), up)
    if p.band_profile != "truss":
        return body
    w = p.wall
    core = cq.Solid.extrudeLinear(plan_face(a + w, b + w, p.depth - 2 * w, t_end),
                                  cq.Vector(0, 0, p.band_height + 2)).translate(
                                      cq.Vector(0, 0, -1))
    body = body.cut(core)
    A, B = p.outer_semi_axes
    t_tall = param_at_arc(A, B, p.tall_from_arc)
    half = p.depth / 2  # the empty core's middle: the inner wall inside, the outer outside
    for h, (a0, b0, T0) in ((p.inner_height, (a - 1, b - 1, half + 1)),
                            (p.truss_height, (a + half, b + half, half + 1))):
        if h < p.band_height:
            top = cq.Solid.extrudeLinear(sector_face(a0, b0, T0, t_tall),
                                         cq.Vector(0, 0, p.band_height))
            body = body.cut(top.translate(cq.Vector(0, 0, h)))
    ribs = [cq.Solid.extrudeLinear(f, cq.Vector(0, 0, p.rib_height)) for f in rib_faces(p)]
    return body.fuse(*ribs, *peg_bosses(p, boss_offsets)).clean()


def reinforcement(p: VisorHeadbandParams) -> cq.Solid:
    """The lower bar: a flange from the band's mid-wall inwards by reinforcement_width,
    REINFORCEMENT_THICKNESS thick, to 2 mm short of each strap slot."""
    a, b = p.inner_semi_axes
    T, w = p.wall, p.reinforcement_width
    A, B = p.outer_semi_axes
    s_f = p.slot_centre_arc - p.strap_slot_width / 2 - 2.0
    face = sector_face(a - w, b - w, w + T / 2, param_at_arc(A, B, s_f))
    return cq.Solid.extrudeLinear(face, cq.Vector(0, 0, REINFORCEMENT_THICKNESS))


def strap_slots(p: VisorHeadbandParams) -> list[cq.Solid]:
    """The two strap windows, through every wall, SLOT_RIM above and below."""
    A, B = p.outer_semi_axes
    depth = p.depth + 4.0
    box = cq.Solid.makeBox(p.strap_slot_width, depth, p.slot_height,
                           cq.Vector(-p.strap_slot_width / 2, -depth + 2.0, SLOT_RIM))
    return [place(box, A, B, side * p.slot_centre_arc) for side in (1, -1)]
