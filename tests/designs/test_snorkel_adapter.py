"""snorkel-adapter: every variant of the matrix, checked on the exported STL.

The outlet's cone is gauged on the STL at the ISO 5356-1 gauge points of cad.iso5356's
table; the STL is one closed body; the bounding box and volume follow from the profile
in closed form (Pappus); one STL per outlet is sliced with the real PrusaSlicer.
"""

import math
import shutil
import tomllib
from pathlib import Path

import cadquery as cq
import pytest

from cad import gauge, iso5356
from cad.export import export_stl
from cad.meshcheck import check_mesh, load_mesh
from cad.params import ParameterError
from cad.registry import read_design

DESIGN = Path(__file__).resolve().parents[2] / "designs" / "snorkel-adapter"


model = read_design(DESIGN).model()
META = tomllib.loads((DESIGN / "design.toml").read_text(encoding="utf-8"))
MATRIX = META["variants"]["matrix"]
VARIANTS = [(m, o) for m in MATRIX["mask"] for o in MATRIX["outlet"]]
GAUGE_TOL = 0.05

_BUILT: dict = {}


@pytest.fixture(scope="module")
def stl_dir(tmp_path_factory):
    _BUILT.clear()
    return tmp_path_factory.mktemp("snorkel")


def built(mask, outlet, o2, stl_dir):
    key = (mask, outlet, o2)
    if key not in _BUILT:
        p = model.PARAMS(mask=mask, outlet=outlet, oxygen_port=o2)
        wp = model.build(p)
        path = export_stl(wp.val(), stl_dir / f"{mask}-{outlet}-{int(o2)}.stl")
        _BUILT[key] = (p, wp, path, load_mesh(path))
    return _BUILT[key]


def pappus_volume(points):
    """Volume of the solid of revolution of a closed (r, z) polygon: 2 pi * A * r_c."""
    a = rc = 0.0
    n = len(points)
    for i in range(n):
        (r0, z0), (r1, z1) = points[i], points[(i + 1) % n]
        cross = r0 * z1 - r1 * z0
        a += cross / 2
        rc += (r0 + r1) * cross / 6
    return abs(2 * math.pi * rc)


def test_matrix_is_modest_and_covers_masks_and_outlets():
    assert set(MATRIX["mask"]) == set(model.MASK_PORTS)
    assert set(MATRIX["outlet"]) == {"male22", "female22", "male15"}
    assert len(VARIANTS) <= 6


@pytest.mark.parametrize("mask,outlet", VARIANTS)
def test_variant_is_one_closed_solid(mask, outlet, stl_dir):
    p, wp, path, mesh = built(mask, outlet, False, stl_dir)
    assert len(wp.solids().vals()) == 1 and wp.val().isValid()
    checks = check_mesh(mesh)
    assert all(c["ok"] for c in checks.values()), checks
    assert mesh.volume == pytest.approx(wp.val().Volume(), rel=2e-3)


@pytest.mark.parametrize("mask,outlet", VARIANTS)
def test_volume_and_box_closed_form(mask, outlet, stl_dir):
    p, wp, _, _ = built(mask, outlet, False, stl_dir)
    g = model.geometry(p)
    profile = model.outer_profile(p) + model.inner_profile(p)
    assert wp.val().Volume() == pytest.approx(pappus_volume(profile), rel=1e-6)
    bb = wp.val().BoundingBox()
    c = iso5356.cone(model.OUTLETS[outlet][0])
    length = c.male_length if p.sex == "male" else c.female_depth
    port = model.MASK_PORTS[mask]
    assert bb.zmin == pytest.approx(0, abs=1e-6)
    assert bb.zmax == pytest.approx(g.body_top + length, abs=1e-6)
    assert g.shoulder_top == pytest.approx(port.depth + model.COLLAR)
    assert bb.xlen == pytest.approx(port.inner_diameter - p.fit_clearance + 2 * model.COLLAR,
                                    abs=1e-6)
    assert bb.xlen < 250 and bb.ylen < 210 and bb.zlen < 210  # the reference bed


@pytest.mark.parametrize("mask,outlet", VARIANTS)
def test_stl_outlet_matches_iso5356_at_gauge_points(mask, outlet, stl_dir):
    p, _, path, mesh = built(mask, outlet, False, stl_dir)
    g = model.geometry(p)
    c = p.cone
    which = "outer" if p.sex == "male" else "inner"
    for dist, want in c.gauge_points(p.sex):
        got = gauge.diameter_at(mesh, g.top - dist, which, near=(0, 0))
        assert got == pytest.approx(want, abs=GAUGE_TOL), (dist, got, want)


@pytest.mark.parametrize("mask,outlet", VARIANTS)
def test_design_checks_pass(mask, outlet, stl_dir):
    p, wp, _, mesh = built(mask, outlet, False, stl_dir)
    result = model.checks(p, wp)
    assert result["outlet_cone"]["ok"], result["outlet_cone"]["detail"]
    assert result["outlet_cone"]["max_error_mm"] < 1e-6
    assert result["mask_spigot"]["ok"] and result["mask_spigot"]["port_values"] == "to verify"
    g = model.geometry(p)
    spigot = gauge.diameter_at(mesh, 2.0, "outer")  # below the groove, above the chamfer
    assert spigot == pytest.approx(2 * g.spigot_r, abs=GAUGE_TOL)


