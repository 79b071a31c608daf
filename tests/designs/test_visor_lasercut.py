"""visor-lasercut: tab positions once bent, the DXF audit, nesting against the grid."""

from __future__ import annotations

import math
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cad import cutcheck, dxf
from cad.fit import MAX_CLEARANCE_MM, MIN_CLEARANCE_MM, check_fit
from cad.params import ParameterError
from cad.patterns import SHEET_PATTERNS
from cad.registry import read_design
from param_strategies import numeric_fields, out_of_range, within
from edited_copy import build_edited_copy

DESIGN = Path(__file__).resolve().parents[2] / "designs" / "visor-lasercut"
design = read_design(DESIGN)
model = design.model()
VARIANTS = {v.id: v.params for v in design.variants()}
META = tomllib.loads((DESIGN / "design.toml").read_text(encoding="utf-8"))
KERF = META["stock"]["kerf_mm"]


class Ellipse:
    """Arc length by a dense polyline (independent of the model's quadrature)."""

    def __init__(self, A, B, n=400_000):
        t = np.linspace(0.0, math.pi, n + 1)
        x, y = A * np.sin(t), B * np.cos(t)
        self.t, self.s = t, np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])

    def param_at(self, s):
        return math.copysign(float(np.interp(abs(s), self.s, self.t)), s)

    def arc_at(self, u):
        return math.copysign(float(np.interp(abs(u), self.t, self.s)), u)


def test_matrix_every_pattern():
    assert sorted(VARIANTS) == sorted(f"m-{p}" for p in SHEET_PATTERNS)


@pytest.mark.parametrize("vid", sorted(VARIANTS))
def test_variant_geometry_dxf_and_fit(vid, tmp_path):
    p = VARIANTS[vid]
    pat = SHEET_PATTERNS[p.sheet_pattern]
    wp = model.build(p)
    assert len(wp.solids().vals()) == 1 and wp.val().isValid()
    bb = wp.val().BoundingBox()
    L, h = 2 * p.band_reach, p.band_height
    assert (bb.xmin, bb.xmax, bb.ymin) == pytest.approx((-L / 2, L / 2, 0.0), abs=1e-6)
    assert bb.ymax == pytest.approx(h + p.tab_length, abs=1e-6)
    assert bb.zlen == pytest.approx(p.material_thickness, abs=1e-6)
    # tabs: the flat position whose OUTER arc length, bent on the head ellipse, is the
    # hole's offset (closed form by a dense polyline)
    head = model.HEAD_SIZES[p.head_size]
    a, b = head.breadth / 2, head.length / 2
    t = p.material_thickness
    outer, neutral = Ellipse(a + t, b + t), Ellipse(a + t / 2, b + t / 2)
    want = [neutral.arc_at(outer.param_at(o)) for o in pat.offsets]
    assert model.measured_tabs(p) == pytest.approx(want, abs=0.01)
    assert model.tab_positions(p) == pytest.approx(want, abs=0.01)
    # DXF
    path = dxf.export_dxf(model.profiles(p)["cut"], tmp_path / "cut.dxf")
    audit = dxf.audit_dxf(path)
    assert audit["ok"], audit["detail"]
    assert audit["contours"] == 3  # the band and two strap slots
    m = dxf.cut_metrics(path)
    r, s_len = p.tab_width / 2, p.strap_slot_height - model.SLOT_LENGTH
    slot = 2 * s_len + math.pi * model.SLOT_LENGTH
    R = model.END_RADIUS
    strip = 2 * (L + h) - 8 * R + 2 * math.pi * R
    tabs = len(pat.offsets) * (2 * (p.tab_length - r) + math.pi * r - p.tab_width)
    assert m["cut_length_mm"] == pytest.approx(strip + tabs + 2 * slot, abs=0.02)
    # fit against both sheets of the pattern
    sheets = read_design(DESIGN.parent / "visor-sheet")
    pegs = model.interface(p, wp)
    # the folded tab as cut: the laser's kerf (design.toml) off the tab's width
    assert pegs["diameter_mm"] == pytest.approx(math.hypot(p.tab_width - KERF, t), abs=1e-4)
    for v in sheets.variants():
        if v.params.sheet_pattern == p.sheet_pattern:
            result = check_fit(pegs, sheets.model().interface(v.params, None))
            assert result["ok"], result["detail"]
            assert result["max_error_mm"] < 0.01
    files = model.export_files(p, tmp_path / "files")
    assert model.interface(p, wp, files) == pegs
    checks = model.checks(p, wp, files)
    assert all(c["ok"] for c in checks.values()), checks
    assert checks["tab_fit"]["clearance_mm"] == pytest.approx(
        pat.hole_diameter - math.hypot(p.tab_width - KERF, t), abs=1e-3)


