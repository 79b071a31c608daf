"""plexibox: finger-jointed panels that mate, an inside equal to the parameters, cut
files that pass the DXF audit, and panels that fit their stock sheets.

The strongest proof that the joints mate is in 3D: the four nominal panels placed in the
assembled box never overlap (pairwise intersection volume 0) and together fill exactly
the box's shell (outer box less the inside less the two arm ports, closed form): every
tab sits in a slot and no corner is doubled or left empty.
"""

import itertools
import math
import tomllib
from pathlib import Path

import pytest

from cad import dxf, joints
from cad.params import ParameterError
from cad.registry import read_design
from edited_copy import build_edited_copy

DESIGN = Path(__file__).resolve().parents[2] / "designs" / "plexibox"


model = read_design(DESIGN).model()
META = tomllib.loads((DESIGN / "design.toml").read_text(encoding="utf-8"))
THICKNESSES = META["variants"]["matrix"]["sheet_thickness"]
ODD = dict(inner_width=350, inner_depth=300, inner_height=280, sheet_thickness=6.0,
           port_diameter=90.0, port_spacing=170.0, port_height=120.0, kerf=0.3)
CASES = [dict(sheet_thickness=t) for t in THICKNESSES] + [ODD]
IDS = [f"t{t:g}" for t in THICKNESSES] + ["odd"]


def shell_volume(p):
    W, D, H = p.outer
    t, r = p.t, p.port_diameter / 2
    return W * D * H - (W - 2 * t) * (D - t) * (H - t) - 2 * math.pi * r * r * t


@pytest.mark.parametrize("kw", CASES, ids=IDS)
def test_panels_fill_the_shell_without_overlap(kw):
    p = model.PARAMS(**kw)
    parts = {n: model.panel_solid(p, n) for n in model.PANELS}
    assert all(s.isValid() for s in parts.values())
    for a, b in itertools.combinations(model.PANELS, 2):
        assert parts[a].intersect(parts[b]).Volume() == pytest.approx(0.0, abs=1e-6), (a, b)
    total = sum(s.Volume() for s in parts.values())
    assert total == pytest.approx(shell_volume(p), rel=1e-9)


@pytest.mark.parametrize("kw", CASES, ids=IDS)
def test_assembled_inside_equals_parameters(kw):
    p = model.PARAMS(**kw)
    asm = model.build(p)
    solids = {child.name: child.obj for child in asm.children}
    assert set(solids) == set(model.PANELS)
    bb = {n: s.BoundingBox() for n, s in solids.items()}
    assert bb["side-right"].xmin - bb["side-left"].xmax == pytest.approx(p.inner_width)
    assert bb["side-left"].ymax - bb["front"].ymax == pytest.approx(p.inner_depth)
    assert bb["top"].zmin - bb["front"].zmin == pytest.approx(p.inner_height)
    result = model.checks(p, asm)
    assert all(c["ok"] for c in result.values()), result
    assert result["inner_size"]["inner_mm"] == pytest.approx(
        [p.inner_width, p.inner_depth, p.inner_height])


@pytest.mark.parametrize("kw", CASES, ids=IDS)
def test_mating_edges_on_the_cut_outlines(kw):
    """Read each jointed edge off the kerf-compensated outlines: same finger count on
    both panels, tabs of one where the other has slots, nominal widths equal (the cut
    paths differ by the kerf on each side)."""
    p = model.PARAMS(**kw)
    paths = model.outlines(p)
    sizes = p.panel_sizes()
    ej = model.edge_joints(p)
    for (pa, ea), (pb, eb) in model.MATES:
        ja, jb = ej[pa][ea], ej[pb][eb]
        assert ja.count == jb.count and ja.length == pytest.approx(jb.length)
        ra = joints.edge_runs(paths[pa], ea, *sizes[pa], ja.depth, p.kerf)
        rb = joints.edge_runs(paths[pb], eb, *sizes[pb], jb.depth, p.kerf)
        assert len(ra) == len(rb) == ja.count, (pa, ea, pb, eb)
        kinds_a = [k for *_, k in ra]
        kinds_b = [k for *_, k in rb]
        assert kinds_a == kinds_a[::-1] and kinds_b == kinds_b[::-1]  # palindromes
        assert all({x, y} == {"tab", "slot"} for x, y in zip(kinds_a, kinds_b))
        for (a0, a1, ka), (b0, b1, kb) in zip(ra[1:-1], rb[1:-1]):  # inner segments
            na = (a1 - a0) - (p.kerf if ka == "tab" else -p.kerf)
            nb = (b1 - b0) - (p.kerf if kb == "tab" else -p.kerf)
            assert na == pytest.approx(ja.width) and nb == pytest.approx(ja.width)
            assert abs((a1 - a0) - (b1 - b0)) == pytest.approx(2 * p.kerf)
        # fingers about three thicknesses, never below 1.5
        assert 1.5 * p.t <= ja.width <= 4.5 * p.t


