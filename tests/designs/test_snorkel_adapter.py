"""snorkel-adapter: a socket over the mask's obround stub, checked on the exported STL.

Every figure the part is held to comes from outside the model: the volunteers' mask
figures (REFERENCE.md, copied with their source into design.toml's [reference]) and the
ISO 5356-1 table. Each design check is also broken on purpose (a wrong socket, a shallow
stop, no recess, a hole in a septum, a reamed or straight cone) and must then fail, in
the checks and in `python -m cad build`.
"""

import shutil
import tomllib
from pathlib import Path

import cadquery as cq
import pytest

from cad import meshslice
from cad.export import export_stl
from cad.meshcheck import check_mesh, load_mesh
from cad.params import ParameterError
from cad.registry import read_design
from edited_copy import build_edited_copy

DESIGN = Path(__file__).resolve().parents[2] / "designs" / "snorkel-adapter"

model = read_design(DESIGN).model()
META = tomllib.loads((DESIGN / "design.toml").read_text(encoding="utf-8"))
MASKS = META["variants"]["matrix"]["mask"]

_BUILT: dict = {}


@pytest.fixture(scope="module")
def stl_dir(tmp_path_factory):
    _BUILT.clear()
    return tmp_path_factory.mktemp("snorkel")


def built(mask, part, stl_dir):
    key = (mask, part)
    if key not in _BUILT:
        p = model.PARAMS(mask=mask, part=part)
        wp = model.build(p)
        path = export_stl(wp.val(), stl_dir / f"{mask}-{part}.stl")
        mesh = load_mesh(path)
        _BUILT[key] = (p, wp, path, mesh, model.check_mesh_file(p, mesh))
    return _BUILT[key]


def mesh_of(shape, path):
    return load_mesh(export_stl(shape, path))


# ------------------------------------------------------------------ the matrix


def test_variant_matrix_is_mask_by_part():
    assert META["variants"]["id"] == "{mask}-{part}"
    assert set(MASKS) == {"gen1", "500"} == set(model.MASKS)
    assert META["variants"]["matrix"]["part"] == ["adapter", "coupon"]
    ids = [v.id for v in read_design(DESIGN).variants()]
    assert ids == ["gen1-adapter", "gen1-coupon", "500-adapter", "500-coupon"]


def test_reference_figures_are_the_volunteers_not_the_models():
    """design.toml's figures are REFERENCE.md's, with their source and status."""
    g, m = META["reference"]["gen1"], META["reference"]["500"]
    assert g["socket"][0]["length_mm"] == [45.3, 46.4] and g["socket"][0]["width_mm"] == [19.6, 20.2]
    assert g["socket"][1]["length_mm"] == [44.4, 45.8] and g["socket"][1]["width_mm"] == [18.7, 19.3]
    assert g["seal_recess_depth_mm"] == [3.0, 5.25] and g["insertion_depth_mm"] == [15.0, 16.0]
    assert m["socket"][0]["length_mm"] == [51.7, 50.7] and m["socket"][0]["width_mm"] == [24.2, 23.2]
    assert m["socket"][0]["depth_mm"] == [0.0, 15.5] and m["socket"][0]["taper"] is True
    assert m["socket"][1] == {"what": "bore", "depth_mm": [18.5, 28.3],
                              "length_mm": [48.0, 48.0], "width_mm": [21.0, 21.0]}
    for ref in (g, m):
        assert ref["verified"] is False and "REFERENCE.md" in ref["source"]


# ------------------------------------------------------------------ built and measured


@pytest.mark.parametrize("mask", MASKS)
@pytest.mark.parametrize("part", ["adapter", "coupon"])
def test_stl_is_one_closed_body_and_every_check_passes(mask, part, stl_dir):
    p, wp, _, mesh, result = built(mask, part, stl_dir)
    assert wp.val().isValid() and len(wp.solids().vals()) == 1
    assert all(c["ok"] for c in check_mesh(mesh).values())
    expected = {"mask_socket"} if part == "coupon" else \
        {"mask_socket", "socket_depth", "inhale_cone", "exhale_cone", "channels_separate"} \
        | ({"seal_recess"} if mask == "gen1" else set())
    assert set(result) == expected
    for name, check in result.items():
        assert check["ok"], (name, check["detail"])
    bb = wp.val().BoundingBox()
    assert bb.zmin == pytest.approx(0, abs=1e-6)
    assert bb.xlen < 250 and bb.ylen < 210 and bb.zlen < 210  # the reference bed


