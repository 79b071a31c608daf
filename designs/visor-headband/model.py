"""Face-shield headband: a slim printed band whose pegs carry a punched clear sheet.

An open, slim band that sits on the forehead and wraps past the temples. Pegs on its
front carry a transparent sheet (PET or PETG, 0.25 to 0.5 mm) punched with one of the
patterns of cad.patterns (EU "888", EU ISO 838, Sweden 8-hole, US 3-hole, US 6-hole). The
sheet wraps around the band, so each peg sits where the sheet's hole lands: its ARC
LENGTH along the band's outer surface, measured from the centre line, equals the hole's
offset. A slot near each end takes an elastic strap.

Geometry (millimetres, print orientation, Z up; z = 0 is the band's lower edge when
worn):

- The band is a vertical wall, `band_height` tall (z = 0 .. band_height) and
  `band_thickness` thick, extruded from a plan view. The inner surface is the ellipse
  x = a sin(t), y = b cos(t) and the outer surface the ellipse with semi-axes a + T and
  b + T (T = band_thickness) over the same parameter t, the front apex on +Y, the centre
  line on x = 0. Corresponding points of the two ellipses are exactly T apart; the wall
  measured along the normal is T within 1 % for every size in the table.
- The inner semi-axes come from head anthropometry (`HEAD_SIZES`): a = head breadth / 2,
  b = head length / 2, plus `fit_allowance`. The band is the front of an ellipse fitted
  to the head's largest horizontal section; at forehead level the head is a little
  smaller, which leaves a few millimetres of clearance; the strap pulls the band against
  the forehead.
- Each end stops where the outer arc length from the centre line reaches `band_reach`,
  and is closed by a half-round of diameter T (no sharp corner against the temples).
- Band cross-section (`band_profile`). "wall": as above. "truss" (the default): the
  inner ellipse (a, b) as above, the outer one (a + D, b + D) with D = `truss_depth`;
  the band is two upright walls TRUSS_WALL (0.9 mm, two extrusion lines of the 0.45 mm
  auto width: one perimeter loop) thick, the inner against the head and the outer
  carrying the pegs, with an empty core between them, joined by diagonal ribs (a Warren
  truss: the ribs zigzag between the walls at TRUSS_RIB_ANGLE, so the two walls bend as
  one section, not as a Vierendeel frame). The ribs are TRUSS_RIB thick and
  `truss_rib_height` tall, printed on the bed; the walls, in-plane plates, carry the
  shear from the ribs up to their top edge. The centre panel (TRUSS_CENTRE_GAP each side
  of x = 0, where symmetry leaves no shear) has no rib, so the section at x = 0 is
  exactly the two walls: the in-plane second moment is about t d^2 h_o h_i / (h_o + h_i)
  (t = 0.9 mm, d = D - t between the walls' middles, h_o and h_i the walls' heights).
  Over the front the outer wall is `truss_height` tall (it carries the pegs) and the
  inner one `truss_inner_height` (default: the band height, 9 mm: the tall wall resists
  sagging under the sheet's weight and spreads the pressure on the forehead); from an
  end post's length (END_POST) before each strap slot to the end both walls are
  `band_height` tall (a vertical step, no overhang), and the
  end is closed by concentric half-rounds (a ring 0.9 mm thick). The strap slots go
  through both walls; no rib crosses them. Stacks use the wall profile (the band above
  would print on air over the lower front).
- Pegs stick out along the outer normal. In print orientation they lie on the bed: a
  circle of the peg diameter whose lower part is cut flat at the 45 degree points, so no
  overhang is steeper than 45 degrees and the print needs no support. The cut part lies
  inside the circle, so the peg still passes through a round hole.
- The strap slots are windows through the wall, `strap_slot_width` long, as tall as the
  band less a 1.5 mm rim at top and bottom; their ceiling is a short bridge.
- Optional lower reinforcement bar (`reinforcement_width` > 0): a flange 1.1 mm thick
  (the first layer and three more) along the lower edge, pointing inwards, over the
  front between the strap slots. It stiffens the band in its own plane (see cad.section_props)
  at a cost in print time and filament. Printed on the bed, so single bands only.
- Stacks (`stack_count` N > 1): N identical bands one above the other, `stack_gap`
  apart (one layer by default: the slicer prints the next band on the previous one's
  top, and they break apart by hand). Slicers reject an empty layer, so the gap is
  crossed by thin pillars (PILLAR_SIZE square) inside the wall every PILLAR_PITCH mm,
  and every peg above the first band stands on a pillar rising from the peg below.
  Stack height = N x band_height + (N - 1) x stack_gap. The stack variants use a
  0.9 mm wall (one perimeter loop per layer) for speed.

Peg patterns are data (cad.patterns), shared with the visor-sheet and visor-lasercut
designs; cad.fit checks every headband against every sheet of its pattern.
"""

import dataclasses
import math
from dataclasses import dataclass

import cadquery as cq
import numpy as np