def test_dxf_files_pass_the_audit_and_measure_in_closed_form(tmp_path):
    p = model.PARAMS(**ODD)
    profs = model.profiles(p)
    assert set(profs) == set(model.PANELS)
    W, D, H = p.outer
    ej = model.edge_joints(p)
    n_h, n_d = ej["front"]["left"].count, ej["side-left"]["top"].count
    for name, prof in profs.items():
        path = dxf.export_dxf(prof, tmp_path / f"{name}.dxf")
        audit = dxf.audit_dxf(path)
        assert audit["ok"], (name, audit["detail"])
        metrics = dxf.cut_metrics(path)
        if name.startswith("side"):
            # rectilinear outline: 2 (D + H) + 2 t per slot inside an edge (a slot at a
            # corner only moves the corner); the kerf offset adds 8 x kerf / 2
            inner_slots = (n_h + 1) // 2 - 2 + (n_d - 1) // 2
            want = 2 * (D + H) + 2 * p.t * inner_slots + 4 * p.kerf
            assert metrics["cut_length_mm"] == pytest.approx(want, abs=0.02)
            assert metrics["pierces"] == 1
        if name == "front":
            assert metrics["pierces"] == 3  # outline and two arm ports
            assert audit["contours"] == 3


def test_ports_are_where_the_parameters_say():
    p = model.PARAMS(**ODD)
    (x1, z1), (x2, z2) = model.port_centres(p)
    assert x2 - x1 == pytest.approx(p.port_spacing)
    assert z1 == z2 == p.port_height
    assert (x1 + x2) / 2 == pytest.approx(p.outer[0] / 2)
    front = model.panel_solid(p, "front")
    # a point at a port's centre, mid-thickness, is open; one 2 mm outside the port is not
    import cadquery as cq
    assert not front.isInside(cq.Vector(x1, p.t / 2, z1))
    assert front.isInside(cq.Vector(x1 + p.port_diameter / 2 + 2, p.t / 2, z1))


def test_every_panel_fits_the_stock_and_nesting_counts_sheets(tmp_path):
    p = model.PARAMS()
    res = model.nesting(p)
    assert res.sheets_needed == 2 and len(res.placements) == 4
    fig = model.figures(p, None)["nest"]
    assert fig["sheets_per_box"] == 2 and fig["stock_mm"] == [1220.0, 610.0]
    net = sum(abs(joints.signed_area(o)) for o in model.outlines(p).values())
    assert 0 < fig["efficiency"] <= net / (1220 * 610)  # first sheet only holds some
    for i in range(res.sheets_needed):
        path = res.export_dxf(tmp_path / f"sheet-{i + 1}.dxf", sheet=i)
        assert dxf.audit_dxf(path)["ok"]
    big = model.PARAMS(stock_width=1220, stock_height=915)
    assert model.nesting(big).sheets_needed == 1


def test_engine_builds_a_variant(tmp_path):
    """The real engine: four panel DXFs, the nested sheets, the assembly preview."""
    from cad import build as engine
    report = engine.build(out=tmp_path, designs=["plexibox"], jobs=1)
    assert not report.failures, [f.line() for f in report.failures]
    recs = [r for r in report.manifest["variants"] if r["design"] == "plexibox"]
    assert [r["variant"] for r in recs] == [f"t{t:g}" for t in THICKNESSES]
    for rec in recs:
        assert rec["ok"], {k: c["detail"] for k, c in rec["checks"].items() if not c["ok"]}
        files = rec["files"]
        assert {f"{n}.dxf" for n in model.PANELS} | {"sheet-1.dxf", "sheet-2.dxf"} <= set(files)
        assert "glb" in files and "svg" in files and "stl" not in files
        for key in ("sheet-1.dxf", "sheet-2.dxf"):
            assert dxf.audit_dxf(tmp_path / files[key]["path"])["ok"]
        assert rec["figures"]["nest"]["sheets_needed"] == 2
        assert rec["figures"]["cut"]["pierces"] == 6


