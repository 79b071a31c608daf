"""visor-sheet: every variant against the pattern table, its DXF audit, the template."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cad import dxf
from cad.params import ParameterError
from cad.patterns import SHEET_PATTERNS, SHEET_SIZES
from cad.registry import read_design
from param_strategies import declared, numeric_fields, out_of_range, within, zero_or
from edited_copy import build_edited_copy

DESIGN = Path(__file__).resolve().parents[2] / "designs" / "visor-sheet"
design = read_design(DESIGN)
model = design.model()
VARIANTS = {v.id: v.params for v in design.variants()}


def test_matrix_is_every_size_by_every_pattern():
    assert sorted(VARIANTS) == sorted(f"{s}-{p}" for s in SHEET_SIZES for p in SHEET_PATTERNS)


def closed_form_cut_length(p) -> float:
    w, h = p.size
    r = p.corner_radius
    return 2 * (w + h) - 8 * r + 2 * math.pi * r + \
        len(p.pattern.offsets) * math.pi * p.hole_diameter


@pytest.mark.parametrize("vid", sorted(VARIANTS))
def test_variant_geometry_and_dxf(vid, tmp_path):
    p = VARIANTS[vid]
    w, h = SHEET_SIZES[p.sheet_size]
    pat = SHEET_PATTERNS[p.sheet_pattern]
    wp = model.build(p)
    solid = wp.val()
    assert len(wp.solids().vals()) == 1 and solid.isValid()
    bb = solid.BoundingBox()
    assert (bb.xmin, bb.ymin, bb.xmax, bb.ymax) == pytest.approx((0, 0, w, h), abs=1e-6)
    area = w * h - (4 - math.pi) * p.corner_radius**2 - \
        len(pat.offsets) * math.pi * (p.hole_diameter / 2) ** 2
    assert solid.Volume() == pytest.approx(area * p.thickness, rel=1e-6)
    # holes: centres at the pattern's offsets, top_distance below the top edge
    circles = sorted(c["circle"] for c in dxf.contours(model.outline(p)) if "circle" in c)
    assert [round(cx - w / 2, 6) for cx, _, _ in circles] == list(pat.offsets)
    assert all(cy == pytest.approx(h - pat.top_distance) for _, cy, _ in circles)
    assert all(r == pytest.approx(p.hole_diameter / 2) for *_, r in circles)
    # the laser file
    path = dxf.export_dxf(model.profiles(p)["cut"], tmp_path / "cut.dxf")
    audit = dxf.audit_dxf(path)
    assert audit["ok"] is True, audit["detail"]
    assert audit["contours"] == 1 + len(pat.offsets) and audit["splines"] == 0
    m = dxf.cut_metrics(path)
    assert m["cut_length_mm"] == pytest.approx(closed_form_cut_length(p), abs=0.01)
    assert m["pierces"] == 1 + len(pat.offsets)
    # the interface the fit check reads
    iface = model.interface(p, wp)
    assert iface == {"kind": "holes", "pattern": p.sheet_pattern,
                     "positions_mm": list(pat.offsets), "diameter_mm": 6.0}
    assert all(c["ok"] for c in model.checks(p, wp).values())


def _template(p):
    svg = model.template_svg(p)
    return svg, ET.fromstring(svg)


NS = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("vid", ["a4-eu-888", "letter-us-6"])
def test_template_is_one_to_one_with_a_100_mm_bar(vid):
    p = VARIANTS[vid]
    w, h = p.size
    svg, root = _template(p)
    assert root.get("width") == f"{w:g}mm" and root.get("height") == f"{h:g}mm"
    assert root.get("viewBox") == f"0 0 {w:g} {h:g}"  # 1 user unit = 1 mm
    bar = root.find(f".//{NS}g[@id='scale-bar']")
    line = bar.find(f"{NS}line")
    assert float(line.get("x2")) - float(line.get("x1")) == pytest.approx(100.0)
    assert len(bar.findall(f"{NS}line")) == 1 + 11  # the bar and a tick every 10 mm
    holes = root.findall(f".//{NS}g[@class='hole']/{NS}circle")
    xs = sorted(float(c.get("cx")) - w / 2 for c in holes)
    assert xs == pytest.approx(list(p.pattern.offsets), abs=1e-3)
    assert all(float(c.get("cy")) == pytest.approx(p.pattern.top_distance) for c in holes)
    assert all(float(c.get("r")) == pytest.approx(3.0) for c in holes)
    assert "100 mm" in svg and "actual size" in svg


def test_sheet_smaller_than_its_pattern_is_refused():
    with pytest.raises(ParameterError) as info:
        model.PARAMS(sheet_size="custom", custom_width=250.0, sheet_pattern="eu-888")
    msg = str(info.value)
    assert "custom_width" in msg and "250.0" in msg and "at least 252 mm" in msg
    with pytest.raises(ParameterError) as info:
        model.PARAMS(sheet_size="custom", custom_height=110.0)
    assert "custom_height" in str(info.value) and "at least 125.4 mm" in str(info.value)


def test_corner_into_a_hole_is_refused():
    with pytest.raises(ParameterError) as info:
        model.PARAMS(sheet_size="letter", sheet_pattern="se-8", corner_radius=40.0)
    msg = str(info.value)
    assert "corner_radius" in msg and "40.0" in msg and "from 0 to" in msg


def valid_params(draw) -> dict:
    """One valid parameter set: each field from its declared range, narrowed by the
    model's rules (the holes inside the sheet, EDGE_MIN from every edge)."""
    cls, E = model.PARAMS, model.EDGE_MIN
    size = draw(within(cls, "sheet_size"))

    def hole_max(pat, w=None, h=None):
        # the holes' room above (top_distance), and on a fixed sheet, to its sides
        # and above the shield kept below them
        hi = 2 * (pat.top_distance - E)
        if w is not None:
            hi = min(hi, w - 2 * (pat.outermost + E), 2 * (h - pat.top_distance
                                                        - model.MIN_HEIGHT_BELOW))
        return hi

    fixed = SHEET_SIZES.get(size, (None, None))
    fits = [n for n in declared(cls, "sheet_pattern")["choices"]
            if hole_max(SHEET_PATTERNS[n], *fixed) >= declared(cls, "hole_diameter")["min"]]
    pattern = draw(st.sampled_from(fits))
    pat = SHEET_PATTERNS[pattern]
    hole = draw(within(cls, "hole_diameter", hi=hole_max(pat, *fixed)))
    r = hole / 2
    kw = dict(sheet_size=size, sheet_pattern=pattern, hole_diameter=hole,
              thickness=draw(within(cls, "thickness")),
              custom_width=draw(within(cls, "custom_width", lo=2 * (pat.outermost + r + E))),
              custom_height=draw(within(cls, "custom_height",
                                        lo=pat.top_distance + r + model.MIN_HEIGHT_BELOW)),
              corner_radius=0.0)
    w, h = cls(**kw).size
    largest = min(model._largest_corner(cls(**kw)), min(w, h) / 2 - 1)
    kw["corner_radius"] = draw(zero_or(cls, "corner_radius", 0.5, largest))
    return kw


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_property_valid_builds_one_solid(data):
    kw = valid_params(data.draw)
    p = model.PARAMS(**kw)
    wp = model.build(p)
    assert len(wp.solids().vals()) == 1 and wp.val().isValid()
    assert len(dxf.contours(model.outline(p))) == 1 + len(p.pattern.offsets)


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_property_out_of_range_names_its_field(data):
    kw = valid_params(data.draw)
    name = data.draw(st.sampled_from(numeric_fields(model.PARAMS)))
    kw[name] = data.draw(out_of_range(model.PARAMS, name), label=name)
    with pytest.raises(ParameterError) as info:
        model.PARAMS(**kw)
    assert info.value.field == name and re.search(r"is not allowed: .+", str(info.value))
    assert repr(kw[name]) in str(info.value)


