"""cad.nesting: as many parts as fit, never worse than the grid, verified, ready to cut."""

from __future__ import annotations

import cadquery as cq
import pytest

from cad import dxf, nesting


def rect(w, h):
    return cq.Sketch().rect(w, h)


def test_grid_count_closed_form():
    # 100 x 60 boxes, 2 mm apart, on 600 x 400: 5 x 6 = 30 upright, 6 x 3 = 18 turned
    assert nesting.grid_count(100, 60, 600, 400, 2) == (30, 0)
    assert nesting.grid_count(60, 100, 600, 400, 2) == (30, 90)
    assert nesting.grid_count(700, 10, 600, 400, 2)[0] == 0


def test_rectangles_fill_like_the_grid():
    r = nesting.nest([nesting.Part("r", rect(100, 60))], 600, 400, gap=2)
    assert r.parts_per_sheet == r.grid_best == 30
    assert r.efficiency == pytest.approx(30 * 6000 / 240000)
    assert r.vs_grid == 1.0 and r.sheets_needed == 1


def test_tabbed_strips_interlock_beyond_the_grid():
    """Strips with tabs on one edge: turning every other row 180 degrees and shifting it
    lets the tabs of two rows share one band of the sheet, so more rows fit."""
    strip = (cq.Sketch().rect(250, 20).push([(-80, 14), (0, 14), (80, 14)]).rect(8, 8)
             .clean())
    r = nesting.nest([nesting.Part("s", strip)], 600, 400, gap=2)
    # grid: boxes 250 x 28 -> 2 per row x 13 rows = 26
    assert r.grid_best == 26
    assert r.parts_per_sheet > r.grid_best and "180" in r.method
    assert r.vs_grid >= 1.0


def test_holes_do_not_count_in_the_area():
    plate = rect(100, 100).push([(0, 0)]).rect(50, 50, mode="s")
    r = nesting.nest([nesting.Part("p", plate)], 300, 200, gap=0)
    assert r.parts_per_sheet == 6
    assert r.efficiency == pytest.approx(6 * 7500 / 60000, rel=1e-3)


def test_set_mode_places_every_instance_on_sheets():
    from shapely import affinity
    parts = [nesting.Part("big", rect(290, 190), 3), nesting.Part("disc", cq.Sketch().circle(40), 5)]
    r = nesting.nest(parts, 600, 400, gap=5)
    assert len(r.placements) == 8 and r.sheets_needed in (1, 2)
    assert sum(1 for p in r.placements if p.sheet == 0) == r.parts_per_sheet
    polys = {p.name: nesting.profile_polygon(p.profile)[0] for p in parts}
    for sheet in range(r.sheets_needed):
        placed = [affinity.translate(affinity.rotate(polys[p.part], p.angle, origin=(0, 0)),
                                     p.x, p.y) for p in r.placements if p.sheet == sheet]
        for i, a in enumerate(placed):
            minx, miny, maxx, maxy = a.bounds
            assert minx > -1e-6 and miny > -1e-6 and maxx < 600 + 1e-6 and maxy < 400 + 1e-6
            for b in placed[i + 1:]:
                assert a.distance(b) >= 5 - 0.05
    # a single 300 x 200 part per 600 x 400 sheet when the gap makes two not fit
    one = nesting.nest([nesting.Part("big", rect(300, 200), 2)], 600, 400, gap=3)
    assert one.parts_per_sheet == 1 and one.sheets_needed == 2


def test_nest_dxf_is_ready_to_cut(tmp_path):
    part = rect(100, 60).push([(0, 0)]).circle(5, mode="s")
    r = nesting.nest([nesting.Part("r", part)], 600, 400, gap=2)
    path = r.export_dxf(tmp_path / "nest.dxf")
    audit = dxf.audit_dxf(path)
    assert audit["ok"], audit["detail"]
    assert audit["contours"] == 2 * r.parts_per_sheet
    m = dxf.cut_metrics(path)
    one = 2 * (100 + 60) + 2 * 3.141592653589793 * 5
    assert m["cut_length_mm"] == pytest.approx(r.parts_per_sheet * one, abs=0.05)
    fig = r.figure()
    assert fig["stock_mm"] == [600.0, 400.0] and fig["parts_per_sheet"] == 30
    assert set(fig) >= {"efficiency", "grid_best", "vs_grid", "sheets_needed"}


def test_bad_input():
    with pytest.raises(ValueError, match="empty"):
        nesting.nest([], 600, 400)
    with pytest.raises(ValueError, match="positive"):
        nesting.nest([nesting.Part("r", rect(1, 1))], 0, 400)
    with pytest.raises(ValueError, match="does not fit"):
        nesting.nest([nesting.Part("r", rect(700, 10), 1)], 600, 400)
