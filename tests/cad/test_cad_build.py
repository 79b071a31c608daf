"""The build engine on the fixture designs: outputs, manifest, cache, failures."""

from __future__ import annotations

import json
import math

import pytest
import trimesh

from cad.build import build, read_manifest
from cad.fsutil import sha256_file

BOX_IDS = ["l10-h0", "l10-h4", "l20-h0", "l20-h4"]
ALL = [f"test-box/{v}" for v in BOX_IDS] + ["test-peg/d3", "test-peg/d5"]


def records(manifest) -> dict[str, dict]:
    return {f"{r['design']}/{r['variant']}": r for r in manifest["variants"]}


def run(root, out, **kw):
    kw.setdefault("jobs", 1)
    return build(root, out, **kw)


def test_build_writes_files_and_manifest(designs_root, out_dir):
    report = run(designs_root, out_dir)
    assert report.exit_code == 0 and sorted(report.built) == sorted(ALL)
    assert report.summary().startswith("built 6, cached 0, failed 0 in ")

    manifest = json.loads((out_dir / "manifest.json").read_text())
    assert manifest == report.manifest
    assert manifest["schema"] == 1
    designs = manifest["designs"]
    assert {slug: {k: v for k, v in d.items() if k != "parameters"}
            for slug, d in designs.items()} == {
        "test-box": {"technology": "fdm", "status": "prototype", "version": "1.0.0",
                     "licence": "CC0-1.0"},
        "test-peg": {"technology": "laser", "status": "community", "version": "0.2.0",
                     "licence": "CC0-1.0"}}
    assert [p["name"] for p in designs["test-box"]["parameters"]] == \
        ["length", "width", "height", "hole"]
    assert designs["test-peg"]["parameters"][0] == {
        "name": "diameter", "default": 3.0, "title": "Diameter", "doc": "Peg diameter.",
        "unit": "mm", "min": 1, "max": 10, "choices": None}
    assert list(records(manifest)) == ALL  # design order, then matrix order

    for name, rec in records(manifest).items():
        assert set(rec) >= {"design", "variant", "params", "cache_key", "files", "bbox",
                            "volume_mm3", "triangles", "checks", "ok", "build_seconds"}
        assert rec["ok"] is True and len(rec["cache_key"]) == 64
        # A printed variant that PrusaSlicer sliced also gets its printer-ready 3MF.
        sliced = ((rec.get("figures") or {}).get("print") or {}).get("available") is True
        printed = designs[rec["design"]]["technology"] == "fdm" and sliced
        assert set(rec["files"]) == {"stl", "glb", "svg", "step"} | ({"3mf"} if printed else set())
        for ext, info in rec["files"].items():
            assert info["path"] == f"{name}.{ext}"  # relative to the build folder
            path = out_dir / info["path"]
            assert path.stat().st_size == info["bytes"] > 0
            assert sha256_file(path) == info["sha256"]
        assert rec["triangles"] == len(trimesh.load(out_dir / rec["files"]["stl"]["path"]).faces)
        assert {"valid_brep", "watertight", "one_body", "winding", "positive_volume"} \
            <= set(rec["checks"])
        assert all(c["ok"] and c["detail"] for c in rec["checks"].values())


@pytest.mark.parametrize("variant", BOX_IDS)
def test_box_geometry_is_closed_form(designs_root, out_dir, variant):
    rec = records(run(designs_root, out_dir, designs=["test-box"]).manifest)[f"test-box/{variant}"]
    p = rec["params"]
    L, W, H, d = p["length"], p["width"], p["height"], p["hole"]
    assert rec["volume_mm3"] == pytest.approx(L * W * H - math.pi * (d / 2) ** 2 * H, abs=1e-6)
    assert rec["bbox"] == {"min": [-L / 2, -W / 2, 0.0], "max": [L / 2, W / 2, H],
                           "size": [L, W, H]}
    assert rec["checks"]["footprint"] == {"ok": True, "detail": f"{L * W:g} mm2 on the bed",
                                          "area_mm2": L * W}
    assert rec["checks"]["positive_volume"]["volume_mm3"] == pytest.approx(
        rec["volume_mm3"], rel=2e-3)  # the STL agrees with the solid


def test_peg_geometry_is_closed_form(designs_root, out_dir):
    rec = records(run(designs_root, out_dir, designs=["test-peg"]).manifest)["test-peg/d5"]
    assert rec["volume_mm3"] == pytest.approx(math.pi * 2.5 ** 2 * 4, abs=1e-6)
    assert rec["bbox"]["size"] == [5.0, 5.0, 4.0]