from cad import ellipse, section_props
from cad.anthropometry import HEAD_SIZES
from cad.fit import MAX_CLEARANCE_MM, MIN_CLEARANCE_MM
from cad.params import Params, param
from cad.patterns import SHEET_PATTERNS as PATTERN_TABLE
from cad.patterns import SheetPattern

# --------------------------------------------------------------------------- data


#: Sheet punch patterns (the shared table of cad.patterns), re-exported for the tests.
SHEET_PATTERNS = PATTERN_TABLE

NOZZLE = 0.4  #: mm, the reference nozzle; the band is at least two perimeters per face
SLOT_RIM = 1.5  #: mm of wall kept above and below each strap slot
END_POST = 4.0  #: mm of band (outer arc) between a strap slot and the band's end
SHEET_EDGE_GAP = 1.0  #: mm between the sheet's side edge and a strap slot
PEG_FLAT_ANGLE = 45.0  #: degrees: the peg's underside is cut flat where its slope reaches this
MAX_WRAP_DEG = 135.0  #: largest ellipse parameter at the band's end (it must open)
PEG_TIP_CHAMFER = 0.5  #: mm, chamfer round the pegs' tips (at most a quarter of the radius)
MIN_CLEARANCE = MIN_CLEARANCE_MM  #: mm, smallest peg/hole clearance (cad.fit)
MAX_CLEARANCE = MAX_CLEARANCE_MM  #: mm, beyond this the sheet rattles on its pegs
LAYER_HEIGHT = 0.3  #: mm, the reference profile's layer height (default stack gap)
MAX_STACK_HEIGHT = 200.0  #: mm: fits a 210 mm (Prusa MK3S) or 250 mm (Ender-3) build height
PILLAR_SIZE = 1.0  #: mm, side of the square breakaway pillars of a stack
PILLAR_PITCH = 30.0  #: mm of arc between two pillars in the gap of a stack
REINFORCEMENT_THICKNESS = 1.1  #: mm: the 0.2 mm first layer and three 0.3 mm layers
TRUSS_WALL = 0.9  #: mm, each wall of the truss band: two extrusion lines (one loop)
TRUSS_RIB = 0.9  #: mm, thickness of the truss band's diagonal ribs (two lines)
TRUSS_RIB_ANGLE = 30.0  #: degrees between a diagonal rib and the walls
TRUSS_CENTRE_GAP = 3.0  #: mm of outer arc each side of the centre line kept clear of ribs