def test_gen1_socket_measured_on_the_stl(stl_dir):
    """Sliced on the STL: the recess and the bore lie in the reported ranges."""
    *_, result = built("gen1", "adapter", stl_dir)
    rows = result["mask_socket"]["sections"]
    recess = [r for r in rows if r["what"] == "seal recess"]
    bore = [r for r in rows if r["what"] == "bore"]
    assert len(recess) == 3 and len(bore) == 3
    for r in recess:
        assert 45.3 - 0.02 <= r["length_mm"] <= 46.4 and 19.6 - 0.02 <= r["width_mm"] <= 20.2
    for r in bore:
        assert 44.4 - 0.02 <= r["length_mm"] <= 45.8 and 18.7 - 0.02 <= r["width_mm"] <= 19.3
        assert abs(r["obround_area_error"]) < 0.002
    assert 15.0 <= result["socket_depth"]["depth_mm"] <= 16.0
    assert 3.0 <= result["seal_recess"]["depth_mm"] <= 5.25


def test_500_socket_measured_on_the_stl(stl_dir):
    *_, result = built("500", "adapter", stl_dir)
    rows = result["mask_socket"]["sections"]
    mouth = [r for r in rows if r["what"] == "drafted mouth"]
    assert mouth[0]["depth_mm"] == pytest.approx(0.3)
    # 2 degree draft: 51.7 x 24.2 at the mouth to 50.7 x 23.2 at 15.5 mm
    for r in mouth:
        t = r["depth_mm"] / 15.5
        assert r["length_mm"] == pytest.approx(51.7 - t, abs=0.03)
        assert r["width_mm"] == pytest.approx(24.2 - t, abs=0.03)
    for r in (r for r in rows if r["what"] == "bore"):
        assert r["length_mm"] == pytest.approx(48.0, abs=0.03)
        assert r["width_mm"] == pytest.approx(21.0, abs=0.03)
    assert result["socket_depth"]["depth_mm"] == pytest.approx(28.3, abs=0.05)


@pytest.mark.parametrize("mask", MASKS)
def test_cones_gauged_on_the_stl(mask, stl_dir):
    *_, result = built(mask, "adapter", stl_dir)
    for name in ("inhale_cone", "exhale_cone"):
        c = result[name]
        assert c["max_error_mm"] <= 0.02 and c["taper"] == pytest.approx(1 / 40, rel=0.01)
        assert c["engagement_mm"] == pytest.approx(15.0, abs=0.5)  # ISO 5356-1, 22 mm
    assert "female" in result["inhale_cone"]["detail"]
    assert "male" in result["exhale_cone"]["detail"]


def test_coupon_is_the_socket_mouth_and_small(stl_dir):
    p, wp, _, mesh, result = built("gen1", "coupon", stl_dir)
    _, awp, _, amesh, aresult = built("gen1", "adapter", stl_dir)
    assert wp.val().BoundingBox().zlen == pytest.approx(model.COUPON_HEIGHT)
    assert wp.val().Volume() < 0.1 * awp.val().Volume()
    rows = result["mask_socket"]["sections"]
    assert {r["what"] for r in rows} == {"seal recess", "bore"}
    for r in rows:  # the adapter's socket, sliced at the same depths, is the same
        size = meshslice.extent(meshslice.contour_around(amesh, r["depth_mm"], (0, 0)))
        assert size == pytest.approx((r["length_mm"], r["width_mm"]), abs=1e-3)


# ------------------------------------------------------------------ broken on purpose


def _broken_socket(monkeypatch, mask, **spans):
    sock = model.MASKS[mask]
    new = tuple(spans.get(s.what, s) for s in sock.spans)
    monkeypatch.setitem(model.MASKS, mask, model.MaskSocket(sock.title, new, sock.source,
                                                            sock.unverified))


