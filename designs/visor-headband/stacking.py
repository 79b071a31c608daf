"""Stacks: N bands one above the other, a layer apart, joined by breakaway pillars."""

import cadquery as cq

from .band import frame
from .parameters import PILLAR_PITCH, PILLAR_SIZE, VisorHeadbandParams
from .pegs import peg_offsets


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


def pillars(p: VisorHeadbandParams, offsets) -> list[cq.Solid]:
    """The breakaway pillars of every gap of a stack (empty for a single band)."""
    A, B = p.outer_semi_axes
    T, g, c = p.wall, p.stack_gap, PILLAR_SIZE
    eps = 0.05  # pillars reach this far into the bands they join
    wall = []
    for s in pillar_arcs(p):
        (x, y), _, angle = frame(A, B, s)
        box = cq.Solid.makeBox(c, T - 0.2, g + 2 * eps, cq.Vector(-c / 2, -T + 0.1, -g - eps))
        wall.append(box.rotate(cq.Vector(), cq.Vector(0, 0, 1), angle).translate(cq.Vector(x, y, 0)))
    under_pegs = []
    bottom = p.peg_top_z - 0.3  # into the crest of the peg below
    for s in offsets:
        (x, y), _, angle = frame(A, B, s)
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


def stack(p: VisorHeadbandParams, band: cq.Solid, offsets) -> cq.Solid:
    """stack_count copies of the band, stack_pitch apart, joined by breakaway pillars."""
    copies = [band.translate(cq.Vector(0, 0, k * p.stack_pitch))
              for k in range(1, p.stack_count)]
    return band.fuse(*copies, *pillars(p, offsets)).clean()

