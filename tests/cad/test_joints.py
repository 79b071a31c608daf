"""cad.joints: finger layouts, mating edges and kerf, checked on the outlines."""

from __future__ import annotations

import pytest

from cad import joints as J

T = 4.0


def test_layout_is_odd_and_near_three_thicknesses():
    for length in (30, 57, 100, 333, 600):
        for t in (3.0, 4.0, 6.0):
            n, w = J.finger_layout(length, t)
            assert n % 2 == 1 and n >= 3
            assert n * w == pytest.approx(length)
            assert w >= J.MIN_FINGER_RATIO * t - 1e-9
            # the nearest odd count: the next odd count either way is no closer to 3 t
            for other in (n - 2, n + 2):
                if other >= 3 and length / other >= J.MIN_FINGER_RATIO * t:
                    assert abs(w - 3 * t) <= abs(length / other - 3 * t) + 1e-9


def test_short_edge_and_bad_values_refused():
    with pytest.raises(ValueError, match=r"length = 10 is not allowed: at least 18 mm"):
        J.finger_layout(10, 4)
    with pytest.raises(ValueError, match="thickness = 0"):
        J.finger_layout(100, 0)
    with pytest.raises(ValueError, match="count = 4"):
        J.EdgeJoint(100, 4, 4, "tab")
    with pytest.raises(ValueError, match="first = 'peg'"):
        J.EdgeJoint(100, 4, 5, "peg")
    with pytest.raises(ValueError, match="kerf = -0.1"):
        J.panel_outline(50, 50, {}, kerf=-0.1)
    with pytest.raises(ValueError, match="bottom edge length"):
        J.nominal_outline(50, 40, {"bottom": J.joint(40, T, T)})


def test_mate_has_same_count_and_faces_tabs_with_slots():
    a = J.joint(250, 3.0, T, "tab")
    b = a.mate(depth=T)
    assert b.count == a.count and b.length == a.length and b.depth == T
    assert a.tabs == b.slots and a.slots == b.tabs
    for (s0, s1, ka), (r0, r1, kb) in zip(a.segments(), b.segments()):
        assert (s0, s1) == (r0, r1) and {ka, kb} == {"tab", "slot"}
    # a palindrome: read from the other end it is the same
    kinds = [k for _, _, k in a.segments()]
    assert kinds == kinds[::-1]


def test_plain_panel_is_its_rectangle():
    assert J.nominal_outline(30, 20, {}) == [(0, 0), (30, 0), (30, 20), (0, 20)]
    assert J.signed_area(J.panel_outline(30, 20, {}, kerf=0.2)) == pytest.approx(30.2 * 20.2)


@pytest.mark.parametrize("kerf", [0.0, 0.15, 0.3])
def test_mating_edges_on_the_outlines(kerf):
    """Two panels sharing a 150 mm edge: read the runs off both outlines. Same number
    of fingers, each tab of one facing a slot of the other, and the cut paths differ by
    exactly the kerf on each side so that both come out at the nominal width."""
    ja = J.joint(150, T, T, "tab")
    jb = ja.mate()
    pa = J.panel_outline(150, 80, {"bottom": ja}, kerf)
    pb = J.panel_outline(150, 60, {"top": jb}, kerf)
    ra = J.edge_runs(pa, "bottom", 150, 80, T, kerf)
    rb = J.edge_runs(pb, "top", 150, 60, T, kerf)
    # top edge runs from x = 150 to 0: map into the bottom edge's coordinate
    rb = sorted((150 - hi, 150 - lo, k) for lo, hi, k in rb)
    assert len(ra) == len(rb) == ja.count
    assert sum(k == "tab" for *_, k in ra) == sum(k == "slot" for *_, k in rb)
    k2 = kerf / 2
    for (a0, a1, ka), (b0, b1, kb) in zip(ra, rb):
        assert {ka, kb} == {"tab", "slot"}
        wa, wb = a1 - a0, b1 - b0
        # path widths: a tab's path is wider by the kerf, a slot's narrower, except at the
        # panel's ends where the path only grows by kerf / 2 beyond the outer edge
        nominal_a = wa - (kerf if ka == "tab" else -kerf)
        nominal_b = wb - (kerf if kb == "tab" else -kerf)
        if a0 > 0 and a1 < 150:
            assert nominal_a == pytest.approx(ja.width, abs=1e-9)
            assert nominal_b == pytest.approx(ja.width, abs=1e-9)
            assert abs(wa - wb) == pytest.approx(2 * kerf, abs=1e-9)
        else:
            assert abs(wa - wb) <= kerf + 1e-9  # the end runs agree within the kerf
    # the tab lines lie kerf / 2 outside the outer edge, the slot lines kerf / 2 inside
    ys = {round(y, 9) for x, y in pa if 1 < x < 149 and y < 10}
    assert ys == {round(-k2, 9), round(T - k2, 9)}


def test_box_corner_belongs_to_one_panel():
    """Three panels at a corner: the panel with tabs on both edges keeps the corner
    square; the other two have it cut away."""
    side = J.joint(100, T, T, "tab")
    owner = J.nominal_outline(100, 100, {"bottom": side, "left": side})
    other = J.nominal_outline(100, 100, {"bottom": side.mate(), "left": side.mate()})
    assert (0.0, 0.0) in owner
    assert (T, T) in other and (0.0, 0.0) not in other


def test_outline_is_closed_simple_and_ccw():
    j = J.joint(120, T, T, "tab")
    pts = J.panel_outline(120, 120, {e: j for e in J.EDGES}, kerf=0.2)
    assert J.signed_area(pts) > 0
    # right angles only: every segment horizontal or vertical
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1]):
        assert abs(x0 - x1) < 1e-9 or abs(y0 - y1) < 1e-9
    # area: rectangle of the kerf-grown outline minus the slots' areas, closed form
    n = j.count
    slots_per_edge = (n - 1) // 2
    w = j.width
    nominal = 120 * 120 - 4 * slots_per_edge * w * T
    assert J.signed_area(J.nominal_outline(120, 120, {e: j for e in J.EDGES})) == \
        pytest.approx(nominal)