def test_walls_are_at_least_the_wall_thickness():
    """The thinnest wall of the profile (spigot at the groove, outlet cone at its tip)."""
    for mask, outlet in VARIANTS:
        p = model.PARAMS(mask=mask, outlet=outlet)
        g = model.geometry(p)
        assert g.spigot_r - g.groove_depth - g.chamber_r == pytest.approx(p.wall_thickness)
        if p.sex == "male":
            assert p.cone.male_tip_diameter / 2 - g.outlet_bore_r == \
                pytest.approx(p.wall_thickness)
        else:
            assert g.outlet_outer_r - p.cone.female_mouth_diameter / 2 == \
                pytest.approx(p.wall_thickness)


def test_oxygen_port_opens_into_the_chamber(stl_dir):
    p, wp, path, mesh = built("sm", "male22", True, stl_dir)
    solid = wp.val()
    assert solid.isValid() and len(wp.solids().vals()) == 1
    assert all(c["ok"] for c in check_mesh(mesh).values())
    g = model.geometry(p)
    a = math.radians(model.O2_ANGLE)
    d = cq.Vector(math.cos(a), 0, math.sin(a))
    at_wall = cq.Vector(g.body_r, 0, g.o2_z)
    # along the nipple's axis: open from the chamber out to the tip
    for t in (-(g.body_r - g.chamber_r) / math.cos(a) + 0.2, -1.0, 0.0, 5.0,
              model.O2_LENGTH - 0.2):
        assert not solid.isInside(at_wall + d * t), t
    # the nipple's wall is solid: a point beside the bore, inside the tip's radius
    side = cq.Vector(0, (model.O2_BORE / 2 + model.O2_TIP_DIAMETER / 2) / 2, 0)
    assert solid.isInside(at_wall + d * 5.0 + side)
    # and it does not disturb the outlet cone
    assert model.checks(p, wp)["outlet_cone"]["ok"]


@pytest.mark.skipif(shutil.which("prusa-slicer") is None, reason="prusa-slicer not installed")
@pytest.mark.parametrize("outlet,o2", [("male22", False), ("female22", True)])
def test_slices_with_prusaslicer(outlet, o2, stl_dir):
    from cad import slicer
    _, _, path, _ = built("sm", outlet, o2, stl_dir)
    fig = slicer.slice_stl(path)
    assert fig["available"] is True, fig
    assert 60 < fig["time_s"] < 4 * 3600 and 1 < fig["filament_cm3"] < 40


# ------------------------------------------------------------------ parameters


def _error(**kw) -> str:
    with pytest.raises(ParameterError) as info:
        model.PARAMS(**kw)
    return str(info.value)


def test_wall_below_three_perimeters_refused():
    msg = _error(wall_thickness=1.0)
    assert "wall_thickness" in msg and "1.0" in msg and "from 1.2 to 4 mm" in msg
    model.PARAMS(wall_thickness=1.2)  # exactly three perimeters of 0.4 mm is allowed


def test_wall_too_thick_for_the_port_refused():
    msg = _error(mask="sm", outlet="female22", wall_thickness=4.0)
    assert "wall_thickness" in msg and "4.0" in msg and "at most" in msg


def test_unknown_choices_refused():
    assert "one of 'sm', 'lxl'" in _error(mask="xl")
    assert "outlet" in _error(outlet="male30")
    assert "fit_clearance" in _error(fit_clearance=2.0)


def test_every_parameter_documented():
    for entry in model.PARAMS.describe():
        assert entry["doc"] and len(entry["doc"]) > 20, entry["name"]


def test_mask_ports_are_marked_to_verify():
    for port in model.MASK_PORTS.values():
        assert port.status == "to verify" and "to verify" in port.title


# ------------------------------------------------------------------ texts


def test_design_toml_texts_in_every_language():
    assert META["technology"] == "fdm" and META["status"] == "prototype"
    for table in ("title", "summary", "not_certified_for"):
        assert set(META[table]) == {"fr", "en", "ar"}, table
    for lang in ("fr", "en", "ar"):
        assert "ISO 5356-1" in META["not_certified_for"][lang]
        assert "EN 149" in META["not_certified_for"][lang]


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_instructions_give_airtight_print_guidance(lang):
    text = (DESIGN / f"instructions.{lang}.md").read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert "100 %" in text and "PETG" in text and "45°" in text
    assert "1:40" in text and "ISO 5356-1" in text
    assert text.count("30.0") + text.count("30,0") >= 1  # the port values, to verify


@pytest.mark.parametrize("outlet", ["male22", "female22", "male15"])
def test_stl_outlet_engages_a_standard_mate_at_the_standard_depth(outlet, stl_dir):
    """Fit the outlet's diameters measured on the STL against the distance from its end;
    a standard mate of the table (female for a male outlet, male for a female one)
    wedges at the standard's engagement depth, within 0.4 mm (0.01 mm on a diameter)."""
    import numpy as np
    p, _, _, mesh = built("sm", outlet, False, stl_dir)
    g, c = model.geometry(p), p.cone
    length = c.male_length if p.sex == "male" else c.female_depth
    ds = np.linspace(1.0, length - 1.0, 5)
    which = "outer" if p.sex == "male" else "inner"
    dia = [gauge.diameter_at(mesh, g.top - d, which, near=(0, 0)) for d in ds]
    k, d0 = np.polyfit(ds, dia, 1)
    if p.sex == "male":  # d = tip + x / 40; the standard socket's mouth is the reference
        assert k == pytest.approx(1 / 40, rel=0.02)
        depth = (c.female_mouth_diameter - d0) / k
    else:  # d = mouth - y / 40; the standard male's tip enters it
        assert k == pytest.approx(-1 / 40, rel=0.02)
        depth = (d0 - c.male_tip_diameter) / -k
    assert depth == pytest.approx(c.engagement, abs=0.4)
