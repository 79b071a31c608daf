"""The engine beyond one solid: cut profiles to audited DXF, Assemblies, figures, print figures, fits."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from cad import dxf
from cad.build import build
from cad.cli import main
from cad.fsutil import sha256_file

FIXTURES = Path(__file__).parent / "fixtures" / "designs_cut_assembly"
HAS_SLICER = shutil.which("prusa-slicer") is not None


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "designs"
    shutil.copytree(FIXTURES, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def recs(report):
    return {f"{r['design']}/{r['variant']}": r for r in report.manifest["variants"]}


@pytest.fixture
def built(root, tmp_path):
    report = build(root, tmp_path / "build", jobs=1)
    return report, recs(report), tmp_path / "build"


def test_profiles_become_audited_dxf_with_cut_figures(built):
    report, r, out = built
    assert report.exit_code == 0, [f.line() for f in report.failures]
    rec = r["test-sheet/w100"]
    info = rec["files"]["cut.dxf"]
    assert info["path"] == "test-sheet/w100.cut.dxf" and info["format"] == "dxf"
    assert sha256_file(out / info["path"]) == info["sha256"]
    assert rec["checks"]["dxf_cut"]["ok"] is True
    assert rec["checks"]["dxf_cut"]["contours"] == 3
    length = 2 * (90 + 40) + 2 * math.pi * 5 + 2 * 2 * math.pi * 3
    cut = rec["figures"]["cut"]
    assert cut["cut_length_mm"] == pytest.approx(length, abs=0.01)
    assert cut["pierces"] == 3
    assert cut["cut_time_s"] == pytest.approx(length / 25 + 1.5, abs=0.1)
    assert dxf.audit_dxf(out / info["path"])["ok"]


def test_every_file_entry_has_a_format(built):
    _, r, _ = built
    for rec in r.values():
        for key, info in rec["files"].items():
            assert info["format"] == key.rsplit(".", 1)[-1]
    assert r["test-sheet/w120"]["files"]["template.svg"]["path"] == \
        "test-sheet/w120.template.svg"


def test_figures_hook_is_merged(built):
    _, r, _ = built
    assert r["test-sheet/w100"]["figures"]["area"] == {
        "mm2": pytest.approx(100 * 50 - (4 - math.pi) * 25 - 2 * math.pi * 9, abs=1e-3)}


def test_assembly_exports_preview_without_stl(built):
    _, r, out = built
    rec = r["test-assembly/g5"]
    assert set(rec["files"]) == {"glb", "svg", "step"}
    assert rec["parts"] == ["left", "right"]
    assert rec["checks"]["valid_parts"]["ok"] is True
    assert rec["bbox"]["size"] == pytest.approx([25.0, 10.0, 10.0])
    assert rec["volume_mm3"] == pytest.approx(2000.0)
    assert "print" not in rec["figures"]


@pytest.mark.skipif(not HAS_SLICER, reason="prusa-slicer is not installed")
def test_fdm_variants_are_sliced(built):
    _, r, _ = built
    fig = r["test-carrier/s0"]["figures"]["print"]
    assert fig["available"] is True and fig["units"] == 2
    assert fig["time_s"] > 0 and fig["time_per_unit_s"] == pytest.approx(fig["time_s"] / 2)
    assert fig["filament_cm3"] > 0 and fig["slicer"].startswith("PrusaSlicer")
    assert "print" not in r["test-sheet/w100"]["figures"]  # laser: not sliced


def test_missing_slicer_marks_figures_unavailable(root, tmp_path, monkeypatch):
    from cad import slicer
    monkeypatch.setattr(slicer, "slicer_path", lambda: None)
    report = build(root, tmp_path / "b2", jobs=1, designs=["test-carrier"])
    fig = recs(report)["test-carrier/s0"]["figures"]["print"]
    assert fig == {"available": False, "reason": "prusa-slicer is not installed"}


def test_fits_listed_both_ways(built):
    _, r, _ = built
    carrier = r["test-carrier/s0"]
    assert [(f["design"], f["variant"], f["ok"]) for f in carrier["fits"]] == [
        ("test-sheet", "w100", True), ("test-sheet", "w120", True)]
    assert carrier["fits"][0]["clearance_mm"] == pytest.approx(0.4)
    assert [f["variant"] for f in r["test-sheet/w100"]["fits"]] == ["s0"]


def test_mismatched_pair_is_refused(root, tmp_path, capsys):
    toml = root / "test-carrier" / "design.toml"
    toml.write_text(toml.read_text().replace("shift = [0]", "shift = [0, 1]"))
    report = build(root, tmp_path / "b3", jobs=1)
    assert report.exit_code == 1
    lines = [f.line() for f in report.failures]
    assert len(lines) == 1 and "test-carrier/s1" in lines[0]
    assert "does not fit test-sheet/w100" in lines[0] and "1.00 mm off" in lines[0]
    assert "test-carrier/s1" not in recs(report)  # not published
    assert "test-carrier/s0" in recs(report)
    # the CLI exits non-zero and names the pair
    code = main(["build", "--root", str(root), "--out", str(tmp_path / "b3"), "--jobs", "1",
                 "--quiet"])
    assert code == 1 and "does not fit" in capsys.readouterr().err


def test_include_tables_add_variants(root, tmp_path):
    toml = root / "test-sheet" / "design.toml"
    toml.write_text(toml.read_text() + "\n[[variants.include]]\nwidth = 150\n")
    from cad.registry import read_design
    assert [v.id for v in read_design(root / "test-sheet").variants()] == \
        ["w100", "w120", "w150"]
    toml.write_text(toml.read_text() + "\n[[variants.include]]\ncolour = 1\n")
    from cad.registry import DesignError
    with pytest.raises(DesignError, match=r"variants.include\[1\].colour"):
        read_design(root / "test-sheet").variants()


def test_stale_dotted_outputs_removed(root, built):
    _, _, out = built
    toml = root / "test-sheet" / "design.toml"
    toml.write_text(toml.read_text().replace("width = [100, 120]", "width = [100]"))
    report = build(root, out, jobs=1, designs=["test-sheet"])
    assert "test-sheet/w120.cut.dxf" in report.removed
    assert "test-sheet/w120.template.svg" in report.removed
    assert not (out / "test-sheet" / "w120.cut.dxf").exists()
    assert (out / "test-sheet" / "w100.cut.dxf").exists()
