"""cad.gauge: section diameters of meshes with known closed-form answers."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from cad import gauge


def test_fit_circle_exact_on_circle_points():
    t = np.linspace(0, 2 * np.pi, 37)[:-1]
    pts = np.column_stack([3 + 5 * np.cos(t), -2 + 5 * np.sin(t)])
    (cx, cy), d, rms = gauge.fit_circle(pts)
    assert (cx, cy, d) == pytest.approx((3, -2, 10), abs=1e-9) and rms < 1e-9


def test_cylinder_diameter_within_polygon_error():
    mesh = trimesh.creation.cylinder(radius=10, height=20, sections=720)  # centred on z=0
    d = gauge.diameter_at(mesh, 3.0)
    # vertices on the circle, chords inside: between the inscribed and the true diameter
    assert 20 * np.cos(np.pi / 720) - 1e-9 <= d <= 20 + 1e-9


def test_tube_inner_and_outer():
    mesh = trimesh.creation.annulus(r_min=6, r_max=9, height=10, sections=720)
    assert gauge.diameter_at(mesh, 1.0, "outer") == pytest.approx(18, abs=0.001)
    assert gauge.diameter_at(mesh, 1.0, "inner") == pytest.approx(12, abs=0.001)
    loops = gauge.section_loops(mesh, -2.0)
    assert [round(lp.diameter, 2) for lp in loops] == [12.0, 18.0]
    assert loops[1].extent == pytest.approx((18, 18), abs=0.01)


def test_cone_diameter_varies_with_height():
    mesh = trimesh.creation.cone(radius=10, height=40, sections=720)  # base z=0, apex z=40
    for z in (5.0, 20.0, 35.0):
        assert gauge.diameter_at(mesh, z) == pytest.approx(20 * (1 - z / 40), abs=0.001)


def test_near_picks_the_loop_on_the_axis():
    a = trimesh.creation.cylinder(radius=5, height=10, sections=360)
    b = trimesh.creation.cylinder(radius=8, height=10, sections=360)
    b.apply_translation([30, 0, 0])
    both = trimesh.util.concatenate([a, b])
    assert gauge.diameter_at(both, 0.0) == pytest.approx(16, abs=0.01)
    assert gauge.diameter_at(both, 0.0, near=(0, 0)) == pytest.approx(10, abs=0.01)


def test_no_section_and_not_round_raise():
    mesh = trimesh.creation.cylinder(radius=5, height=10)
    with pytest.raises(ValueError, match="height = 50"):
        gauge.diameter_at(mesh, 50.0)
    box = trimesh.creation.box(extents=(20, 10, 10))
    with pytest.raises(ValueError, match="not round"):
        gauge.diameter_at(box, 0.0)
    with pytest.raises(ValueError, match="which = 'middle'"):
        gauge.diameter_at(box, 0.0, "middle")


def test_reads_an_stl_file(tmp_path):
    mesh = trimesh.creation.cylinder(radius=7, height=10, sections=720)
    path = tmp_path / "c.stl"
    mesh.export(path)
    assert gauge.diameter_at(path, 1.0) == pytest.approx(14, abs=0.001)