def test_naive_tab_placement_would_be_off():
    """Placing tabs at the hole offsets on the flat strip misses the holes by half a
    millimetre at 120 mm once bent: the compensation matters."""
    p = VARIANTS["m-eu-888"]
    off = model.outer_from_neutral(p, 120.0) - 120.0
    assert 0.3 < off < 0.7


def test_nest_beats_the_grid_and_is_ready_to_cut(tmp_path):
    p = VARIANTS["m-eu-888"]
    fig = model.figures(p, None)["nest"]
    assert fig["stock_mm"] == [600.0, 400.0]
    assert fig["parts_per_sheet"] >= fig["grid_best"] and fig["vs_grid"] >= 0.9
    # grid of the band's bounding box (strip + tabs + gap) turned 90 degrees
    bw, bh = 2 * p.band_reach, p.band_height + p.tab_length
    assert fig["grid_best"] == int(602 // (bh + 2)) * int(402 // (bw + 2))
    poly_area = model.nesting.profile_polygon(model.outline(p))[0].area
    assert fig["efficiency"] == pytest.approx(fig["parts_per_sheet"] * poly_area / 240000, rel=1e-3)
    cut = dxf.cut_metrics_for(model.outline(p))
    assert fig["units_per_hour"] == pytest.approx(3600 / cut["cut_time_s"], rel=1e-3)
    paths = model.extra_files(p, None, tmp_path, "m-eu-888")
    audit = dxf.audit_dxf(paths["nest.dxf"])
    assert audit["ok"], audit["detail"]
    assert audit["contours"] == 3 * fig["parts_per_sheet"]


def test_bad_input_names_field_value_range():
    with pytest.raises(ParameterError) as info:
        model.PARAMS(tab_width=6.0)
    msg = str(info.value)
    assert "tab_width" in msg and "6.0" in msg and "from 5.09 to 5.90 mm" in msg
    with pytest.raises(ParameterError) as info:
        model.PARAMS(band_reach=150.0)
    assert "band_reach" in str(info.value) and "at least 158.5 mm" in str(info.value)
    with pytest.raises(ParameterError) as info:
        model.PARAMS(stock_width=300.0, stock_height=300.0)
    assert "band_reach" in str(info.value) and "fit the stock sheet" in str(info.value)


def valid_params(draw) -> dict:
    """One valid parameter set: each field from its declared range, narrowed by the
    model's rules: the folded tab 0.2 to 1 mm under the hole's diameter once cut with
    the kerf, the strip to the sheet's edges and inside the stock, the slot 2 mm in."""
    cls = model.PARAMS
    pattern = draw(within(cls, "sheet_pattern"))
    pat = SHEET_PATTERNS[pattern]
    t = draw(within(cls, "material_thickness"))
    # the folded tab's diagonal as cut, hypot(w - kerf, t), 0.2 to 1 mm below the hole
    tab = [math.sqrt(max(0.0, (pat.hole_diameter - c) ** 2 - t * t)) + KERF
           for c in (MAX_CLEARANCE_MM, MIN_CLEARANCE_MM)]
    height = draw(within(cls, "band_height"))
    reach_min = pat.sheet_width / 2 + model.SHEET_EDGE_GAP + model.SLOT_LENGTH \
        + model.SLOT_END_POST
    # the strip (2 x reach) lies along the stock's longer side
    width = draw(within(cls, "stock_width"))
    stock = width, draw(within(cls, "stock_height",
                               lo=2 * reach_min if width < 2 * reach_min else None))
    return dict(
        sheet_pattern=pattern, head_size=draw(within(cls, "head_size")),
        material_thickness=t, band_height=height,
        tab_width=draw(within(cls, "tab_width", *tab)),
        tab_length=draw(within(cls, "tab_length")),
        strap_slot_height=draw(within(cls, "strap_slot_height", hi=height - 4)),
        stock_width=stock[0], stock_height=stock[1],
        band_reach=draw(within(cls, "band_reach", reach_min, max(stock) / 2)),
        nest_gap=draw(within(cls, "nest_gap")))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_property_valid_builds_one_solid(data):
    p = model.PARAMS(**valid_params(data.draw))
    wp = model.build(p)
    assert len(wp.solids().vals()) == 1 and wp.val().isValid()
    assert len(model.measured_tabs(p)) == len(p.pattern.offsets)


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_property_out_of_range_names_its_field(data):
    kw = valid_params(data.draw)
    name = data.draw(st.sampled_from(numeric_fields(model.PARAMS)))
    kw[name] = data.draw(out_of_range(model.PARAMS, name), label=name)
    with pytest.raises(ParameterError) as info:
        model.PARAMS(**kw)
    assert info.value.field == name and repr(kw[name]) in str(info.value)


# ------------------------------------------------------------------ checks that can fail


def _files(p, folder):
    return model.export_files(p, folder)


def test_checks_hold_the_files_to_the_pattern_the_kerf_and_the_stock(tmp_path):
    p = VARIANTS["m-eu-888"]
    result = model.check_files(p, _files(p, tmp_path))
    assert all(c["ok"] for c in result.values()), result
    nest = result["nested_sheet"]
    assert nest["parts"] == model.nest_result(p).parts_per_sheet
    # the nest keeps its 2 mm gap on the arcs as cut, to the arcs' flattening
    assert KERF < nest["min_gap_mm"] <= p.nest_gap + 1e-6
    assert nest["min_gap_mm"] == pytest.approx(p.nest_gap, abs=0.05)


def test_tabs_too_wide_for_the_holes_fail(monkeypatch, tmp_path):
    """A cut file with 6.0 mm tabs (the model's validation bypassed): 5.85 mm as cut,
    folded diagonal 5.90 mm in a 6 mm hole: 0.10 mm clearance, below the 0.2 mm least."""
    p = VARIANTS["m-eu-888"]
    monkeypatch.setattr(model.PARAMS, "validate", lambda self: None)
    wide = model.PARAMS(tab_width=6.0)
    files = _files(p, tmp_path)
    dxf.export_dxf(model.outline(wide), files["cut.dxf"])
    result = model.check_files(p, files)
    assert not result["tab_fit"]["ok"] and result["tab_positions"]["ok"]
    assert result["tab_fit"]["clearance_mm"] == pytest.approx(
        6.0 - math.hypot(6.0 - KERF, p.material_thickness), abs=1e-3)


def test_tabs_of_another_pattern_fail(tmp_path):
    p = VARIANTS["m-eu-888"]
    files = _files(p, tmp_path)
    other = _files(VARIANTS["m-eu-iso838"], tmp_path / "other")
    shutil.copy(other["cut.dxf"], files["cut.dxf"])
    result = model.check_files(p, files)
    assert not result["tab_positions"]["ok"]
    assert result["tab_positions"]["max_error_mm"] == pytest.approx(6.0, abs=0.01)


def _doc_with(path, extra):
    import ezdxf
    doc = ezdxf.readfile(str(path))
    extra(doc.modelspace())
    doc.saveas(str(path))


def test_overlapping_or_too_close_bands_in_the_nest_fail(tmp_path):
    p = VARIANTS["m-eu-888"]
    files = _files(p, tmp_path)
    first = cutcheck.lwpolylines(files["nest.dxf"])[0]

    def shifted(dy):
        return lambda msp: msp.add_lwpolyline([(x, y + dy, b) for x, y, b in first],
                                              format="xyb", close=True,
                                              dxfattribs={"layer": "CUT"})
    _doc_with(files["nest.dxf"], shifted(0.5))  # a band cut twice, 0.5 mm apart
    result = model.check_files(p, files)["nested_sheet"]
    assert not result["ok"] and result["overlaps"] >= 1
    assert "OVERLAP" in result["detail"] and "not expected" in result["detail"]


def test_nest_on_an_undeclared_sheet_fails(tmp_path):
    p = model.PARAMS(stock_width=500.0, stock_height=400.0)
    result = model.check_files(p, _files(p, tmp_path))["nested_sheet"]
    assert not result["ok"] and "not a stock sheet declared" in result["detail"]


def test_a_failing_check_fails_the_build(tmp_path):
    """`python -m cad build` on a copy whose design.toml declares other stock sheets:
    the nest is not on a declared sheet, the variant fails, the exit status is 1."""
    code, rec = build_edited_copy(tmp_path, DESIGN, {"design.toml": [
        ("sheets_mm = [[600, 400]]", "sheets_mm = [[1220, 610]]"),
        ('sheet_pattern = ["eu-888", "eu-iso838", "se-8", "us-3", "us-6"]',
         'sheet_pattern = ["eu-888"]')]})
    assert code == 1
    assert rec["variant"] == "m-eu-888" and rec["ok"] is False
    assert rec["checks"]["nested_sheet"]["ok"] is False
    assert rec["checks"]["tab_fit"]["ok"] and rec["checks"]["tab_positions"]["ok"]