def test_wrong_socket_size_fails(monkeypatch, tmp_path):
    """A bore 1 mm too small (43.4 x 17.7) is found on the STL and refused."""
    _broken_socket(monkeypatch, "gen1",
                   bore=model.Span("bore", 3.0, 15.5, (43.4, 43.4), (17.7, 17.7)))
    p = model.PARAMS(mask="gen1", part="coupon")
    result = model.check_mesh_file(p, mesh_of(model.build(p).val(), tmp_path / "c.stl"))
    assert not result["mask_socket"]["ok"]
    assert "OUT" in result["mask_socket"]["detail"]


def test_first_generation_socket_on_a_500_fails(monkeypatch, tmp_path):
    """The 500's figures held against a gen1 socket: it fits no 500."""
    p = model.PARAMS(mask="gen1", part="coupon")
    mesh = mesh_of(model.build(p).val(), tmp_path / "c.stl")
    assert not model.check_mesh_file(p, mesh, model.reference("500"))["mask_socket"]["ok"]


def test_rectangular_socket_fails(tmp_path):
    """A rectangular bore of the right length and width is not the stub's obround."""
    p = model.PARAMS(mask="gen1", part="coupon")
    ring = cq.Solid.makeBox(60, 30, model.COUPON_HEIGHT, cq.Vector(-30, -15, 0)).cut(
        cq.Solid.makeBox(44.6, 18.9, 20, cq.Vector(-22.3, -9.45, -1)))
    result = model.check_mesh_file(p, mesh_of(ring, tmp_path / "r.stl"))
    assert not result["mask_socket"]["ok"]
    assert any(abs(r["obround_area_error"]) > 0.01 for r in result["mask_socket"]["sections"])


def test_shallow_socket_fails(monkeypatch, tmp_path):
    _broken_socket(monkeypatch, "gen1",
                   bore=model.Span("bore", 3.0, 12.0, (44.4, 44.4), (18.7, 18.7)))
    p = model.PARAMS(mask="gen1")
    result = model.check_mesh_file(p, mesh_of(model.build(p).val(), tmp_path / "a.stl"))
    assert not result["socket_depth"]["ok"]
    assert result["socket_depth"]["depth_mm"] == pytest.approx(12.0, abs=0.05)


def test_missing_seal_recess_fails(monkeypatch, tmp_path):
    _broken_socket(monkeypatch, "gen1",
                   **{"seal recess": model.Span("seal recess", 0.0, 3.0, (44.4, 44.4),
                                                (18.7, 18.7))})
    p = model.PARAMS(mask="gen1")
    result = model.check_mesh_file(p, mesh_of(model.build(p).val(), tmp_path / "a.stl"))
    assert not result["seal_recess"]["ok"] and not result["mask_socket"]["ok"]


def test_merged_channels_fail(stl_dir, tmp_path):
    """A 3 mm window through a septum joins the inhale channel to an exhale channel."""
    p, wp, _, _, _ = built("gen1", "adapter", stl_dir)
    lay = model.layout(p)
    z = lay.depth + 2.0
    x0 = lay.inhale_half[0] - 1.0  # from inside the inhale channel ...
    window = cq.Solid.makeBox(4.0, 3.0, 3.0, cq.Vector(x0, -1.5, z))
    assert x0 + 4.0 > lay.tube_half[0] + 1.0  # ... into the exhale channel
    broken = wp.val().cut(window)
    result = model.check_mesh_file(p, mesh_of(broken, tmp_path / "m.stl"))
    assert not result["channels_separate"]["ok"]
    assert "CONNECTED" in result["channels_separate"]["detail"]
    assert result["socket_depth"]["ok"]  # only the channels check is broken


def test_reamed_inhale_cone_fails(stl_dir, tmp_path):
    """The 22 mm female reamed straight to 22.6 mm for 10 mm: gauge and taper fail."""
    p, wp, _, _, _ = built("gen1", "adapter", stl_dir)
    lay = model.layout(p)
    ream = cq.Solid.makeCylinder(11.3, 11, cq.Vector(0, 0, lay.inhale_mouth - 10))
    result = model.check_mesh_file(p, mesh_of(wp.val().cut(ream), tmp_path / "i.stl"))
    assert not result["inhale_cone"]["ok"] and result["exhale_cone"]["ok"]


