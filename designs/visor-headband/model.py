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
  Over the front the outer wall is `truss_height` tall between the pegs (default 3 mm:
  every layer of wall costs print time, and the sag stiffness comes mostly from the
  tall inner wall) and, round each peg (its width and PEG_BOSS_MARGIN each side), one
  layer (PEG_BOSS_ABOVE) taller than the peg, so each peg is carried by the wall over
  its whole height; the inner one is `truss_inner_height` tall (default: the band
  height, 9 mm: the tall wall resists sagging under the sheet's weight and spreads the
  pressure on the forehead); from an
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

The package's modules, one job each: parameters (the parameters, their rules and the
shared constants), band (plan, truss walls and ribs, reinforcement bar, strap slots),
pegs (placing and measuring the pegs), stacking (stacks and their pillars), checks (the
design checks and the fit interface), section (the stiffness proxy). This module is the
design's side of cad.contract.DesignModel.
"""

import dataclasses

import cadquery as cq

from cad.ellipse import param_at_arc

from .band import band_solid, reinforcement, strap_slots
from .checks import checks, interface
from .parameters import VisorHeadbandParams
from .pegs import peg_offsets, pegs
from .section import figures
from .stacking import pillars, stack

PARAMS = VisorHeadbandParams
__all__ = ["PARAMS", "build", "checks", "profiles", "preview", "extra_files", "units",
           "figures", "interface"]


def build(p: VisorHeadbandParams) -> cq.Workplane:
    """The headband (or a stack of them) as one solid, lying on z = 0 in print
    orientation."""
    return build_band(p, peg_offsets(p))


def build_band(p: VisorHeadbandParams, offsets) -> cq.Workplane:
    """The band with pegs at `offsets` (arc lengths), its strap slots cut, stacked
    stack_count times."""
    A, B = p.outer_semi_axes
    body = band_solid(p, param_at_arc(A, B, p.band_reach), offsets)
    extra = [reinforcement(p)] if p.reinforcement_width > 0 else []
    body = body.fuse(*extra, *pegs(p, offsets)).clean()
    body = body.cut(*strap_slots(p)).clean()
    body = body.Solids()[0] if len(body.Solids()) == 1 else body
    if p.stack_count > 1:
        body = stack(p, body, offsets)
    solids = body.Solids()
    if len(solids) != 1:  # pragma: no cover - a broken boolean; the tests catch it
        raise RuntimeError(f"visor-headband built {len(solids)} solids, expected one")
    return cq.Workplane("XY").newObject([solids[0]])


def units(p: VisorHeadbandParams) -> int:
    """Headbands per print job (for per-unit print figures)."""
    return p.stack_count


def preview(p: VisorHeadbandParams, result):
    """The browser preview (GLB) of a stack: one band shown N times (glTF instances of
    one mesh) and the pillars, instead of N meshes: a stack of 12 stays under 100 kB.
    None for a single band (the part itself is the preview)."""
    if p.stack_count == 1:
        return None
    single = build_band(dataclasses.replace(p, stack_count=1), peg_offsets(p)).val()
    colour = cq.Color(0.93, 0.55, 0.13, 1.0)
    assembly = cq.Assembly(name="stack")
    for k in range(p.stack_count):
        assembly.add(single, name=f"band-{k + 1}", color=colour,
                     loc=cq.Location(cq.Vector(0, 0, k * p.stack_pitch)))
    # the pillars of the first gap, instanced in every gap
    two = dataclasses.replace(p, stack_count=2)
    gap = cq.Compound.makeCompound(pillars(two, peg_offsets(p)))
    for k in range(p.stack_count - 1):
        assembly.add(gap, name=f"pillars-{k + 1}", color=colour,
                     loc=cq.Location(cq.Vector(0, 0, k * p.stack_pitch)))
    return assembly


# The contract's members this design has nothing to say for.
from cad.contract import no_extra_files as extra_files, no_profiles as profiles  # noqa: E402,F401
