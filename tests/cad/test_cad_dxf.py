"""cad.dxf: profiles to DXF (CUT layer, lines and arcs, mm), the audit, cut metrics."""

from __future__ import annotations

import math

import cadquery as cq
import ezdxf
import pytest

from cad import dxf


def plate(w=100.0, h=50.0, r=5.0, holes=((0.0, 0.0), (20.0, 0.0)), d=6.0) -> cq.Sketch:
    sk = cq.Sketch().rect(w, h).vertices().fillet(r).reset()
    return sk.push(list(holes)).circle(d / 2, mode="s").reset()


def entities(path):
    return [e.dxftype() for e in ezdxf.readfile(path).modelspace()]


def test_rounded_plate_exports_arcs_and_circles(tmp_path):
    path = dxf.export_dxf(plate(), tmp_path / "p.dxf")
    doc = ezdxf.readfile(path)
    assert doc.header["$INSUNITS"] == 4
    kinds = sorted(e.dxftype() for e in doc.modelspace())
    assert kinds == ["CIRCLE", "CIRCLE", "LWPOLYLINE"]
    outline = next(e for e in doc.modelspace() if e.dxftype() == "LWPOLYLINE")
    assert outline.closed and outline.dxf.layer == "CUT"
    bulges = [b for *_, b in outline.get_points("xyb") if b]
    # four 90 degree corner arcs: bulge = tan(90/4) in magnitude
    assert len(bulges) == 4
    assert all(abs(abs(b) - math.tan(math.radians(22.5))) < 1e-9 for b in bulges)


def test_audit_clean_and_metrics_closed_form(tmp_path):
    path = dxf.export_dxf(plate(), tmp_path / "p.dxf")
    audit = dxf.audit_dxf(path)
    assert audit["ok"] is True, audit["detail"]
    assert audit == {**audit, "audit_errors": 0, "insunits": 4, "contours": 3,
                     "open_contours": 0, "splines": 0, "layers": ["CUT"]}
    m = dxf.cut_metrics(path)
    want = 2 * (90 + 40) + 2 * math.pi * 5 + 2 * math.pi * 3 * 2
    assert m["cut_length_mm"] == pytest.approx(want, abs=0.01)
    assert m["pierces"] == 3
    assert m["cut_time_s"] == pytest.approx(want / dxf.CUT_SPEED_MM_S + 3 * dxf.PIERCE_S, abs=0.1)
    assert m["reference"] == "25 mm/s, 0.5 s per pierce"


def test_ellipse_becomes_lines_within_tolerance(tmp_path):
    a, b = 30.0, 10.0
    face = cq.Workplane().ellipse(a, b).extrude(1).faces("<Z").val()
    path = dxf.export_dxf(face, tmp_path / "e.dxf")
    assert entities(path) == ["LWPOLYLINE"]
    audit = dxf.audit_dxf(path)
    assert audit["ok"] and audit["splines"] == 0
    h = ((a - b) / (a + b)) ** 2  # Ramanujan's perimeter, error ~1e-6 here
    want = math.pi * (a + b) * (1 + 3 * h / (10 + math.sqrt(4 - 3 * h)))
    assert dxf.cut_metrics(path)["cut_length_mm"] == pytest.approx(want, abs=0.05)


def test_workplane_and_wire_profiles(tmp_path):
    wp = cq.Workplane().rect(10, 20)  # a closed wire on the stack
    path = dxf.export_dxf(wp, tmp_path / "w.dxf")
    assert dxf.audit_dxf(path)["ok"]
    assert dxf.cut_metrics(path)["cut_length_mm"] == pytest.approx(60.0, abs=1e-6)


def test_empty_profile_refused(tmp_path):
    with pytest.raises(ValueError, match="no closed contour"):
        dxf.export_dxf(cq.Workplane(), tmp_path / "x.dxf")
    with pytest.raises(TypeError):
        dxf.export_dxf("not a profile", tmp_path / "x.dxf")


def _doc():
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 4
    doc.layers.add("CUT")
    return doc


def test_audit_flags_open_contour_spline_units_layer(tmp_path):
    doc = _doc()
    msp = doc.modelspace()
    msp.add_line((0, 0), (10, 0), dxfattribs={"layer": "CUT"})
    msp.add_line((10, 0), (10, 10), dxfattribs={"layer": "CUT"})
    doc.saveas(tmp_path / "open.dxf")
    audit = dxf.audit_dxf(tmp_path / "open.dxf")
    assert not audit["ok"] and audit["open_contours"] == 1 and "open contours" in audit["detail"]

    doc = _doc()
    doc.modelspace().add_spline([(0, 0), (5, 5), (10, 0), (0, 0)],
                                dxfattribs={"layer": "CUT"}).closed = True
    doc.saveas(tmp_path / "spline.dxf")
    audit = dxf.audit_dxf(tmp_path / "spline.dxf")
    assert not audit["ok"] and audit["splines"] == 1

    doc = _doc()
    doc.header["$INSUNITS"] = 1  # inches
    doc.modelspace().add_circle((0, 0), 5)  # layer 0
    doc.saveas(tmp_path / "inch.dxf")
    audit = dxf.audit_dxf(tmp_path / "inch.dxf")
    assert not audit["ok"]
    assert "$INSUNITS is 1" in audit["detail"] and "layers ['0']" in audit["detail"]


def test_line_and_arc_loop_counts_as_closed(tmp_path):
    doc = _doc()
    msp = doc.modelspace()
    at = {"layer": "CUT"}
    msp.add_line((0, 0), (10, 0), dxfattribs=at)
    msp.add_arc((10, 5), 5, -90, 90, dxfattribs=at)
    msp.add_line((10, 10), (0, 10), dxfattribs=at)
    msp.add_line((0, 10), (0, 0), dxfattribs=at)
    doc.saveas(tmp_path / "loop.dxf")
    audit = dxf.audit_dxf(tmp_path / "loop.dxf")
    assert audit["ok"] and audit["contours"] == 1
    m = dxf.cut_metrics(tmp_path / "loop.dxf")
    assert m["cut_length_mm"] == pytest.approx(30 + 5 * math.pi, abs=0.01)
    assert m["pierces"] == 1


def test_unreadable_file(tmp_path):
    (tmp_path / "bad.dxf").write_text("not a dxf")
    audit = dxf.audit_dxf(tmp_path / "bad.dxf")
    assert audit["ok"] is False and "unreadable" in audit["detail"]
