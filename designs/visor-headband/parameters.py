"""The headband's parameters, their rules, and the constants the geometry shares.

Every length in millimetres. The derived values (semi-axes, slot and peg positions,
stack pitch) are properties of VisorHeadbandParams so that the geometry, the checks and
the rules read them from one place.
"""

import math
from dataclasses import dataclass

from cad.anthropometry import HEAD_SIZES
from cad.ellipse import arc_length
from cad.fit import MAX_CLEARANCE_MM, MIN_CLEARANCE_MM
from cad.params import Params, param
from cad.patterns import SHEET_PATTERNS as PATTERN_TABLE
from cad.patterns import SheetPattern

# --------------------------------------------------------------------------- data


#: Sheet punch patterns (the shared table of cad.patterns), re-exported for the tests.
SHEET_PATTERNS = PATTERN_TABLE

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
PEG_BOSS_MARGIN = 1.0  #: mm of full-height outer wall each side of a peg (truss band)
PEG_BOSS_ABOVE = 0.3  #: mm (a layer) of wall above a peg's top: the peg never forms its top


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
            "about 0.37 x the 3DVerkstan headband's time per band in a stack of 20, "
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
        3.0, min=2.0, max=10.0, title="Peg length",
        doc="How far the pegs stick out of the band's outer surface; at least a few "
            "sheet thicknesses (0.25 to 0.5 mm) so the sheet stays on: 3 mm is six "
            "thicknesses of the thickest sheet. Each millimetre costs about 8 s of "
            "print per peg on the reference profile.")
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
            "the 3DVerkstan headband (second moment 664 against 595 mm4) and against "
            "sagging (75 against 74 mm4, with the default 9 mm inner wall) in 0.50 to "
            "0.58 x its print time (by punch pattern: each peg costs time). wall = one "
            "upright wall band_thickness thick (about 0.5 x the time, but 3 mm4: "
            "flexible in its own plane). Stacks use the wall.")
    truss_depth: float = param(
        19.0, min=6.0, max=25.0, title="Truss depth",
        doc="Truss band only: radial depth from the inner wall's head side to the outer "
            "wall's outer face. The in-plane stiffness grows with its square (19 mm "
            "gives 664 mm4 with the default 3 mm outer and 9 mm inner walls); "
            "the time barely changes.")
    truss_height: float = param(
        3.0, min=2.0, max=30.0, title="Truss height",
        doc="Truss band only: height of the outer wall (the one carrying the pegs) over "
            "the front, between the pegs; round each peg (the peg's width and 1 mm "
            "each side) it rises to one 0.3 mm layer above the peg's top, so every peg "
            "is carried by the wall over its whole height. The ends, round the strap "
            "slots, keep band_height. Each 0.3 mm layer of outer wall costs about 24 s "
            "of print.")
    truss_inner_height: float = param(
        0.0, min=0.0, max=30.0, title="Truss inner wall height",
        doc="Truss band only: height of the inner wall (against the forehead) over the "
            "front; 0 (the default) = the band height. truss_height is the outer "
            "wall's (it carries the pegs). One tall wall and one lower wall resist "
            "sagging under the sheet's weight (a wall's second moment grows with the "
            "cube of its height) for less print time than two tall walls: a 9 mm inner "
            "wall and a 3 mm outer one give 75 mm4 against the 3DVerkstan headband's "
            "74 mm4 (two 6 mm walls: 32 mm4), in about 0.51 x its print time (EU "
            "888); the tall wall against the forehead also spreads the band's pressure.")
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
    def peg_boss_height(self) -> float:
        """Truss band: height of the outer wall round each peg."""
        return max(self.truss_height, self.peg_top_z + PEG_BOSS_ABOVE)

    @property
    def peg_boss_length(self) -> float:
        """Truss band: outer arc length of the full-height wall round each peg."""
        return self.peg_diameter + 2 * PEG_BOSS_MARGIN

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
        if self.peg_top_z + PEG_BOSS_ABOVE > self.band_height:
            self.fail("band_height",
                      f"at least {self.peg_top_z + PEG_BOSS_ABOVE:.1f} mm to carry "
                      f"{self.peg_diameter:g} mm pegs")
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
        if self.reinforcement_width > 0 and self.stack_count > 1:
            self.fail("reinforcement_width",
                      "0 for a stack: the bar is printed on the bed (stack_count = 1 only)")
        if 0 < self.reinforcement_width < 2.0:
            self.fail("reinforcement_width", "0 (none) or from 2 to 15 mm")


PARAMS = VisorHeadbandParams