# ------------------------------------------------------------------ parameters


def _error(**kw) -> str:
    with pytest.raises(ParameterError) as info:
        model.PARAMS(**kw)
    return str(info.value)


def test_overlapping_ports_refused():
    msg = _error(port_spacing=120.0)
    assert "port_spacing" in msg and "120.0" in msg and "at least 140 mm" in msg


def test_ports_too_close_to_the_walls_refused():
    msg = _error(port_spacing=400.0)
    assert "port_spacing" in msg and "400.0" in msg and "at most 340 mm" in msg
    msg = _error(port_height=60.0)
    assert "port_height" in msg and "60.0" in msg and "from 80 to 320 mm" in msg


def test_box_larger_than_stock_refused():
    msg = _error(stock_width=600, stock_height=400)
    assert "stock_height" in msg and "400" in msg and "at least 403.1" in msg
    msg = _error(inner_width=800, stock_width=700, stock_height=700)
    assert "stock" in msg and "larger than its stock sheet" in msg


def test_sheet_thickness_range():
    msg = _error(sheet_thickness=2.0)
    assert "sheet_thickness" in msg and "2.0" in msg and "from 3 to 6 mm" in msg
    assert "from 3 to 6 mm" in _error(sheet_thickness=7.0)


def test_every_parameter_documented():
    for entry in model.PARAMS.describe():
        assert entry["doc"] and len(entry["doc"]) > 20, entry["name"]
        assert entry["min"] is not None and entry["max"] is not None


# ------------------------------------------------------------------ texts


def test_design_toml():
    assert META["technology"] == "laser" and META["status"] == "prototype"
    for table in ("title", "summary", "not_certified_for"):
        assert set(META[table]) == {"fr", "en", "ar"}, table
    assert len(THICKNESSES) <= 6


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_instructions(lang):
    text = (DESIGN / f"instructions.{lang}.md").read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert "`kerf`" in text and "`sheet_thickness`" in text and "1220 × 610" in text
    assert "sheet-1.dxf" in text


# ------------------------------------------------------------------ checks that can fail
# Every cut-file check reads the DXF files and holds them to something outside the
# model (the mating panel's own file and the kerf, the stock sheets of design.toml); each
# is broken on purpose here and must fail.


@pytest.fixture(scope="module")
def cut_files(tmp_path_factory):
    p = model.PARAMS()
    return p, model.export_files(p, tmp_path_factory.mktemp("plexibox"))


def _copy(files, folder):
    import shutil
    folder.mkdir(parents=True, exist_ok=True)
    return {k: Path(shutil.copy(v, folder / Path(v).name)) for k, v in files.items()}


def test_cut_files_pass_and_give_their_figures(cut_files):
    p, files = cut_files
    result = model.check_files(p, files)
    assert all(c["ok"] for c in result.values()), result
    for row in result["joints_mate"]["edges"].values():
        assert row["clearance_mm"] == pytest.approx([0.0, 0.0], abs=1e-3)
    sizes = result["fits_stock"]["panels_mm"]
    W, D, H = p.outer
    assert sizes["front"] == pytest.approx([W + p.kerf, H + p.kerf], abs=1e-3)
    nest = result["nested_sheets"]
    assert nest["sheets"] == 2 and nest["parts"] == 4
    assert nest["min_gap_mm"] == pytest.approx(model.NEST_GAP, abs=1e-3)
    assert nest["stock_mm"] == [1220.0, 610.0]


def test_cut_without_kerf_compensation_fails_joints_mate(cut_files, tmp_path):
    """Files drawn at nominal size and cut with a 0.15 mm kerf: every tab 0.15 mm thin,
    every slot 0.15 mm wide: 0.3 mm of play, refused."""
    p, files = cut_files
    nominal = model.export_files(model.PARAMS(kerf=0.0), tmp_path)
    result = model.check_files(p, nominal)
    assert not result["joints_mate"]["ok"]
    assert "clearance +0.150 to +0.300 mm" in result["joints_mate"]["detail"]