# ------------------------------------------------------------------ checks that can fail


def _cut(p, path):
    return dxf.export_dxf(model.outline(p), path)


def test_hole_check_reads_the_engine_file(tmp_path):
    p = VARIANTS["a4-eu-888"]
    files = {"cut.dxf": _cut(p, tmp_path / "cut.dxf")}
    result = model.checks(p, None, files)["hole_positions"]
    assert result["ok"] and result["measured_mm"] == [-120.0, -40.0, 40.0, 120.0]
    assert model.interface(p, None, files)["positions_mm"] == [-120.0, -40.0, 40.0, 120.0]


def test_file_of_another_pattern_or_sheet_fails(tmp_path):
    p = VARIANTS["a4-eu-888"]
    other = _cut(VARIANTS["a4-eu-iso838"], tmp_path / "iso.dxf")
    result = model.check_file(p, other)
    assert not result["ok"] and "6.000 mm off the pattern" in result["detail"]
    letter = _cut(VARIANTS["letter-eu-888"], tmp_path / "letter.dxf")
    result = model.check_file(p, letter)
    assert not result["ok"] and "not a4 297 x 210" in result["detail"]
    us3 = _cut(VARIANTS["a4-us-3"], tmp_path / "us3.dxf")
    assert "3 holes for the 4 of the pattern" in model.check_file(p, us3)["detail"]


def test_holes_off_the_punched_edge_fail(monkeypatch, tmp_path):
    """Holes 1 mm lower than the pattern's distance from the punched edge."""
    p = VARIANTS["a4-eu-888"]
    w, h = p.size
    low = [(x, y - 1.0) for x, y in p.hole_centres]
    monkeypatch.setattr(type(p), "hole_centres", property(lambda self: low))
    result = model.check_file(p, _cut(p, tmp_path / "low.dxf"))
    assert not result["ok"] and "from the punched edge (pattern 22.4 mm)" in result["detail"]


def test_a_failing_check_fails_the_build(tmp_path):
    """`python -m cad build` on a copy whose holes are drawn 1 mm low: refused."""
    code, rec = build_edited_copy(tmp_path, DESIGN, {
        "model.py": [("y = h - self.pattern.top_distance\n",
                      "y = h - self.pattern.top_distance - 1.0\n")],
        "design.toml": [('sheet_size = ["a4", "letter"]', 'sheet_size = ["a4"]'),
                        ('sheet_pattern = ["eu-888", "eu-iso838", "se-8", "us-3", "us-6"]',
                         'sheet_pattern = ["eu-888"]')]})
    assert code == 1
    assert rec["variant"] == "a4-eu-888" and rec["ok"] is False
    assert rec["checks"]["hole_positions"]["ok"] is False
