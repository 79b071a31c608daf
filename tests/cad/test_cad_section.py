"""cad.section: second moments of area against closed forms, on B-reps and meshes."""

from __future__ import annotations

import numpy as np
import cadquery as cq
import pytest

from cad import section
from cad.export import export_stl


def rect(u0, v0, w, h):
    return np.array([[u0, v0], [u0 + w, v0], [u0 + w, v0 + h], [u0, v0 + h]])


def test_rectangle_closed_form():
    m = section.polygon_moments([rect(3, -2, 1.6, 10)])
    assert m["area_mm2"] == pytest.approx(16.0)
    assert m["centroid"] == pytest.approx((3.8, 3.0))
    assert m["i_u_mm4"] == pytest.approx(10 * 1.6**3 / 12)
    assert m["i_v_mm4"] == pytest.approx(1.6 * 10**3 / 12)


def test_hole_and_orientation_do_not_matter():
    outer, inner = rect(0, 0, 10, 20), rect(2, 2, 6, 16)[::-1]
    m1 = section.polygon_moments([outer, inner])
    m2 = section.polygon_moments([outer[::-1], inner[::-1]])
    want = (20 * 10**3 - 16 * 6**3) / 12
    assert m1["i_u_mm4"] == pytest.approx(want) and m2["i_u_mm4"] == pytest.approx(want)
    assert m1["area_mm2"] == pytest.approx(200 - 96)


def test_l_section_parallel_axis():
    # wall 1.6 x 9 and a 10 x 1.1 flange at its foot (as the reinforced headband)
    loops = [np.array([[0, 0], [1.6, 0], [1.6, 9], [0, 9]]),
             np.array([[-10, 0], [0, 0], [0, 1.1], [-10, 1.1]])]
    # the two rectangles share an edge: as one L polygon
    L = np.array([[-10, 0], [1.6, 0], [1.6, 9], [0, 9], [0, 1.1], [-10, 1.1]])
    a1, a2 = 1.6 * 9, 10 * 1.1
    c = (a1 * 0.8 + a2 * -5) / (a1 + a2)
    want = 9 * 1.6**3 / 12 + a1 * (0.8 - c) ** 2 + 1.1 * 10**3 / 12 + a2 * (-5 - c) ** 2
    assert section.polygon_moments([L])["i_u_mm4"] == pytest.approx(want)
    del loops


def test_brep_and_mesh_sections_agree(tmp_path):
    part = cq.Workplane().box(40, 10, 20).cut(cq.Workplane().box(50, 6, 16))
    want = (20 * 10**3 - 16 * 6**3) / 12
    fig = section.bending_figure(section.brep_section(part, 0.0), "test")
    assert fig["second_moment_mm4"] == pytest.approx(want, abs=0.01)
    stl = export_stl(part.val(), tmp_path / "p.stl")
    mesh = section.polygon_moments(section.mesh_section(stl, 0.0))
    assert mesh["i_u_mm4"] == pytest.approx(want, rel=1e-6)


def test_plane_missing_the_part():
    with pytest.raises(ValueError):
        section.brep_section(cq.Workplane().box(1, 1, 1), 10.0)
    with pytest.raises(ValueError):
        section.polygon_moments([])
