"""cad.section_props: OCCT-measured section properties against closed forms."""

from __future__ import annotations

import numpy as np
import cadquery as cq
import pytest

from cad import section_props
from cad.export import export_stl


def test_rectangle_closed_form():
    # a 1.6 x 10 rectangle in the plane x = 0, its corner at (y, z) = (3, -2)
    face = cq.Face.makePlane(1.6, 10, cq.Vector(0, 3.8, 3.0), cq.Vector(1, 0, 0))
    m = section_props.face_moments(face)
    assert m["area_mm2"] == pytest.approx(16.0)
    assert m["centroid"] == pytest.approx((0.0, 3.8, 3.0))
    assert m["i_u_mm4"] == pytest.approx(10 * 1.6**3 / 12)  # about z: along y
    assert m["i_v_mm4"] == pytest.approx(1.6 * 10**3 / 12)  # about y: along z
    assert m["i_uv_mm4"] == pytest.approx(0.0, abs=1e-9)


def test_i_section_closed_form():
    # an I-beam extruded along x: flanges 20 x 2, web 1.5 x 16 (total height 20)
    b, tf, tw, h = 20.0, 2.0, 1.5, 20.0
    prof = (cq.Workplane("YZ").rect(b, tf).extrude(30).translate((0, 0, (h - tf) / 2))
            .union(cq.Workplane("YZ").rect(b, tf).extrude(30).translate((0, 0, -(h - tf) / 2)))
            .union(cq.Workplane("YZ").rect(tw, h - 2 * tf).extrude(30)))
    fig = section_props.stiffness_figure(section_props.brep_section_face(prof, 15.0))
    hw = h - 2 * tf
    i_strong = b * h**3 / 12 - (b - tw) * hw**3 / 12  # about the horizontal axis
    i_weak = 2 * tf * b**3 / 12 + hw * tw**3 / 12  # about the vertical axis
    assert fig["second_moment_sag_mm4"] == pytest.approx(i_strong, abs=0.01)
    assert fig["second_moment_mm4"] == pytest.approx(i_weak, abs=0.01)


def test_hollow_box_brep_and_mesh_agree(tmp_path):
    part = cq.Workplane().box(40, 10, 20).cut(cq.Workplane().box(50, 6, 16))
    want_y = (20 * 10**3 - 16 * 6**3) / 12
    want_z = (10 * 20**3 - 6 * 16**3) / 12
    fig = section_props.stiffness_figure(section_props.brep_section_face(part, 0.0))
    assert fig["second_moment_mm4"] == pytest.approx(want_y, abs=0.01)
    assert fig["second_moment_sag_mm4"] == pytest.approx(want_z, abs=0.01)
    stl = export_stl(part.val(), tmp_path / "p.stl")
    mesh = section_props.stiffness_figure(section_props.mesh_section_face(stl, 0.0))
    assert mesh["second_moment_mm4"] == pytest.approx(want_y, abs=0.01)
    assert mesh["second_moment_sag_mm4"] == pytest.approx(want_z, abs=0.01)


def test_polygons_with_hole_and_any_orientation():
    def rect(u0, v0, w, h):
        return np.array([[u0, v0], [u0 + w, v0], [u0 + w, v0 + h], [u0, v0 + h]])
    want = (20 * 10**3 - 16 * 6**3) / 12
    for outer, inner in ((rect(0, 0, 10, 20), rect(2, 2, 6, 16)),
                         (rect(0, 0, 10, 20)[::-1], rect(2, 2, 6, 16)[::-1])):
        m = section_props.face_moments(section_props.polygons_face([outer, inner], 5.0))
        assert m["area_mm2"] == pytest.approx(200 - 96)
        assert m["i_u_mm4"] == pytest.approx(want)


def test_z_range_keeps_one_band_and_misses_raise():
    two = cq.Workplane().box(10, 2, 3).union(cq.Workplane().box(10, 2, 3).translate((0, 0, 5)))
    one = section_props.brep_section_face(two, 0.0, z_range=(-2, 2))
    assert section_props.face_moments(one)["area_mm2"] == pytest.approx(6.0)
    with pytest.raises(ValueError):
        section_props.brep_section_face(cq.Workplane().box(1, 1, 1), 10.0)
    with pytest.raises(ValueError):
        section_props.polygons_face([])


def test_l_section_parallel_axis():
    # wall 1.6 x 9 and a 10 x 1.1 flange at its foot (as the reinforced headband): the
    # centroid moves off the wall, the parallel-axis terms come in
    L = np.array([[-10, 0], [1.6, 0], [1.6, 9], [0, 9], [0, 1.1], [-10, 1.1]])
    a1, a2 = 1.6 * 9, 10 * 1.1
    c = (a1 * 0.8 + a2 * -5) / (a1 + a2)
    want = 9 * 1.6**3 / 12 + a1 * (0.8 - c) ** 2 + 1.1 * 10**3 / 12 + a2 * (-5 - c) ** 2
    m = section_props.face_moments(section_props.polygons_face([L]))
    assert m["area_mm2"] == pytest.approx(a1 + a2)
    assert m["i_u_mm4"] == pytest.approx(want)
