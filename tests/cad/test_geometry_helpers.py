"""The shared helpers that replace hand-written copies: ellipse arc length (SciPy's
elliptic integral), connected components (SciPy's sparse graph), arcs as DXF bulges,
mitred offsets (shapely) and fingers read back from a cut path."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely.geometry import Polygon

from cad import dxf, ellipse, graph, joints


def polyline_arc(A, B, u, n=200_000):
    t = np.linspace(0.0, u, n + 1)
    return float(np.sum(np.hypot(np.diff(A * np.sin(t)), np.diff(B * np.cos(t)))))


@pytest.mark.parametrize("A, B", [(75.0, 95.0), (95.0, 75.0), (80.0, 80.0)])
@pytest.mark.parametrize("u", [0.3, 1.2, 2.4, -1.0])
def test_ellipse_arc_length_and_its_inverse(A, B, u):
    s = ellipse.arc_length(A, B, u)
    assert s == pytest.approx(math.copysign(polyline_arc(A, B, abs(u)), u), abs=1e-4)
    assert ellipse.param_at_arc(A, B, s) == pytest.approx(u, abs=1e-10)


def test_circle_arc_is_radius_times_angle():
    assert ellipse.arc_length(50.0, 50.0, 1.0) == pytest.approx(50.0, abs=1e-12)


def test_components_of_segments():
    labels = graph.components([((0, 0), (1, 0)), ((1, 0), (1, 1)), ((5, 5), (6, 5))])
    assert labels[(0, 0)] == labels[(1, 1)] != labels[(5, 5)] == labels[(6, 5)]
    count, lab = graph.component_labels(4, [0, 2], [1, 3])
    assert count == 2 and lab[0] == lab[1] and lab[2] == lab[3] and lab[0] != lab[2]


@pytest.mark.parametrize("bulge", [1.0, -1.0, math.tan(math.pi / 8), 0.3])
def test_bulge_arc_round_trip(bulge):
    p0, p1 = (0.0, 0.0), (10.0, 0.0)
    (cx, cy), r, sweep = dxf.bulge_arc(p0, p1, bulge)
    assert dxf.bulge_of(sweep) == pytest.approx(bulge)
    assert math.dist((cx, cy), p0) == pytest.approx(r) == pytest.approx(math.dist((cx, cy), p1))
    assert dxf.segment_length(p0, p1, bulge) == pytest.approx(r * abs(sweep))
    pts = dxf.arc_points(p0, p1, bulge, 0.01)
    assert all(math.dist((cx, cy), q) == pytest.approx(r) for q in pts)
    # bulge > 0 turns counter-clockwise: the arc lies right of p0 -> p1 (below here)
    assert all((q[1] < 0) == (bulge > 0) for q in pts)
    assert dxf.segment_length(p0, p1, 0.0) == 10.0 and dxf.arc_points(p0, p1, 0.0, 0.01) == []
    with pytest.raises(ValueError):
        dxf.bulge_arc(p0, p1, 0.0)


def test_mitred_offset_of_a_notched_outline():
    pts = [(0, 0), (30, 0), (30, 20), (20, 20), (20, 17), (10, 17), (10, 20), (0, 20)]
    out = joints.offset_polygon(pts, 0.5)
    assert joints.signed_area(out) > 0 and len(out) == len(pts)
    assert Polygon(out).bounds == pytest.approx((-0.5, -0.5, 30.5, 20.5))
    notch = sorted(x for x, y in out if abs(y - 17.5) < 1e-9)  # the notch narrows
    assert notch == pytest.approx([10.5, 19.5])
    assert joints.offset_polygon(pts, 0) == pts


def test_fingers_read_back_from_the_cut_path():
    t, kerf = 3.0, 0.2
    j = joints.joint(120.0, t, t, "tab")
    pts = joints.panel_outline(120.0, 60.0, {"bottom": j}, kerf)
    tabs, sure = joints.fingers_as_cut(Polygon(pts), 120.0, 60.0, "bottom", t, kerf)
    want = [(s0, s1) for s0, s1, kind in j.segments() if kind == "tab"]
    flat = lambda runs: [v for run in runs for v in run]  # noqa: E731
    assert sure == 1 and flat(tabs) == pytest.approx(flat(want), abs=1e-6)
    gaps = joints.gaps_between(tabs, 120.0)
    assert flat(gaps) == pytest.approx(flat((s0, s1) for s0, s1, k in j.segments()
                                            if k == "slot"), abs=1e-6)
    fit = joints.compare_fingers(tabs, gaps)
    assert not fit["ok"] and "tabs against" in fit["problem"]  # 3 tabs, 2 slots
    assert joints.compare_fingers(want, want)["ok"]