def test_mate_with_another_finger_count_fails(cut_files, tmp_path):
    p, files = cut_files
    files = _copy(files, tmp_path)
    ej = model.edge_joints(p)
    j = ej["side-left"]["left"]
    ej["side-left"]["left"] = joints.EdgeJoint(j.length, j.depth, j.count + 2, j.first)
    pts = joints.panel_outline(*p.panel_sizes()["side-left"], ej["side-left"], p.kerf)
    dxf.export_dxf(model.cq.Workplane("XY").add(model._face(pts)), files["side-left.dxf"])
    result = model.check_files(p, files)
    assert not result["joints_mate"]["ok"]
    assert "front.left / side-left.left" in result["joints_mate"]["detail"]
    assert "front.right / side-right.left" not in result["joints_mate"]["detail"]


def test_shallow_slots_fail(cut_files, tmp_path):
    """Slots cut 1 mm short of the 3 mm sheet: the tabs would stand proud."""
    p, files = cut_files
    files = _copy(files, tmp_path)
    edges = {name: (None if j is None else joints.EdgeJoint(j.length, j.depth - 1.0,
                                                              j.count, j.first))
             for name, j in model.edge_joints(p)["top"].items()}
    pts = joints.panel_outline(*p.panel_sizes()["top"], edges, p.kerf)
    dxf.export_dxf(model.cq.Workplane("XY").add(model._face(pts)), files["top.dxf"])
    result = model.check_joints(p, files)
    assert not result["ok"] and "slots shallower than the 3 mm sheet" in result["detail"]


def test_stock_not_declared_fails(cut_files):
    p, files = cut_files
    meta = {"stock": {"sheets_mm": [[1000, 500]]}}
    result = model.check_files(p, files, meta)
    assert not result["fits_stock"]["ok"]
    assert "not a stock sheet declared" in result["fits_stock"]["detail"]
    small = model.check_files(p, files, {"stock": {"sheets_mm": [[500, 400], [1220, 610]]}})
    assert small["fits_stock"]["ok"]  # every panel fits the larger declared sheet
    tiny = model.check_files(p, files, {"stock": {"sheets_mm": [[500, 400]]}})
    assert "larger than every declared stock sheet" in tiny["fits_stock"]["detail"]


def test_nested_sheet_overlap_gap_outside_and_missing_part_fail(cut_files, tmp_path):
    import ezdxf
    p, files = cut_files

    def tampered(name, edit):
        f = _copy(files, tmp_path / name)
        doc = ezdxf.readfile(str(f["sheet-1.dxf"]))
        edit(doc.modelspace())
        doc.saveas(str(f["sheet-1.dxf"]))
        return model.check_files(p, f)["nested_sheets"]

    def outlines(msp):
        return sorted(msp.query("LWPOLYLINE"), key=lambda e: min(x for x, *_ in e.get_points()))

    def move(dx):  # the second panel on the sheet moved towards the first
        def edit(msp):
            msp_e = outlines(msp)[1]
            pts = [(x + dx, y, b) for x, y, b in msp_e.get_points("xyb")]
            msp_e.set_points(pts, format="xyb")
        return edit
    close = tampered("close", move(-(model.NEST_GAP - 0.1)))
    assert not close["ok"] and "CLOSER than the 0.15 mm kerf" in close["detail"]
    over = tampered("over", move(-(model.NEST_GAP + 2.0)))
    assert not over["ok"] and "OVERLAP" in over["detail"]
    out = tampered("out", move(1220.0))
    assert not out["ok"] and "OUTSIDE" in out["detail"]
    gone = tampered("gone", lambda msp: msp.delete_entity(outlines(msp)[1]))
    assert not gone["ok"] and "missing areas" in gone["detail"]


def test_a_failing_check_fails_the_build(tmp_path):
    """`python -m cad build` on a copy whose design.toml declares 1000 x 500 mm sheets
    only: the panels fit no declared sheet, the variant fails, the exit status is 1."""
    code, rec = build_edited_copy(tmp_path, DESIGN, {"design.toml": [
        ("sheets_mm = [[1220, 610]]", "sheets_mm = [[1000, 500]]"),
        ("sheet_thickness = [3.0, 5.0]", "sheet_thickness = [3.0]")]})
    assert code == 1
    assert rec["variant"] == "t3" and rec["ok"] is False
    assert rec["checks"]["fits_stock"]["ok"] is False
    assert rec["checks"]["joints_mate"]["ok"] and rec["checks"]["nested_sheets"]["ok"]
