"""cad.cutcheck: nested sheets measured on the DXF with shapely, on hand-made files
whose answer is known (a part outside, two overlapping, two closer than the kerf, a part
in another's hole, a part lost between sheets)."""

from __future__ import annotations

import math

import pytest

from cad import cutcheck, dxf


def rect(x, y, w, h):
    return {"points": [(x, y, 0.0), (x + w, y, 0.0), (x + w, y + h, 0.0), (x, y + h, 0.0)]}


def sheet(path, *items):
    doc = dxf.new_document()
    dxf.add_contours(doc.modelspace(), items)
    return dxf.save_document(doc, path)


def test_parts_are_grouped_even_odd(tmp_path):
    path = sheet(tmp_path / "s.dxf", rect(0, 0, 100, 100), rect(10, 10, 80, 80),
                 rect(20, 20, 20, 20), {"circle": (30, 30, 5)}, rect(150, 0, 20, 20))
    found = cutcheck.parts(path)
    # a frame with one hole; a small part in the hole, with a round hole; a square
    assert sorted(p.area for p in found) == pytest.approx(
        [400 - math.pi * 25, 400.0, 100 * 100 - 80 * 80], abs=0.2)
    assert len(cutcheck.loops(path)) == 5
    assert cutcheck.circles(path) == [(30.0, 30.0, 5.0)]


def test_good_sheet_passes_with_its_smallest_gap(tmp_path):
    path = sheet(tmp_path / "s.dxf", rect(0, 0, 50, 50), rect(52, 0, 50, 50),
                 {"points": [(0, 60, 0.0), (40, 60, 1.0), (40, 70, 0.0), (0, 70, 0.0)]})
    semi = cutcheck.parts(sheet(tmp_path / "one.dxf", {"points": [
        (0, 0, 0.0), (40, 0, 1.0), (40, 10, 0.0), (0, 10, 0.0)]}))[0].area
    assert semi == pytest.approx(400 + math.pi * 25 / 2, abs=0.2)
    result = cutcheck.check_sheet(path, (200, 100), 0.2, [2500, semi, 2500])
    assert result["ok"], result["detail"]
    assert result["min_gap_mm"] == pytest.approx(2.0, abs=1e-6)


def test_the_arc_is_read_as_an_arc(tmp_path):
    """A half-round end (bulge 1) bulging towards a neighbour: the gap is to the arc,
    not to its chord."""
    semi = {"points": [(0, 0, 0.0), (40, 0, 1.0), (40, 10, 0.0), (0, 10, 0.0)]}
    path = sheet(tmp_path / "s.dxf", semi, rect(46, 0, 10, 10))
    result = cutcheck.check_sheet(path, (100, 100), 0.2)
    assert result["min_gap_mm"] == pytest.approx(1.0, abs=0.01)  # 46 - (40 + 5)


@pytest.mark.parametrize("items, words", [
    ((rect(0, 0, 50, 50), rect(60, 0, 50, 50)), "OUTSIDE the 100 x 100 mm sheet"),
    ((rect(0, 0, 50, 50), rect(49, 0, 30, 30)), "OVERLAP"),
    ((rect(0, 0, 50, 50), rect(50.1, 0, 30, 30)), "CLOSER than the 0.15 mm kerf"),
    ((rect(0, 0, 50, 50), rect(-1, 60, 30, 30)), "OUTSIDE"),
])
def test_bad_sheets_fail(tmp_path, items, words):
    result = cutcheck.check_sheet(sheet(tmp_path / "s.dxf", *items), (100, 100), 0.15)
    assert not result["ok"] and words in result["detail"]


def test_touching_parts_are_closer_than_the_kerf(tmp_path):
    path = sheet(tmp_path / "s.dxf", rect(0, 0, 50, 50), rect(50, 0, 30, 30))
    result = cutcheck.check_sheet(path, (100, 100), 0.15)
    assert not result["ok"] and result["too_close"] == 1 and result["min_gap_mm"] == 0.0


def test_parts_must_be_the_single_parts(tmp_path):
    path = sheet(tmp_path / "s.dxf", rect(0, 0, 50, 50), rect(60, 0, 30, 30))
    assert cutcheck.check_sheet(path, (100, 100), 0.15, [2500, 900])["ok"]
    result = cutcheck.check_sheet(path, (100, 100), 0.15, [2500, 900, 900])
    assert not result["ok"] and "missing areas [900.0]" in result["detail"]
    result = cutcheck.check_sheet(path, (100, 100), 0.15, [2500, 800])
    assert not result["ok"] and "areas not expected [900.0]" in result["detail"]


def test_a_set_on_several_sheets(tmp_path):
    one = sheet(tmp_path / "1.dxf", rect(0, 0, 50, 50), rect(60, 0, 30, 30))
    two = sheet(tmp_path / "2.dxf", rect(0, 0, 80, 80))
    result = cutcheck.check_sheets([one, two], (100, 100), 0.15, [2500, 900, 6400])
    assert result["ok"] and result["sheets"] == 2 and result["parts"] == 3
    lost = cutcheck.check_sheets([one], (100, 100), 0.15, [2500, 900, 6400])
    assert not lost["ok"] and "all sheets" in lost["detail"]


def test_declared_stock_sheets():
    meta = {"stock": {"sheets_mm": [[1220, 610], [600, 400]]}}
    assert cutcheck.stock_sheets(meta) == [(1220.0, 610.0), (600.0, 400.0)]
    assert cutcheck.declared_sheet(meta, 610, 1220) == (610.0, 1220.0)
    assert cutcheck.declared_sheet(meta, 1000, 500) is None
    with pytest.raises(KeyError, match="sheets_mm"):
        cutcheck.stock_sheets({})