# ---------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class VisorHeadbandParams(Params):
    """Parameters of the face-shield headband (all lengths in millimetres)."""

    head_size: str = param(
        "m", unit="", choices=tuple(HEAD_SIZES), title="Head size",
        doc="Size of the band from the head-size table: s = women 50th percentile, "
            "m = men 50th percentile, l = men 95th percentile (British adults, "
            "Pheasant's Bodyspace). Sets the band's inner ellipse to half the head "
            "breadth by half the head length.")
    sheet_pattern: str = param(
        "eu-888", unit="", choices=tuple(SHEET_PATTERNS), title="Sheet punch pattern",
        doc="Hole pattern of the sheet the pegs carry (offsets from the sheet's centre "
            "line): eu-888 = A4, ±40 and ±120 mm; eu-iso838 = A4, ±34 and ±114 mm; "
            "se-8 = Sweden, ±18, ±39, ±109, ±130 mm; us-3 = Letter, 0 and ±108 mm; "
            "us-6 = Letter, ±12.7, ±95.25, ±120.65 mm. One peg per hole.")
    fit_allowance: float = param(
        0.0, min=-5.0, max=10.0, title="Fit allowance",
        doc="Added to both inner semi-axes of the band: positive for a looser band "
            "(hair, a cap underneath), negative for a tighter one.")
    band_height: float = param(
        9.0, min=8.0, max=30.0, title="Band height",
        doc="Height of the band (vertical when worn; Z in print orientation). Print "
            "time grows with it (about 2.7 min per mm on the reference profile). The "
            "strap slots are this less 3 mm tall.")
    band_thickness: float = param(
        1.6, min=0.9, max=4.0, title="Band thickness",
        doc="Wall thickness of the wall band: 0.9 mm (one perimeter loop: two 0.45 mm "
            "extrusion lines, one on each face, as each truss wall) or from 1.6 mm (two "
            "loops and more); between the two, the slicer fills the gap slowly. 1.6 mm "
            "is the single band's default; stacks use 0.9 mm (one loop per layer: "
            "about 0.38 x the 3DVerkstan headband's time per band in a stack of 20, "
            "against 0.5 x at 1.6 mm), but less stiff: about a sixth of the in-plane "
            "second moment (0.55 against 3.1 mm4) and 0.56 x the sag one (55 against "
            "97 mm4).")
    band_reach: float = param(
        160.0, min=100.0, max=230.0, title="Band reach",
        doc="Arc length along the band's outer surface from the centre line to each "
            "end. Must cover the sheet's half width (148.5 mm for A4) plus a strap slot "
            "and its end post.")
    peg_diameter: float = param(
        5.6, min=4.0, max=7.9, title="Peg diameter",
        doc="Diameter of the pegs. Below the sheet's hole (6.0 mm) by a clearance of "
            "0.2 to 1.0 mm: 0.4 mm by default, for FDM tolerance (printed pegs come out "
            "up to about 0.2 mm oversize) and a punched hole that should slip on by hand "
            "without rattling.")
    peg_length: float = param(
        4.0, min=2.0, max=10.0, title="Peg length",
        doc="How far the pegs stick out of the band's outer surface; at least a few "
            "sheet thicknesses (0.25 to 0.5 mm) so the sheet stays on.")
    strap_slot_width: float = param(
        3.0, min=1.5, max=8.0, title="Strap slot width",
        doc="Length of each strap slot along the band (room for the strap's "
            "thickness). The slot's height is band height less 3 mm: the widest flat "
            "elastic that passes without folding.")
    stack_count: int = param(
        1, unit="", min=1, max=30, title="Stack count",
        doc="Bands printed in one job, one above the other (1 = a single band). A "
            "stack saves the printer's time between jobs and the slow first layer of "
            "each band; the bands break apart by hand.")
    stack_gap: float = param(
        LAYER_HEIGHT, min=0.2, max=1.0, title="Stack gap",
        doc="Gap between two stacked bands: one layer of the printer's layer height "
            "(0.3 mm on the reference profile; 0.2 to 0.4 mm is usual), crossed only by "
            "thin breakaway pillars.")
    reinforcement_width: float = param(
        0.0, min=0.0, max=15.0, title="Lower reinforcement bar",
        doc="Width of the optional reinforcement bar: a flange 1.1 mm thick along the "
            "band's lower edge, pointing inwards, over the front between the strap "
            "slots. 0 = none (fastest). With the wall profile, 14 mm makes the band "
            "stiffer in its own plane than the 3DVerkstan headband (second moment 708 "
            "against 595 mm4; 3 mm4 without the bar) for 0.9 x its print time instead "
            "of 0.5 x. Single bands only.")

    band_profile: str = param(
        "truss", unit="", choices=("truss", "wall"), title="Band cross-section",
        doc="truss = two thin upright walls (0.9 mm: two extrusion lines each; the "
            "inner one against the head, the outer one carrying the pegs) truss_depth "
            "apart, joined by diagonal ribs on the bed: stiffer in its own plane than "
            "the 3DVerkstan headband (second moment 841 against 595 mm4) and against "
            "sagging (78 against 74 mm4, with the default 9 mm inner wall) in about 0.59 x "
            "its print time. wall = one upright wall band_thickness thick (about 0.5 x "
            "the time, but 3 mm4: flexible in its own plane). Stacks use the wall.")
    truss_depth: float = param(
        17.0, min=6.0, max=25.0, title="Truss depth",
        doc="Truss band only: radial depth from the inner wall's head side to the outer "
            "wall's outer face. The in-plane stiffness grows with its square (17 mm "
            "gives 841 mm4 with the default 6 mm outer and 9 mm inner walls, 700 mm4 "
            "with two 6 mm walls); the time barely changes.")
    truss_height: float = param(
        6.0, min=5.0, max=30.0, title="Truss height",
        doc="Truss band only: height of the two walls over the front; the ends, round "
            "the strap slots, keep band_height.")
    truss_inner_height: float = param(
        0.0, min=0.0, max=30.0, title="Truss inner wall height",
        doc="Truss band only: height of the inner wall (against the forehead) over the "
            "front; 0 (the default) = the band height. truss_height is the outer "
            "wall's (it carries the pegs). One tall wall and one lower wall resist "
            "sagging under the sheet's weight (a wall's second moment grows with the "
            "cube of its height) for less print time than two tall walls: a 9 mm inner "
            "wall and a 6 mm outer one give 78 mm4 against the 3DVerkstan headband's "
            "74 mm4 (two 6 mm walls: 32 mm4), in about 0.59 x its print time; the tall "
            "wall against the forehead also spreads the band's pressure.")
    truss_rib_height: float = param(
        0.8, min=0.5, max=30.0, title="Truss rib height",
        doc="Truss band only: height of the diagonal ribs, printed on the bed from the "
            "band's lower edge (0.8 mm: the 0.2 mm first layer and two 0.3 mm layers). "
            "Taller ribs stiffen the truss in shear, at about 10 s of print per layer.")

    # -- derived values, used by build, checks and the cross-field rules
    @property
    def pattern(self) -> SheetPattern:
        return SHEET_PATTERNS[self.sheet_pattern]

    @property
    def inner_semi_axes(self) -> tuple[float, float]:
        h = HEAD_SIZES[self.head_size]
        return h.breadth / 2 + self.fit_allowance, h.length / 2 + self.fit_allowance

    @property
    def depth(self) -> float:
        """Radial depth of the band: inner (head) face to outer face."""
        return self.truss_depth if self.band_profile == "truss" else self.band_thickness

    @property
    def wall(self) -> float:
        """Thickness of the wall that carries the pegs (and of the inner one)."""
        return TRUSS_WALL if self.band_profile == "truss" else self.band_thickness

    @property
    def inner_height(self) -> float:
        """Truss band: height of the inner wall over the front (0 = band_height)."""
        return self.truss_inner_height or self.band_height

    @property
    def rib_height(self) -> float:
        return min(self.truss_rib_height, self.truss_height, self.inner_height)

    @property
    def tall_from_arc(self) -> float:
        """Truss band: outer arc length from the centre line where the band rises from
        truss_height to band_height (an end post's length before the strap slot)."""
        return self.slot_centre_arc - self.strap_slot_width / 2 - END_POST

    @property
    def outer_semi_axes(self) -> tuple[float, float]:
        a, b = self.inner_semi_axes
        return a + self.depth, b + self.depth

    @property
    def slot_height(self) -> float:
        return self.band_height - 2 * SLOT_RIM

    @property
    def slot_centre_arc(self) -> float:
        """Outer arc length from the centre line to the middle of each strap slot."""
        return self.band_reach - END_POST - self.strap_slot_width / 2

    @property
    def peg_axis_z(self) -> float:
        """Height of the pegs' axis: the circle is cut flat at z = 0."""
        return self.peg_diameter / 2 * math.cos(math.radians(PEG_FLAT_ANGLE))

    @property
    def peg_top_z(self) -> float:
        return self.peg_axis_z + self.peg_diameter / 2

    @property
    def stack_height(self) -> float:
        """N x band height + (N - 1) x gap."""
        n = self.stack_count
        return n * self.band_height + (n - 1) * self.stack_gap

    @property
    def stack_pitch(self) -> float:
        return self.band_height + self.stack_gap

    def validate(self) -> None:
        pat = self.pattern
        lo, hi = pat.hole_diameter - MAX_CLEARANCE, pat.hole_diameter - MIN_CLEARANCE
        if not lo - 1e-9 <= self.peg_diameter <= hi + 1e-9:
            self.fail("peg_diameter",
                      f"below the {pat.hole_diameter:g} mm holes of the {self.sheet_pattern} "
                      f"sheet by {MIN_CLEARANCE:g} to {MAX_CLEARANCE:g} mm: from {lo:g} to "
                      f"{hi:g} mm (5.6 mm leaves 0.4 mm clearance)")
        slot_start = self.slot_centre_arc - self.strap_slot_width / 2
        outermost = max(abs(o) for o in pat.offsets)
        need = outermost + self.peg_diameter / 2 + 1.0
        if slot_start < need:
            lo = need + self.strap_slot_width + END_POST
            self.fail("band_reach",
                      f"at least {lo:g} mm: the outermost pegs (at ±{outermost:g} mm) "
                      f"must sit on the band, before the strap slot")
        need = pat.sheet_width / 2 + SHEET_EDGE_GAP
        if slot_start < need:
            lo = need + self.strap_slot_width + END_POST
            self.fail("band_reach",
                      f"at least {lo:g} mm: the band must carry the sheet to its edges "
                      f"({pat.sheet_width / 2:g} mm from the centre) before the strap slot")
        A, B = self.outer_semi_axes
        hi = arc_length(A, B, math.radians(MAX_WRAP_DEG))
        if self.band_reach > hi:
            self.fail("band_reach",
                      f"at most {hi:.0f} mm for head size {self.head_size!r}: a longer band "
                      f"wraps round the head and cannot be put on")
        if TRUSS_WALL + 1e-9 < self.band_thickness < 1.6 - 1e-9:
            self.fail("band_thickness",
                      f"{TRUSS_WALL:g} mm (one perimeter loop) or from 1.6 to 4 mm (two "
                      f"loops and more)")
        if self.slot_height < 4.0 - 1e-9:
            self.fail("band_height", f"at least {4 + 2 * SLOT_RIM:g} mm to leave a 4 mm strap slot")
        if self.peg_top_z + 1.0 > self.band_height:
            self.fail("band_height",
                      f"at least {self.peg_top_z + 1.0:.1f} mm to carry {self.peg_diameter:g} mm pegs")
        if self.stack_height > MAX_STACK_HEIGHT + 1e-9:
            most = int((MAX_STACK_HEIGHT + self.stack_gap) // self.stack_pitch)
            self.fail("stack_count",
                      f"from 1 to {most} for {self.band_height:g} mm bands: the stack "
                      f"({self.stack_height:g} mm) must stay below {MAX_STACK_HEIGHT:g} mm, "
                      f"a common printer's build height")
        if self.band_profile == "truss":
            if self.stack_count > 1:
                self.fail("stack_count",
                          "1 with band_profile 'truss' (its walls are lower than its ends: "
                          "the band above would print on air); a stack uses the 'wall' "
                          "profile")
            if self.truss_height > self.band_height + 1e-9:
                self.fail("truss_height", f"at most the band height ({self.band_height:g} mm)")
            if self.truss_inner_height and not (
                    3.0 - 1e-9 <= self.truss_inner_height <= self.band_height + 1e-9):
                self.fail("truss_inner_height",
                          f"0 (the band height) or from 3 mm to the band height "
                          f"({self.band_height:g} mm)")
            if self.peg_top_z + 1.0 > self.truss_height:
                self.fail("truss_height",
                          f"at least {self.peg_top_z + 1.0:.1f} mm to carry "
                          f"{self.peg_diameter:g} mm pegs")
        if self.reinforcement_width > 0 and self.stack_count > 1:
            self.fail("reinforcement_width",
                      "0 for a stack: the bar is printed on the bed (stack_count = 1 only)")
        if 0 < self.reinforcement_width < 2.0:
            self.fail("reinforcement_width", "0 (none) or from 2 to 15 mm")


PARAMS = VisorHeadbandParams

# ------------------------------------------------------------------ ellipse helpers

# arc length with SciPy's elliptic integral (cad.ellipse)
arc_length, param_at_arc = ellipse.arc_length, ellipse.param_at_arc


def _point(A, B, t):
    return np.array([A * math.sin(t), B * math.cos(t)])


def _normal(A, B, t):
    """Unit outward normal of the ellipse (A sin t, B cos t) in the plan."""
    n = np.array([B * math.sin(t), A * math.cos(t)])
    return n / np.linalg.norm(n)


# ----------------------------------------------------------------------- geometry


def _plan_face(a: float, b: float, T: float, t_end: float) -> cq.Face:
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
        po, pi = _point(A, B, t), _point(a, b, t)
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


def _rib_faces(p: VisorHeadbandParams) -> list[cq.Face]:
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
            pi = _point(ai, bi, side * param_at_arc(A, B, s_in))
            po = _point(ao, bo, side * param_at_arc(A, B, s_out))
            u = (po - pi) / np.linalg.norm(po - pi)
            n = np.array([-u[1], u[0]]) * TRUSS_RIB / 2
            pts = [pi + n, po + n, po - n, pi - n]
            wire = cq.Wire.makePolygon([cq.Vector(x, y, 0) for x, y in pts], close=True)
            out.append(cq.Face.makeFromWires(wire))
    return out


def _sector_face(a: float, b: float, T: float, t_end: float) -> cq.Face:
    """Plan between the ellipses (a, b) and (a + T, b + T) over -t_end .. t_end, ends
    straight."""
    deg = math.degrees(t_end)
    outer = cq.Edge.makeEllipse(a + T, b + T, angle1=90 - deg, angle2=90 + deg)
    inner = cq.Edge.makeEllipse(a, b, angle1=90 - deg, angle2=90 + deg)
    ends = [cq.Edge.makeLine(outer.startPoint(), inner.startPoint()),
            cq.Edge.makeLine(outer.endPoint(), inner.endPoint())]
    return cq.Face.makeFromWires(cq.Wire.assembleEdges([outer, ends[1], inner, ends[0]]))


def _band(p: VisorHeadbandParams, t_end: float) -> cq.Solid:
    """The band (for a truss, with its walls, end rings and ribs)."""
    a, b = p.inner_semi_axes
    up = cq.Vector(0, 0, p.band_height)
    body = cq.Solid.extrudeLinear(_plan_face(a, b, p.depth, t_end), up)
    if p.band_profile != "truss":
        return body
    w = p.wall
    core = cq.Solid.extrudeLinear(_plan_face(a + w, b + w, p.depth - 2 * w, t_end),
                                  cq.Vector(0, 0, p.band_height + 2)).translate(
                                      cq.Vector(0, 0, -1))
    body = body.cut(core)
    A, B = p.outer_semi_axes
    t_tall = param_at_arc(A, B, p.tall_from_arc)
    half = p.depth / 2  # the empty core's middle: the inner wall inside, the outer outside
    for h, (a0, b0, T0) in ((p.inner_height, (a - 1, b - 1, half + 1)),
                            (p.truss_height, (a + half, b + half, half + 1))):
        if h < p.band_height:
            top = cq.Solid.extrudeLinear(_sector_face(a0, b0, T0, t_tall),
                                         cq.Vector(0, 0, p.band_height))
            body = body.cut(top.translate(cq.Vector(0, 0, h)))
    ribs = [cq.Solid.extrudeLinear(f, cq.Vector(0, 0, p.rib_height)) for f in _rib_faces(p)]
    return body.fuse(*ribs).clean()


def _peg_template(p: VisorHeadbandParams) -> cq.Solid:
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


def peg_tip_chamfer(p: VisorHeadbandParams) -> float:
    return min(PEG_TIP_CHAMFER, p.peg_diameter / 8)


def peg_offsets(p: VisorHeadbandParams) -> tuple[float, ...]:
    """Arc lengths (outer surface, from the centre line) where the pegs go."""
    return tuple(p.pattern.offsets)


def build(p: VisorHeadbandParams) -> cq.Workplane:
    """The headband (or a stack of them) as one solid, lying on z = 0 in print
    orientation."""
    return _build(p, peg_offsets(p))


def _frame(A: float, B: float, s: float):
    """Point on the outer ellipse at arc length s, its outward normal, and the rotation
    (degrees about Z) taking +Y to that normal."""
    t = param_at_arc(A, B, s)
    x, y = _point(A, B, t)
    n = _normal(A, B, t)
    return (x, y), n, math.degrees(math.atan2(n[1], n[0])) - 90.0


def _reinforcement(p: VisorHeadbandParams) -> cq.Solid:
    """The lower bar: a flange from the band's mid-wall inwards by reinforcement_width,
    REINFORCEMENT_THICKNESS thick, between the strap slots (parameter +-t_f)."""
    a, b = p.inner_semi_axes
    T, w = p.wall, p.reinforcement_width
    A, B = p.outer_semi_axes
    s_f = p.slot_centre_arc - p.strap_slot_width / 2 - 2.0
    t_f = math.degrees(param_at_arc(A, B, s_f))
    outer = cq.Edge.makeEllipse(a + T / 2, b + T / 2, angle1=90 - t_f, angle2=90 + t_f)
    inner = cq.Edge.makeEllipse(a - w, b - w, angle1=90 - t_f, angle2=90 + t_f)
    ends = [cq.Edge.makeLine(outer.startPoint(), inner.startPoint()),
            cq.Edge.makeLine(outer.endPoint(), inner.endPoint())]
    face = cq.Face.makeFromWires(cq.Wire.assembleEdges([outer, ends[1], inner, ends[0]]))
    return cq.Solid.extrudeLinear(face, cq.Vector(0, 0, REINFORCEMENT_THICKNESS))


def pillar_arcs(p: VisorHeadbandParams) -> list[float]:
    """Arc positions of the gap pillars of a stack: every PILLAR_PITCH mm between the
    strap slots, skipping the pegs (kept 1.5 mm clear of them)."""
    limit = p.slot_centre_arc - p.strap_slot_width / 2 - 2.0
    out = []
    k = 0
    while k * PILLAR_PITCH <= limit:
        for s in {k * PILLAR_PITCH, -k * PILLAR_PITCH}:
            if all(abs(s - o) > p.peg_diameter / 2 + PILLAR_SIZE / 2 + 1.5
                   for o in peg_offsets(p)):
                out.append(s)
        k += 1
    return sorted(out)


def _pillars(p: VisorHeadbandParams, offsets) -> list[cq.Solid]:
    """The breakaway pillars of every gap of a stack (empty for a single band)."""
    A, B = p.outer_semi_axes
    T, g, c = p.wall, p.stack_gap, PILLAR_SIZE
    eps = 0.05  # pillars reach this far into the bands they join
    wall = []
    for s in pillar_arcs(p):
        (x, y), _, angle = _frame(A, B, s)
        box = cq.Solid.makeBox(c, T - 0.2, g + 2 * eps, cq.Vector(-c / 2, -T + 0.1, -g - eps))
        wall.append(box.rotate(cq.Vector(), cq.Vector(0, 0, 1), angle).translate(cq.Vector(x, y, 0)))
    under_pegs = []
    bottom = p.peg_top_z - 0.3  # into the crest of the peg below
    for s in offsets:
        (x, y), _, angle = _frame(A, B, s)
        d = p.peg_length - 1.0  # near the tip, clear of its chamfer
        box = cq.Solid.makeBox(c, c, p.stack_pitch - bottom + 0.3,
                               cq.Vector(-c / 2, d - c / 2, bottom - p.stack_pitch))
        under_pegs.append(box.rotate(cq.Vector(), cq.Vector(0, 0, 1), angle)
                          .translate(cq.Vector(x, y, 0)))
    out = []
    for k in range(1, p.stack_count):
        lift = cq.Vector(0, 0, k * p.stack_pitch)
        out += [w.translate(lift) for w in wall] + [u.translate(lift) for u in under_pegs]
    return out


def _stack(p: VisorHeadbandParams, band: cq.Solid, offsets) -> cq.Solid:
    """stack_count copies of the band, stack_pitch apart, joined by breakaway pillars."""
    copies = [band.translate(cq.Vector(0, 0, k * p.stack_pitch))
              for k in range(1, p.stack_count)]
    return band.fuse(*copies, *_pillars(p, offsets)).clean()


def _build(p: VisorHeadbandParams, offsets) -> cq.Workplane:
    A, B = p.outer_semi_axes
    t_end = param_at_arc(A, B, p.band_reach)
    body = _band(p, t_end)
    extra = [_reinforcement(p)] if p.reinforcement_width > 0 else []

    template = _peg_template(p)
    pegs = []
    for s in offsets:
        t = param_at_arc(A, B, s)
        x, y = _point(A, B, t)
        n = _normal(A, B, t)
        angle = math.degrees(math.atan2(n[1], n[0])) - 90.0  # +Y -> n
        pegs.append(template.rotate(cq.Vector(), cq.Vector(0, 0, 1), angle)
                    .translate(cq.Vector(x, y, 0)))
    body = body.fuse(*extra, *pegs).clean()

    slots = []
    depth = p.depth + 4.0
    for side in (1, -1):
        t = side * param_at_arc(A, B, p.slot_centre_arc)
        x, y = _point(A, B, t)
        n = _normal(A, B, t)
        angle = math.degrees(math.atan2(n[1], n[0])) - 90.0
        box = cq.Solid.makeBox(p.strap_slot_width, depth, p.slot_height,
                               cq.Vector(-p.strap_slot_width / 2, -depth + 2.0, SLOT_RIM))
        slots.append(box.rotate(cq.Vector(), cq.Vector(0, 0, 1), angle)
                     .translate(cq.Vector(x, y, 0)))
    body = body.cut(*slots).clean()
    body = body.Solids()[0] if len(body.Solids()) == 1 else body
    if p.stack_count > 1:
        body = _stack(p, body, offsets)
    solids = body.Solids()
    if len(solids) != 1:  # pragma: no cover - a broken boolean; the tests catch it
        raise RuntimeError(f"visor-headband built {len(solids)} solids, expected one")
    return cq.Workplane("XY").newObject([solids[0]])


# ------------------------------------------------------------------------- checks


def _outer_ellipse(shape: cq.Shape, p: VisorHeadbandParams):
    """The band's outer ellipse as found in the shape: (cx, cy, semi-x, semi-y)."""
    from OCP.BRepAdaptor import BRepAdaptor_Curve

    best = None
    for e in shape.Edges():
        if e.geomType() != "ELLIPSE":
            continue
        el = BRepAdaptor_Curve(e.wrapped).Ellipse()
        c = el.Location()
        xd = el.XAxis().Direction()
        major, minor = el.MajorRadius(), el.MinorRadius()
        if abs(xd.Z()) > 1e-6:
            continue
        if abs(xd.X()) >= abs(xd.Y()):
            sx, sy = major, minor
        else:
            sx, sy = minor, major
        key = sx + sy
        if best is None or key > best[0]:
            best = (key, (c.X(), c.Y(), sx, sy))
    return None if best is None else best[1]


def _peg_axes(shape: cq.Shape, p: VisorHeadbandParams):
    """Horizontal cylinder axes in the shape: list of ((x, y, z), (dx, dy), radius)."""
    from OCP.BRepAdaptor import BRepAdaptor_Surface

    axes = []
    for f in shape.Faces():
        if f.geomType() != "CYLINDER":
            continue
        cyl = BRepAdaptor_Surface(f.wrapped).Cylinder()
        ax = cyl.Axis()
        d, o = ax.Direction(), ax.Location()
        if abs(d.Z()) > 1e-6:
            continue  # the end caps are vertical cylinders
        dx, dy = d.X(), d.Y()
        # locate the axis point nearest the face's centre (the peg's own middle)
        c = f.Center()
        k = (c.x - o.X()) * dx + (c.y - o.Y()) * dy
        pt = (o.X() + k * dx, o.Y() + k * dy, o.Z())
        if not any(abs(pt[0] - q[0][0]) < 0.01 and abs(pt[1] - q[0][1]) < 0.01 and
                   abs(pt[2] - q[0][2]) < 0.01 for q in axes):
            axes.append((pt, (dx, dy), cyl.Radius()))
    return axes


def measure_pegs(p: VisorHeadbandParams, shape: cq.Shape):
    """Arc length from the centre line along the band's outer surface to each peg's
    axis, and the pegs' diameters, measured on the built shape."""
    ell = _outer_ellipse(shape, p)
    if ell is None:
        return None, [], [], []
    cx, cy, A, B = ell
    positions, diameters, tilts = [], [], []
    for (px, py, pz), (dx, dy), radius in _peg_axes(shape, p):
        if abs(pz - p.peg_axis_z) > 0.01:
            continue  # a peg of a band higher in a stack: the first band is measured
        # intersect the axis line with the outer ellipse ((x-cx)/A)^2 + ((y-cy)/B)^2 = 1
        ux, uy = (px - cx) / A, (py - cy) / B
        vx, vy = dx / A, dy / B
        qa, qb, qc = vx * vx + vy * vy, 2 * (ux * vx + uy * vy), ux * ux + uy * uy - 1
        disc = qb * qb - 4 * qa * qc
        if disc < 0:
            continue
        roots = [(-qb + sg * math.sqrt(disc)) / (2 * qa) for sg in (1, -1)]
        k = min(roots, key=abs)  # the crossing nearest the peg itself
        x, y = ux + k * vx, uy + k * vy  # unit-circle coordinates: (sin t, cos t)
        t = math.atan2(x, y)
        positions.append(float(arc_length(A, B, t)))
        diameters.append(float(2 * radius))
        n = _normal(A, B, t)
        tilts.append(math.degrees(math.acos(min(1.0, abs(n[0] * dx + n[1] * dy)))))
    order = sorted(range(len(positions)), key=positions.__getitem__)
    return (ell, [positions[i] for i in order], [diameters[i] for i in order],
            [tilts[i] for i in order])


def checks(p: VisorHeadbandParams, shape) -> dict[str, dict]:
    """Design checks measured on the built shape: peg positions and peg clearance."""
    solid = shape.val() if isinstance(shape, cq.Workplane) else shape
    pat = p.pattern
    expected = sorted(float(o) for o in pat.offsets)
    ell, measured, diameters, tilts = measure_pegs(p, solid)
    tol = 0.5
    if ell is None or len(measured) != len(expected):
        pos = {"ok": False,
               "detail": f"found {len(measured)} pegs on the band, expected {len(expected)}",
               "expected_mm": expected, "measured_mm": [round(m, 3) for m in measured],
               "max_error_mm": None, "max_axis_tilt_deg": None}
    else:
        err = float(max(abs(m - e) for m, e in zip(measured, expected)))
        ok = bool(err <= tol)
        pos = {"ok": ok,
               "detail": (f"{len(measured)} pegs at outer-surface arc lengths "
                          f"{', '.join(f'{m:+.2f}' for m in measured)} mm from the centre line; "
                          f"sheet holes ({pat.title}) at {', '.join(f'{e:+g}' for e in expected)} mm; "
                          f"largest error {err:.3f} mm (allowed {tol} mm); pegs within "
                          f"{max(tilts):.2f} degrees of the band's normal"),
               "expected_mm": expected, "measured_mm": [round(m, 3) for m in measured],
               "max_error_mm": round(err, 4), "max_axis_tilt_deg": round(max(tilts), 3)}
    if diameters:
        dmax = max(diameters)
        clearance = pat.hole_diameter - dmax
        ok = bool(MIN_CLEARANCE - 1e-6 <= clearance <= MAX_CLEARANCE + 1e-6)
        clr = {"ok": ok,
               "detail": (f"pegs Ø {dmax:.2f} mm in Ø {pat.hole_diameter:g} mm holes: clearance "
                          f"{clearance:.2f} mm (accepted {MIN_CLEARANCE:g} to {MAX_CLEARANCE:g} mm: "
                          f"enough for FDM oversize, tight enough not to rattle)"),
               "peg_diameter_mm": round(dmax, 4), "hole_diameter_mm": pat.hole_diameter,
               "clearance_mm": round(clearance, 4)}
    else:
        clr = {"ok": False, "detail": "no pegs found in the shape",
               "peg_diameter_mm": None, "hole_diameter_mm": pat.hole_diameter,
               "clearance_mm": None}
    return {"peg_positions": pos, "peg_clearance": clr}


# ------------------------------------------------------------ engine hooks


def units(p: VisorHeadbandParams) -> int:
    """Headbands per print job (for per-unit print figures)."""
    return p.stack_count


def preview(p: VisorHeadbandParams, result):
    """The browser preview (GLB) of a stack: one band shown N times (glTF instances of
    one mesh) and the pillars, instead of N meshes: a stack of 12 stays under 100 kB.
    None for a single band (the part itself is the preview)."""
    if p.stack_count == 1:
        return None
    single = _build(dataclasses.replace(p, stack_count=1), peg_offsets(p)).val()
    colour = cq.Color(0.93, 0.55, 0.13, 1.0)
    assembly = cq.Assembly(name="stack")
    for k in range(p.stack_count):
        assembly.add(single, name=f"band-{k + 1}", color=colour,
                     loc=cq.Location(cq.Vector(0, 0, k * p.stack_pitch)))
    # the pillars of the first gap, instanced in every gap
    two = dataclasses.replace(p, stack_count=2)
    gap = cq.Compound.makeCompound(_pillars(two, peg_offsets(p)))
    for k in range(p.stack_count - 1):
        assembly.add(gap, name=f"pillars-{k + 1}", color=colour,
                     loc=cq.Location(cq.Vector(0, 0, k * p.stack_pitch)))
    return assembly


def interface(p: VisorHeadbandParams, result) -> dict:
    """The pegs as measured on the built part, for the fit check (cad.fit)."""
    solid = result.val() if isinstance(result, cq.Workplane) else result
    _, positions, diameters, _ = measure_pegs(p, solid)
    return {"kind": "pegs", "pattern": p.sheet_pattern,
            "positions_mm": [round(v, 4) for v in positions],
            "diameter_mm": round(max(diameters), 4) if diameters else 0.0}


def band_section_solid(p: VisorHeadbandParams) -> cq.Solid:
    """The band and its reinforcement bar without pegs and slots: the solid whose front
    section is the stiffness proxy (a peg at the centre, as in us-3, is not band)."""
    A, B = p.outer_semi_axes
    body = _band(p, param_at_arc(A, B, p.band_reach))
    if p.reinforcement_width > 0:
        body = body.fuse(_reinforcement(p)).clean()
    return body


def section_face(p: VisorHeadbandParams):
    """The band's section by the plane x = 0 (the front centre line), pegs excluded, as
    an OCCT face (cad.section_props)."""
    return section_props.brep_section_face(band_section_solid(p), 0.0)


def figures(p: VisorHeadbandParams, result) -> dict:
    """Stiffness proxy: second moments of the band's section at the front centre line,
    measured by OCCT on the section face (cad.section_props; the bench applies the same
    measurement to the anchor headband's STL section). For the truss band the plane
    x = 0 falls in the rib-free centre panel: the section is the two walls, counted as
    one section (the ribs make them act as one; the proxy does not count the ribs'
    shear flexibility)."""
    return {"stiffness": section_props.stiffness_figure(section_face(p))}
