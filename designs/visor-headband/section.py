"""The stiffness proxy: the band's section at the front centre line, measured by OCCT."""

import cadquery as cq

from cad import section_props
from cad.ellipse import param_at_arc

from .band import band_solid, reinforcement
from .parameters import VisorHeadbandParams


def band_section_solid(p: VisorHeadbandParams) -> cq.Solid:
    """The band and its reinforcement bar without pegs, peg bosses and slots: the solid
    whose front section is the stiffness proxy, the band's plain section between the
    pegs (its weakest: a peg at the centre, as in us-3, and the taller wall round it
    are not counted)."""
    A, B = p.outer_semi_axes
    body = band_solid(p, param_at_arc(A, B, p.band_reach))
    if p.reinforcement_width > 0:
        body = body.fuse(reinforcement(p)).clean()
    return body


def section_face(p: VisorHeadbandParams):
    """The band's section by the plane x = 0 (the front centre line), pegs excluded, as
    an OCCT face (cad.section_props)."""
    return section_props.brep_section_face(band_section_solid(p), 0.0)


def figures(p: VisorHeadbandParams, result) -> dict:
    """Stiffness proxy: second moments of the band's section at the front centre line,
    measured by OCCT on the section face (cad.section_props; the bench applies the same
    measurement to the anchor headband's STL section). For the truss band the plane
    x = 0 falls in the rib-free centre panel: the section is the two walls (the outer
    one at its height between the pegs), counted as one section (the ribs make them
    act as one; the proxy does not count the ribs' shear flexibility)."""
    return {"stiffness": section_props.stiffness_figure(section_face(p))}