def test_straight_exhale_spigot_fails(stl_dir, tmp_path):
    """A straight 22.37 mm cylinder instead of the 1:40 male cone does not seal."""
    p, wp, _, _, _ = built("gen1", "adapter", stl_dir)
    lay = model.layout(p)
    sleeve = cq.Solid.makeCylinder(22.37 / 2, 21, cq.Vector(lay.exhale_x, 0, lay.z_top)).cut(
        cq.Solid.makeCylinder(lay.exhale_bore / 2, 21, cq.Vector(lay.exhale_x, 0, lay.z_top)))
    result = model.check_mesh_file(p, mesh_of(wp.val().fuse(sleeve).clean(),
                                              tmp_path / "e.stl"))
    assert not result["exhale_cone"]["ok"] and result["inhale_cone"]["ok"]


def test_a_failing_check_fails_the_build(tmp_path):
    """`python -m cad build` on a copy of the design whose gen1 bore is 1 mm small:
    the variant is reported failed and the exit status is 1."""
    code, rec = build_edited_copy(tmp_path, DESIGN, {
        "model.py": [("(44.4, 44.4), (18.7, 18.7)", "(43.4, 43.4), (17.7, 17.7)")],
        "design.toml": [('mask = ["gen1", "500"]\npart = ["adapter", "coupon"]',
                         'mask = ["gen1"]\npart = ["coupon"]')]})
    assert code == 1
    assert rec["variant"] == "gen1-coupon" and rec["ok"] is False
    assert rec["checks"]["mask_socket"]["ok"] is False


@pytest.mark.skipif(shutil.which("prusa-slicer") is None, reason="prusa-slicer not installed")
@pytest.mark.parametrize("mask", MASKS)
def test_coupon_prints_in_minutes(mask, stl_dir):
    from cad import slicer
    _, _, path, _, _ = built(mask, "coupon", stl_dir)
    fig = slicer.slice_stl(path)
    assert fig["available"] is True, fig
    assert fig["time_s"] < 30 * 60


# ------------------------------------------------------------------ parameters


def _error(**kw) -> str:
    with pytest.raises(ParameterError) as info:
        model.PARAMS(**kw)
    return str(info.value)


def test_parameters_refused_with_their_name():
    assert "one of 'gen1', '500'" in _error(mask="sm")
    assert "part" in _error(part="spigot")
    msg = _error(wall_thickness=1.0)
    assert "wall_thickness" in msg and "from 1.2 to 4 mm" in msg
    assert "socket_offset" in _error(socket_offset=2.0)


def test_every_parameter_documented():
    for entry in model.PARAMS.describe():
        assert entry["doc"] and len(entry["doc"]) > 20, entry["name"]


def test_offset_beyond_the_reported_figures_fails(tmp_path):
    """A maker's offset stays within what volunteers measured, or the build says so."""
    p = model.PARAMS(mask="500", part="coupon", socket_offset=0.4)
    result = model.check_mesh_file(p, mesh_of(model.build(p).val(), tmp_path / "o.stl"))
    assert not result["mask_socket"]["ok"]


# ------------------------------------------------------------------ texts


def test_design_toml_texts_in_every_language():
    assert META["technology"] == "fdm" and META["status"] == "prototype"
    for table in ("title", "summary", "not_certified_for"):
        assert set(META[table]) == {"fr", "en", "ar"}, table
    for lang in ("fr", "en", "ar"):
        assert "ISO 5356-1" in META["not_certified_for"][lang]
        assert "EN 149" in META["not_certified_for"][lang]
        assert "Easybreath" in META["summary"][lang]


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_instructions_say_what_fits_and_how_to_print_and_test(lang):
    text = (DESIGN / f"instructions.{lang}.md").read_text(encoding="utf-8")
    assert text.startswith("# ")
    for fig in ("gen1-adapter", "gen1-coupon", "500-adapter", "500-coupon",  # which file
                "44.4", "18.7", "45.3", "19.6", "15.5", "51.7", "24.2", "48.0", "28.3",
                "18.2",  # the figures used, with their status
                "100 %", "5 ", "-1 kPa", "100 Pa",  # airtight print and the bench test
                "22.37", "ISO 5356-1", "1:40", "14 cmH2O", "prototype", "REFERENCE.md"):
        assert fig in text, (lang, fig)