def test_second_build_rebuilds_nothing(designs_root, out_dir):
    first = run(designs_root, out_dir)
    mtimes = {p: p.stat().st_mtime_ns for p in out_dir.rglob("*.stl")}
    second = run(designs_root, out_dir)
    assert second.built == [] and sorted(second.cached) == sorted(ALL)
    assert second.summary().startswith("built 0, cached 6, failed 0")
    assert second.manifest == first.manifest
    assert {p: p.stat().st_mtime_ns for p in out_dir.rglob("*.stl")} == mtimes


def test_editing_a_model_rebuilds_only_that_design(designs_root, out_dir, edit):
    first = records(run(designs_root, out_dir).manifest)
    edit("test-peg/model.py", '"""Fixture:', '"""Edited fixture:')
    report = run(designs_root, out_dir)
    assert sorted(report.built) == ["test-peg/d3", "test-peg/d5"]
    assert len(report.cached) == 4
    after = records(report.manifest)
    assert after["test-peg/d3"]["cache_key"] != first["test-peg/d3"]["cache_key"]
    assert after["test-box/l10-h0"] == first["test-box/l10-h0"]


def test_changing_a_matrix_value_rebuilds_only_new_variants(designs_root, out_dir, edit):
    run(designs_root, out_dir)
    edit("test-peg/design.toml", "diameter = [3, 5]", "diameter = [3, 6]")
    report = run(designs_root, out_dir)
    assert report.built == ["test-peg/d6"]
    assert not (out_dir / "test-peg" / "d5.stl").exists()  # stale outputs removed
    assert sorted(report.removed) == [f"test-peg/d5.{e}" for e in ("glb", "step", "stl", "svg")]
    assert "test-peg/d5" not in records(report.manifest)


def test_deleted_or_altered_output_is_rebuilt(designs_root, out_dir):
    run(designs_root, out_dir)
    (out_dir / "test-box" / "l10-h4.glb").unlink()
    with open(out_dir / "test-peg" / "d3.stl", "ab") as handle:
        handle.write(b"\0")
    report = run(designs_root, out_dir)
    assert sorted(report.built) == ["test-box/l10-h4", "test-peg/d3"]
    assert (out_dir / "test-box" / "l10-h4.glb").is_file()


def test_force_rebuilds_everything(designs_root, out_dir):
    first = run(designs_root, out_dir)
    again = run(designs_root, out_dir, force=True)
    assert sorted(again.built) == sorted(ALL)
    for name, rec in records(again.manifest).items():  # same inputs, same bytes
        before = records(first.manifest)[name]
        assert rec["cache_key"] == before["cache_key"]
        assert {k: v["sha256"] for k, v in rec["files"].items()} == \
            {k: v["sha256"] for k, v in before["files"].items()}


FAILING = '''
def build(p: PlateParams) -> cq.Workplane:
    if p.hole > 0:
        raise RuntimeError("hole drilling is broken")
    return _build(p)
'''


def test_failing_model_names_variant_and_keeps_manifest_clean(designs_root, out_dir, edit):
    run(designs_root, out_dir)
    path = edit("test-box/model.py", "def build(p: PlateParams)", "def _build(p: PlateParams)")
    path.write_text(path.read_text() + FAILING)
    report = run(designs_root, out_dir)
    assert report.exit_code == 1
    assert sorted((f.design, f.variant) for f in report.failures) == [
        ("test-box", "l10-h4"), ("test-box", "l20-h4")]
    line = next(f.line() for f in report.failures if f.variant == "l10-h4")
    assert line.startswith("error: test-box/l10-h4: RuntimeError: hole drilling is broken")
    assert "model.py line" in line
    assert "Traceback" in report.failures[0].traceback
    assert sorted(report.built) == ["test-box/l10-h0", "test-box/l20-h0"]  # others built
    assert report.summary().startswith("built 2, cached 2, failed 2")
    on_disk = read_manifest(out_dir)
    assert on_disk == report.manifest
    assert list(records(on_disk)) == ["test-box/l10-h0", "test-box/l20-h0",
                                      "test-peg/d3", "test-peg/d5"]
    assert not [p for p in out_dir.rglob("*") if ".tmp" in p.name]


def test_model_returning_no_solid_is_a_failure(designs_root, out_dir, edit):
    edit("test-peg/model.py", ".extrude(p.height)", "")
    report = run(designs_root, out_dir, designs=["test-peg"])
    assert [f.error for f in report.failures] == ["ValueError: build returned no solid "
                                                  "(only faces, wires or edges)"] * 2
    assert report.manifest["variants"] == [] and report.manifest["designs"] == {}


def test_failed_design_check_marks_record_not_ok(designs_root, out_dir, edit):
    edit("test-box/model.py", "area <= 2500", "area <= 100")
    report = run(designs_root, out_dir, designs=["test-box"])
    assert report.failures == [] and report.exit_code == 1
    assert report.failed_checks == {"test-box/l20-h0": ["footprint"],
                                    "test-box/l20-h4": ["footprint"]}
    assert records(report.manifest)["test-box/l20-h0"]["ok"] is False
    assert records(report.manifest)["test-box/l10-h0"]["ok"] is True


def test_design_filter_keeps_other_records(designs_root, out_dir, edit):
    run(designs_root, out_dir)
    edit("test-box/design.toml", 'version = "1.0.0"', 'version = "1.1.0"')
    edit("test-peg/model.py", '"""Fixture:', '"""Edited:')
    report = run(designs_root, out_dir, designs=["test-box"])
    assert report.built == [] and len(report.cached) == 4  # peg not looked at
    assert list(records(report.manifest)) == ALL
    assert report.manifest["designs"]["test-box"]["version"] == "1.1.0"
    assert report.manifest["designs"]["test-peg"]["parameters"][0]["name"] == "diameter"


def test_unknown_design_filter_is_refused(designs_root, out_dir):
    from cad.registry import DesignError
    with pytest.raises(DesignError, match="not a published design"):
        run(designs_root, out_dir, designs=["visor"])


def test_unpublished_design_is_dropped_with_its_files(designs_root, out_dir):
    run(designs_root, out_dir)
    (designs_root.parent / "hub.toml").write_text('[designs]\npublish = ["test-peg"]\n')
    report = run(designs_root, out_dir)
    assert list(report.manifest["designs"]) == ["test-peg"]
    assert not (out_dir / "test-box").exists()


def test_parallel_build_matches_serial(designs_root, tmp_path):
    serial = run(designs_root, tmp_path / "serial")
    parallel = build(designs_root, tmp_path / "parallel", jobs=2)
    assert parallel.exit_code == 0 and sorted(parallel.built) == sorted(ALL)

    def strip(rec):
        return {k: v for k, v in rec.items() if k != "build_seconds"}
    assert [strip(r) for r in parallel.manifest["variants"]] == \
        [strip(r) for r in serial.manifest["variants"]]


def test_corrupt_previous_manifest_means_rebuild(designs_root, out_dir):
    run(designs_root, out_dir)
    (out_dir / "manifest.json").write_text("{half")
    assert len(run(designs_root, out_dir).built) == 6


def test_worker_crash_fails_only_its_variant(designs_root, out_dir, edit):
    edit("test-peg/model.py", "    return cq.Workplane",
         "    if p.diameter == 3:\n        import os\n        os._exit(3)\n    return cq.Workplane")
    report = build(designs_root, out_dir, jobs=2)
    assert [(f.design, f.variant) for f in report.failures] == [("test-peg", "d3")]
    assert "worker process died" in report.failures[0].error
    assert sorted(report.built) == sorted(n for n in ALL if n != "test-peg/d3")


def test_checks_may_measure_the_files_written(designs_root, out_dir):
    """A checks(p, shape, files) receives the variant's files as written: a check that
    measures the STL against a fixed 3 mm fails for the 5 mm peg, and the run fails."""
    model = designs_root / "test-peg" / "model.py"
    model.write_text(model.read_text(encoding="utf-8") + '''

def checks(p, shape, files):
    import trimesh
    d = float(trimesh.load_mesh(files["stl"]).extents[0])
    return {"stl_diameter": {"ok": abs(d - 3.0) < 0.05, "detail": f"{d:.3f} mm on the STL",
                             "keys": sorted(files)}}
''', encoding="utf-8")
    report = run(designs_root, out_dir, designs=["test-peg"])
    recs = records(report.manifest)
    good, bad = recs["test-peg/d3"]["checks"], recs["test-peg/d5"]["checks"]
    assert good["stl_diameter"]["ok"] and not bad["stl_diameter"]["ok"]
    assert bad["stl_diameter"]["detail"] == "5.000 mm on the STL"
    assert {"stl", "glb", "svg", "step"} <= set(good["stl_diameter"]["keys"])
    assert report.exit_code == 1 and report.failed_checks == {"test-peg/d5": ["stl_diameter"]}
